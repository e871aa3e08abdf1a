using CivicDesk.Web.SiteAnalytics;
using CivicDesk.Web.SiteAnalytics.Crossing;
using CivicDesk.Web.SiteAnalytics.Dashboard;
using CivicDesk.Web.SiteAnalytics.Demo;
using CivicDesk.Web.SiteAnalytics.Storage;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>
/// Breakdowns under a filter, answered from the crossed rollups for closed days and from raw visits for today, against
/// an independent count over every stored visit and event of the period.
/// </summary>
public abstract class CrossedBreakdownTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory
{
    private const int Days = 6;

    [Fact]
    public async Task Every_filter_and_breakdown_agrees_with_a_count_over_the_raw_visits_and_events()
    {
        var ct = TestContext.Current.CancellationToken;
        var (site, zone, now, today) = await NewSiteAsync();
        await LoadAsync(new TrafficPlan(site.Id, site.Domain, zone, today.AddDays(1 - Days), Days, 4_000) { Until = now }, ct);

        var computed = await RunJobAsync(site, ct);
        var closed = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now - CrossedRollupJob.ClosingDelay, zone)).AddDays(-1);
        Assert.Equal(Days - 1 - today.DayNumber + closed.DayNumber + 1, computed);
        Assert.DoesNotContain(today, await app.WithDbAsync(db => db.Set<SiteCrossedDay>().Where(d => d.SiteId == site.Id).Select(d => d.Day).ToListAsync(ct)));
        Assert.Equal(0, await RunJobAsync(site, ct));

        var period = new Period(today.AddDays(1 - Days), today);
        await AssertAgreeAsync(site, period, ct);
        await AssertAgreeAsync(site, new Period(today.AddDays(-2), today.AddDays(-1)), ct);
    }

    [Fact]
    public async Task Days_not_computed_yet_agree_with_the_raw_count()
    {
        // The events of days not computed are read by time over their visits' span and sorted out (events are not
        // indexed by visit): to the present for today, to the visits' last event for a past day.
        var ct = TestContext.Current.CancellationToken;
        var (site, zone, now, today) = await NewSiteAsync();
        await LoadAsync(new TrafficPlan(site.Id, site.Domain, zone, today.AddDays(-1), 2, 1_500) { Until = now }, ct);
        await AssertAgreeAsync(site, new Period(today.AddDays(-1), today), ct);
        await AssertAgreeAsync(site, new Period(today.AddDays(-1), today.AddDays(-1)), ct);
    }

    [Fact]
    public async Task A_closed_day_that_gets_late_events_is_computed_again()
    {
        var ct = TestContext.Current.CancellationToken;
        var (site, zone, _, today) = await NewSiteAsync();
        var day = today.AddDays(-3);
        await LoadAsync(new TrafficPlan(site.Id, site.Domain, zone, day, 1, 600), ct);
        Assert.Equal(1, await RunJobAsync(site, ct));
        var period = new Period(day, day);
        var before = await SourcesAsync(site, period, ct);

        // Events of the same day stored later (a spool replayed after an outage): other visitors, same day.
        await LoadAsync(new TrafficPlan(site.Id, site.Domain, zone, day, 1, 600) { Seed = 7 }, ct);
        Assert.Equal(1, await RunJobAsync(site, ct));
        var after = await SourcesAsync(site, period, ct);

        Assert.True(after.Sum(r => r.Visits) > before.Sum(r => r.Visits), "The late visits are in the crossed breakdown.");
        await AssertAgreeAsync(site, period, ct);
    }

    [Fact]
    public async Task Todays_visit_breakdowns_count_whole_seconds_and_cut_long_values_as_the_counter_does()
    {
        // Today's visit breakdowns are counted by the database (VisitBreakdownSql). Durations must truncate to whole
        // seconds exactly as the counter does — SQLite's date functions round to milliseconds — and values longer than
        // the cut must come out as one row with each visitor once, as the closed days store them.
        var ct = TestContext.Current.CancellationToken;
        var (site, zone, _, today) = await NewSiteAsync();
        var start = TimeZoneInfo.ConvertTimeToUtc(today.ToDateTime(new TimeOnly(1, 0)), zone);
        var longPage = "/" + new string('a', SiteCrossedStats.ValueMaxLength);
        // (start's ticks past a whole second, duration in ticks): ends just short of, at and just past whole seconds.
        (long Offset, long Duration)[] times =
        [
            (9_999_999, 40_000_001), (9_999_999, 40_000_000), (0, 30_000_000), (0, 29_999_999), (1, 29_999_999), (5_000_000, 9_999_999),
            (5_000_000, 10_000_000), (9_999_990, 10), (1_234_567, 18_000_000_000), (9_990_000, 20_000), (0, 0), (9_999_999, 1),
        ];
        var sessions = Random.Shared.NextInt64(1L << 40, 1L << 50);
        await app.WithDbAsync(async db =>
        {
            for (var i = 0; i < times.Length; i++)
            {
                var began = start.AddMinutes(i).AddTicks(times[i].Offset);
                var page = i switch { 0 => longPage + "x", 1 => longPage + "y", _ => "/p" + (i % 3) };
                db.SiteSessions.Add(new SiteSession
                {
                    SiteId = site.Id, SessionId = sessions + i, VisitorId = i < 2 ? 7 : i, StartedAt = began, LastAt = began.AddTicks(times[i].Duration),
                    Pageviews = 1 + (i % 2), Events = 1 + (i % 2) + (i % 3 == 0 ? 1 : 0), InteractiveEvents = i % 3 == 0 ? 1 : 0,
                    EntryPage = page, ExitPage = page, Country = i % 4 == 3 ? "US" : "VN", Device = "Mobile",
                    // Half the visits with a page list as the writer keeps it, half without (as stored before the list
                    // existed), and one with a list not in its form (a row edited by hand): counted from its events.
                    Pages = i == 4 ? $"1,{page.Length + 9},{page}" : i % 2 == 0 ? $"1,{page.Length},{page}" : null,
                });
                db.SiteEvents.Add(new SiteEvent
                {
                    EventId = Guid.NewGuid(), SiteId = site.Id, Timestamp = began, Name = "pageview", Hostname = site.Domain, Pathname = page,
                    VisitorId = i < 2 ? 7 : i, SessionId = sessions + i,
                });
            }

            return await db.SaveChangesAsync(ct);
        });

        var period = new Period(today, today);
        var (from, to) = period.Utc(zone);
        var stored = await app.WithDbAsync(db => CrossedData.VisitsAsync(db.SiteSessions.Where(s => s.SiteId == site.Id && s.StartedAt >= from && s.StartedAt < to), ct));
        var storedEvents = await app.WithDbAsync(db => CrossedData.EventsAsync(db, site.Id, stored, ct));
        await using var scope = app.Services.CreateAsyncScope();
        var queries = scope.ServiceProvider.GetRequiredService<DashboardQueries>();
        var vietnam = new DashboardFilter(Dimension.Country, "VN");
        // A filter value as long as the cut (a row clicked in a breakdown) stands for every longer value it begins.
        var cut = longPage[..SiteCrossedStats.ValueMaxLength];
        DashboardFilter[] filters =
        [
            vietnam, new(Dimension.Page, "/p1"), new(Dimension.Page, longPage + "x"), new(Dimension.Page, cut), new(Dimension.EntryPage, cut),
            new(Dimension.Source, ""), // none: direct traffic, a column that is null
        ];
        // The visits without a page list have their pageviews read from the first one's start on, and (with the
        // threshold lowered) over the whole range's span.
        foreach (var few in new[] { CrossedData.FewVisits, 0 })
        {
            foreach (var filter in filters)
            {
                foreach (var dimension in new[] { Dimension.EntryPage, Dimension.Country, Dimension.Device, Dimension.Page })
                {
                    var counter = new CrossedCounter((filter.Dimension, filter.Value), dimension);
                    counter.Add(stored, storedEvents);
                    var expected = counter.Rows().Select(r => new BreakdownRow(r.Value, r.Visitors, r.Visits, r.Pageviews, r.Events, r.Bounces, r.DurationSeconds))
                        .OrderBy(r => r.Value, StringComparer.Ordinal).ToList();
                    var threshold = CrossedData.FewVisits;
                    CrossedData.FewVisits = few;
                    try
                    {
                        var actual = (await queries.BreakdownAsync(site, period, dimension, filter, 100, ct)).OrderBy(r => r.Value, StringComparer.Ordinal).ToList();
                        Assert.NotEmpty(expected);
                        Assert.Equal(expected, actual);
                    }
                    finally
                    {
                        CrossedData.FewVisits = threshold;
                    }
                }
            }
        }

        var inVietnam = stored.Where(v => v.Country == "VN").ToList();
        var devices = await queries.BreakdownAsync(site, period, Dimension.Device, vietnam, 100, ct);
        Assert.Equal(inVietnam.Sum(v => (long)(v.LastAt - v.StartedAt).TotalSeconds), devices.Single().DurationSeconds);
        var entries = await queries.BreakdownAsync(site, period, Dimension.EntryPage, vietnam, 100, ct);
        var merged = entries.Single(r => r.Value == cut);
        Assert.Equal((2L, 1L), (merged.Visits, merged.Visitors));
        var clicked = await queries.BreakdownAsync(site, period, Dimension.Device, new DashboardFilter(Dimension.EntryPage, cut), 100, ct);
        Assert.Equal(2L, clicked.Single().Visits);
    }

    private async Task<(Site Site, TimeZoneInfo Zone, DateTime Now, DateOnly Today)> NewSiteAsync()
    {
        app.EnsureAvailable();
        var site = await Analytics.CreateSiteAsync(app);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone);
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        return (site, zone, now, DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now, zone)));
    }

    private async Task<IReadOnlyList<BreakdownRow>> SourcesAsync(Site site, Period period, CancellationToken ct)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DashboardQueries>()
            .BreakdownAsync(site, period, Dimension.Source, new DashboardFilter(Dimension.Device, "Mobile"), 1000, ct);
    }

    private async Task LoadAsync(TrafficPlan plan, CancellationToken ct)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TrafficLoader>().LoadAsync(new TrafficGenerator(plan).Events(), 1_000, ct: ct);
    }

    private async Task<int> RunJobAsync(Site site, CancellationToken ct)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var job = ActivatorUtilities.CreateInstance<CrossedRollupJob>(scope.ServiceProvider, NullLogger<CrossedRollupJob>.Instance);
        return await job.RunAsync(site.Id, TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone), ct);
    }

    /// <summary>For every filter (its most and least common values, and none) and every breakdown, the dashboard's rows equal the raw count's.</summary>
    private async Task AssertAgreeAsync(Site site, Period period, CancellationToken ct)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone);
        var (start, end) = period.Utc(zone);
        var visits = await app.WithDbAsync(db => db.SiteSessions.AsNoTracking().Where(s => s.SiteId == site.Id && s.StartedAt >= start && s.StartedAt < end).ToListAsync(ct));
        var sessions = visits.Select(v => v.SessionId).ToHashSet();
        var events = (await app.WithDbAsync(db => db.SiteEvents.AsNoTracking().Where(e => e.SiteId == site.Id).ToListAsync(ct)))
            .Where(e => sessions.Contains(e.SessionId)).ToLookup(e => e.SessionId);
        Assert.NotEmpty(visits);
        var oracle = new RawCount(visits, events, zone);

        await using var scope = app.Services.CreateAsyncScope();
        var queries = scope.ServiceProvider.GetRequiredService<DashboardQueries>();
        var compared = 0;
        foreach (var filterDimension in CrossedCounter.Filters)
        {
            var values = oracle.FilterValues(filterDimension);
            foreach (var value in values.Take(1).Concat(values.TakeLast(1)).Append("no such value").Distinct())
            {
                var filter = new DashboardFilter(filterDimension, value);
                foreach (var dimension in CrossedCounter.Breakdowns)
                {
                    var expected = oracle.Breakdown(filter, dimension);
                    var actual = await queries.BreakdownAsync(site, period, dimension, filter, 100_000, ct);
                    Assert.True(
                        expected.SequenceEqual(actual.OrderBy(r => r.Value, StringComparer.Ordinal)),
                        $"{dimension} under {filterDimension}={value} over {period.From}..{period.To}:\nexpected {string.Join("; ", expected)}\nactual   {string.Join("; ", actual.OrderBy(r => r.Value, StringComparer.Ordinal))}");
                    compared += expected.Count;
                }
            }
        }

        Assert.True(compared > 1_000, $"Only {compared} rows were compared.");
    }

    /// <summary>The meaning of a filtered breakdown, counted the plain way over every visit and event of the period.</summary>
    private sealed class RawCount(List<SiteSession> visits, ILookup<long, SiteEvent> events, TimeZoneInfo zone)
    {
        public List<string> FilterValues(Dimension filter) => filter switch
        {
            Dimension.Page => Frequency(visits.SelectMany(v => events[v.SessionId].Where(e => e.Name == "pageview").Select(e => e.Pathname).Distinct())),
            Dimension.Goal => Frequency(visits.SelectMany(v => events[v.SessionId].Where(e => e.Name != "pageview").Select(e => e.Name).Distinct())),
            _ => Frequency(visits.Select(v => Value(v, filter))),
        };

        public List<BreakdownRow> Breakdown(DashboardFilter filter, Dimension dimension)
        {
            var matching = visits.Where(v => Matches(v, filter)).ToList();
            if (CrossedCounter.IsVisitDimension(dimension))
            {
                return [.. matching.GroupBy(v => Value(v, dimension)).Select(g => new BreakdownRow(
                    g.Key, Visitors(g), g.Count(), g.Sum(v => (long)v.Pageviews), g.Sum(v => (long)(v.Events - v.Pageviews)),
                    g.Count(v => v.IsBounce), g.Sum(v => (long)v.DurationSeconds))).OrderBy(r => r.Value, StringComparer.Ordinal)];
            }

            var kept = matching.SelectMany(v => events[v.SessionId].Where(e => filter.Dimension switch
            {
                Dimension.Page => e.Pathname == filter.Value,
                Dimension.Goal => e.Name == filter.Value,
                _ => true,
            }).Select(e => (Visit: v, Event: e))).ToList();
            var keyed = dimension switch
            {
                Dimension.Page => kept.Where(x => filter.Dimension == Dimension.Goal || x.Event.Name == "pageview").Select(x => (x.Visit, x.Event, Key: x.Event.Pathname)),
                Dimension.Goal => kept.Where(x => x.Event.Name != "pageview").Select(x => (x.Visit, x.Event, Key: x.Event.Name)),
                _ => kept.Where(x => x.Event.Name != "pageview").SelectMany(x => Properties(x.Event).Select(p => (x.Visit, x.Event, Key: SiteDailyStats.Join(x.Event.Name, p.Key, p.Value)))),
            };
            return [.. keyed.GroupBy(x => x.Key).Select(g => new BreakdownRow(
                g.Key, Visitors(g.Select(x => x.Visit)), g.Select(x => x.Visit.SessionId).Distinct().Count(),
                g.Count(x => x.Event.Name == "pageview"), g.Count(x => x.Event.Name != "pageview"), 0, 0)).OrderBy(r => r.Value, StringComparer.Ordinal)];
        }

        private bool Matches(SiteSession visit, DashboardFilter filter) => filter.Dimension switch
        {
            Dimension.Page => events[visit.SessionId].Any(e => e.Name == "pageview" && e.Pathname == filter.Value),
            Dimension.Goal => events[visit.SessionId].Any(e => e.Name != "pageview" && e.Name == filter.Value),
            _ => Value(visit, filter.Dimension) == filter.Value,
        };

        /// <summary>Visitor ids are daily: a visitor is one per local day.</summary>
        private long Visitors(IEnumerable<SiteSession> group) =>
            group.Select(v => (DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(v.StartedAt, zone)), v.VisitorId)).Distinct().Count();

        private static List<string> Frequency(IEnumerable<string> values) =>
            [.. values.GroupBy(v => v).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key)];

        private static Dictionary<string, string> Properties(SiteEvent e) =>
            System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, System.Text.Json.JsonElement>>(e.Props)!
                .Where(p => p.Value.ValueKind == System.Text.Json.JsonValueKind.String).ToDictionary(p => p.Key, p => p.Value.GetString()!);

        private static string Value(SiteSession v, Dimension dimension) => dimension switch
        {
            Dimension.EntryPage => v.EntryPage,
            Dimension.ExitPage => v.ExitPage,
            Dimension.Source => v.Source ?? "",
            Dimension.Referrer => v.ReferrerHost ?? "",
            Dimension.UtmSource => v.UtmSource ?? "",
            Dimension.UtmMedium => v.UtmMedium ?? "",
            Dimension.UtmCampaign => v.UtmCampaign ?? "",
            Dimension.UtmTerm => v.UtmTerm ?? "",
            Dimension.UtmContent => v.UtmContent ?? "",
            Dimension.Country => v.Country ?? "",
            Dimension.Browser => v.Browser ?? "",
            Dimension.Os => v.Os ?? "",
            Dimension.Device => v.Device ?? "",
            _ => throw new ArgumentOutOfRangeException(nameof(dimension)),
        };
    }
}

public sealed class CrossedBreakdownOnSqlite(SqliteAnalyticsApp app) : CrossedBreakdownTests<SqliteAnalyticsApp>(app);

public sealed class CrossedBreakdownOnPostgres(PostgresAnalyticsApp app) : CrossedBreakdownTests<PostgresAnalyticsApp>(app);
