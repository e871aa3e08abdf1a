using CivicDesk.Web.SiteAnalytics;
using CivicDesk.Web.SiteAnalytics.Storage;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.SiteAnalytics;

public abstract class RetentionTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory
{
    [Fact]
    public async Task Raw_events_and_visits_older_than_the_retention_go_and_the_rollups_stay()
    {
        app.EnsureAvailable();
        var kept = await Analytics.CreateSiteAsync(app);
        var trimmed = await Analytics.CreateSiteAsync(app);
        await app.WithDbAsync(db => db.Sites.Where(s => s.Id == trimmed.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.RetentionMonths, 3)));
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        await app.WithDbAsync(async db =>
        {
            foreach (var site in new[] { kept, trimmed })
            {
                foreach (var at in new[] { now.AddMonths(-6), now.AddDays(-1) })
                {
                    var session = Random.Shared.NextInt64(1, long.MaxValue);
                    db.SiteEvents.Add(new SiteEvent { EventId = Guid.NewGuid(), SiteId = site.Id, Timestamp = at, Name = "pageview", Hostname = site.Domain, Pathname = "/", SessionId = session });
                    db.SiteSessions.Add(new SiteSession { SiteId = site.Id, SessionId = session, StartedAt = at, LastAt = at, Pageviews = 1, Events = 1, EntryPage = "/", ExitPage = "/" });
                    db.SiteHourlyStats.Add(new SiteHourlyStats { SiteId = site.Id, Hour = new DateTime(at.Year, at.Month, at.Day, at.Hour, 0, 0, DateTimeKind.Utc), Pageviews = 1, Visits = 1 });
                }
            }

            return await db.SaveChangesAsync();
        });

        await using (var scope = app.Services.CreateAsyncScope())
        {
            await ActivatorUtilities.CreateInstance<RetentionJob>(scope.ServiceProvider).RunAsync(CancellationToken.None);
        }

        Assert.Equal(2, await app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == kept.Id)));
        Assert.Equal(1, await app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == trimmed.Id)));
        Assert.Equal(1, await app.WithDbAsync(db => db.SiteSessions.CountAsync(s => s.SiteId == trimmed.Id)));
        Assert.Equal(2, await app.WithDbAsync(db => db.SiteHourlyStats.Where(s => s.SiteId == trimmed.Id).SumAsync(s => s.Pageviews)));
    }
}

public sealed class RetentionOnSqlite(SqliteApp app) : RetentionTests<SqliteApp>(app);

public sealed class RetentionOnPostgres(PostgresApp app) : RetentionTests<PostgresApp>(app);
