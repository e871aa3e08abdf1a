using CivicDesk.Web.SiteAnalytics;
using CivicDesk.Web.SiteAnalytics.Ingestion;
using CivicDesk.Web.SiteAnalytics.Storage;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

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
        using var writer = new EventWriter(new IngestQueue(1), spool, app.Services.GetRequiredService<IServiceScopeFactory>(),
            Options.Create(new AnalyticsOptions { BatchSize = 1 }), TimeProvider.System, NullLogger<EventWriter>.Instance);
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

    private static PendingEvent Pageview(Site site, long visitor, DateTime at, string path) => new()
    {
        EventId = Guid.CreateVersion7(new DateTimeOffset(at)),
        SiteId = site.Id,
        Timestamp = at,
        Name = "pageview",
        Hostname = site.Domain,
        Pathname = path,
        VisitorId = visitor,
        Enrichment = new EventEnrichment { Browser = "Chrome", Os = "Windows", Device = "Desktop", Country = "VN", Source = "Direct / None" },
    };
}

public sealed class BacklogOnSqlite(SqliteApp app) : BacklogTests<SqliteApp>(app);

public sealed class BacklogOnPostgres(PostgresApp app) : BacklogTests<PostgresApp>(app);
