using System.Data.Common;
using System.Diagnostics;
using CivicDesk.Web.Data;
using CivicDesk.Web.SiteAnalytics;
using CivicDesk.Web.SiteAnalytics.Crossing;
using CivicDesk.Web.SiteAnalytics.Dashboard;
using CivicDesk.Web.SiteAnalytics.Demo;
using CivicDesk.Web.SiteAnalytics.Storage;
using CivicDesk.Web.Units;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Bench.Dashboard;

/// <summary>
/// Fills (or reuses) the database, then times each dashboard query. The app's own code runs in-process: its database
/// and site-analytics registrations, its migrations, <see cref="TrafficGenerator"/>, <see cref="TrafficLoader"/> (the
/// real writer) and <see cref="DashboardQueries"/>; no web server is started.
/// </summary>
internal sealed class Benchmark(BenchOptions options, TextWriter output)
{
    private const string Domain = "bench.example";
    private const double Budget = 200;
    private const int SlowRuns = 3;
    private static readonly TimeSpan SlowRun = TimeSpan.FromSeconds(5);

    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById(Site.DefaultTimeZone);

    /// <summary>
    /// The clock of the fill, the crossed job and the queries: the machine's, or moved to --clock — yesterday at that
    /// time for a fill, and the fill's last day at that time for a reuse, whatever day it is run on.
    /// </summary>
    private TimeProvider _clock = options.Clock is { } at ? OffsetClock.At(at, Zone) : TimeProvider.System;

    public async Task RunAsync(CancellationToken ct)
    {
        var database = BenchDatabase.For(options);
        Site? site = null;
        if (options.Reuse && await database.ExistsAsync(ct))
        {
            await using var earlier = BuildApp(database);
            await DatabaseSetup.MigrateAsync(earlier.Services, ct);
            site = await FilledSiteAsync(earlier.Services, ct);
            output.WriteLine(site is null
                ? $"{database.Name} holds no complete fill of {options.Events:N0} events with seed {options.Seed}: filling it afresh."
                : $"Reusing {database.Name}, filled earlier with {options.Events:N0} generated events (seed {options.Seed}).");
            if (site is not null && options.Clock is { } at)
            {
                await ResumeClockAsync(earlier.Services, site, at, ct);
            }
        }

        if (site is null)
        {
            await database.CreateAsync(ct);
        }

        await using (var app = BuildApp(database))
        {
            await DatabaseSetup.MigrateAsync(app.Services, ct);
            site ??= await FillAsync(app.Services, database, ct);
            await CrossAsync(app.Services, database, site, ct);
            await MeasureAsync(app.Services, database, site, ct);
        }

        if (options.Drop)
        {
            await database.DropAsync(ct);
            output.WriteLine($"Dropped {database.Name}.");
        }
        else
        {
            output.WriteLine($"Kept {database.Name}: run again with --reuse to query it without filling.");
        }
    }

