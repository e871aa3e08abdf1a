using CivicDesk.Web.SiteAnalytics;
using CivicDesk.Web.SiteAnalytics.Dashboard;
using CivicDesk.Web.SiteAnalytics.Storage;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>The dashboard's queries, against events sent through the real endpoint and stored by the real writer.</summary>
public abstract class DashboardQueriesTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory
{
    private const string Iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";

    [Fact]
    public async Task Headline_numbers_series_and_breakdowns_with_and_without_a_filter()
    {
        app.EnsureAvailable();
        var site = await Analytics.CreateSiteAsync(app);
        var client = app.CreateClient();
        // A (desktop, Facebook): /, /tin-tuc. B (iPhone, Facebook): /van-ban — a bounce. C (iPhone, direct): /, then a goal.
        await Analytics.SendAsync(client, site.Domain, "/", ip: "203.0.113.21", referrer: "https://m.facebook.com/");
        await Analytics.SendAsync(client, site.Domain, "/tin-tuc", ip: "203.0.113.21");
        await Analytics.SendAsync(client, site.Domain, "/van-ban", ip: "203.0.113.22", userAgent: Iphone, referrer: "https://www.facebook.com/");
        await Analytics.SendAsync(client, site.Domain, "/", ip: "203.0.113.23", userAgent: Iphone);
        await Analytics.SendAsync(client, site.Domain, "/", name: "Đăng ký", ip: "203.0.113.23", userAgent: Iphone, extra: "\"props\":{\"goi\":\"co-ban\"}");
        await Eventually.HoldsAsync(() => app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == site.Id)).ContinueWith(t => t.Result == 5), "the events are stored");

        await using var scope = app.Services.CreateAsyncScope();
        var queries = scope.ServiceProvider.GetRequiredService<DashboardQueries>();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(TimeProvider.System.GetUtcNow().UtcDateTime, TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone)));
        var day = new Period(today, today);
        var month = new Period(today.AddDays(-29), today);
        var facebook = new DashboardFilter(Dimension.Source, "Facebook");
        var mobile = new DashboardFilter(Dimension.Device, "Mobile");
        var home = new DashboardFilter(Dimension.Page, "/");

        var all = await queries.TopStatsAsync(site, month, null, default);
        var fromFacebook = await queries.TopStatsAsync(site, month, facebook, default);
        var onHome = await queries.TopStatsAsync(site, day, home, default);
        var previous = await queries.TopStatsAsync(site, month.Previous, null, default);

        Assert.Equal((3L, 3L, 4L, 1L), (all.Visitors, all.Visits, all.Pageviews, all.Events));
        Assert.Equal(33, all.BounceRate);
        Assert.Equal((2L, 2L, 3L), (fromFacebook.Visitors, fromFacebook.Visits, fromFacebook.Pageviews));
        Assert.Equal(50, fromFacebook.BounceRate);
        Assert.Equal((2L, 2L, 2L), (onHome.Visitors, onHome.Visits, onHome.Pageviews));
        Assert.Equal(0, onHome.BounceRate);
        Assert.Equal(TopStats.Empty, previous);

        var hourly = await queries.SeriesAsync(site, day, null, default);
        var daily = await queries.SeriesAsync(site, month, facebook, default);
        var hourlyMobile = await queries.SeriesAsync(site, day, mobile, default);
        Assert.Equal(24, hourly.Count);
        Assert.Equal(3, hourly.Sum(p => p.Visitors));
        Assert.Equal(30, daily.Count);
        Assert.Equal(2, daily.Single(p => p.Start == today.ToDateTime(TimeOnly.MinValue)).Visitors);
        Assert.Equal(2, hourlyMobile.Sum(p => p.Visits));
        var hourlyHome = await queries.SeriesAsync(site, day, home, default);
        var hourlyGoal = await queries.SeriesAsync(site, day, new DashboardFilter(Dimension.Goal, "Đăng ký"), default);
        Assert.Equal((2L, 2L, 3L), (hourlyHome.Sum(p => p.Visitors), hourlyHome.Sum(p => p.Visits), hourlyHome.Sum(p => p.Pageviews)));
        Assert.Equal((1L, 1L), (hourlyGoal.Sum(p => p.Visitors), hourlyGoal.Sum(p => p.Visits)));

        var sources = await queries.BreakdownAsync(site, month, Dimension.Source, null, 10, default);
        var pages = await queries.BreakdownAsync(site, month, Dimension.Page, null, 10, default);
        var facebookPages = await queries.BreakdownAsync(site, month, Dimension.Page, facebook, 10, default);
        var mobileSources = await queries.BreakdownAsync(site, month, Dimension.Source, mobile, 10, default);
        var homeDevices = await queries.BreakdownAsync(site, month, Dimension.Device, home, 10, default);
        var goals = await queries.BreakdownAsync(site, month, Dimension.Goal, null, 10, default);
        var properties = await queries.BreakdownAsync(site, month, Dimension.GoalProperty, null, 10, default, goal: "Đăng ký");
        var exits = await queries.BreakdownAsync(site, month, Dimension.ExitPage, null, 10, default);

        Assert.Equal([("Facebook", 2L), ("Direct / None", 1L)], sources.Select(r => (r.Value, r.Visitors)));
        Assert.Equal(("/", 2L, 2L), (pages[0].Value, pages[0].Visitors, pages[0].Pageviews));
        Assert.Equal(["/", "/tin-tuc", "/van-ban"], facebookPages.Select(r => r.Value).Order(StringComparer.Ordinal));
        Assert.All(facebookPages, r => Assert.Equal(1, r.Visitors));
        Assert.Equal([("Direct / None", 1L), ("Facebook", 1L)], mobileSources.Select(r => (r.Value, r.Visitors)).Order());
        Assert.Equal([("Desktop", 1L), ("Mobile", 1L)], homeDevices.Select(r => (r.Value, r.Visitors)).Order());
        Assert.Equal(("Đăng ký", 1L, 1L), (goals.Single().Value, goals.Single().Visitors, goals.Single().Events));
        Assert.Equal(SiteDailyStats.Join("Đăng ký", "goi", "co-ban"), properties.Single().Value);
        Assert.Equal(["/", "/tin-tuc", "/van-ban"], exits.Select(r => r.Value).Order(StringComparer.Ordinal));
        Assert.Equal(3, await queries.VisitorsNowAsync(site, default));
    }
}

public sealed class DashboardQueriesOnSqlite(SqliteAnalyticsApp app) : DashboardQueriesTests<SqliteAnalyticsApp>(app);

public sealed class DashboardQueriesOnPostgres(PostgresAnalyticsApp app) : DashboardQueriesTests<PostgresAnalyticsApp>(app);
