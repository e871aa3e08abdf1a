using System.Buffers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CivicDesk.Web.SiteAnalytics.Enrichment;

/// <summary>Why an event was taken for a bot; <see cref="None"/> for a person. Dropped events are counted by reason.</summary>
public enum BotReason
{
    None = 0,
    /// <summary>No user agent, or only white space.</summary>
    Empty,
    /// <summary>Fewer than <see cref="BotDetector.MinLength"/> characters: no browser sends so little.</summary>
    TooShort,
    /// <summary>Headless browsers and scripted ones: HeadlessChrome, PhantomJS, SlimerJS, Selenium, WebDriver, Puppeteer.</summary>
    Headless,
    /// <summary>Page-speed and monitoring tools: Lighthouse, PageSpeed Insights, WebPageTest, GTmetrix.</summary>
    PerformanceTool,
    /// <summary>HTTP libraries and command-line clients: curl, Wget, python-requests, Go-http-client, Java, okhttp…</summary>
    HttpLibrary,
    /// <summary>User agents that name a cloud or hosting platform (AppEngine, CloudFront, Azure, Cloudflare Workers…).</summary>
    DataCentre,
    /// <summary>A pattern of the crawler-user-agents list.</summary>
    KnownCrawler,
    /// <summary>uap-core names the device "Spider" (set by <see cref="Enricher"/>, not by this class).</summary>
    SpiderDevice,
}

/// <summary>
/// Tells bots from people by the user agent: first the obvious signals (cheap ordinal searches), then the
/// crawler-user-agents patterns combined into one regex. Results are cached by the whole string.
/// </summary>
/// <remarks>
/// The patterns are matched case-sensitively, as crawler-user-agents specifies. One alternation of all 1,500 patterns
/// scanned only about 270 strings a second (every alternative is tried at every position), and
/// <see cref="RegexOptions.NonBacktracking"/> refuses it (an automaton of about 91,000 nodes against a limit of
/// 10,000); so plain-text patterns go to one multi-string search and only the few real regexes stay a regex
/// (docs/benchmarks.md). Hostile strings are bounded by the length cut and the match timeout.
/// </remarks>
internal sealed class BotDetector
{
    public const int MinLength = 8;

    private static readonly (string Token, BotReason Reason)[] Signals =
    [
        ("HeadlessChrome", BotReason.Headless), ("PhantomJS", BotReason.Headless), ("SlimerJS", BotReason.Headless),
        ("Selenium", BotReason.Headless), ("webdriver", BotReason.Headless), ("Puppeteer", BotReason.Headless),
        ("Playwright", BotReason.Headless), ("HtmlUnit", BotReason.Headless), ("jsdom", BotReason.Headless),
        ("Lighthouse", BotReason.PerformanceTool), ("PageSpeed", BotReason.PerformanceTool), ("Page Speed", BotReason.PerformanceTool),
        ("PTST/", BotReason.PerformanceTool), ("GTmetrix", BotReason.PerformanceTool), ("Pingdom", BotReason.PerformanceTool),
        ("UptimeRobot", BotReason.PerformanceTool), ("StatusCake", BotReason.PerformanceTool),
        ("curl/", BotReason.HttpLibrary), ("Wget", BotReason.HttpLibrary), ("python-requests", BotReason.HttpLibrary),
        ("python-urllib", BotReason.HttpLibrary), ("Python/", BotReason.HttpLibrary), ("aiohttp", BotReason.HttpLibrary),
        ("httpx", BotReason.HttpLibrary), ("Go-http-client", BotReason.HttpLibrary),
        ("okhttp", BotReason.HttpLibrary), ("axios", BotReason.HttpLibrary), ("node-fetch", BotReason.HttpLibrary),
        ("undici", BotReason.HttpLibrary), ("libwww", BotReason.HttpLibrary), ("Apache-HttpClient", BotReason.HttpLibrary),
        ("HttpClient", BotReason.HttpLibrary), ("Scrapy", BotReason.HttpLibrary), ("Guzzle", BotReason.HttpLibrary),
        ("PostmanRuntime", BotReason.HttpLibrary), ("insomnia/", BotReason.HttpLibrary), ("RestSharp", BotReason.HttpLibrary),
        ("http.rb", BotReason.HttpLibrary), ("reqwest", BotReason.HttpLibrary), ("WinHttp", BotReason.HttpLibrary),
        ("AppEngine-Google", BotReason.DataCentre), ("Google-Apps-Script", BotReason.DataCentre), ("Google-Cloud", BotReason.DataCentre),
        ("Amazon CloudFront", BotReason.DataCentre), ("amazon-cloudfront", BotReason.DataCentre), ("aws-sdk", BotReason.DataCentre),
        ("Amazon-Route53", BotReason.DataCentre), ("Azure", BotReason.DataCentre), ("Cloudflare-Workers", BotReason.DataCentre),
        ("vercel", BotReason.DataCentre), ("Netlify", BotReason.DataCentre), ("DigitalOcean", BotReason.DataCentre),
    ];

    /// <summary>Tokens that only an HTTP library puts at the very start (feature phones carry "Java/ASVM" inside).</summary>
    private static readonly string[] LeadingLibraries = ["Java/", "Ruby", "PHP/", "Dart/"];

