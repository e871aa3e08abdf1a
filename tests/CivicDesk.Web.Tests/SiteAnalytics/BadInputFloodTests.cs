using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>
/// Issue 3, "Bad input": thousands of bad requests to POST /api/event, in random order among valid ones, on a real
/// node (Kestrel on loopback, so that headers can be sent as raw bytes). Each bad one gets its 4xx (or 429), never a
/// 500; the node stays ready; exactly the events answered 202 are counted, and nothing stored before changes.
/// </summary>
public abstract class BadInputFloodTests<TApp>
    where TApp : AppFactory, new()
{
    /// <summary>The order of the requests; printed, so that a failing order can be replayed by changing it here.</summary>
    private const int Seed = 20_261_129;

    private const int Repeats = 60;
    private const int RateLimit = 40;
    private const string Chrome = Analytics.Chrome;

    private static readonly string[] Browsers =
    [
        Chrome,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) coc_coc_browser/117.0.200 Chrome/111.0.5563.200 Safari/537.36",
    ];

    /// <summary>One request of the mix and what it must get: 202 and a stored path, or a status and a message.</summary>
    private sealed record Probe(string Kind, HttpStatusCode Status, string? Problem, string ContentType, byte[] Body, bool Chunked, string Ip, string UserAgent)
    {
        /// <summary>For a valid event: the pathname it is stored under (unique to it).</summary>
        public string? StoredPath { get; init; }

        public bool IsPageview { get; init; } = true;
    }

    private sealed record Outcome(Probe Probe, HttpStatusCode Status, string? ContentType, string Body, string? RetryAfter);

    [Fact]
    public async Task Thousands_of_bad_requests_among_valid_ones_get_their_4xx_and_exactly_the_valid_events_are_counted()
    {
        await using var app = new TApp();
        app.EnsureAvailable();
        app.Set("SiteAnalytics:TrustedProxies:0", Analytics.Proxy);
        app.Set("SiteAnalytics:RateLimitPerMinute", RateLimit.ToString(CultureInfo.InvariantCulture));
        await app.InitializeAsync();
        app.UseKestrel(0);
        app.StartServer();
        var server = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var client = new HttpClient { BaseAddress = server };
        var output = TestContext.Current.TestOutputHelper;

        // What is there before: a site with earlier visits (the target) and another unit's site with its own.
        var unit = await app.CreateUnitAsync();
        var site = await Analytics.CreateSiteAsync(app, unitId: unit.Id);
        var other = await Analytics.CreateSiteAsync(app);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await Analytics.SendAsync(client, site.Domain, $"/earlier/{i}", ip: $"192.0.2.{i + 1}")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Accepted, (await Analytics.SendAsync(client, other.Domain, "/", ip: "192.0.2.50")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await Analytics.SendAsync(client, other.Domain, "/lien-he", ip: "192.0.2.50")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await Analytics.SendAsync(client, other.Domain, "/lien-he", name: "Gửi góp ý", ip: "192.0.2.51", extra: "\"props\":{\"form\":\"contact\"}")).StatusCode);
        await Eventually.HoldsAsync(() => app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == site.Id || e.SiteId == other.Id)).ContinueWith(t => t.Result == 8), "the earlier events are stored");
        var stats = await app.ApiClientAsync(await app.CreateUserAsync(unit.Id, Role.Viewer));
        var totalsBefore = await AggregateAsync(stats, site);
        var snapshotBefore = await DatabaseSnapshot.TakeAsync(app);
        var rowsBefore = await AnalyticsRowsAsync(app, site.Id, other.Id);
        var startedAt = TimeProvider.System.GetUtcNow().UtcDateTime;

        // 1. The mix, in random order, from a distinct address each, so that the rate limiter stays out of it.
        var random = new Random(Seed);
        var probes = Mix(site.Domain, other.Domain).SelectMany(kind => Enumerable.Range(0, Repeats).Select(_ => kind)).ToArray();
        var numbered = probes.Select((make, n) => make(n)).ToArray();
        random.Shuffle(numbered);
        output?.WriteLine($"Seed {Seed}: {numbered.Length} requests, {numbered.Count(p => p.StoredPath is not null)} of them valid, {numbered.Select(p => p.Kind).Distinct().Count()} kinds.");
        var outcomes = new ConcurrentBag<Outcome>();
        await Parallel.ForEachAsync(numbered, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (probe, ct) => outcomes.Add(await SendAsync(client, probe, ct)));

        // 2. Headers no HttpClient would send, as raw bytes: CR, LF, NUL and folding in header values, and an address
        //    forged by a peer that is not a trusted proxy (127.0.0.2; the proxy is 127.0.0.1).
        var raw = await RawProbesAsync(server, site.Domain);

        // 3. A flood from one address: past the limit it gets 429 with Retry-After.
        var flood = new List<Outcome>();
        for (var i = 0; i < RateLimit + 20; i++)
        {
            var probe = Valid("flood", site.Domain, $"/flood/{i}", "198.51.100.250", Chrome, "{\"name\":\"pageview\",\"url\":\"https://{domain}{path}\",\"domain\":\"{domain}\"}");
            flood.Add(await SendAsync(client, probe, TestContext.Current.CancellationToken));
        }

        var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        // The spool is written in order: once an event sent after all the others is stored, every earlier one is too.
        var last = await SendAsync(client, Valid("last", site.Domain, "/last", "192.0.2.99", Chrome, "{\"name\":\"pageview\",\"url\":\"https://{domain}{path}\",\"domain\":\"{domain}\"}"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, last.Status);
        await Eventually.HoldsAsync(() => app.WithDbAsync(db => db.SiteEvents.AnyAsync(e => e.SiteId == site.Id && e.Pathname == "/last")), "the last event is stored", TimeSpan.FromSeconds(60));

        // Every answer is the one expected for its kind.
        var wrong = outcomes.Concat(flood.Where(f => f.Status != HttpStatusCode.TooManyRequests)).Append(last)
            .Select(o => (o.Probe.Kind, Problem: Check(app, o))).Where(p => p.Problem is not null)
            .GroupBy(p => p.Kind).Select(g => $"{g.Key} × {g.Count()}: {g.First().Problem}").ToList();
        Assert.True(wrong.Count == 0, "Wrong answers:\n" + string.Join("\n", wrong));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        Assert.Equal(RateLimit, flood.Count(f => f.Status == HttpStatusCode.Accepted));
        Assert.All(flood.Skip(RateLimit), f =>
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, f.Status);
            Assert.True(int.Parse(f.RetryAfter!, CultureInfo.InvariantCulture) > 0, "Retry-After is a number of seconds");
            AssertProblem(f, app.Translate("vi", "Event.TooMany"));
        });

        // Exactly the events answered 202 are stored: none refused, none twice, none missing; and the stats agree.
        var accepted = outcomes.Concat(flood).Append(last).Where(o => o.Status == HttpStatusCode.Accepted).Select(o => o.Probe)
            .Concat(raw.Where(r => r.Status == (int)HttpStatusCode.Accepted).Select(r => r.Probe)).ToList();
        var stored = await app.WithDbAsync(db => db.SiteEvents.AsNoTracking().Where(e => e.SiteId == site.Id && !e.Pathname.StartsWith("/earlier/")).ToListAsync());
        Assert.Equal(accepted.Select(p => p.StoredPath!).Order(StringComparer.Ordinal), stored.Select(e => e.Pathname).Order(StringComparer.Ordinal));
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        Assert.DoesNotContain(stored, e => e.Timestamp < startedAt.AddMinutes(-1) || e.Timestamp > now);
        var totalsAfter = await AggregateAsync(stats, site);
        Assert.Equal(totalsBefore.Pageviews + accepted.Count(p => p.IsPageview), totalsAfter.Pageviews);
        Assert.Equal(totalsBefore.Events + accepted.Count(p => !p.IsPageview), totalsAfter.Events);

        // What a browser sent that does not fit a column is cut to fit, at a whole character.
        var kinds = accepted.ToDictionary(p => p.StoredPath!, p => p.Kind);
        Assert.All(stored.Where(e => kinds[e.Pathname] == "user agent with a 300-digit version"), e => Assert.Equal(("Chrome", new string('9', 50)), (e.Browser, e.BrowserVersion)));
        Assert.All(stored.Where(e => kinds[e.Pathname] == "referrer with a 300-character host"), e => Assert.Equal(253, e.ReferrerHost!.Length));

        // An address forged by an untrusted peer is ignored: no country from it, one visitor whatever it claims.
        var forged = stored.Where(e => e.Pathname.StartsWith("/raw/forged-", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, forged.Count);
        Assert.All(forged, e => Assert.Null(e.Country));
        Assert.Single(forged.Select(e => e.VisitorId).Distinct());

        // Nothing that was there before has changed.
        Assert.Equal("", (await DatabaseSnapshot.TakeAsync(app)).DifferencesFrom(snapshotBefore));
        Assert.Equal(rowsBefore, await AnalyticsRowsAsync(app, site.Id, other.Id));
        output?.WriteLine($"{accepted.Count} events answered 202 and stored; {outcomes.Count(o => o.Status != HttpStatusCode.Accepted) + flood.Count(f => f.Status != HttpStatusCode.Accepted)} refused.");
    }

    /// <summary>The kinds of request in the mix; each makes a request from its sequence number.</summary>
    private static List<Func<int, Probe>> Mix(string domain, string otherDomain)
    {
        const string Page = "{\"name\":\"pageview\",\"url\":\"https://{domain}{path}\",\"domain\":\"{domain}\"";
        var emoji = string.Concat(Enumerable.Repeat("😀", 900));
        var longHost = string.Join('.', Enumerable.Repeat(new string('a', 60), 5));
        return
        [
            // Valid, in the forms real trackers send, with values that are odd but harmless.
            n => Valid("pageview", domain, $"/ok/{n}", Ip(n), Browser(n), Page + "}"),
            n => Valid("pageview as application/json", domain, $"/ok/{n}", Ip(n), Browser(n), Page + ",\"referrer\":\"https://www.google.com/\"}", "application/json; charset=utf-8"),
            n => Valid("Plausible npm short names", domain, $"/ok/{n}", Ip(n), Browser(n), "{\"n\":\"pageview\",\"v\":36,\"u\":\"https://{domain}{path}\",\"d\":\"{domain}\",\"r\":null}"),
            n => Valid("custom event with props and revenue", domain, $"/ok/{n}", Ip(n), Browser(n),
                "{\"name\":\"Đăng ký\",\"url\":\"https://{domain}{path}\",\"domain\":\"{domain}\",\"props\":{\"plan\":\"co-ban\",\"step\":2,\"ok\":true,\"none\":null},\"revenue\":{\"currency\":\"vnd\",\"amount\":\"10000.50\"},\"interactive\":false}") with { IsPageview = false },
            n => Valid("absurd timestamps are ignored", domain, $"/ok/{n}", Ip(n), Browser(n), Page + ",\"timestamp\":\"1970-01-01T00:00:00Z\",\"ts\":-99999999999999,\"date\":\"9999-12-31\"}"),
            n => Valid("huge numbers in props", domain, $"/ok/{n}", Ip(n), Browser(n),
                "{\"name\":\"Số lớn\",\"url\":\"https://{domain}{path}\",\"domain\":\"{domain}\",\"props\":{\"big\":1e308,\"long\":123456789012345678901234567890,\"tiny\":-1e-300}}") with { IsPageview = false },
            n => Valid("hash mode that is not an integer", domain, $"/ok/{n}", Ip(n), Browser(n), Page + ",\"hashMode\":1.5,\"h\":1e10}"),
            n => Valid("Vietnamese path and UTM", domain, $"/ok/{n}/tin-tức", Ip(n), Browser(n),
                "{\"name\":\"pageview\",\"url\":\"https://www.{domain}{path}?utm_source=zalo&utm_medium=social&utm_campaign=Tết\",\"domain\":\"{domain}\"}"),
            n => Valid("UTM value cut inside an emoji", domain, $"/ok/{n}", Ip(n), Browser(n),
                "{\"name\":\"pageview\",\"url\":\"https://{domain}{path}?utm_source=a" + string.Concat(Enumerable.Repeat("😀", 150)) + "\",\"domain\":\"{domain}\"}"),
            n => Valid("user agent with a 300-digit version", domain, $"/ok/{n}", Ip(n),
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + new string('9', 300) + ".0.0.0 Safari/537.36", Page + "}"),
            n => Valid("referrer with a 300-character host", domain, $"/ok/{n}", Ip(n), Browser(n), Page + ",\"referrer\":\"https://" + longHost + ".example/\"}"),

            // Not JSON, or not an object.
            n => Bad("malformed JSON", HttpStatusCode.BadRequest, "Event.MalformedJson", n, "{\"name\":\"pageview\",\"url\":"),
            n => Bad("JSON array", HttpStatusCode.BadRequest, "Event.MalformedJson", n, "[1,2,3]"),
            n => Bad("JSON string", HttpStatusCode.BadRequest, "Event.MalformedJson", n, "\"pageview\""),
            n => Bad("empty body", HttpStatusCode.BadRequest, "Event.MalformedJson", n, ""),
            n => Bad("nested too deep", HttpStatusCode.BadRequest, "Event.MalformedJson", n, Event(domain, n, props: new string('[', 20) + new string(']', 20))),
            n => Bad("invalid UTF-8", HttpStatusCode.BadRequest, "Event.MalformedJson", n, "") with { Body = InvalidUtf8(Event(domain, n, props: "{\"x\":\"!\"}")) },
            n => Bad("lone surrogate escape", HttpStatusCode.BadRequest, "Event.MalformedJson", n, Event(domain, n, name: "\\ud800")),

            // Wrong content type.
            n => Bad("application/xml", HttpStatusCode.UnsupportedMediaType, "Event.ContentType", n, Event(domain, n)) with { ContentType = "application/xml" },
            n => Bad("form post", HttpStatusCode.UnsupportedMediaType, "Event.ContentType", n, Event(domain, n)) with { ContentType = "application/x-www-form-urlencoded" },
            n => Bad("no content type", HttpStatusCode.UnsupportedMediaType, "Event.ContentType", n, Event(domain, n)) with { ContentType = "" },

            // Not this site.
            n => Bad("unknown domain", HttpStatusCode.BadRequest, "Event.UnknownDomain", n, Event($"unknown-{n}.gov.vn", n)),
            n => Bad("mismatched domain", HttpStatusCode.BadRequest, "Event.DomainMismatch", n, Event(domain, n, url: $"https://{otherDomain}/bad/{n}")),
            n => Bad("look-alike domain", HttpStatusCode.BadRequest, "Event.DomainMismatch", n, Event(domain, n, url: $"https://evil{domain}/bad/{n}")),
            n => Bad("no domain", HttpStatusCode.BadRequest, "Event.Domain", n, $"{{\"name\":\"pageview\",\"url\":\"https://{domain}/bad/{n}\"}}"),

            // Too large.
            n => Bad("body over 8 KB", HttpStatusCode.RequestEntityTooLarge, "Event.TooLarge", n, Event(domain, n, props: $"{{\"x\":\"{new string('x', 9000)}\"}}")),
            n => Bad("chunked body over 8 KB", HttpStatusCode.RequestEntityTooLarge, "Event.TooLarge", n, Event(domain, n, props: $"{{\"x\":\"{new string('x', 9000)}\"}}")) with { Chunked = true },

            // Not a page address.
            n => Bad("javascript: URL", HttpStatusCode.BadRequest, "Event.Url", n, Event(domain, n, url: "javascript:alert(1)")),
            n => Bad("not a URL", HttpStatusCode.BadRequest, "Event.Url", n, Event(domain, n, url: "trang chủ")),
            n => Bad("ftp URL", HttpStatusCode.BadRequest, "Event.Url", n, Event(domain, n, url: $"ftp://{domain}/bad/{n}")),
            n => Bad("relative URL", HttpStatusCode.BadRequest, "Event.Url", n, Event(domain, n, url: $"/bad/{n}")),
            n => Bad("URL over 2,000 characters", HttpStatusCode.BadRequest, "Event.Url", n, Event(domain, n, url: $"https://{domain}/bad/{n}/{new string('a', 2000)}")),
            n => Bad("control character in URL", HttpStatusCode.BadRequest, "Event.Url", n, Event(domain, n, url: $"https://{domain}/bad/{n}\\u0007")),
            n => Bad("encoded NUL in URL", HttpStatusCode.BadRequest, "Event.Url", n, Event(domain, n, url: $"https://{domain}/bad/{n}/a%00b")),
            n => Bad("host over 253 characters", HttpStatusCode.BadRequest, "Event.Url", n, Event(domain, n, url: $"https://{longHost}.{domain}/bad/{n}")),
            n => Bad("hash route too long once escaped", HttpStatusCode.BadRequest, "Event.Url", n, Event(domain, n, url: $"https://{domain}/bad/{n}#/{emoji}", extra: ",\"h\":1")),
            n => Bad("URL a number", HttpStatusCode.BadRequest, "Event.Url", n, $"{{\"name\":\"pageview\",\"url\":12345,\"domain\":\"{domain}\"}}"),

            // Absurd names, props, revenue, referrer.
            n => Bad("no name", HttpStatusCode.BadRequest, "Event.Name", n, $"{{\"url\":\"https://{domain}/bad/{n}\",\"domain\":\"{domain}\"}}"),
            n => Bad("name a number", HttpStatusCode.BadRequest, "Event.Name", n, $"{{\"name\":1e999,\"url\":\"https://{domain}/bad/{n}\",\"domain\":\"{domain}\"}}"),
            n => Bad("name over 120 characters", HttpStatusCode.BadRequest, "Event.Name", n, Event(domain, n, name: new string('n', 121))),
            n => Bad("control character in name", HttpStatusCode.BadRequest, "Event.Name", n, Event(domain, n, name: "sign\\u0000up")),
            n => Bad("props an array", HttpStatusCode.BadRequest, "Event.Props", n, Event(domain, n, props: "[1,2]")),
            n => Bad("props a number", HttpStatusCode.BadRequest, "Event.Props", n, Event(domain, n, props: "1e308")),
            n => Bad("props a string that is not JSON", HttpStatusCode.BadRequest, "Event.Props", n, Event(domain, n, props: "\"plan=co-ban\"")),
            n => Bad("props with 31 keys", HttpStatusCode.BadRequest, "Event.Props", n, Event(domain, n, props: "{" + string.Join(',', Enumerable.Range(0, 31).Select(k => $"\"k{k}\":\"v\"")) + "}")),
            n => Bad("prop value over 2,000 characters", HttpStatusCode.BadRequest, "Event.Props", n, Event(domain, n, props: $"{{\"x\":\"{new string('x', 2001)}\"}}")),
            n => Bad("props that grow past 8 KB when stored", HttpStatusCode.BadRequest, "Event.Props", n,
                Event(domain, n, props: "{" + string.Join(',', Enumerable.Range(0, 3).Select(k => $"\"k{k}\":\"{new string('\u007f', 1900)}\"")) + "}")),
            n => Bad("revenue a string", HttpStatusCode.BadRequest, "Event.Revenue", n, Event(domain, n, extra: ",\"revenue\":\"ten dollars\"")),
            n => Bad("revenue currency of two letters", HttpStatusCode.BadRequest, "Event.Revenue", n, Event(domain, n, extra: ",\"revenue\":{\"currency\":\"VN\",\"amount\":1}")),
            n => Bad("revenue amount not a number", HttpStatusCode.BadRequest, "Event.Revenue", n, Event(domain, n, extra: ",\"revenue\":{\"currency\":\"VND\",\"amount\":\"abc\"}")),
            n => Bad("revenue amount negative", HttpStatusCode.BadRequest, "Event.Revenue", n, Event(domain, n, extra: ",\"revenue\":{\"currency\":\"VND\",\"amount\":-5}")),
            n => Bad("revenue amount 1e30", HttpStatusCode.BadRequest, "Event.Revenue", n, Event(domain, n, extra: ",\"revenue\":{\"currency\":\"VND\",\"amount\":1e30}")),
            n => Bad("referrer over 2,000 characters", HttpStatusCode.BadRequest, "Event.Referrer", n, Event(domain, n, extra: $",\"referrer\":\"https://x.example/{new string('r', 2000)}\"")),
            n => Bad("control character in referrer", HttpStatusCode.BadRequest, "Event.Referrer", n, Event(domain, n, extra: ",\"referrer\":\"https://x.example/\\r\\nSet-Cookie: a=b\"")),
        ];
    }

    private static Probe Valid(string kind, string domain, string path, string ip, string userAgent, string template, string contentType = "text/plain") =>
        new(kind, HttpStatusCode.Accepted, null, contentType,
            Encoding.UTF8.GetBytes(template.Replace("{path}", path, StringComparison.Ordinal).Replace("{domain}", domain, StringComparison.Ordinal)), false, ip, userAgent)
        {
            StoredPath = path,
        };

    private static Probe Bad(string kind, HttpStatusCode status, string problem, int n, string body) =>
        new(kind, status, problem, "text/plain", Encoding.UTF8.GetBytes(body), false, Ip(n), Browser(n));

    /// <summary>An otherwise valid event (JSON text, unescaped) with one part replaced.</summary>
    private static string Event(string domain, int n, string? name = null, string? url = null, string? props = null, string extra = "") =>
        $"{{\"name\":\"{name ?? "pageview"}\",\"url\":\"{url ?? $"https://{domain}/bad/{n}"}\",\"domain\":\"{domain}\"" +
        (props is null ? "" : $",\"props\":{props}") + extra + "}";

    private static byte[] InvalidUtf8(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        bytes[Array.LastIndexOf(bytes, (byte)'!')] = 0xFF;
        return bytes;
    }

    /// <summary>A distinct address for each request of the mix (10.x.y.z).</summary>
    private static string Ip(int n) => $"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}";

    private static string Browser(int n) => Browsers[n % Browsers.Length];

    private static async Task<Outcome> SendAsync(HttpClient client, Probe probe, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/event", UriKind.Relative));
        var content = new ByteArrayContent(probe.Body);
        request.Headers.TransferEncodingChunked = probe.Chunked;
        if (probe.ContentType.Length > 0)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", probe.ContentType);
        }

        request.Content = content;
        request.Headers.TryAddWithoutValidation("User-Agent", probe.UserAgent);
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", probe.Ip);
        using var response = await client.SendAsync(request, ct);
        return new Outcome(probe, response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(ct),
            response.Headers.RetryAfter?.ToString());
    }

    /// <summary>What is wrong with an answer, or null: 202 with an empty body, or the status and translated message expected.</summary>
    private static string? Check(AppFactory app, Outcome o)
    {
        if (o.Status != o.Probe.Status)
        {
            return $"expected {(int)o.Probe.Status}, got {(int)o.Status}: {o.Body}";
        }

        if (o.Probe.Problem is null)
        {
            return null;
        }

        var expected = o.Probe.Problem == "Event.TooLarge" ? app.Translate("vi", o.Probe.Problem, 8192) : app.Translate("vi", o.Probe.Problem);
        try
        {
            AssertProblem(o, expected);
            return null;
        }
        catch (Exception e) when (e is Xunit.Sdk.XunitException or JsonException)
        {
            return e.Message;
        }
    }

    private static void AssertProblem(Outcome o, string detail)
    {
        Assert.Equal("application/problem+json", o.ContentType);
        using var json = JsonDocument.Parse(o.Body);
        Assert.Equal((int)o.Status, json.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("title").GetString()));
        Assert.Equal(detail, json.RootElement.GetProperty("detail").GetString());
    }

    private sealed record RawOutcome(string Kind, int Status, Probe Probe);

    /// <summary>
    /// Requests written byte by byte on a socket. Kestrel refuses a bare CR, a NUL or line folding in a header before
    /// the app sees the request: 400 with no body (no ProblemDetails can be written there), and the connection closed.
    /// </summary>
    private static async Task<List<RawOutcome>> RawProbesAsync(Uri server, string domain)
    {
        var trusted = IPAddress.Parse(Analytics.Proxy);
        var untrusted = IPAddress.Parse("127.0.0.2");
        var results = new List<RawOutcome>();
        async Task Send(string kind, IPAddress from, string headers, int expected, bool stored)
        {
            var path = $"/raw/{kind}";
            var body = $"{{\"name\":\"pageview\",\"url\":\"https://{domain}{path}\",\"domain\":\"{domain}\"}}";
            var status = await RawAsync(server, from, headers, body);
            Assert.True(status == expected, $"{kind}: expected {expected}, got {status}");
            results.Add(new RawOutcome(kind, status, new Probe(kind, (HttpStatusCode)expected, null, "text/plain", [], false, "", "") { StoredPath = stored ? path : null }));
        }

        await Send("cr-in-user-agent", trusted, $"User-Agent: {Chrome}\rX-Forwarded-For: 8.8.8.8\r\n", 400, false);
        await Send("cr-in-forwarded-for", trusted, $"User-Agent: {Chrome}\r\nX-Forwarded-For: 8.8.8.8\rX-Injected: 1\r\n", 400, false);
        await Send("nul-in-user-agent", trusted, $"User-Agent: {Chrome}\0X\r\n", 400, false);
        await Send("folded-header", trusted, $"User-Agent: {Chrome}\r\n X-Forwarded-For: 8.8.8.8\r\n", 400, false);
        // A bare LF ends a header line for Kestrel (as for most servers), so this "injects" a header — one that is
        // ignored all the same, as the peer is not a trusted proxy.
        await Send("forged-by-lf-in-user-agent", untrusted, $"User-Agent: {Chrome}\nX-Forwarded-For: 8.8.8.8\r\n", 202, true);
        await Send("forged-1", untrusted, $"User-Agent: {Chrome}\r\nX-Forwarded-For: 8.8.8.8\r\n", 202, true);
        await Send("forged-2", untrusted, $"User-Agent: {Chrome}\r\nX-Forwarded-For: 1.1.1.1, 8.8.4.4\r\n", 202, true);
        return results;
    }

    private static async Task<int> RawAsync(Uri server, IPAddress from, string headers, string body)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(from, 0));
        await socket.ConnectAsync(IPAddress.Loopback, server.Port);
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = $"POST /api/event HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: text/plain\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n{headers}\r\n";
        await socket.SendAsync(Encoding.Latin1.GetBytes(head).Concat(bytes).ToArray());
        var answer = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer)) > 0)
            {
                answer.Write(buffer, 0, read);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset && answer.Length > 0)
        {
            // Kestrel closed a connection it refused without reading all of it: the answer had already arrived.
        }

        // "HTTP/1.1 202 Accepted"
        var statusLine = Encoding.Latin1.GetString(answer.ToArray()).Split("\r\n")[0];
        return int.Parse(statusLine.Split(' ')[1], CultureInfo.InvariantCulture);
    }

    private sealed record Totals(long Pageviews, long Events);

    private static async Task<Totals> AggregateAsync(HttpClient stats, CivicDesk.Web.SiteAnalytics.Site site)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(TimeProvider.System.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone)).DateTime);
        var dates = string.Create(CultureInfo.InvariantCulture, $"{today.AddDays(-1):yyyy-MM-dd},{today.AddDays(1):yyyy-MM-dd}");
        var json = await (await stats.GetAsync(new Uri($"/api/v1/sites/{site.Id}/stats/aggregate?period=custom&date={dates}&metrics=pageviews,events", UriKind.Relative))).ExpectAsync(HttpStatusCode.OK);
        return new Totals(json.GetProperty("pageviews").GetInt64(), json.GetProperty("events").GetInt64());
    }

    /// <summary>
    /// The site-analytics rows that must not change: every site, and the target site's earlier events and visits and
    /// all of the other site's rows (the new events go to new visitors: none of the earlier addresses is used again).
    /// </summary>
    private static Task<List<string>> AnalyticsRowsAsync(AppFactory app, int siteId, int otherId) =>
        app.WithDbAsync(async db =>
        {
            var sites = await db.Sites.AsNoTracking().OrderBy(s => s.Id).ToListAsync();
            var events = await db.SiteEvents.AsNoTracking().Where(e => e.SiteId == otherId || (e.SiteId == siteId && e.Pathname.StartsWith("/earlier/"))).OrderBy(e => e.Id).ToListAsync();
            var earlierVisitors = events.Where(e => e.SiteId == siteId).Select(e => e.VisitorId).ToList();
            var sessions = await db.SiteSessions.AsNoTracking().Where(s => s.SiteId == otherId || (s.SiteId == siteId && earlierVisitors.Contains(s.VisitorId))).OrderBy(s => s.Id).ToListAsync();
            var otherStats = await db.SiteHourlyStats.AsNoTracking().Where(s => s.SiteId == otherId).OrderBy(s => s.Hour).ToListAsync();
            return sites.Select(Line).Concat(events.Select(Line)).Concat(sessions.Select(Line)).Concat(otherStats.Select(Line)).ToList();
        });

    private static string Line<T>(T row) => JsonSerializer.Serialize(row, HttpAssertions.Json);
}

public sealed class BadInputFloodOnSqlite : BadInputFloodTests<SqliteApp>;

public sealed class BadInputFloodOnPostgres : BadInputFloodTests<PostgresApp>;
