using System.Net;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.SiteAnalytics;

public sealed class CounterTests(SqliteAnalyticsApp app) : IClassFixture<SqliteAnalyticsApp>
{
    [Fact]
    public async Task The_counter_shows_current_visitors_today_and_the_total_with_the_migrated_start()
    {
        var site = await Analytics.CreateSiteAsync(app);
        await app.WithDbAsync(db => db.Sites.Where(s => s.Id == site.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.CounterStartTotal, 500_000)));
        var client = app.CreateClient();
        await Analytics.SendAsync(client, site.Domain, "/", ip: "203.0.113.21");
        await Analytics.SendAsync(client, site.Domain, "/tin-tuc", ip: "203.0.113.21");
        await Analytics.SendAsync(client, site.Domain, "/", ip: "203.0.113.22");
        await Eventually.HoldsAsync(() => app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == site.Id)).ContinueWith(t => t.Result == 3), "the events are stored");

        var json = await (await client.GetAsync($"/api/counter/{site.Domain}")).ExpectAsync(HttpStatusCode.OK);
        var html = await (await client.GetAsync($"/counter/www.{site.Domain}")).Content.ReadAsStringAsync();
        var unknown = await client.GetAsync("/api/counter/khong-co.gov.vn");

        Assert.Equal((2L, 2L, 500_002L), (json.GetProperty("online").GetInt64(), json.GetProperty("today").GetInt64(), json.GetProperty("total").GetInt64()));
        Assert.Contains("Đang truy cập", html);
        Assert.Contains("Tổng lượt truy cập</dt><dd>500.002", html);
        await unknown.ExpectAsync(HttpStatusCode.NotFound);
    }
}
