using System.Globalization;
using System.Net;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.SiteAnalytics;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.SiteAnalytics.Pages;

/// <summary>
/// /sites/{id}: the dashboard shows the numbers of events sent through POST /api/event, in both languages; a row
/// filters it; parameters that make no sense get a message, never a 500; people of other units get a 404.
/// </summary>
public abstract class DashboardPageTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory
{
    private const string Iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";

    [Theory]
    [InlineData("vi", "1,33", "Trực tiếp / Không rõ", "Việt Nam", "Hoa Kỳ", "Máy tính", "Điện thoại")]
    [InlineData("en", "1.33", "Direct / None", "Vietnam", "United States", "Desktop", "Mobile")]
    public async Task A_viewer_sees_the_numbers_of_the_events_sent_in_their_language(
        string language, string viewsPerVisit, string direct, string vietnam, string usa, string desktop, string mobile)
    {
        app.EnsureAvailable();
        var (site, unit) = await SiteWithTrafficAsync();
        using var viewer = await BrowserSession.SignInAsync(app, await app.CreateUserAsync(unit.Id, Role.Viewer), culture: language);

        var html = await viewer.GetHtmlAsync($"/sites/{site.Id}?period=day");

        Assert.Equal(("3", "3", "4"), (PageHtml.Headline(html, "visitors"), PageHtml.Headline(html, "visits"), PageHtml.Headline(html, "pageviews")));
        Assert.Equal((viewsPerVisit, "33%"), (PageHtml.Headline(html, "views_per_visit"), PageHtml.Headline(html, "bounce_rate")));
        Assert.Matches("^[0-9]{2}:[0-9]{2}$", PageHtml.Headline(html, "visit_duration"));
        // Nothing the day before: from nothing to something reads as Plausible shows it.
        Assert.Equal("↑ 100%", PageHtml.Change(html, "visitors"));
        Assert.Equal("3", PageHtml.VisitorsNow(html));
        Assert.Equal([("Facebook", "2"), (direct, "1")], PageHtml.Rows(html, "sources").Select(r => (r.Label, r.Number)));
        Assert.Equal([(vietnam, "2"), (usa, "1")], PageHtml.Rows(html, "locations").Select(r => (r.Label, r.Number)));
        Assert.Contains("IP Geolocation by DB-IP", PageHtml.Card(html, "locations"));
        Assert.Contains("href=\"https://db-ip.com\"", html);
        Assert.Equal([("/", "2"), ("/tin-tuc", "1"), ("/van-ban", "1")], PageHtml.Rows(html, "pages").Select(r => (r.Label, r.Number)));
        Assert.Equal([("Đăng ký", "1")], PageHtml.Rows(html, "goals").Select(r => (r.Label, r.Number)));

        var devices = await viewer.GetHtmlAsync($"/sites/{site.Id}?period=day&devices=device");
        Assert.Equal([(desktop, "2"), (mobile, "1")], PageHtml.Rows(devices, "devices").Select(r => (r.Label, r.Number)));
        var exits = await viewer.GetHtmlAsync($"/sites/{site.Id}?period=day&pages=exit_page");
        Assert.Equal(3, PageHtml.Rows(exits, "pages").Sum(r => int.Parse(r.Number, CultureInfo.InvariantCulture)));
        // Today is drawn hour by hour, and the chart's table holds the same numbers.
        Assert.Equal(24, CountOf(html, "class=\"band\""));
        Assert.Contains(app.Translate(language, "Dashboard.ChartTitle.Hour"), html);
    }

    [Fact]
    public async Task Clicking_a_row_filters_the_whole_dashboard_and_the_chip_takes_the_filter_away()
    {
        app.EnsureAvailable();
        var (site, unit) = await SiteWithTrafficAsync();
        using var viewer = await BrowserSession.SignInAsync(app, await app.CreateUserAsync(unit.Id, Role.Viewer));
        var html = await viewer.GetHtmlAsync($"/sites/{site.Id}?period=day");

        var facebook = PageHtml.Rows(html, "sources").Single(r => r.Label == "Facebook").Link!;
        var filtered = await viewer.GetHtmlAsync(facebook);

        Assert.Contains("f=source", facebook, StringComparison.Ordinal);
        Assert.Contains("period=day", facebook, StringComparison.Ordinal);
        Assert.Equal("Đang lọc theo Nguồn truy cập: Facebook ×", PageHtml.FilterChip(filtered));
        Assert.Equal(("2", "2", "3", "50%"), (PageHtml.Headline(filtered, "visitors"), PageHtml.Headline(filtered, "visits"), PageHtml.Headline(filtered, "pageviews"), PageHtml.Headline(filtered, "bounce_rate")));
        Assert.Equal(["Facebook"], PageHtml.Rows(filtered, "sources").Select(r => r.Label));
        Assert.Equal(["/", "/tin-tuc", "/van-ban"], PageHtml.Rows(filtered, "pages").Select(r => r.Label).Order(StringComparer.Ordinal));
        Assert.Equal(["Việt Nam"], PageHtml.Rows(filtered, "locations").Select(r => r.Label));

        // The direct visit is a row too: its empty value filters to it.
        var direct = await viewer.GetHtmlAsync(PageHtml.Rows(html, "sources").Single(r => r.Label == "Trực tiếp / Không rõ").Link!);
        Assert.Equal(("1", "1"), (PageHtml.Headline(direct, "visitors"), PageHtml.Headline(direct, "pageviews")));
        Assert.Equal(["Hoa Kỳ"], PageHtml.Rows(direct, "locations").Select(r => r.Label));

        var home = await viewer.GetHtmlAsync(PageHtml.Rows(html, "pages").Single(r => r.Label == "/").Link!);
        Assert.Equal(("2", "2"), (PageHtml.Headline(home, "visitors"), PageHtml.Headline(home, "pageviews")));

        var removed = await viewer.GetHtmlAsync(PageHtml.FilterRemoveLink(filtered)!);
        Assert.Null(PageHtml.FilterChip(removed));
        Assert.Equal("3", PageHtml.Headline(removed, "visitors"));
    }

