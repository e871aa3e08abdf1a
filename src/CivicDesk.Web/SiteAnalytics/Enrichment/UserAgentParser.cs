using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Serialization;

namespace CivicDesk.Web.SiteAnalytics.Enrichment;

/// <summary>The browser (uap-core's "user agent"): family "Other" when no rule matched.</summary>
internal sealed record BrowserInfo(string Family, string? Major, string? Minor, string? Patch);

/// <summary>The operating system: family "Other" when no rule matched.</summary>
internal sealed record OsInfo(string Family, string? Major, string? Minor, string? Patch, string? PatchMinor);

/// <summary>The device: family "Other" when no rule matched; "Spider" is uap-core's name for crawlers.</summary>
internal sealed record DeviceInfo(string Family, string? Brand, string? Model);

internal sealed record ParsedUserAgent(BrowserInfo Browser, OsInfo Os, DeviceInfo Device, DeviceType DeviceType);

/// <summary>The three rule lists of regexes.yaml.</summary>
internal enum UapRuleList
{
    /// <summary><c>user_agent_parsers</c>.</summary>
    Browser,

    /// <summary><c>os_parsers</c>.</summary>
    Os,

    /// <summary><c>device_parsers</c>.</summary>
    Device,
}

/// <summary>
/// A parser for uap-core's <c>regexes.yaml</c> following its specification (docs/specification.md in the npm package):
/// each list is tried in order and the first match wins; <c>*_replacement</c> values override the groups and may
/// contain <c>$1</c>..<c>$9</c>; <c>regex_flag: 'i'</c> makes one rule case-insensitive; results are trimmed and an
/// empty result is "not defined" (null); nothing matched gives family "Other". The rules are the npm package's
/// <c>regexes.yaml</c> preceded by <see cref="SupplementResource"/>: rules from a newer uap-core commit than the newest
/// npm release, copied verbatim (docs/adr/0007-analytics-data-packages.md).
/// </summary>
/// <remarks>
/// Speed: about 1,200 rules are tried in order, so an unseen string costs up to a few hundred regex scans. Each rule's
/// regex is built on its first use, interpreted: compiled rules parsed unseen strings about 1.6 times as fast once
/// built, but cost several seconds of compiling after start and ~30-50 MB of resident memory for good (the generated
/// code and its metadata), which put the app over its 300 MB target (ADR 0008); interpreting first and compiling after
/// 1,000 uses measured in between on speed (docs/benchmarks.md).
/// Real traffic repeats a small set of strings, so a bounded cache keyed by the whole string answers most calls. Strings are cut at
/// <see cref="MaxLength"/> characters and every match has a timeout, so a hostile string costs bounded time.
/// </remarks>
internal sealed class UserAgentParser
{
    public const int MaxLength = 1024;

    /// <summary>The regex engine of the rules, chosen by measurement: interpreted, for memory (ADR 0008's last addendum).</summary>
    public const RegexOptions DefaultEngine = RegexOptions.None;

    // Only a guard against a pathological string: rules are bounded and strings cut, so a normal match takes microseconds,
    // and a busy machine must not turn into wrong answers.
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private static readonly Regex NeverMatches = new("(?!)", RegexOptions.None, MatchTimeout);

    /// <summary>The embedded <c>regexes.supplement.yaml</c> (beside this file), tried before the package's rules.</summary>
    public const string SupplementResource = "CivicDesk.Web.SiteAnalytics.Enrichment.regexes.supplement.yaml";

    private readonly Rule[] _browserRules;
    private readonly Rule[] _osRules;
    private readonly Rule[] _deviceRules;
    private readonly BoundedCache<string, ParsedUserAgent> _cache;

    private UserAgentParser(Rule[] browserRules, Rule[] osRules, Rule[] deviceRules, int cacheSize)
    {
        _browserRules = browserRules;
        _osRules = osRules;
        _deviceRules = deviceRules;
        _cache = new BoundedCache<string, ParsedUserAgent>(cacheSize);
    }

    public int RuleCount => _browserRules.Length + _osRules.Length + _deviceRules.Length;

