using System.Globalization;
using System.Text.RegularExpressions;
using CivicDesk.Web.Localization;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Infrastructure;

/// <summary>
/// The app's own wording of a message in one language ("vi" or "en"), to check that an answer carries the translated
/// text of the language asked for rather than a framework's English or a resource key.
/// </summary>
public static class Translations
{
    public static string Translate(this AppFactory app, string language, string key, params object[] args)
    {
        ArgumentNullException.ThrowIfNull(app);
        var (culture, uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(language == "en" ? "en-GB" : "vi-VN");
            using var scope = app.Services.CreateScope();
            var text = scope.ServiceProvider.GetRequiredService<Text>();
            Assert.True(text.Has(key), $"No resource {key} in {language}");
            return args.Length == 0 ? text[key] : text[key, args];
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, uiCulture);
        }
    }

    /// <summary>A pattern matching the message of <paramref name="key"/> whatever its arguments.</summary>
    public static Regex Pattern(this AppFactory app, string language, string key)
    {
        var message = app.Translate(language, key);
        return new Regex("^" + Regex.Replace(Regex.Escape(message), @"\\\{\d+}", ".*") + "$", RegexOptions.Singleline);
    }
}
