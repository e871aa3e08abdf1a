using CivicDesk.Web.SiteAnalytics.Ingestion;
using CivicDesk.Web.SiteAnalytics.Storage;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>The daily rollups per dimension, which breakdowns and filtered dashboards read instead of raw events.</summary>
public abstract class RollupTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory
{
    private const string Iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";

    [Fact]
    public async Task Breakdowns_count_exact_visitors_visits_pageviews_bounces_and_exits()
    {
        app.EnsureAvailable();
        var site = await Analytics.CreateSiteAsync(app);
        var client = app.CreateClient();
        // A (desktop, from Facebook): /, /tin-tuc, / — one visit, exits on /. B (iPhone, direct): / — a bounce.
        // C (desktop, UTM campaign): /tin-tuc, then a download event with props.
        await Analytics.SendAsync(client, site.Domain, "/", ip: "203.0.113.1", referrer: "https://l.facebook.com/");
        await Analytics.SendAsync(client, site.Domain, "/tin-tuc", ip: "203.0.113.1");
        await Analytics.SendAsync(client, site.Domain, "/", ip: "203.0.113.1");
        await Analytics.SendAsync(client, site.Domain, "/", ip: "203.0.113.2", userAgent: Iphone);
        await Analytics.SendAsync(client, site.Domain, "/tin-tuc?utm_source=zalo&utm_medium=social&utm_campaign=tet", ip: "203.0.113.3");
        await Analytics.SendAsync(client, site.Domain, "/tin-tuc", name: "File Download", ip: "203.0.113.3", extra: "\"props\":{\"url\":\"https://x.gov.vn/a.pdf\"}");
        await WaitForEventsAsync(site.Id, 6);

        var rows = await RowsAsync(site.Id);

        Assert.Equal((2, 2, 3), Numbers(rows, Dimension.Page, "/"));
        Assert.Equal((2, 2, 2), Numbers(rows, Dimension.Page, "/tin-tuc"));
        var entryHome = rows[(Dimension.EntryPage, "/")];
        Assert.Equal((2L, 2L, 4L, 1L), (entryHome.Visitors, entryHome.Visits, entryHome.Pageviews, entryHome.Bounces));
        var exitHome = rows[(Dimension.ExitPage, "/")];
        Assert.Equal((2L, 4L), (exitHome.Visits, exitHome.Pageviews));
        Assert.Equal(1, rows[(Dimension.ExitPage, "/tin-tuc")].Visits);
        Assert.Equal((1L, 1L, 3L), (rows[(Dimension.Source, "Facebook")].Visitors, rows[(Dimension.Source, "Facebook")].Visits, rows[(Dimension.Source, "Facebook")].Pageviews));
        Assert.Equal(1, rows[(Dimension.UtmCampaign, "tet")].Visits);
        Assert.Equal(1, rows[(Dimension.UtmSource, "zalo")].Events);
        Assert.Equal(2, rows[(Dimension.Device, "Desktop")].Visitors);
        Assert.Equal(1, rows[(Dimension.Device, "Mobile")].Bounces);
        Assert.Equal((1L, 1L), (rows[(Dimension.Goal, "File Download")].Visitors, rows[(Dimension.Goal, "File Download")].Events));
        Assert.Equal(1, rows[(Dimension.GoalProperty, SiteDailyStats.Join("File Download", "url", "https://x.gov.vn/a.pdf"))].Events);
        Assert.Equal(1, rows[(Dimension.GoalDetail, SiteDailyStats.Join("File Download", "https://x.gov.vn/a.pdf", ""))].Events);
        // The visit-level numbers add up to the site's totals.
        var visits = rows.Where(r => r.Key.Item1 == Dimension.Device).Sum(r => r.Value.Visits);
        Assert.Equal(3, visits);
        Assert.Equal(3, rows.Where(r => r.Key.Item1 == Dimension.ExitPage).Sum(r => r.Value.Visits));
    }

    [Fact]
    public async Task A_visitor_is_counted_once_per_day_even_when_the_writer_takes_up_its_state_from_the_database()
    {
        app.EnsureAvailable();
        var site = await Analytics.CreateSiteAsync(app);
        var client = app.CreateClient();
        await Analytics.SendAsync(client, site.Domain, "/a", ip: "198.51.100.7");
        await Analytics.SendAsync(client, site.Domain, "/b", ip: "198.51.100.7");
        await WaitForEventsAsync(site.Id, 2);

        // As after a restart or a database error: open visits and who-was-counted come back from the database.
        app.Services.GetRequiredService<EventWriter>().ReloadStateFromDatabase();
        await Analytics.SendAsync(client, site.Domain, "/a", ip: "198.51.100.7");
        await Analytics.SendAsync(client, site.Domain, "/c", ip: "198.51.100.8");
        await WaitForEventsAsync(site.Id, 4);

        var rows = await RowsAsync(site.Id);
        Assert.Equal((1, 1, 2), Numbers(rows, Dimension.Page, "/a"));
        Assert.Equal((1, 1, 1), Numbers(rows, Dimension.Page, "/b"));
        Assert.Equal(2, rows[(Dimension.Browser, "Chrome")].Visitors);
        Assert.Equal(2, rows[(Dimension.Browser, "Chrome")].Visits);
        Assert.Equal(1, rows[(Dimension.ExitPage, "/a")].Visits);
        Assert.Equal(0, rows[(Dimension.ExitPage, "/b")].Visits);

        // The visit's page list goes on from the stored one.
        var visit = await app.WithDbAsync(db => db.SiteSessions.AsNoTracking().SingleAsync(s => s.SiteId == site.Id && s.Pageviews == 3));
        Assert.Equal("2,2,/a1,2,/b", visit.Pages);
    }

    private Task WaitForEventsAsync(int siteId, int count) =>
        Eventually.HoldsAsync(() => app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == siteId)).ContinueWith(t => t.Result == count), $"{count} events are stored");

    private async Task<Dictionary<(Dimension, string), SiteDailyStats>> RowsAsync(int siteId)
    {
        var list = await app.WithDbAsync(db => db.Set<SiteDailyStats>().AsNoTracking().Where(s => s.SiteId == siteId).ToListAsync());
        // All events of a test fall on one local day.
        Assert.Single(list.Select(r => r.Day).Distinct());
        return list.ToDictionary(r => (r.Dimension, r.Value));
    }

    private static (long Visitors, long Visits, long Pageviews) Numbers(Dictionary<(Dimension, string), SiteDailyStats> rows, Dimension dimension, string value)
    {
        var row = rows[(dimension, value)];
        return (row.Visitors, row.Visits, row.Pageviews);
    }
}

public sealed class RollupsOnSqlite(SqliteAnalyticsApp app) : RollupTests<SqliteAnalyticsApp>(app);

public sealed class RollupsOnPostgres(PostgresAnalyticsApp app) : RollupTests<PostgresAnalyticsApp>(app);
