using CivicDesk.Web.SiteAnalytics;
using CivicDesk.Web.SiteAnalytics.Ingestion;
using CivicDesk.Web.SiteAnalytics.Storage;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static CivicDesk.Web.Tests.SiteAnalytics.Analytics;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>
/// Events that happened well before the writer stores them — a spool replayed after an outage, generated past
/// traffic — make the same visits and counts as if they had been stored as they came: the writer's clock for ending
/// visits is the events' own time, not the wall clock.
/// </summary>
public abstract class BacklogTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory
{
    [Fact]
    public async Task Events_from_days_ago_continue_their_visits_across_batches_and_a_reload()
    {
        app.EnsureAvailable();
        var site = await Analytics.CreateSiteAsync(app);
        var folder = Path.Combine(Path.GetTempPath(), $"civicdesk-backlog-{Guid.NewGuid():N}");
        using var spool = new Spool(folder, 1 << 20);
        // A writer of its own, one event a batch, so that every visit goes on across batches.
        using var writer = Writer(app, spool, new AnalyticsOptions { BatchSize = 1 });
        // Three days ago at 10:00 in Vietnam. A: /a, /b two minutes later, /c two more; 40 minutes later /d (a new
        // visit). B: /a a minute after A (a bounce).
        var start = DateTime.SpecifyKind(TimeProvider.System.GetUtcNow().UtcDateTime.Date.AddDays(-3).AddHours(3), DateTimeKind.Utc);
        spool.Append(
        [
            Pageview(site, 11, start, "/a"), Pageview(site, 22, start.AddMinutes(1), "/a"), Pageview(site, 11, start.AddMinutes(2), "/b"),
            Pageview(site, 11, start.AddMinutes(4), "/c"), Pageview(site, 11, start.AddMinutes(44), "/d"),
        ]);

        try
        {
            Assert.Equal(1, await writer.WriteBatchAsync(TestContext.Current.CancellationToken));
            Assert.Equal(1, await writer.WriteBatchAsync(TestContext.Current.CancellationToken));
            // As after a restart in the middle of the backlog: open visits come back from the database.
            writer.ReloadStateFromDatabase();
            while (await writer.WriteBatchAsync(TestContext.Current.CancellationToken) > 0)
            {
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        var visits = await app.WithDbAsync(db => db.SiteSessions.AsNoTracking().Where(s => s.SiteId == site.Id).OrderBy(s => s.StartedAt).ToListAsync());
        Assert.Equal(
            new[] { (11L, 3, "/a", "/c"), (22L, 1, "/a", "/a"), (11L, 1, "/d", "/d") },
            visits.Select(v => (v.VisitorId, v.Pageviews, v.EntryPage, v.ExitPage)).ToList());
        var hours = await app.WithDbAsync(db => db.SiteHourlyStats.AsNoTracking().Where(s => s.SiteId == site.Id).ToListAsync());
        Assert.Equal((3L, 2L, 2L, 5L), (hours.Sum(h => h.Visits), hours.Sum(h => h.NewVisitors), hours.Sum(h => h.Bounces), hours.Sum(h => h.Pageviews)));
        var daily = await app.WithDbAsync(db => db.Set<SiteDailyStats>().AsNoTracking().Where(s => s.SiteId == site.Id).ToListAsync());
        var pageA = daily.Single(r => r.Dimension == Dimension.Page && r.Value == "/a");
        Assert.Equal((2L, 2L, 2L), (pageA.Visitors, pageA.Visits, pageA.Pageviews));
        var chrome = daily.Single(r => r.Dimension == Dimension.Browser && r.Value == "Chrome");
        Assert.Equal((2L, 3L, 5L, 2L), (chrome.Visitors, chrome.Visits, chrome.Pageviews, chrome.Bounces));
        Assert.Equal(1, daily.Single(r => r.Dimension == Dimension.ExitPage && r.Value == "/c").Visits);
        Assert.Equal(0, daily.Single(r => r.Dimension == Dimension.ExitPage && r.Value == "/b").Visits);
    }

    [Fact]
    public async Task A_visit_row_left_behind_when_the_writer_stopped_is_brought_up_to_date_from_its_events_at_the_next_start()
    {
        app.EnsureAvailable();
        var ct = TestContext.Current.CancellationToken;
        var site = await Analytics.CreateSiteAsync(app);
        var folder = Path.Combine(Path.GetTempPath(), $"civicdesk-backlog-{Guid.NewGuid():N}");
        using var spool = new Spool(folder, 1 << 20);
        // Batches of one event are always full, as when the writer is behind: a visit's row is written when the visit
        // begins and then, with this interval, not again before the writer catches up.
        var options = new AnalyticsOptions { BatchSize = 1, VisitWriteInterval = TimeSpan.FromHours(1) };
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        var start = new DateTime(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, DateTimeKind.Utc).AddMinutes(-10);
        var download = Pageview(site, 11, start.AddMinutes(2), "/b") with { Name = "File Download", Props = """{"url":"/a.pdf"}""" };
        spool.Append([Pageview(site, 11, start, "/a"), Pageview(site, 11, start.AddMinutes(1), "/b"), download, Pageview(site, 11, start.AddMinutes(3), "/a")]);
        Task<SiteSession> VisitAsync() => app.WithDbAsync(db => db.SiteSessions.AsNoTracking().SingleAsync(s => s.SiteId == site.Id, ct));

        try
        {
            using (var stopped = Writer(app, spool, options))
            {
                for (var i = 0; i < 4; i++)
                {
                    Assert.Equal(1, await stopped.WriteBatchAsync(ct));
                }
            }

            // The process stopped there (as with kill -9): the events are stored, the visit's row holds its first one.
            var behind = await VisitAsync();
            Assert.Equal((1, 1, "/a", start, "1,2,/a"), (behind.Pageviews, behind.Events, behind.ExitPage, behind.LastAt, behind.Pages));

            // The next start, with nothing left in the spool, brings the row up to date from the visit's stored events.
            using var restarted = Writer(app, spool, options);
            Assert.Equal(0, await restarted.WriteBatchAsync(ct));
            var caughtUp = await VisitAsync();
            Assert.Equal(
                (3, 4, 1, "/a", start.AddMinutes(3), "2,2,/a1,2,/b"),
                (caughtUp.Pageviews, caughtUp.Events, caughtUp.InteractiveEvents, caughtUp.ExitPage, caughtUp.LastAt, caughtUp.Pages));

            // The visit goes on from there: a full batch leaves the row behind again, and the writer, caught up, writes it.
            spool.Append([Pageview(site, 11, start.AddMinutes(4), "/c")]);
            Assert.Equal(1, await restarted.WriteBatchAsync(ct));
            Assert.Equal(4, (await VisitAsync()).Events);
            Assert.Equal(0, await restarted.WriteBatchAsync(ct));
            var goneOn = await VisitAsync();
            Assert.Equal((4, 5, "/c", "2,2,/a1,2,/b1,2,/c"), (goneOn.Pageviews, goneOn.Events, goneOn.ExitPage, goneOn.Pages));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        var hours = await app.WithDbAsync(db => db.SiteHourlyStats.AsNoTracking().Where(s => s.SiteId == site.Id).ToListAsync(ct));
        Assert.Equal((1L, 0L, 4L, 1L), (hours.Sum(h => h.Visits), hours.Sum(h => h.Bounces), hours.Sum(h => h.Pageviews), hours.Sum(h => h.Events)));
        Assert.Equal(4 * 60L, hours.Sum(h => h.DurationSeconds));
    }

    [Fact]
    public async Task A_visit_that_ends_in_event_time_while_the_writer_is_behind_is_written_then()
    {
        // A backlog replayed faster than it was lived: a visit can end within seconds of the wall clock. Its row is
        // written once it has ended, so that a row behind its visit always belongs to a visit of the last 30 minutes of
        // event time, which is where the next start looks for them.
        app.EnsureAvailable();
        var ct = TestContext.Current.CancellationToken;
        var site = await Analytics.CreateSiteAsync(app);
        var folder = Path.Combine(Path.GetTempPath(), $"civicdesk-backlog-{Guid.NewGuid():N}");
        using var spool = new Spool(folder, 1 << 20);
        using var writer = Writer(app, spool, new AnalyticsOptions { BatchSize = 1, VisitWriteInterval = TimeSpan.FromHours(1) });
        var start = DateTime.SpecifyKind(TimeProvider.System.GetUtcNow().UtcDateTime.Date.AddDays(-2).AddHours(3), DateTimeKind.Utc);
        spool.Append([Pageview(site, 11, start, "/a"), Pageview(site, 11, start.AddMinutes(1), "/b"), Pageview(site, 22, start.AddMinutes(20), "/a"),
            Pageview(site, 22, start.AddMinutes(40), "/c")]);
        Task<SiteSession> VisitAsync(long visitor) =>
            app.WithDbAsync(db => db.SiteSessions.AsNoTracking().SingleAsync(s => s.SiteId == site.Id && s.VisitorId == visitor, ct));

        try
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(1, await writer.WriteBatchAsync(ct));
            }

            Assert.Equal(1, (await VisitAsync(11)).Pageviews);
            Assert.Equal(1, await writer.WriteBatchAsync(ct));
            // 40 minutes after 11's visit began, 39 after its last event: it has ended, and its row is written. 22's
            // visit, 20 minutes on, stays behind while the batches are full.
            Assert.Equal((2, "/b"), ((await VisitAsync(11)).Pageviews, (await VisitAsync(11)).ExitPage));
            Assert.Equal(1, (await VisitAsync(22)).Pageviews);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_read_of_the_spool_file_that_ends_inside_a_spooled_write_is_followed_by_the_rest_of_that_write_from_memory()
    {
        app.EnsureAvailable();
        var ct = TestContext.Current.CancellationToken;
        var site = await Analytics.CreateSiteAsync(app);
        var folder = Path.Combine(Path.GetTempPath(), $"civicdesk-backlog-{Guid.NewGuid():N}");
        using var spool = new Spool(folder, 1 << 20);
        var queue = new IngestQueue(100);
        using var writer = Writer(app, spool, new AnalyticsOptions { BatchSize = 10 }, queue);
        var start = TimeProvider.System.GetUtcNow().UtcDateTime.AddHours(-1);
        // Five events a stop left in the spool, then ten the endpoint queued, spooled in one write.
        spool.Append([.. Enumerable.Range(0, 5).Select(i => Pageview(site, 100 + i, start.AddSeconds(i), "/left"))]);
        for (var i = 0; i < 10; i++)
        {
            Assert.True(queue.TryEnqueue(Pageview(site, 200 + i, start.AddSeconds(10 + i), "/new")));
        }

        Assert.Equal(10, writer.SpoolQueued());
        try
        {
            // The first batch is read from the file: the five left there and half of the spooled write...
            Assert.Equal(10, await writer.WriteBatchAsync(ct));
            Assert.Equal(1, writer.SpoolFileReads);
            // ...and the other half is taken from memory, not read from the file again.
            Assert.Equal(5, await writer.WriteBatchAsync(ct));
            Assert.Equal(0, await writer.WriteBatchAsync(ct));
            Assert.Equal(1, writer.SpoolFileReads);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        var stored = await app.WithDbAsync(db => db.SiteEvents.AsNoTracking().Where(e => e.SiteId == site.Id).ToListAsync(ct));
        Assert.Equal(15, stored.Select(e => e.EventId).Distinct().Count());
        Assert.Equal((5, 10), (stored.Count(e => e.Pathname == "/left"), stored.Count(e => e.Pathname == "/new")));
    }
}

public sealed class BacklogOnSqlite(SqliteApp app) : BacklogTests<SqliteApp>(app);

public sealed class BacklogOnPostgres(PostgresApp app) : BacklogTests<PostgresApp>(app);