    [Fact]
    public async Task Clicking_a_goal_lists_its_properties()
    {
        app.EnsureAvailable();
        var (site, unit) = await SiteWithTrafficAsync();
        using var viewer = await BrowserSession.SignInAsync(app, await app.CreateUserAsync(unit.Id, Role.Viewer));
        var html = await viewer.GetHtmlAsync($"/sites/{site.Id}?period=day");

        var properties = await viewer.GetHtmlAsync(PageHtml.Rows(html, "goals").Single().Link!);
        var filteredByGoal = await viewer.GetHtmlAsync($"/sites/{site.Id}?period=day&f=goal&v={Uri.EscapeDataString("Đăng ký")}&goal={Uri.EscapeDataString("Đăng ký")}");
        var filteredByPage = await viewer.GetHtmlAsync($"/sites/{site.Id}?period=day&f=page&v=%2F&goal={Uri.EscapeDataString("Đăng ký")}");

        Assert.Contains("Thuộc tính của “Đăng ký”", PageHtml.Card(properties, "goals"));
        Assert.Equal([("goi: co-ban", "1")], PageHtml.Rows(properties, "goals").Select(r => (r.Label, r.Number)));
        Assert.Equal([("goi: co-ban", "1")], PageHtml.Rows(filteredByGoal, "goals").Select(r => (r.Label, r.Number)));
        Assert.Equal(("1", "1"), (PageHtml.Headline(filteredByGoal, "visitors"), PageHtml.Headline(filteredByGoal, "visits")));
        Assert.Empty(PageHtml.Rows(filteredByPage, "goals"));
        Assert.Contains(app.Translate("vi", "Dashboard.PropertiesUnfiltered"), PageHtml.Card(filteredByPage, "goals"));
    }

    [Theory]
    [InlineData("vi")]
    [InlineData("en")]
    public async Task A_bad_filter_or_period_in_the_address_gets_a_message_and_the_default_view_not_an_error(string language)
    {
        app.EnsureAvailable();
        var (site, unit) = await SiteWithTrafficAsync();
        using var viewer = await BrowserSession.SignInAsync(app, await app.CreateUserAsync(unit.Id, Role.Viewer), culture: language);
        var badFilter = app.Translate(language, "Dashboard.BadFilter");

        (string Query, string Key)[] cases =
        [
            ("f=nonsense&v=x", "Dashboard.BadFilter"),
            ("f=source", "Dashboard.BadFilter"),
            ("f=&v=", "Dashboard.BadFilter"),
            ("f=goal_property&v=x", "Dashboard.BadFilter"),
            ($"f=page&v={new string('a', 3000)}", "Dashboard.BadFilter"),
            ("period=forever", "Dashboard.BadPeriod"),
            ("period=day&date=29/11/2026", "Dashboard.BadDate"),
            ("period=custom&from=2026-02-30&to=2026-03-01", "Dashboard.BadRange"),
            ("period=custom&from=2026-03-10&to=2026-03-01", "Dashboard.BadRange"),
            ("period=custom&from=2026-03-10", "Dashboard.BadRange"),
        ];
        foreach (var (query, key) in cases)
        {
            var response = await viewer.GetAsync($"/sites/{site.Id}?{query}");
            var html = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode}");
            Assert.Equal([app.Translate(language, key)], PageHtml.Problems(html));
            // The default view instead: 30 days, unfiltered, with every event of today.
            Assert.Equal("3", PageHtml.Headline(html, "visitors"));
            Assert.Null(PageHtml.FilterChip(html));
        }

