using System.Net;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>
/// Visitor ids change at midnight in the site's zone (a new salt), yet a visit going on at midnight stays one visit:
/// for the first 30 minutes of the day the endpoint also computes the visitor's id under yesterday's salt, and the
/// writer carries the visit over. After that no visit can still be going on from yesterday, and none is carried.
/// </summary>
public abstract class VisitsAcrossMidnightTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory, new()
{
    [Fact]
    public async Task A_visit_going_on_at_midnight_continues_under_the_new_days_visitor_id()
    {
        app.EnsureAvailable();
        var ct = TestContext.Current.CancellationToken;
        var site = await Analytics.CreateSiteAsync(app);
        var client = app.CreateClient();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone);
        var local = TimeZoneInfo.ConvertTime(app.Time.GetUtcNow(), zone);
        var midnight = local.Date.AddDays(1);
        const string Reader = "203.0.113.21";
        const string Passerby = "203.0.113.22";

        async Task At(TimeSpan fromMidnight, string ip, string path)
        {
            var now = TimeZoneInfo.ConvertTime(app.Time.GetUtcNow(), zone).DateTime;
            app.Time.Advance(midnight + fromMidnight - now);
            Assert.Equal(HttpStatusCode.Accepted, (await Analytics.SendAsync(client, site.Domain, path, ip: ip)).StatusCode);
        }

        // The reader: 23:50, 00:10 (carried over), 00:26, 00:45 (under today's id by then). The passer-by: 23:55, then
        // 00:26, 31 minutes later: a new visit, even though yesterday's id is still computed at that time.
        await At(TimeSpan.FromMinutes(-10), Reader, "/a");
        await At(TimeSpan.FromMinutes(-5), Passerby, "/x");
        await At(TimeSpan.FromMinutes(10), Reader, "/b");
        await At(TimeSpan.FromMinutes(26), Reader, "/c");
        await At(TimeSpan.FromMinutes(26), Passerby, "/y");
        await At(TimeSpan.FromMinutes(45), Reader, "/d");

        await Eventually.HoldsAsync(() => app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == site.Id, ct)).ContinueWith(t => t.Result == 6), "the 6 events are stored");
        var events = await app.WithDbAsync(db => db.SiteEvents.AsNoTracking().Where(e => e.SiteId == site.Id).OrderBy(e => e.Id).ToListAsync(ct));
        var visits = await app.WithDbAsync(db => db.SiteSessions.AsNoTracking().Where(s => s.SiteId == site.Id).OrderBy(s => s.StartedAt).ToListAsync(ct));
        Assert.Equal(
            [("/a", "/d", 4), ("/x", "/x", 1), ("/y", "/y", 1)],
            visits.Select(v => (v.EntryPage, v.ExitPage, v.Pageviews)).ToList());
        // The reader's events: yesterday's id before midnight, today's after, all in one visit.
        var reader = events.Where(e => e.Pathname is "/a" or "/b" or "/c" or "/d").ToList();
        Assert.Single(reader.Select(e => e.SessionId).Distinct());
        Assert.NotEqual(reader[0].VisitorId, reader[1].VisitorId);
        Assert.Single(reader.Skip(1).Select(e => e.VisitorId).Distinct());
    }
}

public sealed class VisitsAcrossMidnightOnSqlite(SqliteOutageApp app) : VisitsAcrossMidnightTests<SqliteOutageApp>(app);

public sealed class VisitsAcrossMidnightOnPostgres(PostgresOutageApp app) : VisitsAcrossMidnightTests<PostgresOutageApp>(app);
