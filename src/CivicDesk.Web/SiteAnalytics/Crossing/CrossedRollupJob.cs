using System.Diagnostics;
using System.Linq.Expressions;
using CivicDesk.Web.Data;
using CivicDesk.Web.Jobs;
using CivicDesk.Web.SiteAnalytics.Ingestion;
using CivicDesk.Web.SiteAnalytics.Storage;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.SiteAnalytics.Crossing;

/// <summary>
/// Computes the crossed breakdowns (<see cref="SiteCrossedStats"/>) of each site's closed days: a local day is closed
/// once every visit that started on it has ended (30 minutes without events after the site's midnight, and a margin).
/// A day is computed again when its totals in the daily rollups change afterwards — events stored late, after a
/// database outage — so the stored breakdowns always describe the stored events. Days not computed (today, or a day
/// waiting for the next run) are answered from raw visits by <see cref="Dashboard.DashboardQueries"/>.
/// </summary>
public sealed class CrossedRollupJob(AppDbContext db, TimeProvider time, ILogger<CrossedRollupJob> logger) : IJob
{
    /// <summary>How long after a site's midnight its previous day counts as closed: the visit timeout and a margin for the writer.</summary>
    public static readonly TimeSpan ClosingDelay = TimeSpan.FromMinutes(45);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var sites = await db.Sites.AsNoTracking().Select(s => new { s.Id, s.TimeZone }).ToListAsync(cancellationToken);
        foreach (var site in sites)
        {
            await RunAsync(site.Id, TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone), cancellationToken);
        }
    }

    /// <summary>Computes the site's closed days that are missing or out of date; returns how many it computed.</summary>
    public async Task<int> RunAsync(int siteId, TimeZoneInfo zone, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var closedThrough = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(time.GetUtcNow().UtcDateTime - ClosingDelay, zone)).AddDays(-1);

        // Every visit counts once under its source, so the source rows of a day sum to the day's visit totals.
        var totals = await db.Set<SiteDailyStats>().AsNoTracking()
            .Where(s => s.SiteId == siteId && s.Dimension == Dimension.Source && s.Day <= closedThrough)
            .GroupBy(s => s.Day)
            .Select(g => new Totals(g.Key, g.Sum(s => s.Visits), g.Sum(s => s.Pageviews), g.Sum(s => s.Events), g.Sum(s => s.DurationSeconds)))
            .ToListAsync(ct);
        var computed = await db.Set<SiteCrossedDay>().AsNoTracking().Where(d => d.SiteId == siteId)
            .ToDictionaryAsync(d => d.Day, d => new Totals(d.Day, d.Visits, d.Pageviews, d.Events, d.DurationSeconds), ct);
        var due = totals.Where(t => !computed.TryGetValue(t.Day, out var then) || then != t).OrderBy(t => t.Day).ToList();
        foreach (var day in due)
        {
            await ComputeAsync(siteId, zone, day, ct);
        }

        return due.Count;
    }

    private async Task ComputeAsync(int siteId, TimeZoneInfo zone, Totals totals, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var (start, end) = new Period(totals.Day, totals.Day).Utc(zone);
        var visits = await CrossedData.VisitsAsync(db.SiteSessions.Where(s => s.SiteId == siteId && s.StartedAt >= start && s.StartedAt < end), ct);
        var events = await CrossedData.EventsAsync(db, siteId, visits, ct);
        var counter = new CrossedCounter();
        counter.Add(visits, events);
        // In key order, so that the day's range of the table is written front to back.
        var rows = counter.Rows()
            .OrderBy(r => r.FilterDimension).ThenBy(r => r.FilterValue, StringComparer.Ordinal).ThenBy(r => r.Dimension).ThenBy(r => r.Value, StringComparer.Ordinal)
            .Select(r => new SiteCrossedStats
            {
                SiteId = siteId, Day = totals.Day, FilterDimension = r.FilterDimension, FilterValue = r.FilterValue, Dimension = r.Dimension, Value = r.Value,
                Visitors = r.Visitors, Visits = r.Visits, Pageviews = r.Pageviews, Events = r.Events, Bounces = r.Bounces, DurationSeconds = r.DurationSeconds,
            }).ToList();

        var counted = Stopwatch.GetElapsedTime(started);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Set<SiteCrossedStats>().Where(s => s.SiteId == siteId && s.Day == totals.Day).ExecuteDeleteAsync(ct);
        await db.Set<SiteCrossedDay>().Where(s => s.SiteId == siteId && s.Day == totals.Day).ExecuteDeleteAsync(ct);
        await BulkSql.InsertAsync(db, rows, ct);
        await BulkSql.InsertAsync(db, [new SiteCrossedDay
        {
            SiteId = siteId, Day = totals.Day, ComputedAt = time.GetUtcNow().UtcDateTime,
            Visits = totals.Visits, Pageviews = totals.Pageviews, Events = totals.Events, DurationSeconds = totals.DurationSeconds,
        }], ct);
        await transaction.CommitAsync(ct);
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Crossed breakdowns of site {SiteId} on {Day}: {Visits} visits, {Events} events, {Rows} rows; read and counted in {Counted} ms, written in {Written} ms.",
                siteId, totals.Day, visits.Count, events.Count, rows.Count, (long)counted.TotalMilliseconds, (long)(Stopwatch.GetElapsedTime(started) - counted).TotalMilliseconds);
        }
    }

    private sealed record Totals(DateOnly Day, long Visits, long Pageviews, long Events, long DurationSeconds);
}

