using System.Text.Json.Nodes;
using CivicDesk.Web.Tests.Browser;
using CivicDesk.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static CivicDesk.Web.Tests.SiteAnalytics.Tracker.FakeSite;

namespace CivicDesk.Web.Tests.SiteAnalytics.Tracker;

/// <summary>
/// The tracker script (/js/script.js) on an agency's website in Chromium: what it sends to the event API, when, and
/// what it leaves alone. The agency's pages live at http://agency.example/ (Playwright routing); the script comes from
/// the app; the event API is intercepted, so these tests pin the payloads the endpoint has to accept.
/// </summary>
[Collection(BrowserCollection.Name)]
public abstract class TrackerBrowserTests<TApp>(BrowserFixture<TApp> browser) : IClassFixture<BrowserFixture<TApp>>
    where TApp : AppFactory, new()
{
    private const string Home = "http://agency.example/";

    [Fact]
    public async Task A_page_load_sends_one_pageview_with_the_referrer_as_text_plain_to_the_script_origin()
    {
        await using var session = await browser.OpenAsync();
        var site = await ServeAsync(session.Context, browser.BaseUrl);
        site.Page("http://news.example/article", "<a href=\"http://agency.example/\">Sở Y tế</a>");
        // No data-api: the endpoint is the script's own origin. A comma list of domains is passed on as written.
        site.Page(Home, "<h1>Trang chủ</h1>", site.Script("data-domain=\"agency.example,tinh.gov.vn\" data-allow-automation"));

        await session.Page.GotoAsync("http://news.example/article");
        await session.Page.ClickAsync("a");

        var events = await site.WaitForEventsAsync(1);
        Equal(Expected("pageview", Home, "http://news.example/", domain: "agency.example,tinh.gov.vn"), events[0]);
        var sent = site.Events[0];
        Assert.Equal(EventApi, sent.Url);
        Assert.Equal("POST", sent.Method);
        Assert.Equal("text/plain", sent.ContentType);
        Assert.Single((await site.EventsBeforeMarkerAsync(session.Page)));
    }

    [Fact]
    public async Task History_navigation_to_a_new_path_sends_a_pageview_and_staying_on_the_path_does_not()
    {
        await using var session = await browser.OpenAsync();
        var site = await ServeAsync(session.Context, browser.BaseUrl);
        site.Page(Home, "<h1>App</h1>", site.Script());
        var page = session.Page;
        await page.GotoAsync(Home);
        await site.WaitForEventsAsync(1);

        await page.EvaluateAsync("() => history.pushState({}, '', '/news/1')");
        await page.EvaluateAsync("() => history.pushState({}, '', '/news/1?page=2')");
        await page.EvaluateAsync("() => { location.hash = 'comments'; }");
        await page.EvaluateAsync("() => history.pushState({}, '', '/about')");
        await page.EvaluateAsync("() => history.back()");

        await site.WaitForEventsAsync(4);
        var sent = await site.EventsBeforeMarkerAsync(page);
        Equal(
            [
                Expected("pageview", Home),
                Expected("pageview", "http://agency.example/news/1"),
                Expected("pageview", "http://agency.example/about"),
                Expected("pageview", "http://agency.example/news/1?page=2#comments"),
            ],
            [.. sent.Select(e => e.Json)]);
    }

    [Fact]
    public async Task With_data_hash_every_hash_change_sends_a_pageview_in_hash_mode()
    {
        await using var session = await browser.OpenAsync();
        var site = await ServeAsync(session.Context, browser.BaseUrl);
        site.Page(Home, "<h1>App</h1>", site.Script("data-domain=\"agency.example\" data-api=\"http://agency.example/stats/api/event\" data-hash data-allow-automation"));
        var page = session.Page;
        await page.GotoAsync(Home);
        await site.WaitForEventsAsync(1);

        await page.EvaluateAsync("() => { location.hash = '#/contact'; }");
        await site.WaitForEventsAsync(2);
        await page.EvaluateAsync("() => { location.hash = '#/services?id=3'; }");

        var events = await site.WaitForEventsAsync(3);
        Equal(
            [
                HashMode(Expected("pageview", Home)),
                HashMode(Expected("pageview", "http://agency.example/#/contact")),
                HashMode(Expected("pageview", "http://agency.example/#/services?id=3")),
            ],
            events);
        Assert.All(site.Events, e => Assert.Equal("http://agency.example/stats/api/event", e.Url));
    }

    [Fact]
    public async Task An_outbound_link_click_is_sent_and_the_browser_still_follows_the_link()
    {
        await using var session = await browser.OpenAsync();
        var site = await ServeAsync(session.Context, browser.BaseUrl);
        site.Page(Home, """
            <a id="same" href="http://portal.example/dich-vu?ma=7"><span>Cổng dịch vụ công</span></a>
            <a id="tab" href="http://portal.example/tab" target="_blank">Tab mới</a>
            """, site.Script());
        site.Page("http://portal.example/dich-vu", "<h1>Cổng</h1>");
        site.Page("http://portal.example/tab", "<h1>Tab</h1>");
        var page = session.Page;
        await page.GotoAsync(Home);
        await site.WaitForEventsAsync(1);

        // A new tab: the agency's page stays where it is, the other one opens.
        var popup = await page.RunAndWaitForPopupAsync(() => page.ClickAsync("#tab"));
        await popup.WaitForLoadStateAsync();
        Assert.Equal("http://portal.example/tab", popup.Url);
        Assert.Equal(Home, page.Url);
        await site.WaitForEventsAsync(2);

        // The same tab, clicking on an element inside the link: the click is sent and the navigation happens.
        await page.ClickAsync("#same span");
        await Expect(page).ToHaveURLAsync("http://portal.example/dich-vu?ma=7");

        var events = await site.WaitForEventsAsync(3);
        Equal(
            [
                Expected("pageview", Home),
                Expected("Outbound Link: Click", Home, props: new JsonObject { ["url"] = "http://portal.example/tab" }),
                Expected("Outbound Link: Click", Home, props: new JsonObject { ["url"] = "http://portal.example/dich-vu?ma=7" }),
            ],
            events);
        Assert.Equal("Cổng", await page.TextContentAsync("h1"));
    }

    [Fact]
    public async Task A_file_download_click_is_sent_without_the_query_and_an_internal_link_sends_only_the_next_pageview()
    {
        await using var session = await browser.OpenAsync();
        var site = await ServeAsync(session.Context, browser.BaseUrl);
        site.Page(Home, """
            <a id="pdf" href="/van-ban/bao-cao-2026.PDF?v=2">Báo cáo</a>
            <a id="about" href="/gioi-thieu">Giới thiệu</a>
            """, site.Script());
        site.File("http://agency.example/van-ban/bao-cao-2026.PDF", "application/pdf", "%PDF-1.4",
            new Dictionary<string, string> { ["Content-Disposition"] = "attachment; filename=bao-cao-2026.pdf" });
        site.Page("http://agency.example/gioi-thieu", "<h1>Giới thiệu</h1>", site.Script());
        var page = session.Page;
        await page.GotoAsync(Home);
        await site.WaitForEventsAsync(1);

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#pdf"));
        Assert.Equal("bao-cao-2026.pdf", download.SuggestedFilename);
        await site.WaitForEventsAsync(2);
        await page.ClickAsync("#about");
        await Expect(page).ToHaveURLAsync("http://agency.example/gioi-thieu");

        await site.WaitForEventsAsync(3);
        var sent = await site.EventsBeforeMarkerAsync(page);
        Equal(
            [
                Expected("pageview", Home),
                Expected("File Download", Home, props: new JsonObject { ["url"] = "http://agency.example/van-ban/bao-cao-2026.PDF" }),
                Expected("pageview", "http://agency.example/gioi-thieu", Home),
            ],
            [.. sent.Select(e => e.Json)]);
    }

    [Fact]
    public async Task Custom_events_carry_props_revenue_and_interactive_and_calls_queued_before_the_script_loaded_are_sent()
    {
        await using var session = await browser.OpenAsync();
        var site = await ServeAsync(session.Context, browser.BaseUrl);
        // The stub sites paste before the tracker, and a call made before the script has loaded.
        site.Page(Home, "<h1>Đăng ký</h1>", """
            <script>
              window.civicdesk = window.civicdesk || function () { (window.civicdesk.q = window.civicdesk.q || []).push(arguments) };
              civicdesk('signup', { props: { plan: 'co-ban', unit: 'Sở Y tế' } });
            </script>
            """ + site.Script());
        var page = session.Page;
        await page.GotoAsync(Home);
        await site.WaitForEventsAsync(2);

        var status = await page.EvaluateAsync<int>("""
            () => new Promise(resolve => civicdesk('Thanh toán', {
              props: { method: 'qr' }, revenue: { currency: 'VND', amount: 10000 }, interactive: false,
              callback: result => resolve(result.status),
            }))
            """);

        Assert.Equal(202, status);
        var events = await site.WaitForEventsAsync(3);
        // The load pageview and the queued call leave together, so the network may deliver them in either order.
        var arrived = events.Take(2).OrderBy(e => e?["name"]?.GetValue<string>() == "pageview" ? 0 : 1).Concat(events.Skip(2)).ToList();
        var payment = Expected("Thanh toán", Home, props: new JsonObject { ["method"] = "qr" });
        payment["revenue"] = new JsonObject { ["currency"] = "VND", ["amount"] = 10000 };
        payment["interactive"] = false;
        Equal(
            [
                Expected("pageview", Home),
                Expected("signup", Home, props: new JsonObject { ["plan"] = "co-ban", ["unit"] = "Sở Y tế" }),
                payment,
            ],
            arrived);
    }

    [Theory]
    [InlineData("automation", "http://agency.example/", "data-domain=\"agency.example\"", "")]
    [InlineData("localhost", "http://localhost/", "data-domain=\"agency.example\" data-allow-automation", "")]
    [InlineData("loopback address", "http://127.0.0.1/", "data-domain=\"agency.example\" data-allow-automation", "")]
    [InlineData("opt-out", "http://agency.example/", "data-domain=\"agency.example\" data-allow-automation", "<script>window.civicdeskIgnore = true</script>")]
    public async Task Nothing_is_sent_from_an_automated_browser_localhost_or_an_opted_out_page(string why, string url, string attributes, string head)
    {
        await using var session = await browser.OpenAsync();
        var site = await ServeAsync(session.Context, browser.BaseUrl);
        site.Page(url, "<h1>Trang</h1>", head + site.Script(attributes));
        var page = session.Page;
        await page.GotoAsync(url);

        // The script has loaded (it replaced the queue stub) and calls back at once for what it ignores.
        var called = await page.EvaluateAsync<bool>("() => new Promise(resolve => civicdesk('signup', { callback: r => resolve(r === undefined) }))");
        await page.EvaluateAsync("() => history.pushState({}, '', '/other')");

        Assert.True(called, why);
        Assert.Empty(await site.EventsBeforeMarkerAsync(page));
    }

    [Fact]
    public async Task Localhost_is_counted_with_data_allow_localhost()
    {
        await using var session = await browser.OpenAsync();
        var site = await ServeAsync(session.Context, browser.BaseUrl);
        site.Page("http://localhost/", "<h1>Dev</h1>", site.Script("data-domain=\"agency.example\" data-allow-automation data-allow-localhost"));

        await session.Page.GotoAsync("http://localhost/");

        Equal(Expected("pageview", "http://localhost/"), (await site.WaitForEventsAsync(1))[0]);
    }

    [Fact]
    public async Task An_event_sent_just_before_leaving_is_delivered_and_once_the_page_hides_events_go_by_beacon()
    {
        await using var session = await browser.OpenAsync();
        var site = await ServeAsync(session.Context, browser.BaseUrl);
        site.Page(Home, "<h1>Trang chủ</h1>", site.Script());
        site.Page("http://agency.example/next", "<h1>Tiếp</h1>");
        var page = session.Page;
        await page.GotoAsync(Home);
        await site.WaitForEventsAsync(1);

        // The page is hiding (the tracker's pagehide listener has run): the beacon, made to outlive the page, carries the
        // event; once the page is shown again, fetch does. Playwright does not see requests made during a real unload,
        // so the hiding is announced with the event itself and the page stays to be observed.
        await page.EvaluateAsync("() => { dispatchEvent(new PageTransitionEvent('pagehide')); civicdesk('Đóng trang', { props: { stage: 'pagehide' } }); }");
        await site.WaitForEventsAsync(2);
        await page.EvaluateAsync("() => { dispatchEvent(new PageTransitionEvent('pageshow')); civicdesk('Quay lại'); }");
        await site.WaitForEventsAsync(3);
        // An event, then navigation in the same breath: nothing waits for the request, and it still arrives.
        await page.EvaluateAsync("() => { civicdesk('Rời trang'); location.href = '/next'; }");
        await Expect(page).ToHaveURLAsync("http://agency.example/next");

        var events = await site.WaitForEventsAsync(4);
        Equal(
            [
                Expected("pageview", Home),
                Expected("Đóng trang", Home, props: new JsonObject { ["stage"] = "pagehide" }),
                Expected("Quay lại", Home),
                Expected("Rời trang", Home),
            ],
            events);
        Assert.Equal(["fetch", "ping", "fetch", "fetch"], site.Events.Select(e => e.ResourceType));
        Assert.All(site.Events, e => Assert.StartsWith("text/plain", e.ContentType, StringComparison.Ordinal));
    }

    [Fact]
    public async Task After_a_whole_visit_the_browser_holds_no_cookie_and_no_storage_entry()
    {
        await using var session = await browser.OpenAsync();
        var site = await ServeAsync(session.Context, browser.BaseUrl);
        site.Page(Home, "<a href=\"http://portal.example/\">Cổng</a>", site.Script($"data-domain=\"agency.example\" data-api=\"{EventApi}\" data-allow-automation"));
        site.Page("http://portal.example/", "<h1>Cổng</h1>");
        var page = session.Page;
        await page.GotoAsync(Home);
        await page.EvaluateAsync("() => history.pushState({}, '', '/news')");
        await page.EvaluateAsync("() => new Promise(resolve => civicdesk('signup', { props: { plan: 'x' }, callback: resolve }))");
        var storage = await page.EvaluateAsync<int>("() => localStorage.length + sessionStorage.length");
        var cookie = await page.EvaluateAsync<string>("() => document.cookie");
        await page.ClickAsync("a");
        await Expect(page).ToHaveURLAsync("http://portal.example/");

        Assert.Equal(4, (await site.WaitForEventsAsync(4)).Count);
        Assert.Empty(await session.Context.CookiesAsync());
        Assert.Equal(0, storage);
        Assert.Equal("", cookie);
        Assert.Empty(await page.EvaluateAsync<string[]>("async () => (await indexedDB.databases()).map(d => d.name)"));
    }

    [Fact]
    public async Task An_event_answered_503_is_sent_once_more_after_Retry_After_and_not_a_third_time()
    {
        await using var session = await browser.OpenAsync();
        // The first two events are refused as by a node whose queue is full: the pageview, and its one retry.
        var site = await ServeAsync(session.Context, browser.BaseUrl, refuseFirst: 2);
        site.Page(Home, "<h1>Trang chủ</h1>", site.Script());
        var page = session.Page;
        await page.GotoAsync(Home);

        var sent = await site.WaitForEventsAsync(2);
        Equal(Expected("pageview", Home), sent[0]);
        Assert.Equal(site.Events[0].Body, site.Events[1].Body);
        var status = await page.EvaluateAsync<int>("() => new Promise(resolve => civicdesk('signup', { callback: r => resolve(r.status) }))");
        await page.WaitForTimeoutAsync(2500); // past the second refusal's Retry-After: no third pageview comes

        Assert.Equal(202, status);
        Assert.Equal(["pageview", "pageview", "signup"], site.Events.Select(e => e.Json?["name"]?.GetValue<string>()));
    }

    private static JsonObject HashMode(JsonObject json)
    {
        json["hashMode"] = 1;
        return json;
    }
}

public sealed class TrackerBrowserOnSqlite(BrowserFixture<SqliteApp> browser) : TrackerBrowserTests<SqliteApp>(browser);
