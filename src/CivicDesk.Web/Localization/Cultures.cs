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
        services.AddScoped<Text>();
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
                new QueryStringRequestCultureProvider(),
                new CookieRequestCultureProvider(),
                new AcceptLanguageProvider(),
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
    /// Accept-Language read by language, not region: "en", "en-US" and "en-GB" all get English (with en-GB formats),
    /// "vi" and "vi-VN" Vietnamese. The framework's provider would match "en-GB" only and answer "en" in Vietnamese.
    /// </summary>
    private sealed class AcceptLanguageProvider : RequestCultureProvider
    {
        public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            var languages = httpContext.Request.GetTypedHeaders().AcceptLanguage
                .Where(l => l.Quality is null or > 0)
                .OrderByDescending(l => l.Quality ?? 1);
            foreach (var language in languages)
            {
                var code = language.Value.Value?.Split('-')[0].ToLowerInvariant();
                if (IsSupported(code))
                {
                    return Task.FromResult<ProviderCultureResult?>(new ProviderCultureResult(ForCode(code).Name));
                }
            }

            return NullProviderCultureResult;
        }
    }
}