/// <summary>Reads visits and their events in the shape <see cref="CrossedCounter"/> counts.</summary>
internal static class CrossedData
{
    private static readonly Expression<Func<SiteSession, CrossVisit>> Whole = Narrow(null, counters: true);

    /// <summary>The visits, whole.</summary>
    public static Task<List<CrossVisit>> VisitsAsync(IQueryable<SiteSession> visits, CancellationToken ct) =>
        visits.AsNoTracking().Select(Whole).ToListAsync(ct);

    /// <summary>The visits with only the counters and the columns of <paramref name="dimensions"/> (the others null): less to read and carry.</summary>
    public static Task<List<CrossVisit>> VisitsAsync(IQueryable<SiteSession> visits, IReadOnlyCollection<Dimension> dimensions, CancellationToken ct) =>
        visits.AsNoTracking().Select(Narrow(dimensions, counters: true)).ToListAsync(ct);

    /// <summary>
    /// The visits as a breakdown under <paramref name="filter"/> counts them: the columns of the two dimensions, and the
    /// counters and times only for a visit breakdown. A page, goal or property breakdown counts the visits' events, so
    /// it needs of a visit only its ids and its filter value (the counters stay 0, the times unset): reading and
    /// parsing two timestamps per visit was a third of the raw part's cost on SQLite (docs/benchmarks.md).
    /// </summary>
    public static Task<List<CrossVisit>> VisitsAsync(IQueryable<SiteSession> visits, Dimension filter, Dimension breakdown, CancellationToken ct) =>
        visits.AsNoTracking().Select(Narrow([filter, breakdown], counters: CrossedCounter.IsVisitDimension(breakdown))).ToListAsync(ct);

    /// <summary>The time span of the visits' events: from the first start to the last event.</summary>
    public static (DateTime From, DateTime To) Span(IReadOnlyList<CrossVisit> visits) =>
        visits.Count == 0 ? default : (visits.Min(v => v.StartedAt), visits.Max(v => v.LastAt));

    /// <summary>The time span of the visits' events, asked of the database (for visits read without their times).</summary>
    public static async Task<(DateTime From, DateTime To)> SpanAsync(IQueryable<SiteSession> visits, CancellationToken ct)
    {
        var span = await visits.AsNoTracking().GroupBy(_ => 1).Select(g => new { From = g.Min(s => s.StartedAt), To = g.Max(s => s.LastAt) }).SingleOrDefaultAsync(ct);
        return span is null ? default : (span.From, span.To);
    }

    /// <summary>
    /// The events of a whole day's <paramref name="visits"/>: those stored between the first visit's start and the last
    /// one's last event (the (site, time) index), kept when their visit is one of them.
    /// </summary>
    public static Task<List<CrossEvent>> EventsAsync(AppDbContext db, int siteId, IReadOnlyList<CrossVisit> visits, CancellationToken ct) =>
        EventsAsync(db.SiteEvents.Where(e => e.SiteId == siteId), visits, Span(visits), Event(withProps: true, pageviews: false), ct);

