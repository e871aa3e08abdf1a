using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace CivicDesk.Web.Tests.SiteAnalytics.Tracker;

/// <summary>One request the tracker sent to the event API, as the browser sent it.</summary>
public sealed record SentEvent(string Url, string Method, string? ContentType, string Body, string ResourceType)
{
    public JsonNode? Json => JsonNode.Parse(Body);
}

/// <summary>
/// An agency's website as the browser sees it: pages at made-up origins (http://agency.example/…) served by Playwright's
/// routing, never by a network, and the event API intercepted with every request recorded: answered 202 on the spot, or
/// passed on to the app's real POST /api/event and answered with what the app answered. The tracker script itself comes
/// from the real app, so what is tested is what /js/script.js serves.
/// </summary>
public sealed class FakeSite
{
    private readonly ConcurrentDictionary<string, (string ContentType, string Body, Dictionary<string, string> Headers)> _files = new();
    private readonly ConcurrentQueue<SentEvent> _events = new();

    private FakeSite(string appUrl) => AppUrl = appUrl;

    public string AppUrl { get; }

    /// <summary>Every request the event API received so far, in arrival order.</summary>
    public IReadOnlyList<SentEvent> Events => [.. _events];

    /// <summary>
    /// CivicDesk as the agency's pages reach it. Chromium refuses requests from a public, non-secure page to a loopback
    /// address (Private Network Access), so the app is put behind this public-looking origin: Playwright fetches
    /// /js/script.js (and anything else) from the app outside the browser and hands the answer over unchanged.
    /// </summary>
    public const string CivicDesk = "http://civicdesk.example";

    public const string EventApi = CivicDesk + "/api/event";

    /// <summary>Routes every request in <paramref name="context"/> to the fake site's files, the app, or the recorder.</summary>
    /// <param name="forwardEvents">Pass each event on to the app's /api/event over HTTP (its answer goes back to the
    /// page) rather than answer 202 without the app.</param>
    /// <param name="refuseFirst">Answer the first this many events 503 with Retry-After: 1, as the endpoint does when
    /// its queue is full, with the same CORS headers.</param>
    public static async Task<FakeSite> ServeAsync(IBrowserContext context, string appUrl, bool forwardEvents = false, int refuseFirst = 0)
    {
        var site = new FakeSite(appUrl);
        var refused = 0;
        await context.RouteAsync(url => !url.StartsWith(appUrl, StringComparison.Ordinal), async route =>
        {
            var request = route.Request;
            var key = request.Url.Split('#')[0].Split('?')[0];
            // The app's event API, or any other address a page names in data-api (a site's own proxy, say).
            if (key.EndsWith("/api/event", StringComparison.Ordinal))
            {
                site._events.Enqueue(new SentEvent(request.Url, request.Method, await request.HeaderValueAsync("content-type"),
                    request.PostData ?? "", request.ResourceType));
                if (Interlocked.Increment(ref refused) <= refuseFirst)
                {
                    await route.FulfillAsync(new RouteFulfillOptions
                    {
                        Status = 503,
                        Headers = new Dictionary<string, string>
                        {
                            ["Access-Control-Allow-Origin"] = "*",
                            ["Access-Control-Expose-Headers"] = "Retry-After",
                            ["Retry-After"] = "1",
                        },
                    });
                    return;
                }

                if (forwardEvents)
                {
                    // The same method, headers and body, to the app's endpoint on Kestrel; its answer goes back unchanged.
                    var answer = await route.FetchAsync(new RouteFetchOptions { Url = appUrl + "/api/event" });
                    await route.FulfillAsync(new RouteFulfillOptions { Response = answer });
                    return;
                }

                // The real endpoint answers cross-origin posts the same way: 202, readable by any origin.
                await route.FulfillAsync(new RouteFulfillOptions
                {
                    Status = 202,
                    Headers = new Dictionary<string, string> { ["Access-Control-Allow-Origin"] = "*" },
                });
            }
            else if (key.StartsWith(CivicDesk + "/", StringComparison.Ordinal))
            {
                var response = await route.FetchAsync(new RouteFetchOptions { Url = appUrl + request.Url[CivicDesk.Length..] });
                await route.FulfillAsync(new RouteFulfillOptions { Response = response });
            }
            else if (site._files.TryGetValue(key, out var file))
            {
                await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = file.ContentType, Body = file.Body, Headers = file.Headers });
            }
            else
            {
                await route.FulfillAsync(new RouteFulfillOptions { Status = 404, ContentType = "text/plain", Body = "not found" });
            }
        });
        return site;
    }

    /// <summary>An HTML page at <paramref name="url"/> whose body is <paramref name="body"/>.</summary>
    public void Page(string url, string body, string head = "") =>
        File(url, "text/html; charset=utf-8", $"<!doctype html><html><head><meta charset=\"utf-8\">{head}</head><body>{body}</body></html>");

    public void File(string url, string contentType, string body, Dictionary<string, string>? headers = null) =>
        _files[url] = (contentType, body, headers ?? []);

    /// <summary>The tracker's script tag, from the app (through <see cref="CivicDesk"/>), with the given extra attributes.</summary>
    public string Script(string attributes = "data-domain=\"agency.example\" data-allow-automation") =>
        $"<script defer src=\"{CivicDesk}/js/script.js\" {attributes}></script>";

    /// <summary>Waits until the event API has received <paramref name="count"/> requests and returns their bodies.</summary>
    public async Task<IReadOnlyList<JsonNode?>> WaitForEventsAsync(int count)
    {
        await Infrastructure.Eventually.HoldsAsync(() => _events.Count >= count, $"the event API has received {count} requests (it has {_events.Count})");
        return [.. Events.Select(e => e.Json)];
    }

    /// <summary>
    /// Proves that the page sent nothing: the page itself posts a marker to the event API, and once the marker has
    /// arrived, anything the tracker sent at load would have arrived before it.
    /// </summary>
    public async Task<IReadOnlyList<SentEvent>> EventsBeforeMarkerAsync(IPage page)
    {
        await page.EvaluateAsync("api => fetch(api, { method: 'POST', body: 'marker' })", EventApi);
        await Infrastructure.Eventually.HoldsAsync(() => _events.Any(e => e.Body == "marker"), "the marker has arrived");
        return [.. Events.TakeWhile(e => e.Body != "marker")];
    }

    /// <summary>The JSON the tracker is expected to send; properties with null values are left out.</summary>
    public static JsonObject Expected(string name, string url, string? referrer = null, JsonObject? props = null, string domain = "agency.example")
    {
        var json = new JsonObject { ["name"] = name, ["url"] = url, ["domain"] = domain, ["referrer"] = referrer };
        if (props is not null)
        {
            json["props"] = props;
        }

        return json;
    }

    public static void Equal(JsonNode expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(expected, actual), $"Expected {expected.ToJsonString()}\nbut got  {actual?.ToJsonString()}");

    public static void Equal(IReadOnlyList<JsonNode> expected, IReadOnlyList<JsonNode?> actual) =>
        Assert.True(expected.Count == actual.Count && expected.Zip(actual).All(p => JsonNode.DeepEquals(p.First, p.Second)),
            $"Expected\n  {string.Join("\n  ", expected.Select(e => e.ToJsonString()))}\nbut got\n  {string.Join("\n  ", actual.Select(e => e?.ToJsonString()))}");
}
