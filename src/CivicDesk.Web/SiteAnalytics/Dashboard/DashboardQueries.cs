using CivicDesk.Web.Data;
using CivicDesk.Web.SiteAnalytics.Crossing;
using CivicDesk.Web.SiteAnalytics.Storage;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.SiteAnalytics.Dashboard;

/// <summary>A dashboard filter: one dimension equal to one value ("" means none: direct traffic, unknown country).</summary>
public sealed record DashboardFilter(Dimension Dimension, string Value)
{
    /// <summary>The dimensions a dashboard row can be clicked to filter by.</summary>
    public static readonly Dimension[] Filterable =
    [
        Dimension.Page, Dimension.EntryPage, Dimension.ExitPage, Dimension.Source, Dimension.Referrer, Dimension.UtmSource,
        Dimension.UtmMedium, Dimension.UtmCampaign, Dimension.UtmTerm, Dimension.UtmContent, Dimension.Country,
        Dimension.Browser, Dimension.Os, Dimension.Device, Dimension.Goal,
    ];

    public bool IsVisitLevel => Dimension is not (Dimension.Page or Dimension.Goal);
}

/// <summary>The headline numbers of a period.</summary>
public sealed record TopStats(long Visitors, long Visits, long Pageviews, long Events, long Bounces, long DurationSeconds)
{
    public static readonly TopStats Empty = new(0, 0, 0, 0, 0, 0);

    public double ViewsPerVisit => Visits == 0 ? 0 : Math.Round((double)Pageviews / Visits, 2);

    public long BounceRate => Visits == 0 ? 0 : (long)Math.Round(100.0 * Bounces / Visits);

    public long VisitDuration => Visits == 0 ? 0 : (long)Math.Round((double)DurationSeconds / Visits);
}

public enum Interval
{
    Hour,
    Day,
    Month,
}

/// <summary>One point of the time series; <see cref="Start"/> is local to the site.</summary>
public sealed record SeriesPoint(DateTime Start, long Visitors, long Visits, long Pageviews);

/// <summary>One row of a breakdown (top pages, sources, countries…).</summary>
public sealed record BreakdownRow(string Value, long Visitors, long Visits, long Pageviews, long Events, long Bounces, long DurationSeconds)
{
    public long BounceRate => Visits == 0 ? 0 : (long)Math.Round(100.0 * Bounces / Visits);

    public long VisitDuration => Visits == 0 ? 0 : (long)Math.Round((double)DurationSeconds / Visits);
}

/// <summary>
/// The queries behind the site dashboard. Without a filter, and for every headline number and daily chart with one
/// filter, they read the rollups (site_stats_hourly, site_stats_daily) only. A breakdown under a filter (top pages of
/// the visits from Facebook…) crosses two dimensions: closed days come from site_stats_crossed, computed by
/// <see cref="CrossedRollupJob"/>, and the rest of the period (today) from its raw visits — see ADR 0009.
/// </summary>
public sealed class DashboardQueries(AppDbContext db, TimeProvider time)
{
    public static Interval IntervalFor(Period period)
    {
        ArgumentNullException.ThrowIfNull(period);
        return period.Days == 1 ? Interval.Hour : period.Days <= 92 ? Interval.Day : Interval.Month;
    }

    public async Task<TopStats> TopStatsAsync(Site site, Period period, DashboardFilter? filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(period);
        var zone = Zone(site);
        if (filter is null)
        {
            var (start, end) = period.Utc(zone);
            var sums = await db.SiteHourlyStats.AsNoTracking().Where(s => s.SiteId == site.Id && s.Hour >= start && s.Hour < end)
                .GroupBy(_ => 1)
                .Select(g => new TopStats(g.Sum(s => s.NewVisitors), g.Sum(s => s.Visits), g.Sum(s => s.Pageviews), g.Sum(s => s.Events), g.Sum(s => s.Bounces), g.Sum(s => s.DurationSeconds)))
                .SingleOrDefaultAsync(ct);
            return sums ?? TopStats.Empty;
        }

        var own = await SumAsync(site.Id, period, filter.Dimension, filter.Value, ct);
        if (filter.Dimension != Dimension.Page)
        {
            return own;
        }

        // A page's bounce rate and visit duration are those of the visits that landed on it (as Plausible shows them).
        var landed = await SumAsync(site.Id, period, Dimension.EntryPage, filter.Value, ct);
        return own with { Bounces = landed.Bounces * own.Visits / Math.Max(1, landed.Visits), DurationSeconds = landed.DurationSeconds * own.Visits / Math.Max(1, landed.Visits) };
    }

