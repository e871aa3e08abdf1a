using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.SiteAnalytics.Ingestion;
using CivicDesk.Web.SiteAnalytics.Storage;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>
/// Issue 3, point 7: PostgreSQL unavailable for 30 seconds while a client keeps sending events. The app reaches the
/// database through a <see cref="TcpProxy"/>; taking the proxy down is what a stopped server looks like to the app
/// (open connections reset, new ones refused). The endpoint must keep answering 202 and, once the database is back,
/// every answered event must be stored exactly once.
/// </summary>
public sealed class DatabaseOutageTests
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);

    private enum Phase
    {
        Before,
        Outage,
        After,
    }

    private sealed record Answer(string Path, HttpStatusCode Status, Phase Phase);

    [Fact]
    public async Task While_postgres_is_down_for_30_seconds_events_are_answered_202_and_afterwards_each_is_stored_exactly_once()
    {
        await using var app = new PostgresApp();
        app.EnsureAvailable();
        var server = new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresConnectionString);
        await using var proxy = TcpProxy.Start(server.Host!, server.Port);
        Analytics.BehindTrustedProxy(app);
        app.Set("SiteAnalytics:RateLimitPerMinute", "1000000");
        await app.InitializeAsync();
        // The app (and everything it does: migrations, site lookups, the writer) goes through the proxy; the test reads
        // the database directly with app.ConnectionString, so that it sees what is stored even while the proxy is down.
        app.Set("Database:ConnectionString", new NpgsqlConnectionStringBuilder(app.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString);
        var unit = await app.CreateUnitAsync();
        var site = await Analytics.CreateSiteAsync(app, unitId: unit.Id);
        var stats = await app.ApiClientAsync(await app.CreateUserAsync(unit.Id, Role.Viewer));
        var writer = app.Services.GetRequiredService<EventWriter>();
        Assert.True(proxy.Connections > 0, "the app reaches PostgreSQL through the proxy");

        var answers = new ConcurrentQueue<Answer>();
        var phase = (int)Phase.Before;
        using var stop = new CancellationTokenSource();
        var client = app.CreateClient();
        var senders = Enumerable.Range(0, 2).Select(s => SendAsync(client, site.Domain, s, () => (Phase)Volatile.Read(ref phase), answers, stop.Token)).ToList();

        await Eventually.HoldsAsync(async () => await StoredCountAsync(app, site.Id) >= 50, "events are stored before the outage", TimeSpan.FromSeconds(30));
        var downAt = Stopwatch.GetTimestamp();
        await proxy.DownAsync();
        Volatile.Write(ref phase, (int)Phase.Outage);
        // Pooled connections do not hide the outage: the writer's next batch fails, and nothing more is stored.
        await Eventually.HoldsAsync(() => writer.LastError is not null, "the writer finds the database gone", TimeSpan.FromSeconds(15));
        var storedEarlyInOutage = await StoredCountAsync(app, site.Id);
        // The outage itself is a span of time, not something to wait for.
        await Task.Delay(Outage - Stopwatch.GetElapsedTime(downAt), TestContext.Current.CancellationToken);
        var storedLateInOutage = await StoredCountAsync(app, site.Id);
        Volatile.Write(ref phase, (int)Phase.After);
        proxy.Up();
        var upAt = Stopwatch.GetTimestamp();

        await Eventually.HoldsAsync(() => answers.Count(a => a.Phase == Phase.After) >= 100, "events are answered after the outage", TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await Task.WhenAll(senders);
        var accepted = answers.Where(a => a.Status == HttpStatusCode.Accepted).Select(a => a.Path).ToHashSet();
        // Wait for the writer to catch up — it retries with back-off of up to 10 s — until its checkpoint is the end of
        // the spool: then nothing more will be written, and the rows can be compared with the answers path by path.
        var spool = app.Services.GetRequiredService<Spool>();
        await Eventually.HoldsAsync(
            async () => await StoredCountAsync(app, site.Id) >= accepted.Count && await CheckpointAsync(app, spool.Id) == spool.End,
            $"the {accepted.Count} answered events are stored and the writer has reached the end of the spool", TimeSpan.FromSeconds(40));
        var stored = await app.WithDbAsync(db => db.SiteEvents.AsNoTracking().Where(e => e.SiteId == site.Id).Select(e => e.Pathname).ToListAsync());
        var aggregate = await (await stats.GetAsync($"/api/v1/sites/{site.Id}/stats/aggregate?period=custom&date={Days(site.TimeZone)}&metrics=pageviews,events")).ExpectAsync(HttpStatusCode.OK);

        var during = answers.Where(a => a.Phase == Phase.Outage).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{answers.Count} requests, {during.Count} of them during the outage; all stored {Stopwatch.GetElapsedTime(upAt).TotalSeconds:F1} s after the database came back.");
        Assert.True(during.Count >= 1000, $"only {during.Count} requests were made during the outage");
        // The queue (100,000 by default) never fills: the spooler moves it to the node's spool file whether or not the
        // database answers, so every request, during the outage too, is answered 202 — no 503, and never a 500.
        var refused = answers.Where(a => a.Status != HttpStatusCode.Accepted).GroupBy(a => (a.Phase, a.Status)).Select(g => $"{g.Key.Phase}: {(int)g.Key.Status} × {g.Count()}").ToList();
        Assert.True(refused.Count == 0, "requests not answered 202: " + string.Join(", ", refused));
        Assert.Equal(storedEarlyInOutage, storedLateInOutage);
        Assert.Equal(answers.Count, accepted.Count);
        Assert.Empty(stored.GroupBy(p => p).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.Equal(accepted.Order(), stored.Order());
        Assert.Equal(accepted.Count, aggregate.GetProperty("pageviews").GetInt64());
        Assert.Equal(0, aggregate.GetProperty("events").GetInt64());
        Assert.Null(writer.LastError);
    }

    /// <summary>Sends pageviews, each to a path of its own, about a hundred a second, until stopped.</summary>
    private static async Task SendAsync(HttpClient client, string domain, int sender, Func<Phase> phase, ConcurrentQueue<Answer> answers, CancellationToken ct)
    {
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        for (var i = 0; !ct.IsCancellationRequested; i++)
        {
            var path = $"/s{sender}/e{i}";
            var now = phase();
            using var response = await Analytics.SendAsync(client, domain, path, ip: $"203.0.113.{1 + (i % 50)}");
            answers.Enqueue(new Answer(path, response.StatusCode, now));
            try
            {
                await pace.WaitForNextTickAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Counted straight from PostgreSQL, past the proxy and the app.</summary>
    private static async Task<long> StoredCountAsync(AppFactory app, int siteId)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT count(*) FROM site_events WHERE "SiteId" = @site""", connection);
        command.Parameters.AddWithValue("site", siteId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static Task<SpoolPosition?> CheckpointAsync(AppFactory app, string spoolId) =>
        app.WithDbAsync(db => db.Set<SpoolCheckpoint>().AsNoTracking().Where(c => c.SpoolId == spoolId)
            .Select(c => (SpoolPosition?)new SpoolPosition(c.Segment, c.Offset)).SingleOrDefaultAsync());

    /// <summary>Yesterday to tomorrow in the site's calendar: the whole run, even across midnight.</summary>
    private static string Days(string timeZone)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(TimeProvider.System.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById(timeZone)).DateTime);
        return string.Create(CultureInfo.InvariantCulture, $"{today.AddDays(-1):yyyy-MM-dd},{today.AddDays(1):yyyy-MM-dd}");
    }
}
