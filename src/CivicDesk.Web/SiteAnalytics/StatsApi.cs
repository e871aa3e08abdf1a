using CivicDesk.Web.Api;
using CivicDesk.Web.Data;
using CivicDesk.Web.Localization;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.SiteAnalytics;

/// <summary>
/// /api/v1/sites/{id}/stats: the stats API, read from the hourly rollups (never from raw events). Metric names and
/// period parameters follow Plausible's Stats API v1, so existing scripts carry over.
/// </summary>
internal static class StatsApi
{
    private static readonly string[] KnownMetrics = ["visitors", "visits", "pageviews", "views_per_visit", "bounce_rate", "visit_duration", "events"];

    public static IEndpointRouteBuilder MapStatsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("/sites").WithTags("Sites");
        group.MapGet("/{id:int}/stats/aggregate", AggregateAsync).WithName("AggregateStats").ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> AggregateAsync(
        int id, string? period, string? date, string? metrics, SiteService sites, AppDbContext db, Text text, TimeProvider time, CancellationToken ct)
    {
        var site = await sites.FindAsync(id, ct);
        if (site is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound);
        }

        var wanted = (metrics ?? "visitors").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = wanted.Where(m => !KnownMetrics.Contains(m)).ToList();
        if (unknown.Count > 0 || wanted.Length == 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["metrics"] = [text["Stats.Metrics", string.Join(", ", unknown), string.Join(", ", KnownMetrics)]] });
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).DateTime);
        var (range, error) = Period.Parse(period, date, today);
        if (range is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [error == "Stats.Period" ? "period" : "date"] = [text[error!]] });
        }

        var totals = await TotalsAsync(db, site.Id, range, zone, ct);
        var result = new Dictionary<string, object>();
        foreach (var metric in wanted)
        {
            result[metric] = metric switch
            {
                "visitors" => totals.Visitors,
                "visits" => totals.Visits,
                "pageviews" => totals.Pageviews,
                "events" => totals.Events,
                "views_per_visit" => totals.Visits == 0 ? 0 : Math.Round((double)totals.Pageviews / totals.Visits, 2),
                "bounce_rate" => totals.Visits == 0 ? 0 : (long)Math.Round(100.0 * totals.Bounces / totals.Visits),
                _ => totals.Visits == 0 ? 0 : (long)Math.Round((double)totals.DurationSeconds / totals.Visits),
            };
        }

        return TypedResults.Ok(result);
    }

    internal sealed record Totals(long Visitors, long Visits, long Pageviews, long Events, long Bounces, long DurationSeconds);

    /// <summary>Sums the hourly rollups over the period's UTC hours.</summary>
    internal static async Task<Totals> TotalsAsync(AppDbContext db, int siteId, Period period, TimeZoneInfo zone, CancellationToken ct)
    {
        var (start, end) = period.Utc(zone);
        var rows = db.SiteHourlyStats.AsNoTracking().Where(s => s.SiteId == siteId && s.Hour >= start && s.Hour < end);
        var sums = await rows.GroupBy(_ => 1).Select(g => new Totals(
            g.Sum(s => s.NewVisitors), g.Sum(s => s.Visits), g.Sum(s => s.Pageviews), g.Sum(s => s.Events), g.Sum(s => s.Bounces), g.Sum(s => s.DurationSeconds)))
            .SingleOrDefaultAsync(ct);
        return sums ?? new Totals(0, 0, 0, 0, 0, 0);
    }
}