    private readonly SearchValues<string> _crawlerLiterals;
    private readonly Dictionary<char, string[]> _literalsByFirstChar;
    private readonly Regex? _crawlerRegex;
    private readonly BoundedCache<string, BotReason> _cache;

    private BotDetector(string[] literals, Regex? regex, int patternCount, int cacheSize)
    {
        _crawlerLiterals = SearchValues.Create(literals, StringComparison.Ordinal);
        _literalsByFirstChar = literals.GroupBy(l => l[0]).ToDictionary(g => g.Key, g => g.ToArray());
        _crawlerRegex = regex;
        PatternCount = patternCount;
        _cache = new BoundedCache<string, BotReason>(cacheSize);
    }

    public int PatternCount { get; }

    public static BotDetector Load(string crawlerUserAgentsJsonPath, RegexOptions engine = RegexOptions.Compiled, int cacheSize = 10_000)
    {
        using var stream = File.OpenRead(crawlerUserAgentsJsonPath);
        using var json = JsonDocument.Parse(stream);
        var patterns = json.RootElement.EnumerateArray().Select(e => e.GetProperty("pattern").GetString()).OfType<string>().ToArray();
        return FromPatterns(patterns, engine, cacheSize);
    }

    /// <summary>
    /// Patterns that are plain text once their escapes are removed (about 1,460 of 1,500) go to one multi-string
    /// search (<see cref="SearchValues{T}"/>, a vectorised Aho-Corasick/Teddy); the rest become one alternation.
    /// </summary>
    public static BotDetector FromPatterns(IReadOnlyCollection<string> patterns, RegexOptions engine = RegexOptions.Compiled, int cacheSize = 10_000)
    {
        var literals = new List<string>();
        var regexes = new List<string>();
        foreach (var pattern in patterns)
        {
            if (AsLiteral(pattern) is { Length: > 0 } literal)
            {
                literals.Add(literal);
            }
            else
            {
                regexes.Add(pattern);
            }
        }

        // Each pattern in its own group so that an alternation inside one cannot leak into its neighbours.
        var regex = regexes.Count == 0 ? null : new Regex(
            string.Join('|', regexes.Select(p => $"(?:{p})")),
            engine | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture,
            TimeSpan.FromSeconds(1));
        // The first match of a compiled regex pays for its JIT; pay it at load, not on an event.
        regex?.IsMatch("warm-up");
        return new BotDetector([.. literals.Distinct(StringComparer.Ordinal)], regex, patterns.Count, cacheSize);
    }

    /// <summary>
    /// A plain-text pattern found where a word starts: a pattern that begins with a letter or digit must not follow
    /// one. crawler-user-agents' own examples never need a match inside a word, and without this rule short patterns
    /// hit people's browsers ("RED/" in "WIRED/3.2", "008/" in "Opera Mini/4.4.39008/").
    /// </summary>
    private bool MatchesLiteral(string ua)
    {
        var from = 0;
        while (from < ua.Length)
        {
            var found = ua.AsSpan(from).IndexOfAny(_crawlerLiterals);
            if (found < 0)
            {
                return false;
            }

            var at = from + found;
            var wordStart = at == 0 || !char.IsLetterOrDigit(ua[at - 1]);
            foreach (var literal in _literalsByFirstChar[ua[at]])
            {
                if ((wordStart || !char.IsLetterOrDigit(literal[0])) && ua.AsSpan(at).StartsWith(literal, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            from = at + 1;
        }

        return false;
    }

    /// <summary>The text a pattern matches when it has no regex operator but escaped punctuation; else null.</summary>
    private static string? AsLiteral(string pattern)
    {
        var text = new System.Text.StringBuilder(pattern.Length);
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                if (i + 1 < pattern.Length && !char.IsLetterOrDigit(pattern[i + 1]))
                {
                    text.Append(pattern[++i]);
                    continue;
                }

                return null;
            }

            if ("^$.|?*+()[]{}".Contains(c, StringComparison.Ordinal))
            {
                return null;
            }

            text.Append(c);
        }

        return text.ToString();
    }

    public BotReason Detect(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return BotReason.Empty;
        }

        var ua = userAgent.Length > UserAgentParser.MaxLength ? userAgent[..UserAgentParser.MaxLength] : userAgent;
        if (_cache.TryGet(ua, out var cached))
        {
            return cached;
        }

        var reason = DetectUncached(ua, out var timedOut);
        if (!timedOut)
        {
            _cache.Add(ua, reason);
        }

        return reason;
    }

    private BotReason DetectUncached(string ua, out bool timedOut)
    {
        timedOut = false;
        if (ua.Trim().Length < MinLength)
        {
            return BotReason.TooShort;
        }

        foreach (var (token, reason) in Signals)
        {
            if (ua.Contains(token, StringComparison.OrdinalIgnoreCase))
            {
                return reason;
            }
        }

        if (LeadingLibraries.Any(token => ua.StartsWith(token, StringComparison.OrdinalIgnoreCase)))
        {
            return BotReason.HttpLibrary;
        }

        if (MatchesLiteral(ua))
        {
            return BotReason.KnownCrawler;
        }

        try
        {
            return _crawlerRegex?.IsMatch(ua) == true ? BotReason.KnownCrawler : BotReason.None;
        }
        catch (RegexMatchTimeoutException)
        {
            // A busy machine, not evidence of a bot: keep the event, and do not cache the answer.
            timedOut = true;
            return BotReason.None;
        }
    }
}