    public async Task<IReadOnlyList<SeriesPoint>> SeriesAsync(Site site, Period period, DashboardFilter? filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(period);
        var zone = Zone(site);
        var interval = IntervalFor(period);
        var buckets = Buckets(period, interval);
        var (start, end) = period.Utc(zone);
        if (filter is null)
        {
            var hours = await db.SiteHourlyStats.AsNoTracking().Where(s => s.SiteId == site.Id && s.Hour >= start && s.Hour < end)
                .Select(s => new { s.Hour, s.NewVisitors, s.Visits, s.Pageviews }).ToListAsync(ct);
            foreach (var h in hours)
            {
                Bucket(buckets, interval, TimeZoneInfo.ConvertTimeFromUtc(h.Hour, zone), h.NewVisitors, h.Visits, h.Pageviews);
            }
        }
        else if (interval == Interval.Hour)
        {
            await HourlyFromVisitsAsync(site.Id, start, end, zone, filter, buckets, ct);
        }
        else
        {
            var days = await Rows(site.Id, period, filter.Dimension).Where(s => s.Value == filter.Value)
                .Select(s => new { s.Day, s.Visitors, s.Visits, s.Pageviews }).ToListAsync(ct);
            foreach (var d in days)
            {
                Bucket(buckets, interval, d.Day.ToDateTime(TimeOnly.MinValue), d.Visitors, d.Visits, d.Pageviews);
            }
        }

        return [.. buckets.Values];
    }

    public async Task<IReadOnlyList<BreakdownRow>> BreakdownAsync(
        Site site, Period period, Dimension dimension, DashboardFilter? filter, int limit, CancellationToken ct, string? goal = null)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(period);
        if (filter is not null)
        {
            return await FilteredBreakdownAsync(site, period, dimension, filter, limit, goal, ct);
        }

        var rows = Rows(site.Id, period, dimension);
        if (goal is not null)
        {
            var prefix = goal + SiteDailyStats.Separator;
            rows = rows.Where(s => s.Value.StartsWith(prefix));
        }