    /// <summary>The patterns of <paramref name="list"/>, in the order they are tried.</summary>
    public IReadOnlyList<string> Patterns(UapRuleList list) => [.. Rules(list).Select(r => r.Pattern)];

    /// <summary>Patterns that .NET's regex syntax refuses (checked with the interpreter, which parses the same syntax).</summary>
    public IReadOnlyList<string> RulesNetCannotRead() =>
        [.. _browserRules.Concat(_osRules).Concat(_deviceRules).Where(r => r.TryBuild(RegexOptions.None) is null).Select(r => r.Pattern)];

    /// <summary>The package's <paramref name="regexesYamlPath"/>, preceded by the embedded supplement unless
    /// <paramref name="withSupplement"/> is false (to measure the package alone).</summary>
    public static UserAgentParser Load(string regexesYamlPath, int cacheSize = 10_000, RegexOptions engine = DefaultEngine, bool withSupplement = true)
    {
        using var package = File.OpenText(regexesYamlPath);
        if (!withSupplement)
        {
            return FromYaml(package, cacheSize, engine);
        }

        using var supplement = OpenSupplement();
        return FromYaml([new RuleDocument("regexes.supplement.yaml", supplement, Complete: false), new RuleDocument("regexes.yaml", package, Complete: true)], cacheSize, engine);
    }

    /// <summary>One complete rules file (all three lists), as regexes.yaml.</summary>
    public static UserAgentParser FromYaml(TextReader yaml, int cacheSize = 10_000, RegexOptions engine = DefaultEngine) =>
        FromYaml([new RuleDocument("regexes.yaml", yaml, Complete: true)], cacheSize, engine);

    /// <summary>
    /// Rule files tried in the given order, each list concatenated: the first document's rules win over the next
    /// ones'. A later document's rule is left out when it has the same regex and flag as a rule of an earlier one,
    /// since it could never match after its twin (the supplement moves a few package rules ahead that way), or when an
    /// earlier document lists it under <c>superseded_&lt;list&gt;</c> (a rule its replacement has made unreachable).
    /// A document that is not <see cref="RuleDocument.Complete"/> may leave lists out.
    /// </summary>
    public static UserAgentParser FromYaml(IReadOnlyList<RuleDocument> documents, int cacheSize = 10_000, RegexOptions engine = DefaultEngine)
    {
        var browser = new List<Rule>();
        var os = new List<Rule>();
        var device = new List<Rule>();
        var leftOut = new HashSet<string>(StringComparer.Ordinal);
        foreach (var document in documents)
        {
            var earlier = browser.Concat(os).Concat(device).Select(r => r.Key).Concat(leftOut).ToHashSet(StringComparer.Ordinal);

            var lists = new DeserializerBuilder().Build().Deserialize<Dictionary<string, List<Dictionary<string, string?>>?>>(document.Yaml)
                ?? throw new InvalidDataException($"{document.Name} is empty.");

            void Add(List<Rule> rules, string key)
            {
                if (lists.TryGetValue(key, out var list) && list is not null)
                {
                    rules.AddRange(list.Select((entry, i) => new Rule(entry, engine, key, $"{document.Name} {key}[{i}]")).Where(r => !earlier.Contains(r.Key)));
                }
                else if (document.Complete)
                {
                    throw new InvalidDataException($"{document.Name} has no '{key}'.");
                }
            }

            Add(browser, "user_agent_parsers");
            Add(os, "os_parsers");
            Add(device, "device_parsers");
            foreach (var key in (string[])["user_agent_parsers", "os_parsers", "device_parsers"])
            {
                if (lists.TryGetValue("superseded_" + key, out var superseded) && superseded is not null)
                {
                    leftOut.UnionWith(superseded.Select(entry => new Rule(entry, engine, key, document.Name).Key));
                }
            }
        }

        return new UserAgentParser([.. browser], [.. os], [.. device], cacheSize);
    }