        var both = await viewer.GetHtmlAsync($"/sites/{site.Id}?period=never&f=nonsense&v=x");
        Assert.Equal([app.Translate(language, "Dashboard.BadPeriod"), badFilter], PageHtml.Problems(both));
        Assert.Empty(PageHtml.Problems(await viewer.GetHtmlAsync($"/sites/{site.Id}")));
    }

    [Fact]
    public async Task Each_period_counts_the_site_s_own_days_and_the_export_link_names_the_same_days()
    {
        app.EnsureAvailable();
        var (site, unit) = await SiteWithTrafficAsync();
        using var viewer = await BrowserSession.SignInAsync(app, await app.CreateUserAsync(unit.Id, Role.Viewer));
        var zone = TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(TimeProvider.System.GetUtcNow(), zone).DateTime);
        string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        var visitors = new Dictionary<string, string>();
        foreach (var query in new[] { "period=day", "period=yesterday", "period=7d", "period=30d", "period=month", "period=lastmonth", "period=year", $"period=custom&from={Iso(today)}&to={Iso(today)}", "period=custom&from=2020-01-01&to=2020-12-31" })
        {
            var html = await viewer.GetHtmlAsync($"/sites/{site.Id}?{query}");
            Assert.Empty(PageHtml.Problems(html));
            visitors[query] = PageHtml.Headline(html, "visitors");
        }

        Assert.Equal("3", visitors["period=day"]);
        Assert.Equal("0", visitors["period=yesterday"]);
        Assert.Equal("3", visitors["period=7d"]);
        Assert.Equal("3", visitors["period=30d"]);
        Assert.Equal("3", visitors["period=month"]);
        Assert.Equal("0", visitors["period=lastmonth"]);
        Assert.Equal("3", visitors["period=year"]);
        Assert.Equal("3", visitors[$"period=custom&from={Iso(today)}&to={Iso(today)}"]);
        Assert.Equal("0", visitors["period=custom&from=2020-01-01&to=2020-12-31"]);

        var week = await viewer.GetHtmlAsync($"/sites/{site.Id}?period=7d");
        Assert.Contains($"href=\"/sites/{site.Id}/export?period=custom&amp;date={Iso(today.AddDays(-6))},{Iso(today)}\"", week);
        Assert.Equal(7, CountOf(week, "class=\"band\""));
    }

    [Fact]
    public async Task People_without_a_role_above_the_site_s_unit_get_404_and_those_above_it_see_it()
    {
        app.EnsureAvailable();
        var parent = await app.CreateUnitAsync();
        var child = await app.CreateUnitAsync(parentId: parent.Id);
        var sibling = await app.CreateUnitAsync(parentId: parent.Id);
        var site = await Analytics.CreateSiteAsync(app, unitId: child.Id);
        using var above = await BrowserSession.SignInAsync(app, await app.CreateUserAsync(parent.Id, Role.Viewer));
        using var elsewhere = await BrowserSession.SignInAsync(app, await app.CreateUserAsync(sibling.Id, Role.Admin));
        using var anonymous = BrowserSession.Anonymous(app);

        Assert.Equal(HttpStatusCode.OK, (await above.GetAsync($"/sites/{site.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await above.GetAsync($"/sites/{site.Id}/install")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await elsewhere.GetAsync($"/sites/{site.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await elsewhere.GetAsync($"/sites/{site.Id}/install")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await above.GetAsync($"/sites/{Permissions.PermissionScene.Ghost}")).StatusCode);
        var signIn = await anonymous.GetAsync($"/sites/{site.Id}");
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Contains("/account/login", signIn.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// A site in a unit of its own with today's traffic. A (desktop, from Facebook, Vietnam): /, /tin-tuc.
    /// B (iPhone, from Facebook, Vietnam): /van-ban, a bounce. C (desktop, direct, United States): / and a goal.
    /// </summary>
    private async Task<(Site Site, Web.Units.Unit Unit)> SiteWithTrafficAsync()
    {
        var unit = await app.CreateUnitAsync();
        var site = await Analytics.CreateSiteAsync(app, unitId: unit.Id);
        var client = app.CreateClient();
        await Analytics.SendAsync(client, site.Domain, "/", ip: "14.160.0.1", referrer: "https://m.facebook.com/");
        await Analytics.SendAsync(client, site.Domain, "/tin-tuc", ip: "14.160.0.1");
        await Analytics.SendAsync(client, site.Domain, "/van-ban", ip: "14.160.0.2", userAgent: Iphone, referrer: "https://www.facebook.com/");
        await Analytics.SendAsync(client, site.Domain, "/", ip: "8.8.8.8");
        await Analytics.SendAsync(client, site.Domain, "/", name: "Đăng ký", ip: "8.8.8.8", extra: "\"props\":{\"goi\":\"co-ban\"}");
        await Eventually.HoldsAsync(
            () => app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == site.Id)).ContinueWith(t => t.Result == 5),
            "the five events are stored");
        return (site, unit);
    }

    private static int CountOf(string html, string text) =>
        (html.Length - html.Replace(text, "", StringComparison.Ordinal).Length) / text.Length;
}

public sealed class DashboardPageOnSqlite(SqliteAnalyticsApp app) : DashboardPageTests<SqliteAnalyticsApp>(app);

public sealed class DashboardPageOnPostgres(PostgresAnalyticsApp app) : DashboardPageTests<PostgresAnalyticsApp>(app);