    /// <summary>The app's registrations for the database and site analytics, on the benchmark's database; never started.</summary>
    private WebApplication BuildApp(BenchDatabase database)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = database.Provider.ToString(),
            ["Database:ConnectionString"] = database.ConnectionString,
        });
        // A query cancelled at the timeout is reported in the table; EF Core's error log of it would only bury the table.
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None).AddFilter("Microsoft.EntityFrameworkCore.Query", LogLevel.None);
        builder.Services.AddSingleton(_clock);
        builder.Services.AddDatabase(builder.Configuration, builder.Environment);
        builder.Services.AddSiteAnalytics();
        return builder.Build();
    }

    /// <summary>
    /// A reuse with --clock runs at that time on the fill's last day, not on yesterday's date: run on a later day, it
    /// would otherwise measure a "today" without traffic. Crossed days that clock has not closed are dropped (an earlier
    /// run on a later day closed them), so that today's part is counted from raw visits as it would be then.
    /// </summary>
    private async Task ResumeClockAsync(IServiceProvider services, Site site, TimeOnly at, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var last = await db.Set<SiteDailyStats>().Where(s => s.SiteId == site.Id).MaxAsync(s => s.Day, ct);
        _clock = OffsetClock.At(last, at, Zone);
        var now = _clock.GetUtcNow().UtcDateTime;
        var closedThrough = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now - CrossedRollupJob.ClosingDelay, Zone)).AddDays(-1);
        var dropped = await db.Set<SiteCrossedDay>().Where(d => d.SiteId == site.Id && d.Day > closedThrough).ExecuteDeleteAsync(ct);
        await db.Set<SiteCrossedStats>().Where(s => s.SiteId == site.Id && s.Day > closedThrough).ExecuteDeleteAsync(ct);
        output.WriteLine($"Clock: {TimeZoneInfo.ConvertTimeFromUtc(now, Zone):yyyy-MM-dd HH:mm} in the site's time zone, the fill's last day"
            + (dropped > 0 ? $"; {dropped} crossed day(s) after {closedThrough:yyyy-MM-dd} dropped, computed by a run at a later clock." : "."));
    }

    /// <summary>The unit's name records what was loaded once the load is complete, so that --reuse never reads a half-filled database.</summary>
    private string Label => $"Dashboard benchmark: {options.Events} events, seed {options.Seed}" + (options.Clock is { } at ? ", clock " + at.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture) : "");

    private async Task<Site?> FilledSiteAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        return await db.Sites.AsNoTracking().Where(s => s.Domain == Domain && db.Units.Any(u => u.Id == s.UnitId && u.Name == Label)).SingleOrDefaultAsync(ct);
    }

    private async Task<Site> FillAsync(IServiceProvider services, BenchDatabase database, CancellationToken ct)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        Site site;
        Unit unit;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            unit = new Unit { Name = "Dashboard benchmark: filling", CreatedAt = now };
            db.Units.Add(unit);
            await db.SaveChangesAsync(ct);
            unit.Path = $"/{unit.Id}/";
            site = new Site { UnitId = unit.Id, Domain = Domain, CreatedAt = now };
            db.Sites.Add(site);
            await db.SaveChangesAsync(ct);
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now, zone));
        var plan = new TrafficPlan(site.Id, site.Domain, zone, today.AddDays(-89), 90, options.Events) { Until = now, Seed = options.Seed };
        output.WriteLine($"Filling {database.Name} ({database.Provider}) with about {options.Events:N0} events over 90 days ending {(options.Clock is null ? "now" : $"at {now:yyyy-MM-dd HH:mm} UTC (--clock)")}, {options.BatchSize:N0} events a transaction…");
        var step = Math.Max(options.BatchSize, options.Events / 20);
        var reported = 0L;
        var started = Stopwatch.GetTimestamp();
        var load = await services.GetRequiredService<TrafficLoader>().LoadAsync(new TrafficGenerator(plan).Events(), options.BatchSize, stored =>
        {
            if (stored - reported >= step)
            {
                reported = stored;
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                output.WriteLine($"  {stored,12:N0} events  {seconds,8:N0} s  {stored / seconds,8:N0} events/s");
            }
        }, ct);
        output.WriteLine($"Loaded {load.Events:N0} events in {load.Elapsed.TotalSeconds:N0} s: {load.EventsPerSecond:N0} events/s through the writer "
            + $"({load.ProcessorTime.TotalSeconds:N0} s of processor time; load average {LoadAverage()}).");

        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            await db.Units.Where(u => u.Id == unit.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.Name, Label), ct);
        }

        var analyzing = Stopwatch.GetTimestamp();
        await database.AnalyzeAsync(ct);
        if (database.Provider == DatabaseProvider.Postgres)
        {
            output.WriteLine($"ANALYZE took {Stopwatch.GetElapsedTime(analyzing).TotalSeconds:N0} s (autovacuum does it by itself in production).");
        }

        return site;
    }

    /// <summary>
    /// Runs the crossed-breakdowns job as the scheduler would (every closed day not computed yet), and reports what it
    /// cost; a reused database whose days are computed already costs nothing here.
    /// </summary>
    private async Task CrossAsync(IServiceProvider services, BenchDatabase database, Site site, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var processor = Process.GetCurrentProcess().TotalProcessorTime;
        int days;
        await using (var scope = services.CreateAsyncScope())
        {
            var job = ActivatorUtilities.CreateInstance<CrossedRollupJob>(scope.ServiceProvider);
            days = await job.RunAsync(site.Id, TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone), ct);
        }

        if (days == 0)
        {
            output.WriteLine("Crossed breakdowns: every closed day was computed earlier.");
            return;
        }

        await database.AnalyzeAsync(ct);
        await using (var scope = services.CreateAsyncScope())
        {
            var rows = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Set<SiteCrossedStats>().LongCountAsync(s => s.SiteId == site.Id, ct);
            output.WriteLine($"Crossed breakdowns: {days} closed days computed in {Stopwatch.GetElapsedTime(started).TotalSeconds:N0} s "
                + $"({(Process.GetCurrentProcess().TotalProcessorTime - processor).TotalSeconds:N0} s of processor time in this process), {rows:N0} rows; "
                + $"{await database.SizeAsync(ct) / 1048576.0:N0} MiB on disk now.");
        }
    }

    private async Task MeasureAsync(IServiceProvider services, BenchDatabase database, Site site, CancellationToken ct)
    {
        DateOnly last;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var events = await db.SiteEvents.LongCountAsync(e => e.SiteId == site.Id, ct);
            var visits = await db.SiteSessions.LongCountAsync(s => s.SiteId == site.Id, ct);
            var daily = await db.Set<SiteDailyStats>().LongCountAsync(s => s.SiteId == site.Id, ct);
            last = await db.Set<SiteDailyStats>().Where(s => s.SiteId == site.Id).MaxAsync(s => s.Day, ct);
            output.WriteLine($"Data: {events:N0} events, {visits:N0} visits, {daily:N0} daily rollup rows, last day {last:yyyy-MM-dd}; {await database.SizeAsync(ct) / 1048576.0:N0} MiB on disk.");
        }

        var periods = new[] { ("30 days", new Period(last.AddDays(-29), last)), ("90 days", new Period(last.AddDays(-89), last)) };
        var filters = new List<DashboardFilter?> { null };
        foreach (var (dimension, value) in options.Filters)
        {
            filters.Add(new DashboardFilter(dimension, dimension == Dimension.Page && value == BenchOptions.TopPage ? await TopPageAsync(services, site, periods[0].Item2, ct) : value));
        }

        output.WriteLine($"Load average before the queries: {LoadAverage()}.");
        output.WriteLine($"Each query: {options.Warmup} warm-up runs, then {options.Runs} timed runs, each in a fresh scope (DbContext) as a request has. Budget: p95 < {Budget} ms.");
        output.WriteLine();
        output.WriteLine($"A query slower than {SlowRun.TotalSeconds:N0} s in its first run gets {SlowRuns} timed runs instead (column \"runs\"); "
            + $"a run longer than {options.Timeout.TotalSeconds:N0} s is cancelled and the query reported as timed out.");
        output.WriteLine();
        output.WriteLine("| period | filter | query | runs | p50 ms | p95 ms | max ms | |");
        output.WriteLine("| --- | --- | --- | ---: | ---: | ---: | ---: | --- |");
        var results = new List<(string Name, double P95)>();
        foreach (var (label, period) in periods)
        {
            foreach (var filter in filters)
            {
                var shown = filter is null ? "none" : $"{filter.Dimension}={Shorten(filter.Value)}";
                foreach (var (name, query) in Queries(site, period, filter).Where(q => Wanted(q.Name)))
                {
                    results.Add(($"{label}, {shown}, {name}", await ReportAsync(services, label, shown, name, query, ct)));
                }
            }
        }

        if (Wanted("VisitorsNow"))
        {
            results.Add(("VisitorsNow", await ReportAsync(services, "now", "none", "VisitorsNow", (q, token) => q.VisitorsNowAsync(site, token), ct)));
        }

        output.WriteLine();
        var failed = results.Where(r => r.P95 >= Budget).ToList();
        output.WriteLine($"{results.Count - failed.Count} of {results.Count} queries under {Budget} ms at p95.");
        foreach (var (name, p95) in results.OrderByDescending(r => r.P95).Take(8))
        {
            output.WriteLine($"  slowest: {name}: p95 {(double.IsPositiveInfinity(p95) ? "timed out" : $"{p95:N1} ms")}");
        }
    }

    /// <summary>Whether --query asks for this query (every query when it is not given).</summary>
    private bool Wanted(string name) => options.Queries.Count == 0 || options.Queries.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Times one query and prints its row; returns its p95 (infinity when a run timed out).</summary>
    private async Task<double> ReportAsync(IServiceProvider services, string period, string filter, string name, Func<DashboardQueries, CancellationToken, Task> query, CancellationToken ct)
    {
        var times = await TimeAsync(services, query, ct);
        if (times is null)
        {
            output.WriteLine($"| {period} | {filter} | {name} | — | — | — | > {options.Timeout.TotalMilliseconds:N0} | **FAIL** (timed out) |");
            return double.PositiveInfinity;
        }

        var p95 = Percentile(times, 0.95);
        output.WriteLine($"| {period} | {filter} | {name} | {times.Count} | {Percentile(times, 0.5):N1} | {p95:N1} | {times.Max():N1} | {(p95 < Budget ? "PASS" : "**FAIL**")} |");
        return p95;
    }

    /// <summary>What the dashboard asks for one period and filter: headline numbers now and before, the chart, every breakdown.</summary>
    private static IEnumerable<(string Name, Func<DashboardQueries, CancellationToken, Task> Query)> Queries(Site site, Period period, DashboardFilter? filter)
    {
        yield return ("TopStats", (q, ct) => q.TopStatsAsync(site, period, filter, ct));
        yield return ("TopStats (previous period)", (q, ct) => q.TopStatsAsync(site, period.Previous, filter, ct));
        yield return ("Series", (q, ct) => q.SeriesAsync(site, period, filter, ct));
        Dimension[] shown =
        [
            Dimension.Page, Dimension.EntryPage, Dimension.ExitPage, Dimension.Source, Dimension.Referrer, Dimension.UtmSource, Dimension.UtmMedium,
            Dimension.UtmCampaign, Dimension.Country, Dimension.Browser, Dimension.Os, Dimension.Device, Dimension.Goal,
        ];
        foreach (var dimension in shown)
        {
            yield return ($"Breakdown {dimension}", (q, ct) => q.BreakdownAsync(site, period, dimension, filter, 10, ct));
        }

        yield return ("Breakdown GoalProperty (File Download)", (q, ct) => q.BreakdownAsync(site, period, Dimension.GoalProperty, filter, 10, ct, goal: TrafficGenerator.FileDownload));
    }

    /// <summary>The timed runs' milliseconds, after the warm-up runs; null when a run took longer than the timeout.</summary>
    private async Task<List<double>?> TimeAsync(IServiceProvider services, Func<DashboardQueries, CancellationToken, Task> query, CancellationToken ct)
    {
        var times = new List<double>(options.Runs);
        var runs = options.Runs;
        for (var run = -options.Warmup; run < runs; run++)
        {
            await using var scope = services.CreateAsyncScope();
            var queries = scope.ServiceProvider.GetRequiredService<DashboardQueries>();
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(options.Timeout);
            // SQLite checks the token only between rows, and a GROUP BY yields none until it is done: interrupt it.
            var connection = scope.ServiceProvider.GetRequiredService<AppDbContext>().Database.GetDbConnection();
            await using var interrupt = limit.Token.Register(() =>
            {
                if (connection is SqliteConnection { Handle: { } handle })
                {
                    SQLitePCL.raw.sqlite3_interrupt(handle);
                }
            });
            var started = Stopwatch.GetTimestamp();
            try
            {
                await query(queries, limit.Token);
            }
            catch (Exception ex) when (limit.IsCancellationRequested && !ct.IsCancellationRequested && ex is OperationCanceledException or DbException)
            {
                return null;
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            if (run == -options.Warmup && elapsed > SlowRun)
            {
                // Seconds a run: a few runs say as much as twenty, and the whole benchmark still ends.
                runs = Math.Min(runs, SlowRuns);
            }

            if (run >= 0)
            {
                times.Add(elapsed.TotalMilliseconds);
            }
        }

        return times;
    }

    private static async Task<string> TopPageAsync(IServiceProvider services, Site site, Period period, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var top = await scope.ServiceProvider.GetRequiredService<DashboardQueries>().BreakdownAsync(site, period, Dimension.Page, null, 1, ct);
        return top.Count > 0 ? top[0].Value : "/";
    }

    /// <summary>The machine's 1-minute load average (Linux), to read the timings against: this machine is shared.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    /// <summary>Nearest rank: the smallest time that at least <paramref name="fraction"/> of the runs did not exceed.</summary>
    private static double Percentile(List<double> times, double fraction)
    {
        var sorted = times.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..37] + "…";
}

/// <summary>The machine's clock moved by a fixed offset: time passes as it does, from another starting point.</summary>
internal sealed class OffsetClock(TimeSpan offset) : TimeProvider
{
    /// <summary>A clock that reads yesterday at <paramref name="at"/> in <paramref name="zone"/> now.</summary>
    public static OffsetClock At(TimeOnly at, TimeZoneInfo zone) =>
        At(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(System.GetUtcNow(), zone).DateTime).AddDays(-1), at, zone);

    /// <summary>A clock that reads <paramref name="day"/> at <paramref name="at"/> in <paramref name="zone"/> now.</summary>
    public static OffsetClock At(DateOnly day, TimeOnly at, TimeZoneInfo zone)
    {
        var then = TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(at), zone);
        return new OffsetClock(new DateTimeOffset(then, TimeSpan.Zero) - System.GetUtcNow());
    }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
}
