using System.Globalization;
using Microsoft.AspNetCore.Localization;

namespace CivicDesk.Web.Localization;

/// <summary>
/// The two interface languages. Vietnamese is the default; English on request. Formatting follows vi-VN
/// (29/11/2026, 1.234.567) and en-GB (29/11/2026, 1,234,567), so that dates read day first in both.
/// </summary>
public static class Cultures
{
    public const string Vietnamese = "vi";
    public const string English = "en";

    public static readonly CultureInfo ViVn = CultureInfo.GetCultureInfo("vi-VN");
    public static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    public static readonly TimeZoneInfo VietnamTime = TimeZoneInfo.FindSystemTimeZoneById("Asia/Ho_Chi_Minh");

    public static CultureInfo ForCode(string? code) => code == English ? EnGb : ViVn;

    public static string CodeOf(CultureInfo culture) =>
        culture.TwoLetterISOLanguageName == English ? English : Vietnamese;

    public static bool IsSupported(string? code) => code is Vietnamese or English;

    public static IServiceCollection AddCultures(this IServiceCollection services)
    {
        services.AddLocalization();
        // Stateless: the culture is the request's, read when a text is looked up.
        services.AddSingleton<Text>();
        services.Configure<RequestLocalizationOptions>(options =>
        {
            CultureInfo[] supported = [ViVn, EnGb];
            options.DefaultRequestCulture = new RequestCulture(ViVn);
            options.SupportedCultures = supported;
            options.SupportedUICultures = supported;
            options.FallBackToParentCultures = true;
            options.FallBackToParentUICultures = true;
            options.ApplyCurrentCultureToResponseHeaders = true;
            // The remembered choice (cookie) wins over the browser's Accept-Language; a query string wins over both.
            options.RequestCultureProviders =
            [
                new LanguageProvider(new QueryStringRequestCultureProvider()),
                new LanguageProvider(new CookieRequestCultureProvider()),
                new LanguageProvider(new AcceptLanguageHeaderRequestCultureProvider()),
            ];
        });
        return services;
    }

    /// <summary>The cookie value that remembers a language choice.</summary>
    public static string CookieValue(string code)
    {
        var culture = ForCode(code);
        return CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture, culture));
    }

    /// <summary>An instant shown as Vietnam wall-clock time: 29/11/2026 14:05.</summary>
    public static string LocalTime(DateTime utc) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), VietnamTime)
            .ToString("dd/MM/yyyy HH:mm", CultureInfo.CurrentCulture);

    public static string LocalTime(DateTime? utc) => utc is { } value ? LocalTime(value) : "—";

    /// <summary>
    /// Maps whatever a client asks for onto the two languages: "en", "en-US" and "en-GB" all mean English with
    /// day-first dates; any "vi…" means Vietnamese. Without it, "en" or "en-US" would silently fall back to Vietnamese.
    /// </summary>
    private sealed class LanguageProvider(RequestCultureProvider inner) : RequestCultureProvider
    {
        public override async Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
        {
            var result = await inner.DetermineProviderCultureResult(httpContext);
            var code = result?.UICultures.Concat(result.Cultures)
                .Select(c => c.Value?.Split('-')[0].ToLowerInvariant())
                .FirstOrDefault(IsSupported);
            if (code is null)
            {
                return null;
            }

            var name = ForCode(code).Name;
            return new ProviderCultureResult(name, name);
        }
    }
}
