namespace CivicDesk.Web.SiteAnalytics.Enrichment;

/// <summary>What ingestion adds to one event. <see cref="Bot"/> other than None means: drop it and count the reason.</summary>
internal sealed record Enrichment(
    BotReason Bot,
    string Browser,
    string? BrowserVersion,
    string Os,
    string? OsVersion,
    DeviceType DeviceType,
    string? Country,
    TrafficSource Source)
{
    public bool IsBot => Bot != BotReason.None;
}

/// <summary>
/// One call per event: bot check, browser/OS/device, country and source. Every part is optional enrichment, so a
/// part that fails (missing data file, parse error, garbage input) gives its "unknown" value and the event is kept.
/// Thread-safe; one instance per process (the parsers hold compiled rules and caches).
/// </summary>
internal sealed class Enricher(UserAgentParser? userAgents, BotDetector? bots, CountryLookup? countries, ILogger<Enricher>? logger = null)
{
    private static readonly ParsedUserAgent Unknown = new(
        new BrowserInfo("Other", null, null, null), new OsInfo("Other", null, null, null, null), new DeviceInfo("Other", null, null), DeviceType.Other);

    /// <summary>The source of an event whose referrer could not be classified.</summary>
    private static readonly TrafficSource DirectSource = new(ReferrerClassifier.Direct, null, "Direct", null, null, null, null, null);

    private int _failuresLogged;

    /// <summary>Loads the data packages from <paramref name="dataDirectory"/> (the build copies them to
    /// <c>data-packages/</c> beside the app); a missing or broken package turns its part off and is logged.</summary>
    public static Enricher Load(string dataDirectory, ILoggerFactory? loggers = null)
    {
        var logger = loggers?.CreateLogger<Enricher>();
        var userAgents = Try(() => UserAgentParser.Load(Path.Combine(dataDirectory, "uap-core", "regexes.yaml")), "uap-core regexes.yaml", logger);
        var bots = Try(() => BotDetector.Load(Path.Combine(dataDirectory, "crawler-user-agents", "crawler-user-agents.json")), "crawler-user-agents.json", logger);
        var countries = new CountryLookup(Path.Combine(dataDirectory, "dbip-country", "dbip-country.mmdb"), logger);
        return new Enricher(userAgents, bots, countries, logger);
    }

    /// <summary>The default place of the data packages: <c>data-packages/</c> beside the app.</summary>
    public static string DefaultDataDirectory => Path.Combine(AppContext.BaseDirectory, "data-packages");

    public Enrichment Enrich(string? userAgent, string? ipAddress, string? referrer, string? pageUrl, string? siteHost)
    {
        // Each part on its own: a part that throws is left out, the others stay (no delegates: this runs per event).
        var bot = BotReason.None;
        var parsed = Unknown;
        string? country = null;
        var source = DirectSource;
#pragma warning disable CA1031 // Optional enrichment never fails ingestion (issue 3); the first failures are logged.
        try
        {
            bot = bots?.Detect(userAgent) ?? BotReason.None;
        }
        catch (Exception e)
        {
            Failed(e);
        }

        try
        {
            parsed = userAgents?.Parse(userAgent) ?? Unknown;
        }
        catch (Exception e)
        {
            Failed(e);
        }

        try
        {
            country = countries?.Country(ipAddress);
        }
        catch (Exception e)
        {
            Failed(e);
        }

        try
        {
            source = ReferrerClassifier.Classify(referrer, pageUrl, siteHost);
        }
        catch (Exception e)
        {
            Failed(e);
        }
#pragma warning restore CA1031

        if (bot == BotReason.None && parsed.DeviceType == DeviceType.Bot)
        {
            bot = BotReason.SpiderDevice;
        }

        return new Enrichment(
            bot,
            parsed.Browser.Family,
            Version(parsed.Browser.Major, parsed.Browser.Minor),
            parsed.Os.Family,
            Version(parsed.Os.Major, parsed.Os.Minor),
            parsed.DeviceType,
            country,
            source);
    }

    /// <summary>"major.minor", as Plausible shows versions; null without a major.</summary>
    private static string? Version(string? major, string? minor) =>
        major is null ? null : minor is null ? major : $"{major}.{minor}";

    private void Failed(Exception e)
    {
        if (Interlocked.Increment(ref _failuresLogged) <= 10)
        {
            logger?.LogWarning(e, "Enrichment of an event failed; the event is kept without that part");
        }
    }

    private static T? Try<T>(Func<T> load, string what, ILogger? logger)
        where T : class
    {
        try
        {
            return load();
        }
#pragma warning disable CA1031 // A missing or broken data package turns its part off; it must not stop the app.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger?.LogWarning(e, "Enrichment from {Package} is off: the file could not be loaded", what);
            return null;
        }
    }
}