    /// <summary>
    /// The events of filtered <paramref name="visits"/> (read from <paramref name="query"/>) that a breakdown under
    /// <paramref name="filter"/> counts: under a page or goal filter the filter's events, under a visit filter the
    /// pageviews (page breakdown) or the custom events (goal and property breakdowns). <paramref name="span"/> is the
    /// visits' (<see cref="Span"/>), or null when they were read without their times: it is then asked of the database.
    /// The events are read by time over that span and sorted out, whatever the visits' number: events are not indexed
    /// by visit (ADR 0008, "Events not indexed by visit").
    /// </summary>
    public static async Task<List<CrossEvent>> EventsAsync(
        AppDbContext db, int siteId, IQueryable<SiteSession> query, IReadOnlyList<CrossVisit> visits, (DateTime From, DateTime To)? span,
        Dimension filter, string value, Dimension breakdown, CancellationToken ct)
    {
        var events = db.SiteEvents.Where(e => e.SiteId == siteId);
        var pageviews = CrossedCounter.IsVisitDimension(filter) && breakdown == Dimension.Page;
        events = filter switch
        {
            Dimension.Page or Dimension.Goal => OfFilter(events, filter, value),
            _ when pageviews => events.Where(e => e.Name == CrossEvent.Pageview),
            _ => events.Where(e => e.Name != CrossEvent.Pageview),
        };
        var shape = Event(withProps: breakdown == Dimension.GoalProperty, pageviews);
        return await EventsAsync(events, visits, span ?? await SpanAsync(query, ct), shape, ct);
    }

    /// <summary>
    /// The events of <paramref name="events"/> that belong to one of <paramref name="visits"/>, each with its visit (ids and
    /// the filter's value), read in one join. An event breakdown needs only the visits having such events — the custom
    /// events of the visits from a country, the events on a page — where reading the visits first read every matching
    /// one (under a broad filter, nearly all of the day's) and then their events by time.
    /// </summary>
    public static async Task<(List<CrossVisit> Visits, List<CrossEvent> Events)> EventsWithVisitsAsync(
        IQueryable<SiteEvent> events, IQueryable<SiteSession> visits, Dimension filter, Dimension breakdown, CancellationToken ct)
    {
        var visit = Narrow([filter], counters: false);
        var @event = Event(withProps: breakdown == Dimension.GoalProperty, pageviews: false);
        var e = @event.Parameters[0];
        var s = visit.Parameters[0];
        var pair = Expression.New(typeof(VisitEvent).GetConstructors().Single(), visit.Body, @event.Body);
        var pairs = await events.AsNoTracking().Join(visits.AsNoTracking(), x => x.SessionId, x => x.SessionId, Expression.Lambda<Func<SiteEvent, SiteSession, VisitEvent>>(pair, e, s))
            .ToListAsync(ct);
        return ([.. pairs.Select(p => p.Visit).DistinctBy(v => v.SessionId)], [.. pairs.Select(p => p.Event)]);
    }

    private sealed record VisitEvent(CrossVisit Visit, CrossEvent Event);

    /// <summary>
    /// The events a page or goal filter is about: those on the page, those of the goal. A value as long as the cut
    /// (<see cref="SiteCrossedStats.ValueMaxLength"/>, a row clicked in a breakdown) stands for every longer one it
    /// begins; the counter then keeps those whose cut value equals it.
    /// </summary>
    public static IQueryable<SiteEvent> OfFilter(IQueryable<SiteEvent> events, Dimension filter, string value)
    {
        var cut = SiteCrossedStats.Cut(value);
        var isCut = cut.Length == SiteCrossedStats.ValueMaxLength;
        return filter switch
        {
            Dimension.Page => isCut ? events.Where(e => e.Pathname.StartsWith(cut)) : events.Where(e => e.Pathname == value),
            Dimension.Goal => isCut ? events.Where(e => e.Name.StartsWith(cut)) : events.Where(e => e.Name == value),
            _ => throw new ArgumentException($"{filter} is not an event filter.", nameof(filter)),
        };
    }

    /// <summary>
    /// Up to this many visits without a page list, a page breakdown reads pageviews from the first one's start on;
    /// beyond, over the whole range's span. Both give the same pages; tests lower it to cover the second way with
    /// little traffic.
    /// </summary>
    internal static int FewVisits { get; set; } = 5_000;

