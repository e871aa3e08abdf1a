using System.Net;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.SiteAnalytics.Ingestion;
using CivicDesk.Web.SiteAnalytics.Storage;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.SiteAnalytics;

public abstract class IngestionTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory
{
    [Fact]
    public async Task An_editor_adds_a_site_and_gets_the_snippet_to_paste()
    {
        app.EnsureAvailable();
        var unit = await app.CreateUnitAsync();
        var client = await app.ApiClientAsync(await app.CreateUserAsync(unit.Id, Role.Editor));
        var domain = $"e{Guid.NewGuid():N}"[..10] + ".gov.vn";

        var created = await (await client.PostJsonAsync("/api/v1/sites", new { unitId = unit.Id, domain = "https://www." + domain.ToUpperInvariant() })).ExpectAsync(HttpStatusCode.Created);
        var invalid = await (await client.PostJsonAsync("/api/v1/sites", new { unitId = unit.Id, domain = "not a domain" })).ExpectAsync(HttpStatusCode.BadRequest);
        var again = await (await client.PostJsonAsync("/api/v1/sites", new { unitId = unit.Id, domain = "www." + domain })).ExpectAsync(HttpStatusCode.Conflict);
        var badZone = await (await client.PostJsonAsync("/api/v1/sites", new { unitId = unit.Id, domain = "x" + domain, timeZone = "Mars/Olympus" })).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.True(created.GetProperty("id").GetInt32() > 0);
        Assert.Equal($"<script defer data-domain=\"{domain}\" src=\"http://localhost/js/script.js\"></script>", created.GetProperty("snippet").GetString());
        Assert.Equal("Asia/Ho_Chi_Minh", created.GetProperty("timeZone").GetString());
        Assert.Contains("domain: Tên miền không hợp lệ", invalid.Messages());
        Assert.Contains("đã được đăng ký", again.Messages());
        Assert.Contains("timeZone", badZone.Messages());
    }

    [Fact]
    public async Task A_pageview_is_answered_202_and_stored_with_its_visit_and_hourly_counts()
    {
        app.EnsureAvailable();
        var site = await Analytics.CreateSiteAsync(app);
        var client = app.CreateClient();

        var first = await Analytics.SendAsync(client, site.Domain, "/tin-tuc?utm_source=zalo&utm_medium=social", referrer: "https://www.facebook.com/post/1");
        var second = await Analytics.SendAsync(client, site.Domain, "/lien-he");
        var other = await Analytics.SendAsync(client, site.Domain, "/", ip: "198.51.100.7");
        var custom = await Analytics.SendAsync(client, "www." + site.Domain, "/lien-he", name: "Gửi góp ý", extra: "\"props\":{\"form\":\"contact\",\"step\":2}");

        Assert.All([first, second, other, custom], r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        await Eventually.HoldsAsync(() => app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == site.Id)).ContinueWith(t => t.Result == 4), "the 4 events are stored");
        var events = await app.WithDbAsync(db => db.SiteEvents.AsNoTracking().Where(e => e.SiteId == site.Id).OrderBy(e => e.Id).ToListAsync());
        var sessions = await app.WithDbAsync(db => db.SiteSessions.AsNoTracking().Where(s => s.SiteId == site.Id).ToListAsync());
        var stats = await app.WithDbAsync(db => db.SiteHourlyStats.AsNoTracking().Where(s => s.SiteId == site.Id).ToListAsync());

