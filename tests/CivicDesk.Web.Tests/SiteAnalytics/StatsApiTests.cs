using System.Net;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.SiteAnalytics;

public abstract class StatsApiTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory
{
    [Fact]
    public async Task Aggregate_answers_in_plausible_s_shape_from_the_rollups()
    {
        app.EnsureAvailable();
        var unit = await app.CreateUnitAsync();
        var site = await Analytics.CreateSiteAsync(app, unitId: unit.Id);
        var collector = app.CreateClient();
        // Visitor A: two pages (not a bounce). Visitor B: one page (a bounce). Visitor C: one page and a custom event.
        await Analytics.SendAsync(collector, site.Domain, "/", ip: "203.0.113.1");
        await Analytics.SendAsync(collector, site.Domain, "/gioi-thieu", ip: "203.0.113.1");
        await Analytics.SendAsync(collector, site.Domain, "/", ip: "203.0.113.2");
        await Analytics.SendAsync(collector, site.Domain, "/", ip: "203.0.113.3");
        await Analytics.SendAsync(collector, site.Domain, "/", name: "Tải văn bản", ip: "203.0.113.3");
        await Eventually.HoldsAsync(() => app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == site.Id)).ContinueWith(t => t.Result == 5), "the events are stored");
        var client = await app.ApiClientAsync(await app.CreateUserAsync(unit.Id, Role.Viewer));

        var stats = await (await client.GetAsync($"/api/v1/sites/{site.Id}/stats/aggregate?period=day&metrics=visitors,visits,pageviews,bounce_rate,visit_duration,views_per_visit,events")).ExpectAsync(HttpStatusCode.OK);
        var month = await (await client.GetAsync($"/api/v1/sites/{site.Id}/stats/aggregate?period=30d&metrics=pageviews")).ExpectAsync(HttpStatusCode.OK);
        var lastYear = await (await client.GetAsync($"/api/v1/sites/{site.Id}/stats/aggregate?period=custom&date=2020-01-01,2020-12-31&metrics=pageviews")).ExpectAsync(HttpStatusCode.OK);
        var badMetric = await (await client.GetAsync($"/api/v1/sites/{site.Id}/stats/aggregate?metrics=visitors,clicks")).ExpectAsync(HttpStatusCode.BadRequest);
        var badPeriod = await (await client.GetAsync($"/api/v1/sites/{site.Id}/stats/aggregate?period=custom&date=2026-02-30,2026-03-01")).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Equal(3, stats.GetProperty("visitors").GetInt64());
        Assert.Equal(3, stats.GetProperty("visits").GetInt64());
        Assert.Equal(4, stats.GetProperty("pageviews").GetInt64());
        Assert.Equal(1, stats.GetProperty("events").GetInt64());
        Assert.Equal(33, stats.GetProperty("bounce_rate").GetInt64());
        Assert.Equal(1.33, stats.GetProperty("views_per_visit").GetDouble());
        Assert.True(stats.GetProperty("visit_duration").GetInt64() >= 0);
        Assert.Equal(4, month.GetProperty("pageviews").GetInt64());
        Assert.Equal(0, lastYear.GetProperty("pageviews").GetInt64());
        Assert.Contains("clicks", badMetric.Messages());
        Assert.Contains("date", badPeriod.Messages());
    }
}

public sealed class StatsApiOnSqlite(SqliteAnalyticsApp app) : StatsApiTests<SqliteAnalyticsApp>(app);

public sealed class StatsApiOnPostgres(PostgresAnalyticsApp app) : StatsApiTests<PostgresAnalyticsApp>(app);