    private static async Task<List<CrossEvent>> EventsAsync(
        IQueryable<SiteEvent> events, IReadOnlyList<CrossVisit> visits, (DateTime From, DateTime To) span, Expression<Func<SiteEvent, CrossEvent>> shape, CancellationToken ct)
    {
        if (visits.Count == 0)
        {
            return [];
        }

        var (from, to) = span;
        var sessions = visits.Select(v => v.SessionId).ToHashSet();
        var list = await events.AsNoTracking().Where(e => e.Timestamp >= from && e.Timestamp <= to).Select(shape).ToListAsync(ct);
        list.RemoveAll(e => !sessions.Contains(e.SessionId));
        return list;
    }

    /// <summary>An event as the counter reads it; its props only when a breakdown needs them; the name of pageviews not read (they all have it).</summary>
    private static Expression<Func<SiteEvent, CrossEvent>> Event(bool withProps, bool pageviews)
    {
        if (pageviews)
        {
            return e => new CrossEvent(e.SessionId, CrossEvent.Pageview, e.Pathname, "{}");
        }

        return withProps ? e => new CrossEvent(e.SessionId, e.Name, e.Pathname, e.Props) : e => new CrossEvent(e.SessionId, e.Name, e.Pathname, "{}");
    }

    /// <summary>
    /// s => new CrossVisit(s.SessionId, …) with the columns of visit dimensions not in <paramref name="keep"/> (null: keep
    /// all) as null, and without <paramref name="counters"/> the counters 0 and the times unset.
    /// </summary>
    private static Expression<Func<SiteSession, CrossVisit>> Narrow(IReadOnlyCollection<Dimension>? keep, bool counters)
    {
        var kept = keep?.Where(CrossedCounter.IsVisitDimension).Select(Column).ToHashSet();
        var s = Expression.Parameter(typeof(SiteSession), "s");
        var constructor = typeof(CrossVisit).GetConstructors().Single();
        var arguments = constructor.GetParameters().Select(p =>
            p.ParameterType == typeof(string)
                ? kept is null || kept.Contains(p.Name!) ? Expression.Property(s, p.Name!) : Expression.Constant(null, typeof(string))
                : counters || p.Name is nameof(CrossVisit.SessionId) or nameof(CrossVisit.VisitorId) ? Expression.Property(s, p.Name!) : (Expression)Expression.Default(p.ParameterType));
        return Expression.Lambda<Func<SiteSession, CrossVisit>>(Expression.New(constructor, arguments), s);
    }

    /// <summary>
    /// s => (s.column ?? "") == value, said so that the database can use its statistics: the visits whose visit filter
    /// <paramref name="dimension"/> has <paramref name="value"/> ("" for none). A value as long as the cut
    /// (<see cref="SiteCrossedStats.ValueMaxLength"/>) stands for every longer one it begins, as in <see cref="OfFilter"/>.
    /// </summary>
    public static Expression<Func<SiteSession, bool>> Having(Dimension dimension, string value)
    {
        if (!CrossedCounter.IsVisitDimension(dimension) || !CrossedCounter.Filters.Contains(dimension))
        {
            throw new ArgumentException($"{dimension} is not a visit filter.", nameof(dimension));
        }

        // A value other than "" compares the column itself, not (column ?? ""): the same visits, and the database can
        // then estimate how many from its statistics (PostgreSQL, Country=VN: a join 95 → 44 ms at 10 M events).
        var s = Expression.Parameter(typeof(SiteSession), "s");
        var column = Expression.Property(s, Column(dimension));
        var cut = SiteCrossedStats.Cut(value);
        Expression matches = value.Length == 0 ? Expression.Equal(Expression.Coalesce(column, Expression.Constant("")), Expression.Constant(""))
            : cut.Length == SiteCrossedStats.ValueMaxLength ? Expression.Call(column, typeof(string).GetMethod(nameof(string.StartsWith), [typeof(string)])!, Expression.Constant(cut))
            : Expression.Equal(column, Expression.Constant(value));
        return Expression.Lambda<Func<SiteSession, bool>>(matches, s);
    }

    /// <summary>The site_sessions property (and <see cref="CrossVisit"/> parameter) holding a visit dimension.</summary>
    public static string Column(Dimension dimension) => dimension switch
    {
        Dimension.Referrer => nameof(SiteSession.ReferrerHost),
        _ => dimension.ToString(),
    };
}
