using System.Globalization;
using System.Net;
using CivicDesk.Web.Data;
using CivicDesk.Web.Localization;
using CivicDesk.Web.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace CivicDesk.Web.SiteAnalytics;

public sealed record CounterDto(long Online, long Today, long Total);

/// <summary>
/// The visit counter Vietnamese government sites show in their footer ("Đang truy cập", "Hôm nay", "Tổng lượt truy
/// cập"): GET /api/counter/{domain} as JSON and /counter/{domain} as a small page for an iframe. Public, cached for a
/// minute, rate-limited, and reading nothing but these three numbers.
/// </summary>
internal static class CounterEndpoints
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan OnlineWindow = TimeSpan.FromMinutes(5);

    public static IEndpointRouteBuilder MapCounter(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/counter/{domain}", async (string domain, HttpContext context, SiteDirectory sites, AppDbContext db, IMemoryCache cache, TimeProvider time, CancellationToken ct) =>
        {
            context.Response.Headers.AccessControlAllowOrigin = "*";
            var counter = await CountAsync(domain, sites, db, cache, time, ct);
            if (counter is null)
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound);
            }

            context.Response.Headers.CacheControl = "public, max-age=60";
            return Results.Ok(counter);
        }).WithoutUser().RateLimitedPerClient().WithTags("Site analytics").WithName("VisitCounter").Produces<CounterDto>();

        app.MapGet("/counter/{domain}", async (string domain, HttpContext context, SiteDirectory sites, AppDbContext db, IMemoryCache cache, TimeProvider time, Text text, CancellationToken ct) =>
        {
            var counter = await CountAsync(domain, sites, db, cache, time, ct);
            if (counter is null)
            {
                return Results.NotFound();
            }

            context.Response.Headers.CacheControl = "public, max-age=60";
            string N(long n) => n.ToString("N0", CultureInfo.CurrentCulture);
            var html = $"""
                <!DOCTYPE html><html lang="{Cultures.CodeOf(CultureInfo.CurrentUICulture)}"><head><meta charset="utf-8"><title>{WebUtility.HtmlEncode(text["Counter.Title"])}</title>
                <style>body{"{"}margin:0;font:14px/1.5 system-ui,sans-serif;color:#1b1f24{"}"}dl{"{"}display:grid;grid-template-columns:auto auto;gap:0 .75rem;margin:0{"}"}dd{"{"}margin:0;text-align:right;font-variant-numeric:tabular-nums;font-weight:600{"}"}</style></head>
                <body><dl>
                <dt>{WebUtility.HtmlEncode(text["Counter.Online"])}</dt><dd>{N(counter.Online)}</dd>
                <dt>{WebUtility.HtmlEncode(text["Counter.Today"])}</dt><dd>{N(counter.Today)}</dd>
                <dt>{WebUtility.HtmlEncode(text["Counter.Total"])}</dt><dd>{N(counter.Total)}</dd>
                </dl></body></html>
                """;
            return Results.Content(html, "text/html; charset=utf-8");
        }).WithoutUser().RateLimitedPerClient().ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The iframe a web administrator pastes into the site's footer, in the language of the person reading it
    /// (<c>culture=vi</c> or <c>culture=en</c>), so that the counter's words do not follow each visitor's browser.
    /// </summary>
    public static string Snippet(Site site, HttpRequest request, Text text)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(text);
        var culture = Cultures.CodeOf(CultureInfo.CurrentUICulture);
        return $"<iframe src=\"{request.Scheme}://{request.Host}/counter/{site.Domain}?culture={culture}\" title=\"{text["Counter.Title"].Replace("\"", "&quot;", StringComparison.Ordinal)}\" width=\"240\" height=\"72\" style=\"border:0\" loading=\"lazy\"></iframe>";
    }

    /// <summary>The counter's JSON, for sites that draw the counter themselves.</summary>
    public static string JsonUrl(Site site, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(request);
        return $"{request.Scheme}://{request.Host}/api/counter/{site.Domain}";
    }

    private static async Task<CounterDto?> CountAsync(string domain, SiteDirectory sites, AppDbContext db, IMemoryCache cache, TimeProvider time, CancellationToken ct)
    {
        var site = await sites.FindAsync([domain], ct);
        if (site is null)
        {
            return null;
        }

        return await cache.GetOrCreateAsync(("counter", site.Id), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            var now = time.GetUtcNow().UtcDateTime;
            var zone = TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone);
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now, zone));
            var (start, _) = new Period(today, today).Utc(zone);
            var since = now - OnlineWindow;
            // Visits with an event in the window, found from the events: visits have no index on their last event.
            var online = await db.SiteEvents.Where(e => e.SiteId == site.Id && e.Timestamp >= since).Select(e => e.SessionId).Distinct().CountAsync(ct);
            var visitsToday = await db.SiteHourlyStats.Where(s => s.SiteId == site.Id && s.Hour >= start).SumAsync(s => (long?)s.Visits, ct) ?? 0;
            var visitsEver = await db.SiteHourlyStats.Where(s => s.SiteId == site.Id).SumAsync(s => (long?)s.Visits, ct) ?? 0;
            var startTotal = await db.Sites.Where(s => s.Id == site.Id).Select(s => s.CounterStartTotal).SingleAsync(ct);
            return new CounterDto(online, visitsToday, startTotal + visitsEver);
        });
    }
}