        Assert.Equal(["/tin-tuc", "/lien-he", "/", "/lien-he"], events.Select(e => e.Pathname));
        Assert.Equal("www.facebook.com", events[0].ReferrerHost);
        Assert.Equal("zalo", events[0].UtmSource);
        Assert.Equal("social", events[0].UtmMedium);
        Assert.Equal("{\"form\":\"contact\",\"step\":\"2\"}", events[3].Props);
        Assert.Equal("Gửi góp ý", events[3].Name);
        Assert.Equal(events[0].VisitorId, events[1].VisitorId);
        Assert.NotEqual(events[0].VisitorId, events[2].VisitorId);
        Assert.Equal(2, sessions.Count);
        var visit = sessions.Single(s => s.VisitorId == events[0].VisitorId);
        Assert.Equal(("/tin-tuc", "/lien-he", 2, 3), (visit.EntryPage, visit.ExitPage, visit.Pageviews, visit.Events));
        Assert.Equal((3L, 1L, 2L, 2L), (stats.Sum(s => s.Pageviews), stats.Sum(s => s.Events), stats.Sum(s => s.Visits), stats.Sum(s => s.NewVisitors)));
        Assert.Equal(1, stats.Sum(s => s.Bounces));
    }

    [Fact]
    public async Task Engagement_events_of_plausible_s_newer_trackers_are_answered_but_not_counted_as_interactions()
    {
        app.EnsureAvailable();
        var site = await Analytics.CreateSiteAsync(app);
        var client = app.CreateClient();

        var view = await Analytics.SendAsync(client, site.Domain, "/", ip: "198.51.100.70");
        var engagement = await Analytics.SendAsync(client, site.Domain, "/", name: "engagement", ip: "198.51.100.70", extra: "\"sd\":80,\"e\":12000");
        var goal = await Analytics.SendAsync(client, site.Domain, "/", name: "Signup", ip: "198.51.100.71");

        Assert.Equal(HttpStatusCode.Accepted, view.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, engagement.StatusCode);
        await Eventually.HoldsAsync(() => app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == site.Id)).ContinueWith(t => t.Result == 2), "the pageview and the goal are stored");
        var names = await app.WithDbAsync(db => db.SiteEvents.Where(e => e.SiteId == site.Id).Select(e => e.Name).ToListAsync());
        var bounces = await app.WithDbAsync(db => db.SiteHourlyStats.Where(s => s.SiteId == site.Id).SumAsync(s => s.Bounces));
        Assert.DoesNotContain("engagement", names);
        Assert.Equal(1, bounces);
    }

    [Fact]
    public async Task Events_are_enriched_at_ingestion_and_bots_are_counted_not_stored()
    {
        app.EnsureAvailable();
        var site = await Analytics.CreateSiteAsync(app);
        var client = app.CreateClient();

        var person = await Analytics.SendAsync(client, site.Domain, "/", ip: "8.8.8.8", referrer: "https://l.facebook.com/l.php?u=x");
        var crawler = await Analytics.SendAsync(client, site.Domain, "/", ip: "66.249.66.1", userAgent: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");
        var headless = await Analytics.SendAsync(client, site.Domain, "/", userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36");

        Assert.All([person, crawler, headless], r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        await Eventually.HoldsAsync(() => app.WithDbAsync(db => db.SiteHourlyStats.Where(s => s.SiteId == site.Id).SumAsync(s => s.BotsDropped)).ContinueWith(t => t.Result == 2), "the two bots are counted");
        var stored = await app.WithDbAsync(db => db.SiteEvents.AsNoTracking().Where(e => e.SiteId == site.Id).ToListAsync());
        var e = Assert.Single(stored);
        Assert.Equal(("Chrome", "Windows", "Desktop", "US", "Facebook", "l.facebook.com"), (e.Browser, e.Os, e.Device, e.Country, e.Source, e.ReferrerHost));
    }

    [Fact]
    public async Task Nothing_identifying_is_stored_no_ip_no_user_agent()
    {
        app.EnsureAvailable();
        var site = await Analytics.CreateSiteAsync(app);
        const string ip = "192.0.2.77";
        const string agent = "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 UniqueMarker42";

        await Analytics.SendAsync(app.CreateClient(), site.Domain, "/", ip: ip, userAgent: agent);
        await Eventually.HoldsAsync(() => app.WithDbAsync(db => db.SiteEvents.AnyAsync(e => e.SiteId == site.Id)), "the event is stored");

        var row = await app.WithDbAsync(db => db.SiteEvents.AsNoTracking().SingleAsync(e => e.SiteId == site.Id));
        var text = System.Text.Json.JsonSerializer.Serialize(row);
        Assert.DoesNotContain(ip, text);
        Assert.DoesNotContain("UniqueMarker42", text);
        var spoolFiles = Directory.EnumerateFiles(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<CivicDesk.Web.SiteAnalytics.AnalyticsOptions>>().Value.SpoolPath, "*.spool");
        Assert.All(spoolFiles, f => Assert.DoesNotContain(ip, File.ReadAllText(f)));
    }

    [Fact]
    public async Task Bad_events_get_the_right_4xx_and_nothing_is_stored()
    {
        app.EnsureAvailable();
        var site = await Analytics.CreateSiteAsync(app);
        var client = app.CreateClient();
        async Task<HttpResponseMessage> Raw(string body, string contentType = "text/plain")
        {
            using var content = new StringContent(body, System.Text.Encoding.UTF8, contentType);
            return await client.PostAsync("/api/event", content);
        }

        var cases = new (HttpResponseMessage Response, HttpStatusCode Status, string Detail)[]
        {
            (await Raw("{not json"), HttpStatusCode.BadRequest, "JSON"),
            (await Raw("[1,2]"), HttpStatusCode.BadRequest, "JSON"),
            (await Raw($"{{\"name\":\"pageview\",\"url\":\"https://{site.Domain}/\",\"domain\":\"{site.Domain}\"}}", "application/xml"), HttpStatusCode.UnsupportedMediaType, "application/json"),
            (await Raw($"{{\"name\":\"pageview\",\"url\":\"https://{site.Domain}/{new string('a', 9000)}\",\"domain\":\"{site.Domain}\"}}"), HttpStatusCode.RequestEntityTooLarge, "8.192"),
            (await Raw($"{{\"url\":\"https://{site.Domain}/\",\"domain\":\"{site.Domain}\"}}"), HttpStatusCode.BadRequest, "name"),
            (await Raw($"{{\"name\":\"pageview\",\"url\":\"javascript:alert(1)\",\"domain\":\"{site.Domain}\"}}"), HttpStatusCode.BadRequest, "url"),
            (await Raw($"{{\"name\":\"pageview\",\"url\":\"https://{site.Domain}/\",\"domain\":\"unknown-{Guid.NewGuid():N}.gov.vn\"}}"), HttpStatusCode.BadRequest, "chưa được đăng ký"),
            (await Raw($"{{\"name\":\"pageview\",\"url\":\"https://evil.example/\",\"domain\":\"{site.Domain}\"}}"), HttpStatusCode.BadRequest, "không thuộc tên miền"),
            (await Raw($"{{\"name\":\"pageview\",\"url\":\"https://{site.Domain}/\",\"domain\":\"{site.Domain}\",\"props\":[1]}}"), HttpStatusCode.BadRequest, "props"),
            (await Raw($"{{\"name\":\"buy\",\"url\":\"https://{site.Domain}/\",\"domain\":\"{site.Domain}\",\"revenue\":{{\"currency\":\"VN\",\"amount\":1}}}}"), HttpStatusCode.BadRequest, "currency"),
        };

        foreach (var (response, status, detail) in cases)
        {
            var problem = await response.ExpectAsync(status);
            Assert.Contains(detail, problem.GetProperty("detail").GetString());
        }

        var valid = await Analytics.SendAsync(client, site.Domain, "/ok");
        Assert.Equal(HttpStatusCode.Accepted, valid.StatusCode);
        await Eventually.HoldsAsync(() => app.WithDbAsync(db => db.SiteEvents.AnyAsync(e => e.SiteId == site.Id)), "the valid event is stored");
        Assert.Equal(1, await app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == site.Id)));
    }

    [Fact]
    public async Task A_refusal_reads_in_the_language_the_client_asks_for()
    {
        app.EnsureAvailable();
        var site = await Analytics.CreateSiteAsync(app);
        var english = app.CreateClient();
        english.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-US");
        var vietnamese = app.CreateClient();
        var unknown = $"unknown-{Guid.NewGuid():N}.gov.vn";
        var tooLarge = $"{{\"name\":\"pageview\",\"url\":\"https://{site.Domain}/{new string('a', 9000)}\",\"domain\":\"{site.Domain}\"}}";

        foreach (var (client, language, culture) in new[] { (english, "en", "en-GB"), (vietnamese, "vi", "vi-VN") })
        {
            var refused = await Analytics.SendAsync(client, unknown);
            var problem = await refused.ExpectAsync(HttpStatusCode.BadRequest);
            Assert.Equal(app.Translate(language, "Event.UnknownDomain"), problem.GetProperty("detail").GetString());
            Assert.Equal(app.Translate(language, "Problem.400"), problem.GetProperty("title").GetString());
            Assert.Equal(culture, refused.Content.Headers.ContentLanguage.Single());

            // A number in the text is written the language's way (8,192 or 8.192).
            using var large = new StringContent(tooLarge, System.Text.Encoding.UTF8, "text/plain");
            var tooLong = await client.PostAsync("/api/event", large);
            Assert.Equal(app.Translate(language, "Event.TooLarge", 8192), (await tooLong.ExpectAsync(HttpStatusCode.RequestEntityTooLarge)).GetProperty("detail").GetString());

            Assert.Equal(HttpStatusCode.Accepted, (await Analytics.SendAsync(client, site.Domain, "/" + language)).StatusCode);
        }
    }

    [Fact]
    public async Task Events_left_in_a_spool_are_stored_once_when_a_node_starts_and_never_twice()
    {
        app.EnsureAvailable();
        var site = await Analytics.CreateSiteAsync(app);
        var folder = Path.Combine(Path.GetTempPath(), $"civicdesk-spool-test-{Guid.NewGuid():N}");
        using (var spool = new Spool(folder, 4096))
        {
            // What a killed node left behind: 50 accepted events, spread over several segments, never written to the database.
            spool.Append(Enumerable.Range(0, 50).Select(i => new PendingEvent
            {
                EventId = Guid.NewGuid(),
                SiteId = site.Id,
                Timestamp = app.Time.GetUtcNow().UtcDateTime.AddSeconds(i),
                Name = "pageview",
                Hostname = site.Domain,
                Pathname = $"/trang-{i}",
                VisitorId = 1000 + (i % 5),
            }).ToList());
            // A record the crash cut in half.
            await File.AppendAllTextAsync(Directory.GetFiles(folder, "*.spool").Max()!, "\u0010\u0000");
        }

        try
        {
            for (var restart = 0; restart < 2; restart++)
            {
                await using var node = app.WithWebHostBuilder(h => h.UseSetting("SiteAnalytics:SpoolPath", folder));
                _ = node.Services;
                await Eventually.HoldsAsync(() => app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == site.Id)).ContinueWith(t => t.Result == 50), "the spooled events are stored");
            }

            Assert.Equal(50, await app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == site.Id)));
            Assert.Equal(5, await app.WithDbAsync(db => db.SiteSessions.CountAsync(s => s.SiteId == site.Id)));
            Assert.Equal(50, await app.WithDbAsync(db => db.SiteHourlyStats.Where(s => s.SiteId == site.Id).SumAsync(s => s.Pageviews)));

            // A spool that disagrees with the database (its checkpoint lost, as after restoring an older backup): the
            // stored events are skipped, not stored again, and ingestion goes on past them.
            string spoolId;
            using (var spool = new Spool(folder, 4096))
            {
                spoolId = spool.Id;
                spool.Append([new PendingEvent
                {
                    EventId = Guid.NewGuid(), SiteId = site.Id, Timestamp = app.Time.GetUtcNow().UtcDateTime.AddMinutes(2), Name = "pageview",
                    Hostname = site.Domain, Pathname = "/sau-khoi-phuc", VisitorId = 1000,
                }]);
            }

            await app.WithDbAsync(db => db.Set<SpoolCheckpoint>().Where(c => c.SpoolId == spoolId).ExecuteDeleteAsync());
            await using (var node = app.WithWebHostBuilder(h => h.UseSetting("SiteAnalytics:SpoolPath", folder)))
            {
                _ = node.Services;
                await Eventually.HoldsAsync(() => app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == site.Id)).ContinueWith(t => t.Result == 51), "the event after the stored ones is stored");
            }

            Assert.Equal(51, await app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == site.Id)));
            Assert.Equal(51, await app.WithDbAsync(db => db.SiteHourlyStats.Where(s => s.SiteId == site.Id).SumAsync(s => s.Pageviews)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Plausible_npm_tracker_payloads_with_short_field_names_are_accepted_and_stored()
    {
        app.EnsureAvailable();
        var site = await Analytics.CreateSiteAsync(app);
        var client = app.CreateClient();
        async Task<HttpResponseMessage> Post(string json)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/event") { Content = new StringContent(json, System.Text.Encoding.UTF8, "text/plain") };
            request.Headers.TryAddWithoutValidation("User-Agent", Analytics.Chrome);
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.50");
            return await client.SendAsync(request);
        }

        // Exactly what @plausible-analytics/tracker 0.4.6 sends (pinned in Tracker/PlausibleNpmTrackerBrowserTests).
        var pageview = await Post($$"""{"n":"pageview","v":36,"u":"http://{{site.Domain}}/","d":"{{site.Domain}}","r":null}""");
        var signup = await Post($$$"""{"n":"signup","v":36,"u":"http://{{{site.Domain}}}/","d":"{{{site.Domain}}}","r":null,"p":{"plan":"co-ban"},"i":false,"$":{"currency":"VND","amount":10000}}""");

        Assert.Equal(HttpStatusCode.Accepted, pageview.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, signup.StatusCode);
        Assert.Equal("*", signup.Headers.GetValues("Access-Control-Allow-Origin").Single());
        await Eventually.HoldsAsync(() => app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == site.Id)).ContinueWith(t => t.Result == 2), "both events are stored");
        var stored = await app.WithDbAsync(db => db.SiteEvents.AsNoTracking().SingleAsync(e => e.SiteId == site.Id && e.Name == "signup"));
        Assert.Equal(("{\"plan\":\"co-ban\"}", 10000m, "VND", false), (stored.Props, stored.RevenueAmount!.Value, stored.RevenueCurrency, stored.Interactive));
        var visit = await app.WithDbAsync(db => db.SiteSessions.AsNoTracking().SingleAsync(s => s.SiteId == site.Id));
        Assert.True(visit.IsBounce, "a non-interactive event does not turn a one-page visit into a non-bounce");
    }

    [Fact]
    public async Task When_the_node_stops_accepting_the_endpoint_answers_503_with_retry_after()
    {
        app.EnsureAvailable();
        var site = await Analytics.CreateSiteAsync(app);
        await using var node = app.WithWebHostBuilder(_ => { });
        var client = node.CreateClient();
        node.Services.GetRequiredService<IngestQueue>().Complete();

        var response = await Analytics.SendAsync(client, site.Domain);

        await response.ExpectAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("5", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal("Retry-After", response.Headers.GetValues("Access-Control-Expose-Headers").Single());
    }
}

