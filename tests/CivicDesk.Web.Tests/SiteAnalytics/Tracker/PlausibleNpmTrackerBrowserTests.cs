using System.Text.Json.Nodes;
using CivicDesk.Web.Tests.Browser;
using CivicDesk.Web.Tests.Infrastructure;
using static CivicDesk.Web.Tests.SiteAnalytics.Tracker.FakeSite;

namespace CivicDesk.Web.Tests.SiteAnalytics.Tracker;

/// <summary>
/// Plausible's own npm tracker (@plausible-analytics/tracker, an ES module exporting init and track), loaded by an
/// agency's page and pointed at CivicDesk: these tests pin what it sends, which the event endpoint has to accept next
/// to our own tracker's payloads. The package comes from npm at build time (the test project's PackPlausibleTracker).
/// </summary>
[Collection(BrowserCollection.Name)]
public abstract class PlausibleNpmTrackerBrowserTests<TApp>(BrowserFixture<TApp> browser) : IClassFixture<BrowserFixture<TApp>>
    where TApp : AppFactory, new()
{
    private static readonly string ModulePath = Path.Combine(AppContext.BaseDirectory, "plausible-tracker", "plausible.js");

    [Fact]
    public async Task Plausible_npm_tracker_sends_short_field_names_as_text_plain_to_the_endpoint_it_is_given()
    {
        if (!File.Exists(ModulePath))
        {
            Assert.Skip($"{ModulePath} is missing: the build could not run `npm pack @plausible-analytics/tracker` (npm or its registry unreachable).");
        }

        await using var session = await browser.OpenAsync();
        var site = await ServeAsync(session.Context, browser.BaseUrl);
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
    }
}

public sealed class PlausibleNpmTrackerBrowserOnSqlite(BrowserFixture<SqliteApp> browser) : PlausibleNpmTrackerBrowserTests<SqliteApp>(browser);