    /// <summary>The embedded supplement. It is part of the assembly, so a missing one means a broken build: that throws
    /// (and <see cref="Enricher"/> logs it) rather than quietly parsing with the older rules alone.</summary>
    public static TextReader OpenSupplement() =>
        new StreamReader(typeof(UserAgentParser).Assembly.GetManifestResourceStream(SupplementResource)
            ?? throw new InvalidOperationException($"The embedded resource {SupplementResource} is missing (see DataPackages.targets)."));

    /// <summary>
    /// The rule of <paramref name="list"/> that answers <paramref name="userAgent"/>, as "file list[index] 'pattern'",
    /// or null when none matches: for failure reports.
    /// </summary>
    public string? MatchingRule(UapRuleList list, string? userAgent)
    {
        var ua = Cut(userAgent);
        return Rules(list).FirstOrDefault(r => r.Match(ua) is not null) is { } rule ? $"{rule.Source} '{rule.Pattern}'" : null;
    }

    private Rule[] Rules(UapRuleList list) => list switch
    {
        UapRuleList.Browser => _browserRules,
        UapRuleList.Os => _osRules,
        _ => _deviceRules,
    };

    /// <summary>Browser, OS, device and device type of <paramref name="userAgent"/>, cached by the whole string.</summary>
    public ParsedUserAgent Parse(string? userAgent)
    {
        var key = Cut(userAgent);
        if (_cache.TryGet(key, out var cached))
        {
            return cached;
        }

        var browser = ParseBrowser(key);
        var os = ParseOs(key);
        var device = ParseDevice(key);
        var parsed = new ParsedUserAgent(browser, os, device, DeviceTypes.Classify(key, os, device));
        _cache.Add(key, parsed);
        return parsed;
    }

    public BrowserInfo ParseBrowser(string? userAgent)
    {
        var ua = Cut(userAgent);
        foreach (var rule in _browserRules)
        {
            if (rule.Match(ua) is { } m)
            {
                var family = rule.Replace("family_replacement", m, 1) ?? "Other";
                return new BrowserInfo(family, rule.Replace("v1_replacement", m, 2), rule.Replace("v2_replacement", m, 3), rule.Replace("v3_replacement", m, 4));
            }
        }

        return new BrowserInfo("Other", null, null, null);
    }

    public OsInfo ParseOs(string? userAgent)
    {
        var ua = Cut(userAgent);
        foreach (var rule in _osRules)
        {
            if (rule.Match(ua) is { } m)
            {
                return new OsInfo(
                    rule.Replace("os_replacement", m, 1) ?? "Other",
                    rule.Replace("os_v1_replacement", m, 2),
                    rule.Replace("os_v2_replacement", m, 3),
                    rule.Replace("os_v3_replacement", m, 4),
                    rule.Replace("os_v4_replacement", m, 5));
            }
        }

        return new OsInfo("Other", null, null, null, null);
    }

    public DeviceInfo ParseDevice(string? userAgent)
    {
        var ua = Cut(userAgent);
        foreach (var rule in _deviceRules)
        {
            if (rule.Match(ua) is { } m)
            {
                // The brand has no default group; family and model default to the first group.
                return new DeviceInfo(
                    rule.Replace("device_replacement", m, 1) ?? "Other",
                    rule.Replace("brand_replacement", m, 0),
                    rule.Replace("model_replacement", m, 1));
            }
        }

        return new DeviceInfo("Other", null, null);
    }

    private static string Cut(string? userAgent) =>
        userAgent is null ? "" : userAgent.Length > MaxLength ? userAgent[..MaxLength] : userAgent;

    /// <summary>One entry of a <paramref name="list"/> of regexes.yaml; its regex is built on first use.
    /// <paramref name="source"/> says where it is.</summary>
    private sealed class Rule(Dictionary<string, string?> entry, RegexOptions engine, string list, string source)
    {
        private readonly string _pattern = entry.GetValueOrDefault("regex") ?? throw new InvalidDataException("A rule in regexes.yaml has no regex.");
        private readonly bool _ignoreCase = entry.GetValueOrDefault("regex_flag") == "i";
        private Regex? _regex;