public sealed class IngestionOnSqlite(SqliteAnalyticsApp app) : IngestionTests<SqliteAnalyticsApp>(app);

public sealed class IngestionOnPostgres(PostgresAnalyticsApp app) : IngestionTests<PostgresAnalyticsApp>(app);

public sealed class RateLimitTests(RateLimitedApp app) : IClassFixture<RateLimitedApp>
{
    [Fact]
    public async Task A_flood_from_one_address_gets_429_with_retry_after_and_other_addresses_are_still_served()
    {
        var site = await Analytics.CreateSiteAsync(app);
        var client = app.CreateClient();

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            answers.Add((await Analytics.SendAsync(client, site.Domain, ip: "203.0.113.99")).StatusCode);
        }

        var limited = await Analytics.SendAsync(client, site.Domain, ip: "203.0.113.99");
        var other = await Analytics.SendAsync(client, site.Domain, ip: "203.0.113.100");

        Assert.Equal(5, answers.Count(a => a == HttpStatusCode.Accepted));
        Assert.Equal(3, answers.Count(a => a == HttpStatusCode.TooManyRequests));
        var problem = await limited.ExpectAsync(HttpStatusCode.TooManyRequests);
        Assert.Contains("Quá nhiều yêu cầu", problem.GetProperty("detail").GetString());
        var english = app.CreateClient();
        english.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        var limitedInEnglish = await (await Analytics.SendAsync(english, site.Domain, ip: "203.0.113.99")).ExpectAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(app.Translate("en", "Event.TooMany"), limitedInEnglish.GetProperty("detail").GetString());
        Assert.Equal(app.Translate("en", "Problem.429"), limitedInEnglish.GetProperty("title").GetString());
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
        await Eventually.HoldsAsync(() => app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == site.Id)).ContinueWith(t => t.Result == 6), "exactly the accepted events are stored");
    }

    [Fact]
    public async Task An_address_past_the_limit_is_still_served_by_endpoints_that_are_not_public()
    {
        var site = await Analytics.CreateSiteAsync(app);
        var client = app.CreateClient();
        for (var i = 0; i < 6; i++)
        {
            await Analytics.SendAsync(client, site.Domain, ip: "203.0.113.101");
        }

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.101");
            answers.Add((await client.SendAsync(request)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await Analytics.SendAsync(client, site.Domain, ip: "203.0.113.101")).StatusCode);
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a));
    }
}

public sealed class ScriptRateLimitTests(RateLimitedApp app) : IClassFixture<RateLimitedApp>
{
    [Fact]
    public async Task The_tracker_script_is_limited_per_address_too()
    {
        var client = app.CreateClient();
        async Task<HttpResponseMessage> ScriptAsync(string ip)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/js/script.js");
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", ip);
            return await client.SendAsync(request);
        }

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            answers.Add((await ScriptAsync("203.0.113.120")).StatusCode);
        }

        var limited = await ScriptAsync("203.0.113.120");
        var other = await ScriptAsync("203.0.113.121");

        Assert.Equal(5, answers.Count(a => a == HttpStatusCode.OK));
        Assert.Equal(2, answers.Count(a => a == HttpStatusCode.TooManyRequests));
        await limited.ExpectAsync(HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.Contains("Retry-After"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Contains("javascript", other.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
    }
}

/// <summary>An app whose public endpoints allow five requests a minute per address.</summary>
public sealed class RateLimitedApp : SqliteApp
{
    public RateLimitedApp()
    {
        Analytics.BehindTrustedProxy(this);
        Set("SiteAnalytics:RateLimitPerMinute", "5");
    }
}
