using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CivicDesk.Web.SiteAnalytics.Enrichment;

namespace CivicDesk.Web.Tests.SiteAnalytics.Enrichment;

public sealed class BotDetectorTests(ITestOutputHelper output)
{
    /// <summary>Words in a uap-core family that mark a crawler, tool, library or SDK rather than a person's browser.</summary>
    private static readonly string[] NotBrowsers =
    [
        "bot", "spider", "crawl", "slurp", "fetch", "preview", "http", "library", "monitor", "validator", "headless",
        "phantom", "curl", "wget", "python", "requests", "java", "perl", "axios", "got", "sdk", "synthetic", "catchpoint",
        "proxy", "inspection", "mediapartners", "feed", "rss", "okhttp", "davdroid", "go-", "ruby", "php", "node",
        "scrapy", "apache", "aws", "s3", "lighthouse", "pingdom", "uptime", "gtmetrix", "siteimprove", "google",
        "scanner", "monitis", "httrack", "sniffer", "reciperadar",
    ];

    [Fact]
    public void At_least_99_percent_of_crawler_user_agents_examples_are_bots()
    {
        var instances = CrawlerInstances();
        var missed = instances.Where(ua => EnrichmentData.Bots.Detect(ua) == BotReason.None).ToList();
        var share = 1 - ((double)missed.Count / instances.Count);
        var path = EnrichmentData.WriteReport("crawler-user-agents-missed.txt", [$"detected {share:P2} of {instances.Count}", .. missed]);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bots detected: {instances.Count - missed.Count}/{instances.Count} = {share:P2}; missed in {path}"));
        Assert.True(share >= 0.99, $"{share:P2}");
    }

    [Fact]
    public void Under_half_a_percent_of_uap_cores_real_browsers_are_dropped()
    {
        // People's browsers: a Mozilla/ or Opera/ string whose expected family names no bot, tool or library, and whose
        // device is not uap-core's "Spider". The selection rule is in NotBrowsers, not in the detector.
        var browsers = EnrichmentData.UapCoreCases("test_ua.yaml")
            .Where(c => c["family"] is { } f && f != "Other" && !NotBrowsers.Any(n => f.Contains(n, StringComparison.OrdinalIgnoreCase)))
            .Select(c => c["user_agent_string"] ?? "")
            .Where(ua => ua.StartsWith("Mozilla/", StringComparison.Ordinal) || ua.StartsWith("Opera/", StringComparison.Ordinal))
            .Where(ua => EnrichmentData.Parser.ParseDevice(ua).Family != "Spider")
            .ToList();
        var dropped = browsers.Select(ua => (ua, reason: EnrichmentData.Bots.Detect(ua))).Where(x => x.reason != BotReason.None).ToList();
        var share = (double)dropped.Count / browsers.Count;
        var path = EnrichmentData.WriteReport("uap-core-browsers-dropped.txt",
            [$"dropped {share:P2} of {browsers.Count}", .. dropped.Select(d => $"{d.reason}: {d.ua}")]);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"real browsers dropped: {dropped.Count}/{browsers.Count} = {share:P2}; list in {path}"));
        Assert.True(share < 0.005, $"{share:P2}");
    }

    [Theory]
    [InlineData(null, BotReason.Empty)]
    [InlineData("   ", BotReason.Empty)]
    [InlineData("abc", BotReason.TooShort)]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.28 Safari/537.36", BotReason.Headless)]
    [InlineData("Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1", BotReason.Headless)]
    [InlineData("Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse", BotReason.PerformanceTool)]
    [InlineData("curl/8.5.0", BotReason.HttpLibrary)]
    [InlineData("Wget/1.21.4", BotReason.HttpLibrary)]
    [InlineData("python-requests/2.31.0", BotReason.HttpLibrary)]
    [InlineData("Go-http-client/2.0", BotReason.HttpLibrary)]
    [InlineData("Java/17.0.2", BotReason.HttpLibrary)]
    [InlineData("okhttp/4.12.0", BotReason.HttpLibrary)]
    [InlineData("axios/1.6.2", BotReason.HttpLibrary)]
    [InlineData("node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", BotReason.HttpLibrary)]
    [InlineData("libwww-perl/6.72", BotReason.HttpLibrary)]
    [InlineData("AppEngine-Google; (+http://code.google.com/appengine; appid: s~x)", BotReason.DataCentre)]
    [InlineData("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", BotReason.KnownCrawler)]
    [InlineData("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", BotReason.KnownCrawler)]
    [InlineData("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", BotReason.KnownCrawler)]
    [InlineData("Mozilla/5.0 (coc_coc_bot; +http://help.coccoc.com/searchengine)", BotReason.KnownCrawler)]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", BotReason.None)]
    [InlineData("Mozilla/5.0 (Linux; Android 13; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) coc_coc_browser/118.0.0 Chrome/112.0.0.0 Mobile Safari/537.36", BotReason.None)]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Zalo iOS/1.0", BotReason.None)]
    [InlineData("Mozilla/5.0 (Linux; Android 14; SM-S918B Build/UP1A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/490.0.0.0;]", BotReason.None)]
    public void Signals_give_their_reason(string? userAgent, BotReason expected) =>
        Assert.Equal(expected, EnrichmentData.Bots.Detect(userAgent));

    [Fact]
    public void Engines_are_compared_and_printed()
    {
        var browsers = EnrichmentData.UapCoreCases("test_ua.yaml").Select(c => c["user_agent_string"] ?? "").ToArray();
        var patterns = JsonDocument.Parse(File.ReadAllText(EnrichmentData.CrawlerJson)).RootElement.EnumerateArray()
            .Select(e => e.GetProperty("pattern").GetString()!).ToArray();
        foreach (var engine in new[] { RegexOptions.NonBacktracking, RegexOptions.Compiled, RegexOptions.None })
        {
            var watch = Stopwatch.StartNew();
            BotDetector detector;
            try
            {
                detector = BotDetector.FromPatterns(patterns, engine, cacheSize: 0);
            }
            catch (NotSupportedException e)
            {
                output.WriteLine($"{engine}: refused: {e.Message}");
                continue;
            }

            var build = watch.Elapsed;
            detector.Detect(browsers[0]);
            var first = watch.Elapsed - build;
            watch.Restart();
            var bots = browsers.Count(ua => detector.Detect(ua) != BotReason.None);
            var scan = watch.Elapsed;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{engine}: build {build.TotalMilliseconds:F0} ms, first match {first.TotalMilliseconds:F0} ms, {browsers.Length / scan.TotalSeconds:F0} UAs/s uncached ({bots} bots)"));
        }
    }

    private static List<string> CrawlerInstances() =>
        [.. JsonDocument.Parse(File.ReadAllText(EnrichmentData.CrawlerJson)).RootElement.EnumerateArray()
            .SelectMany(e => e.TryGetProperty("instances", out var i) ? i.EnumerateArray().Select(x => x.GetString() ?? "") : [])];
}
