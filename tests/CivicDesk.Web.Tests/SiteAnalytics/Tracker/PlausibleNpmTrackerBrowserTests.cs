using System.Net;
using System.Text.Json.Nodes;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Tests.Browser;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static CivicDesk.Web.Tests.SiteAnalytics.Tracker.FakeSite;

namespace CivicDesk.Web.Tests.SiteAnalytics.Tracker;

/// <summary>
/// Plausible's own npm tracker (@plausible-analytics/tracker, an ES module exporting init and track), loaded by an
/// agency's page and pointed at CivicDesk (issue 3, point 3): what it sends is pinned, and it goes to the app's real
/// POST /api/event on Kestrel, whose answer the tracker gets back, so that the pageview and the custom event are shown
/// to be stored and counted. The package comes from npm at build time (the test project's PackPlausibleTracker).
/// </summary>
[Collection(BrowserCollection.Name)]
public abstract class PlausibleNpmTrackerBrowserTests<TApp>(BrowserFixture<TApp> browser) : IClassFixture<BrowserFixture<TApp>>
    where TApp : AppFactory, new()
{
    private static readonly string ModulePath = Path.Combine(AppContext.BaseDirectory, "plausible-tracker", "plausible.js");

    [Fact]
    public async Task Plausible_npm_tracker_pointed_at_civicdesk_records_a_pageview_and_a_custom_event_with_its_props()
    {
        if (!File.Exists(ModulePath))
        {
            Assert.Skip($"{ModulePath} is missing: the build could not run `npm pack @plausible-analytics/tracker` (npm or its registry unreachable).");
        }

        await using var session = await browser.OpenAsync();
        var app = browser.App;
        var unit = await app.CreateUnitAsync();
        var registered = await Analytics.CreateSiteAsync(app, "agency.example", unit.Id);
        // A person's browser: a headless one is dropped as a bot by the endpoint, as it should be.
        await session.Context.SetExtraHTTPHeadersAsync(new Dictionary<string, string> { ["User-Agent"] = Analytics.Chrome });
        var site = await ServeAsync(session.Context, browser.BaseUrl, forwardEvents: true);
        site.File("http://agency.example/vendor/plausible.js", "text/javascript", await File.ReadAllTextAsync(ModulePath));
        // window.__plausible lets it run under automation (Playwright sets navigator.webdriver), as our data-allow-automation.
        site.Page("http://agency.example/", "<h1>SPA</h1>", $$"""
            <script type="module">
              import { init, track } from '/vendor/plausible.js';
              window.__plausible = true;
              init({ domain: 'agency.example', endpoint: '{{EventApi}}' });
              window.trackWithPlausible = track;
            </script>
            """);
        var page = session.Page;
        await page.GotoAsync("http://agency.example/");
        await site.WaitForEventsAsync(1);

        var status = await page.EvaluateAsync<int>("""
            () => new Promise(resolve => trackWithPlausible('signup', {
              props: { plan: 'co-ban' }, revenue: { currency: 'VND', amount: 10000 }, interactive: false,
              callback: result => resolve(result.status),
            }))
            """);

        Assert.Equal(202, status);
        var events = await site.WaitForEventsAsync(2);
        Equal(
            [
                JsonNode.Parse("""{"n":"pageview","v":36,"u":"http://agency.example/","d":"agency.example","r":null}""")!,
                JsonNode.Parse("""
                    {"n":"signup","v":36,"u":"http://agency.example/","d":"agency.example","r":null,
                     "p":{"plan":"co-ban"},"i":false,"$":{"currency":"VND","amount":10000}}
                    """)!,
            ],
            events);
        Assert.All(site.Events, e => Assert.Equal(("POST", "text/plain", "fetch", EventApi), (e.Method, e.ContentType, e.ResourceType, e.Url)));

        // The 202 above is the app's own answer; both events are stored for the site and counted by the stats API.
        await Eventually.HoldsAsync(() => app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == registered.Id)).ContinueWith(t => t.Result == 2), "both events are stored");
        var stored = await app.WithDbAsync(db => db.SiteEvents.AsNoTracking().Where(e => e.SiteId == registered.Id).OrderBy(e => e.Name == "pageview" ? 0 : 1).ToListAsync());
        Assert.Equal(("pageview", "agency.example", "/", "{}", "Chrome"), (stored[0].Name, stored[0].Hostname, stored[0].Pathname, stored[0].Props, stored[0].Browser));
        Assert.Equal(("signup", "/", "{\"plan\":\"co-ban\"}", 10000m, "VND", false), (stored[1].Name, stored[1].Pathname, stored[1].Props, stored[1].RevenueAmount!.Value, stored[1].RevenueCurrency, stored[1].Interactive));
        Assert.Equal(stored[0].VisitorId, stored[1].VisitorId);
        var stats = await app.ApiClientAsync(await app.CreateUserAsync(unit.Id, Role.Viewer));
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(TimeProvider.System.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById(registered.TimeZone)).DateTime);
        var days = $"{today.AddDays(-1):yyyy-MM-dd},{today.AddDays(1):yyyy-MM-dd}";
        var aggregate = await (await stats.GetAsync($"/api/v1/sites/{registered.Id}/stats/aggregate?period=custom&date={days}&metrics=visitors,visits,pageviews,events")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((1L, 1L, 1L, 1L), (aggregate.GetProperty("visitors").GetInt64(), aggregate.GetProperty("visits").GetInt64(), aggregate.GetProperty("pageviews").GetInt64(), aggregate.GetProperty("events").GetInt64()));
    }
}

public sealed class PlausibleNpmTrackerBrowserOnSqlite(BrowserFixture<SqliteApp> browser) : PlausibleNpmTrackerBrowserTests<SqliteApp>(browser);

public sealed class PlausibleNpmTrackerBrowserOnPostgres(BrowserFixture<PostgresApp> browser) : PlausibleNpmTrackerBrowserTests<PostgresApp>(browser);