        var grouped = rows.GroupBy(s => s.Value).Select(g => new
        {
            Value = g.Key,
            Visitors = g.Sum(s => s.Visitors),
            Visits = g.Sum(s => s.Visits),
            Pageviews = g.Sum(s => s.Pageviews),
            Events = g.Sum(s => s.Events),
            Bounces = g.Sum(s => s.Bounces),
            Duration = g.Sum(s => s.DurationSeconds),
        });
        var ordered = dimension == Dimension.ExitPage
            ? grouped.Where(r => r.Visits > 0).OrderByDescending(r => r.Visits).ThenBy(r => r.Value)
            : grouped.OrderByDescending(r => r.Visitors).ThenByDescending(r => r.Pageviews + r.Events).ThenBy(r => r.Value);
        var list = await ordered.Take(limit).ToListAsync(ct);
        return [.. list.Select(r => new BreakdownRow(r.Value, r.Visitors, r.Visits, r.Pageviews, r.Events, r.Bounces, r.Duration))];
    }

    /// <summary>Visitors whose last event is less than five minutes old (from the events: visits have no index on their last event).</summary>
    public Task<int> VisitorsNowAsync(Site site, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(site);
        var since = time.GetUtcNow().UtcDateTime.AddMinutes(-5);
        return db.SiteEvents.AsNoTracking().Where(e => e.SiteId == site.Id && e.Timestamp >= since).Select(e => e.VisitorId).Distinct().CountAsync(ct);
    }

    private async Task<TopStats> SumAsync(int siteId, Period period, Dimension dimension, string value, CancellationToken ct)
    {
        var sums = await Rows(siteId, period, dimension).Where(s => s.Value == value)
            .GroupBy(_ => 1)
            .Select(g => new TopStats(g.Sum(s => s.Visitors), g.Sum(s => s.Visits), g.Sum(s => s.Pageviews), g.Sum(s => s.Events), g.Sum(s => s.Bounces), g.Sum(s => s.DurationSeconds)))
            .SingleOrDefaultAsync(ct);
        return sums ?? TopStats.Empty;
    }

    private IQueryable<SiteDailyStats> Rows(int siteId, Period period, Dimension dimension) =>
        db.Set<SiteDailyStats>().AsNoTracking().Where(s => s.SiteId == siteId && s.Dimension == dimension && s.Day >= period.From && s.Day <= period.To);

    /// <summary>
    /// A breakdown under a filter: the computed days from <see cref="SiteCrossedStats"/>, the others (today, a day the
    /// job has not reached) counted from raw visits by the same <see cref="CrossedCounter"/>, summed per value.
    /// </summary>
    private async Task<IReadOnlyList<BreakdownRow>> FilteredBreakdownAsync(
        Site site, Period period, Dimension dimension, DashboardFilter filter, int limit, string? goal, CancellationToken ct)
    {
        if (!CrossedCounter.Breakdowns.Contains(dimension))
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "This breakdown is not offered under a filter.");
        }

        var prefix = goal is null ? null : SiteCrossedStats.Cut(goal + SiteDailyStats.Separator);
        var sums = new Dictionary<string, BreakdownRow>(StringComparer.Ordinal);
        var computed = await db.Set<SiteCrossedDay>().AsNoTracking()
            .Where(d => d.SiteId == site.Id && d.Day >= period.From && d.Day <= period.To).Select(d => d.Day).ToListAsync(ct);
        if (computed.Count > 0)
        {
            var filterValue = SiteCrossedStats.Cut(filter.Value);
            var rows = db.Set<SiteCrossedStats>().AsNoTracking().Where(s => s.SiteId == site.Id && s.FilterDimension == filter.Dimension
                && s.FilterValue == filterValue && s.Dimension == dimension && s.Day >= period.From && s.Day <= period.To && computed.Contains(s.Day));
            if (prefix is not null)
            {
                rows = rows.Where(s => s.Value.StartsWith(prefix));
            }

            var grouped = await rows.GroupBy(s => s.Value).Select(g => new BreakdownRow(
                g.Key, g.Sum(s => (long)s.Visitors), g.Sum(s => (long)s.Visits), g.Sum(s => (long)s.Pageviews), g.Sum(s => (long)s.Events),
                g.Sum(s => (long)s.Bounces), g.Sum(s => s.DurationSeconds))).ToListAsync(ct);
            foreach (var row in grouped)
            {
                Merge(sums, row);
            }
        }

        var zone = Zone(site);
        foreach (var (from, to) in Gaps(period, computed))
        {
            foreach (var row in await CountRawAsync(site.Id, new Period(from, to), zone, dimension, filter, ct))
            {
                if (prefix is null || row.Value.StartsWith(prefix, StringComparison.Ordinal))
                {
                    Merge(sums, row);
                }
            }
        }

        return [.. sums.Values.OrderByDescending(r => r.Visitors).ThenByDescending(r => r.Pageviews + r.Events).ThenBy(r => r.Value, StringComparer.Ordinal).Take(limit)];
    }

    /// <summary>
    /// The filtered breakdown of days not computed yet, from their raw visits and events, counted as
    /// <see cref="CrossedCounter"/> counts. Most shapes are counted where the rows are, rather than carrying every
    /// matching visit into the counter: under a broad filter (a country) that is nearly the whole day's traffic.
    /// </summary>
    private async Task<IEnumerable<BreakdownRow>> CountRawAsync(int siteId, Period days, TimeZoneInfo zone, Dimension dimension, DashboardFilter filter, CancellationToken ct)
    {
        var (start, end) = days.Utc(zone);
        if (CrossedCounter.IsVisitDimension(dimension)
            && await VisitBreakdownSql.CountAsync(db, siteId, start, end, dimension, filter, ct) is { } counted)
        {
            return counted;
        }

        var counter = new CrossedCounter((filter.Dimension, filter.Value), dimension);
        if (CrossedCounter.IsVisitDimension(filter.Dimension) && !CrossedCounter.IsVisitDimension(dimension))
        {
            if (dimension == Dimension.Page)
            {
                return db.Database.IsSqlite()
                    ? await PagesOfVisitsInProcessAsync(siteId, days, zone, filter, ct)
                    : await PagesOfVisitsAsync(siteId, days, zone, filter, ct) ?? await CountAsync(FilteredVisits(siteId, start, end, filter));
            }

            // Goals and their properties: the matching visits' custom events, each with its visit, in one join.
            var customEvents = db.SiteEvents.Where(e => e.SiteId == siteId && e.Timestamp >= start && e.Name != CrossEvent.Pageview);
            var (having, custom) = await CrossedData.EventsWithVisitsAsync(customEvents, FilteredVisits(siteId, start, end, filter), filter.Dimension, dimension, ct);
            counter.Add(having, custom);
            return Rows(counter);
        }

        if (!CrossedCounter.IsVisitDimension(dimension))
        {
            // Pages, goals and properties under a page or goal filter: the filter's events, each with its visit, in one
            // join; the counter keeps the visits having a pageview of the page (an event of the goal).
            var ofFilter = CrossedData.OfFilter(db.SiteEvents.Where(e => e.SiteId == siteId && e.Timestamp >= start), filter.Dimension, filter.Value);
            var (having, events) = await CrossedData.EventsWithVisitsAsync(ofFilter, Visits(siteId, start, end), filter.Dimension, dimension, ct);
            counter.Add(having, events);
            return Rows(counter);
        }

        // Under a page or goal filter only the visits having such an event are read (one pass over the filter's events,
        // not a lookup per visit), and the counter finds the matching ones from those events. A visit breakdown comes
        // here only when a value reaches the cut (VisitBreakdownSql).
        return await CountAsync(CrossedCounter.IsVisitDimension(filter.Dimension) ? FilteredVisits(siteId, start, end, filter) : VisitsHavingEvent(siteId, start, end, filter));

        async Task<IEnumerable<BreakdownRow>> CountAsync(IQueryable<SiteSession> query)
        {
            var visits = await CrossedData.VisitsAsync(query, filter.Dimension, dimension, ct);
            List<CrossEvent> events = [];
            if (CrossedCounter.NeedsEvents(filter.Dimension, dimension))
            {
                // Visits read for an event breakdown carry no times: their span is asked of the database if needed.
                var span = CrossedCounter.IsVisitDimension(dimension) ? CrossedData.Span(visits) : ((DateTime, DateTime)?)null;
                events = await CrossedData.EventsAsync(db, siteId, query, visits, span, filter.Dimension, filter.Value, dimension, ct);
            }

            counter.Add(visits, events);
            return Rows(counter);
        }
    }

    private static IEnumerable<BreakdownRow> Rows(CrossedCounter counter) =>
        counter.Rows().Select(r => new BreakdownRow(r.Value, r.Visitors, r.Visits, r.Pageviews, r.Events, r.Bounces, r.DurationSeconds));

    /// <summary>
    /// The pages of the visits matching a visit filter, counted by PostgreSQL: under a broad filter (a country, a
    /// device) nearly every pageview of the day matches, and carrying them all over the connection to count them cost
    /// more than the rest of the query (10 M-event benchmark: Country=VN pages 204 → 159 ms at p95). SQLite, in the
    /// process, counts them faster in the app than through its join (Source=Facebook pages 92 → 211 ms): see
    /// <see cref="PagesOfVisitsInProcessAsync"/>. The same definition as <see cref="CrossedCounter"/>: the pageviews of the visits begun in
    /// the days; visitors distinct over the days equal the sum of each day's, since a visit keeps the visitor id of the
    /// day it began and a later visit gets that day's id. The crossed-breakdown tests hold the two equal.
    /// </summary>
    /// <returns>The rows, or null when a page is as long as the cut: two such pages may be one row, with each visitor
    /// once, which the counter counts.</returns>
    private async Task<IEnumerable<BreakdownRow>?> PagesOfVisitsAsync(int siteId, Period days, TimeZoneInfo zone, DashboardFilter filter, CancellationToken ct)
    {
        var (start, end) = days.Utc(zone);
        var pages = await db.SiteEvents.AsNoTracking()
            .Where(e => e.SiteId == siteId && e.Timestamp >= start && e.Name == CrossEvent.Pageview)
            .Join(FilteredVisits(siteId, start, end, filter), e => e.SessionId, s => s.SessionId, (e, s) => new { e.Pathname, s.VisitorId, e.SessionId })
            .GroupBy(x => x.Pathname)
            .Select(g => new
            {
                Page = g.Key,
                Visitors = g.Select(x => x.VisitorId).Distinct().Count(),
                Visits = g.Select(x => x.SessionId).Distinct().Count(),
                Pageviews = g.Count(),
            }).ToListAsync(ct);
        return pages.Exists(p => p.Page.Length >= SiteCrossedStats.ValueMaxLength) ? null : pages.Select(p => new BreakdownRow(p.Page, p.Visitors, p.Visits, p.Pageviews, 0, 0, 0));
    }

    /// <summary>
    /// The pages of the visits matching a visit filter, counted here for SQLite, which reads in the process: from the
    /// matching visits' page lists (<see cref="SiteSession.Pages"/>), one pass over the visits the breakdown needs
    /// anyway. Under a broad filter (a country, a device) the pageviews of the day were most of the day's events, and
    /// reading them one by one took 150–200 ms at 10 M events by the end of the day (docs/benchmarks.md, 2026-12-03).
    /// Visits without a list (stored before it existed, or with more pages than it keeps) or with one not in its form
    /// have their pageviews read from their events. The same definition as <see cref="CrossedCounter"/> and
    /// <see cref="PagesOfVisitsAsync"/>; the crossed-breakdown tests hold them equal.
    /// </summary>
    private async Task<IEnumerable<BreakdownRow>> PagesOfVisitsInProcessAsync(int siteId, Period days, TimeZoneInfo zone, DashboardFilter filter, CancellationToken ct)
    {
        var (start, end) = days.Utc(zone);
        var visits = FilteredVisits(siteId, start, end, filter);
        var count = new PageCount();
        var unlisted = new HashSet<long>();
        await foreach (var v in visits.Select(v => new { v.SessionId, v.VisitorId, v.Pages }).AsAsyncEnumerable().WithCancellation(ct))
        {
            count.AddVisit(v.SessionId, v.VisitorId);
            if (v.Pages is null || !VisitPages.IsWellFormed(v.Pages))
            {
                unlisted.Add(v.SessionId);
                continue;
            }

            var pages = VisitPages.Read(v.Pages);
            while (pages.MoveNext())
            {
                count.Add(v.SessionId, pages.Path, pages.Pageviews);
            }
        }

        if (unlisted.Count == 0)
        {
            return count.Rows();
        }

        var pageviews = db.SiteEvents.AsNoTracking().Where(e => e.SiteId == siteId && e.Name == CrossEvent.Pageview);
        if (unlisted.Count <= CrossedData.FewVisits)
        {
            // Few visits without a list (long ones): the pageviews from the first one's start on, by the (site, time)
            // index, not the whole range's. No end: a visit's row may be behind its events while the visit goes on.
            // Events are not indexed by visit (ADR 0008, "Events not indexed by visit").
            var ids = unlisted.ToList();
            var first = await visits.Where(v => EF.Parameter(ids).Contains(v.SessionId)).MinAsync(v => (DateTime?)v.StartedAt, ct) ?? start;
            pageviews = pageviews.Where(e => e.Timestamp >= first);
        }
        else if (end > time.GetUtcNow().UtcDateTime)
        {
            // The days reach the present: every event from their start on may belong to one of their visits.
            pageviews = pageviews.Where(e => e.Timestamp >= start);
        }
        else
        {
            var (from, to) = await CrossedData.SpanAsync(visits, ct);
            pageviews = pageviews.Where(e => e.Timestamp >= from && e.Timestamp <= to);
        }

        await foreach (var e in pageviews.Select(e => new { e.SessionId, e.Pathname }).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (unlisted.Contains(e.SessionId))
            {
                count.Add(e.SessionId, e.Pathname, 1);
            }
        }

        return count.Rows();
    }

    /// <summary>The runs of consecutive days of <paramref name="period"/> that are not in <paramref name="computed"/>.</summary>
    private static IEnumerable<(DateOnly From, DateOnly To)> Gaps(Period period, IReadOnlyCollection<DateOnly> computed)
    {
        var done = computed.ToHashSet();
        DateOnly? from = null;
        for (var day = period.From; day <= period.To.AddDays(1); day = day.AddDays(1))
        {
            var missing = day <= period.To && !done.Contains(day);
            if (missing && from is null)
            {
                from = day;
            }
            else if (!missing && from is { } first)
            {
                yield return (first, day.AddDays(-1));
                from = null;
            }
        }
    }

    private static void Merge(Dictionary<string, BreakdownRow> sums, BreakdownRow row)
    {
        var value = SiteCrossedStats.Cut(row.Value);
        sums[value] = sums.TryGetValue(value, out var sum)
            ? new BreakdownRow(value, sum.Visitors + row.Visitors, sum.Visits + row.Visits, sum.Pageviews + row.Pageviews, sum.Events + row.Events,
                sum.Bounces + row.Bounces, sum.DurationSeconds + row.DurationSeconds)
            : row with { Value = value };
    }

    /// <summary>The visits started in [start, end) that match a visit filter (source, country, entry page…).</summary>
    private IQueryable<SiteSession> FilteredVisits(int siteId, DateTime start, DateTime end, DashboardFilter filter)
    {
        return Visits(siteId, start, end).Where(CrossedData.Having(filter.Dimension, filter.Value));
    }

    /// <summary>
    /// The visits started in [start, end) having an event that a page or goal filter is about: an event on the page,
    /// an event of the goal. One pass over the filter's events makes a list the visits are checked against (SQL
    /// <c>IN (subquery)</c>), where reading every visit of the range and keeping the matching ones in the process read
    /// three times as many (10 M-event benchmark: a third of today's visits have a pageview of the home page). The
    /// counter still decides from the events which visits match; this only leaves out visits that cannot.
    /// </summary>
    private IQueryable<SiteSession> VisitsHavingEvent(int siteId, DateTime start, DateTime end, DashboardFilter filter)
    {
        // A visit's events come after its start, so the filter's events are read from the range's start on. They are
        // the events the counter reads for the filter (CrossedData.OfFilter), so no visit it would match is left out.
        var events = db.SiteEvents.Where(e => e.SiteId == siteId && e.Timestamp >= start);
        var sessions = CrossedData.OfFilter(events, filter.Dimension, filter.Value).Select(e => e.SessionId);
        return Visits(siteId, start, end).Where(s => sessions.Contains(s.SessionId));
    }

    private IQueryable<SiteSession> Visits(int siteId, DateTime start, DateTime end) =>
        db.SiteSessions.AsNoTracking().Where(s => s.SiteId == siteId && s.StartedAt >= start && s.StartedAt < end);

    private async Task HourlyFromVisitsAsync(int siteId, DateTime start, DateTime end, TimeZoneInfo zone, DashboardFilter filter, SortedDictionary<DateTime, SeriesPoint> buckets, CancellationToken ct)
    {
        List<CrossVisit> visits;
        if (CrossedCounter.IsVisitDimension(filter.Dimension))
        {
            visits = await CrossedData.VisitsAsync(FilteredVisits(siteId, start, end, filter), [], ct);
        }
        else
        {
            // The visits having a pageview of the page (an event of the goal), found from the filter's events: two index
            // ranges, where "visits having such an event" in SQL was a lookup per visit (~0.5 s for a day at 10 M events).
            var query = Visits(siteId, start, end);
            var all = await CrossedData.VisitsAsync(query, [], ct);
            var events = await CrossedData.EventsAsync(db, siteId, query, all, CrossedData.Span(all), filter.Dimension, filter.Value, filter.Dimension, ct);
            var matching = events.Where(e => e.IsPageview == (filter.Dimension == Dimension.Page)).Select(e => e.SessionId).ToHashSet();
            visits = [.. all.Where(v => matching.Contains(v.SessionId))];
        }

        foreach (var hour in visits.GroupBy(v => new DateTime(v.StartedAt.Year, v.StartedAt.Month, v.StartedAt.Day, v.StartedAt.Hour, 0, 0, DateTimeKind.Utc)))
        {
            Bucket(buckets, Interval.Hour, TimeZoneInfo.ConvertTimeFromUtc(hour.Key, zone), hour.Select(v => v.VisitorId).Distinct().Count(), hour.Count(), hour.Sum(v => (long)v.Pageviews));
        }
    }

    private static SortedDictionary<DateTime, SeriesPoint> Buckets(Period period, Interval interval)
    {
        var buckets = new SortedDictionary<DateTime, SeriesPoint>();
        var first = period.From.ToDateTime(TimeOnly.MinValue);
        var last = period.To.ToDateTime(TimeOnly.MinValue);
        for (var at = interval == Interval.Month ? new DateTime(first.Year, first.Month, 1, 0, 0, 0, DateTimeKind.Unspecified) : first;
             at <= last.AddHours(23);
             at = interval switch { Interval.Hour => at.AddHours(1), Interval.Day => at.AddDays(1), _ => at.AddMonths(1) })
        {
            buckets[at] = new SeriesPoint(at, 0, 0, 0);
        }

        return buckets;
    }

    private static void Bucket(SortedDictionary<DateTime, SeriesPoint> buckets, Interval interval, DateTime local, long visitors, long visits, long pageviews)
    {
        var key = interval switch
        {
            Interval.Hour => new DateTime(local.Year, local.Month, local.Day, local.Hour, 0, 0, DateTimeKind.Unspecified),
            Interval.Day => local.Date,
            _ => new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified),
        };
        if (buckets.TryGetValue(key, out var point))
        {
            buckets[key] = point with { Visitors = point.Visitors + visitors, Visits = point.Visits + visits, Pageviews = point.Pageviews + pageviews };
        }
    }

    private static TimeZoneInfo Zone(Site site) => TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone);
}