        public Match? Match(string input)
        {
            // Built on first use: rules that no string has reached yet cost nothing. A pattern .NET cannot read
            // (none in the shipped file; see RulesNetCannotRead) matches nothing rather than failing every parse.
            var regex = _regex ??= TryBuild(engine) ?? NeverMatches;

            try
            {
                var m = regex.Match(input);
                return m.Success ? m : null;
            }
            catch (RegexMatchTimeoutException)
            {
                return null;
            }
        }

        public string Pattern => _pattern;

        public string Source => source;

        /// <summary>What makes two rules of one list match the same strings: the pattern and the flag.</summary>
        public string Key => $"{list} {(_ignoreCase ? "i" : "-")} {_pattern}";

        public Regex? TryBuild(RegexOptions options)
        {
            try
            {
                return new Regex(_pattern, options | RegexOptions.CultureInvariant | (_ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None), MatchTimeout);
            }
            catch (ArgumentException)
            {
                return null;
            }
        }

        /// <summary>
        /// The named replacement with <c>$1</c>..<c>$9</c> filled in (an unmatched group is empty), else the value
        /// of group <paramref name="defaultGroup"/> (0: none); trimmed, and null when empty.
        /// </summary>
        public string? Replace(string key, Match match, int defaultGroup)
        {
            string? value;
            if (entry.GetValueOrDefault(key) is { } replacement)
            {
                value = replacement.Contains('$', StringComparison.Ordinal) ? Substitute(replacement, match) : replacement;
            }
            else
            {
                value = defaultGroup > 0 && defaultGroup < match.Groups.Count ? match.Groups[defaultGroup].Value : null;
            }

            value = value?.Trim();
            return string.IsNullOrEmpty(value) ? null : value;
        }

        private static string Substitute(string replacement, Match match)
        {
            var result = new StringBuilder(replacement.Length + 16);
            for (var i = 0; i < replacement.Length; i++)
            {
                var c = replacement[i];
                if (c == '$' && i + 1 < replacement.Length && replacement[i + 1] is >= '1' and <= '9')
                {
                    var group = replacement[i + 1] - '0';
                    if (group < match.Groups.Count)
                    {
                        result.Append(match.Groups[group].Value);
                    }

                    i++;
                }
                else
                {
                    result.Append(c);
                }
            }

            return result.ToString();
        }
    }
}

/// <summary>One rules file for <see cref="UserAgentParser.FromYaml(IReadOnlyList{RuleDocument}, int, RegexOptions)"/>:
/// <paramref name="Name"/> appears in <see cref="UserAgentParser.MatchingRule"/>; a <paramref name="Complete"/> one
/// must have all three lists.</summary>
internal sealed record RuleDocument(string Name, TextReader Yaml, bool Complete);

/// <summary>
/// A cache of at most about twice <c>capacity</c> entries in two generations: entries are added to the young one;
/// when it is full it becomes the old one and the previous old one is dropped. An entry found in the old generation
/// moves to the young one, so strings in use survive and rare ones age out, like LRU without its bookkeeping.
/// </summary>
internal sealed class BoundedCache<TKey, TValue>(int capacity)
    where TKey : notnull
{
    private readonly Lock _swap = new();
    private Generation _young = new();
    private Generation _old = new();

    public bool TryGet(TKey key, out TValue value)
    {
        if (_young.Entries.TryGetValue(key, out value!))
        {
            return true;
        }

        if (_old.Entries.TryGetValue(key, out value!))
        {
            Add(key, value);
            return true;
        }

        return false;
    }

    public void Add(TKey key, TValue value)
    {
        if (capacity <= 0)
        {
            return;
        }

        var young = _young;
        // ConcurrentDictionary.Count takes every lock, so the generation counts its own additions.
        if (young.Entries.TryAdd(key, value) && Interlocked.Increment(ref young.Count) >= capacity)
        {
            lock (_swap)
            {
                if (ReferenceEquals(young, _young))
                {
                    _old = young;
                    _young = new Generation();
                }
            }
        }
    }

    private sealed class Generation
    {
        public readonly ConcurrentDictionary<TKey, TValue> Entries = new();
        public int Count;
    }
}
