using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using CivicDesk.Web.SiteAnalytics.Enrichment;
using YamlDotNet.Serialization;

namespace CivicDesk.Web.Tests.SiteAnalytics.Enrichment;

/// <summary>
/// uap-core's own test cases must reach the issue's targets; every remaining failure is printed with what differs and
/// the rule that answered, and also written to enrichment-reports/ in the test output.
/// </summary>
/// <remarks>
/// The issue's targets are 99% (browser), 99% (OS) and 98% (device). The test cases in shared/ come from a uap-core
/// commit newer than its newest npm release (0.18.0, the regexes.yaml the build fetches); the rules added upstream
/// since then ship in Enrichment/regexes.supplement.yaml, tried before the package's (docs/adr/0007). The figures of
/// the package alone are printed beside them, to show what the supplement adds and when npm has caught up.
/// </remarks>
public sealed class UserAgentParserTests(ITestOutputHelper output)
{
    [Fact]
    public void Browsers_of_uap_cores_test_cases_are_at_least_99_percent_right()
    {
        var score = Score(UapRuleList.Browser, "test_ua.yaml", ["family", "major", "minor", "patch"], (parser, ua) =>
        {
            var b = parser.ParseBrowser(ua);
            return [b.Family, b.Major, b.Minor, b.Patch];
        });
        Assert.True(score >= 0.99, $"browser {score:P2}");
    }

    [Fact]
    public void Operating_systems_of_uap_cores_test_cases_are_at_least_99_percent_right()
    {
        var score = Score(UapRuleList.Os, "test_os.yaml", ["family", "major", "minor", "patch", "patch_minor"], (parser, ua) =>
        {
            var o = parser.ParseOs(ua);
            return [o.Family, o.Major, o.Minor, o.Patch, o.PatchMinor];
        });
        Assert.True(score >= 0.99, $"os {score:P2}");
    }

    [Fact]
    public void Devices_of_uap_cores_test_cases_are_at_least_98_percent_right()
    {
        var score = Score(UapRuleList.Device, "test_device.yaml", ["family", "brand", "model"], (parser, ua) =>
        {
            var d = parser.ParseDevice(ua);
            return [d.Family, d.Brand, d.Model];
        });
        Assert.True(score >= 0.98, $"device {score:P2}");
    }

    [Fact]
    public void Supplement_rules_are_tried_before_the_packages()
    {
        var parser = UserAgentParser.FromYaml(
        [
            new RuleDocument("supplement", new StringReader("""
                user_agent_parsers:
                  - regex: '(NewBrowser)/(\d+)'
                os_parsers:
                  - regex: 'Darwin/(23)'
                    os_replacement: 'iOS'
                    os_v1_replacement: '17'
                """), Complete: false),
            new RuleDocument("package", new StringReader("""
                user_agent_parsers:
                  - regex: '(Chrome)/(\d+)'
                os_parsers:
                  - regex: '(Darwin)/(\d+)'
                device_parsers:
                  - regex: '(Pixel \d)'
                """), Complete: true),
        ]);

        Assert.Equal(new BrowserInfo("NewBrowser", "3", null, null), parser.ParseBrowser("Chrome/120 NewBrowser/3"));
        Assert.Equal(new BrowserInfo("Chrome", "120", null, null), parser.ParseBrowser("Chrome/120"));
        Assert.Equal(new OsInfo("iOS", "17", null, null, null), parser.ParseOs("CFNetwork Darwin/23"));
        Assert.Equal(new OsInfo("Darwin", "22", null, null, null), parser.ParseOs("CFNetwork Darwin/22"));
        Assert.Equal("Pixel 7", parser.ParseDevice("Android 14; Pixel 7").Family);
        Assert.Equal("supplement user_agent_parsers[0] '(NewBrowser)/(\\d+)'", parser.MatchingRule(UapRuleList.Browser, "NewBrowser/3"));
        Assert.Equal("package os_parsers[0] '(Darwin)/(\\d+)'", parser.MatchingRule(UapRuleList.Os, "Darwin/22"));
        Assert.Null(parser.MatchingRule(UapRuleList.Device, "nothing"));
    }

    [Fact]
    public void A_package_rule_with_an_earlier_twin_is_left_out_and_the_twin_answers_first()
    {
        var parser = UserAgentParser.FromYaml(
        [
            new RuleDocument("supplement", new StringReader("""
                user_agent_parsers:
                  - regex: '(Nutch)-(\d+)'
                  - regex: '(Spider)'
                    regex_flag: 'i'
                """), Complete: false),
            new RuleDocument("package", new StringReader("""
                user_agent_parsers:
                  - regex: '(Crawler)/(\d+)'
                  - regex: '(Nutch)-(\d+)'
                    family_replacement: 'Never reached'
                  - regex: '(Spider)'
                os_parsers:
                  - regex: '(Nutch)-(\d+)'
                device_parsers: []
                """), Complete: true),
        ]);

        // The package's '(Nutch)-(\d+)' is dropped; '(Spider)' differs by its flag and the OS rule by its list.
        Assert.Equal(5, parser.RuleCount);
        Assert.Equal(new BrowserInfo("Nutch", "2", null, null), parser.ParseBrowser("Crawler/1 Nutch-2"));
        Assert.Equal(new OsInfo("Nutch", "2", null, null, null), parser.ParseOs("Nutch-2"));
    }

    [Fact]
    public void A_package_rule_an_earlier_document_lists_as_superseded_is_left_out()
    {
        var parser = UserAgentParser.FromYaml(
        [
            new RuleDocument("supplement", new StringReader("""
                user_agent_parsers:
                  - regex: '(Vivaldi)/(\d+)(?:\.(\d+)|)'
                superseded_user_agent_parsers:
                  - regex: '(Vivaldi)/(\d+)\.(\d+)\.(\d+)'
                superseded_device_parsers:
                  - regex: '(Spider)'
                    regex_flag: 'i'
                """), Complete: false),
            new RuleDocument("package", new StringReader("""
                user_agent_parsers:
                  - regex: '(Vivaldi)/(\d+)\.(\d+)\.(\d+)'
                os_parsers: []
                device_parsers:
                  - regex: '(Spider)'
                  - regex: '(Spider)'
                    regex_flag: 'i'
                """), Complete: true),
        ]);

        Assert.Equal(["(Vivaldi)/(\\d+)(?:\\.(\\d+)|)"], parser.Patterns(UapRuleList.Browser));
        Assert.Equal(["(Spider)"], parser.Patterns(UapRuleList.Device));
        Assert.Equal("Spider", parser.ParseDevice("Spider").Family);
        Assert.Equal("Other", parser.ParseDevice("spider").Family);
    }

    [Fact]
    public void The_rules_the_supplement_supersedes_are_the_packages_and_unreachable_behind_their_replacements()
    {
        using var reader = UserAgentParser.OpenSupplement();
        var supplement = new DeserializerBuilder().Build().Deserialize<Dictionary<string, List<Dictionary<string, string?>>?>>(reader);
        var strings = new[] { "test_ua.yaml", "test_os.yaml", "test_device.yaml" }
            .SelectMany(EnrichmentData.UapCoreCases).Select(c => c["user_agent_string"] ?? "").Distinct(StringComparer.Ordinal).ToList();
        var checkedRules = 0;
        foreach (var (list, key) in new[] { (UapRuleList.Browser, "user_agent_parsers"), (UapRuleList.Os, "os_parsers"), (UapRuleList.Device, "device_parsers") })
        {
            foreach (var rule in supplement.GetValueOrDefault("superseded_" + key) ?? [])
            {
                var pattern = rule["regex"] ?? "";
                Assert.Contains(pattern, EnrichmentData.PackageOnlyParser.Patterns(list));
                Assert.DoesNotContain(pattern, EnrichmentData.Parser.Patterns(list));
                var old = new Regex(pattern, RegexOptions.CultureInvariant | (rule.GetValueOrDefault("regex_flag") == "i" ? RegexOptions.IgnoreCase : RegexOptions.None));
                var answeredElsewhere = strings.Where(ua => old.IsMatch(ua))
                    .Select(ua => (ua, rule: EnrichmentData.Parser.MatchingRule(list, ua)))
                    .Where(x => x.rule?.StartsWith("regexes.supplement.yaml ", StringComparison.Ordinal) != true)
                    .ToList();
                Assert.True(answeredElsewhere.Count == 0, $"{pattern} matches {answeredElsewhere.FirstOrDefault().ua}, which {answeredElsewhere.FirstOrDefault().rule} answers");
                checkedRules++;
            }
        }

        Assert.True(checkedRules > 0);
    }

    [Fact]
    public void A_complete_rules_file_must_have_all_three_lists()
    {
        var e = Assert.Throws<InvalidDataException>(() => UserAgentParser.FromYaml(new StringReader("user_agent_parsers: []\nos_parsers: []\n")));
        Assert.Contains("device_parsers", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_embedded_supplement_names_its_upstream_source_and_licence_and_only_adds_rules_net_can_read()
    {
        string header;
        using (var reader = UserAgentParser.OpenSupplement())
        {
            header = string.Concat(Enumerable.Range(0, 12).Select(_ => reader.ReadLine() + "\n"));
        }

        Assert.Contains("github.com/ua-parser/uap-core", header, StringComparison.Ordinal);
        Assert.Matches("commit [0-9a-f]{40}", header);
        Assert.Contains("Apache-2.0", header, StringComparison.Ordinal);

        using var supplement = UserAgentParser.OpenSupplement();
        var parser = UserAgentParser.FromYaml([new RuleDocument("supplement", supplement, Complete: false)]);
        Assert.InRange(parser.RuleCount, 1, 200);
        Assert.Empty(parser.RulesNetCannotRead());
        Assert.True(EnrichmentData.Parser.RuleCount > EnrichmentData.PackageOnlyParser.RuleCount);
    }

    [Fact]
    public void Replacements_fill_groups_and_defaults_and_trim()
    {
        var parser = UserAgentParser.FromYaml(new StringReader("""
            user_agent_parsers:
              - regex: '(Minefield)/(\d+)\.(\d+)\.(\d+(?:pre)?)'
                family_replacement: 'Firefox ($1)'
              - regex: 'Plain/(\d+)'
                family_replacement: 'Plain'
            os_parsers:
              - regex: 'Win(95|98|NT)'
                os_replacement: 'Windows $1'
              - regex: 'Fixed(\d+)'
                os_replacement: 'Fixed OS'
                os_v1_replacement: '7'
            device_parsers:
              - regex: '; *(PEDI)_(PLUS)_(W) Build'
                device_replacement: 'Odys $1 $2 $3'
                brand_replacement: 'Odys'
                model_replacement: '$1 $2 $3'
              - regex: 'feature ?phone'
                regex_flag: 'i'
                device_replacement: 'Generic Feature Phone'
                brand_replacement: 'Generic'
                model_replacement: ' $1 '
            """));

        Assert.Equal(new BrowserInfo("Firefox (Minefield)", "4", "0", "1pre"), parser.ParseBrowser("Mozilla/5.0 Gecko/20100727 Minefield/4.0.1pre"));
        // With a family_replacement the versions still come from groups 2, 3, 4 (uap-core's reference parsers do the same).
        Assert.Equal(new BrowserInfo("Plain", null, null, null), parser.ParseBrowser("Plain/12"));
        Assert.Equal(new BrowserInfo("Other", null, null, null), parser.ParseBrowser("nothing here"));
        Assert.Equal(new OsInfo("Windows 95", null, null, null, null), parser.ParseOs("(Windows; U; Win95; en-US)"));
        Assert.Equal(new OsInfo("Fixed OS", "7", null, null, null), parser.ParseOs("Fixed3"));
        Assert.Equal(new DeviceInfo("Odys PEDI PLUS W", "Odys", "PEDI PLUS W"), parser.ParseDevice("(Linux; U; Android 4.2.2; de-de; PEDI_PLUS_W Build/JDQ39)"));
        Assert.Equal(new DeviceInfo("Generic Feature Phone", "Generic", null), parser.ParseDevice("Some FEATUREPHONE thing"));
        Assert.Equal(new DeviceInfo("Other", null, null), parser.ParseDevice("feature-less"));
    }

    [Theory]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", DeviceType.Desktop)]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", DeviceType.Desktop)]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", DeviceType.Desktop)]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", DeviceType.Mobile)]
    [InlineData("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", DeviceType.Mobile)]
    [InlineData("Mozilla/5.0 (Linux; Android 13; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) coc_coc_browser/118.0.0 Chrome/112.0.0.0 Mobile Safari/537.36", DeviceType.Mobile)]
    [InlineData("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", DeviceType.Tablet)]
    [InlineData("Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", DeviceType.Tablet)]
    [InlineData("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", DeviceType.Bot)]
    [InlineData("Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36", DeviceType.Other)]
    [InlineData("", DeviceType.Other)]
    public void Device_type_follows_device_and_os(string userAgent, DeviceType expected) =>
        Assert.Equal(expected, EnrichmentData.Parser.Parse(userAgent).DeviceType);

    [Fact]
    public void Every_shipped_rule_is_a_regex_net_can_read()
    {
        Assert.True(EnrichmentData.Parser.RuleCount > 1_000);
        Assert.Empty(EnrichmentData.Parser.RulesNetCannotRead());
    }

    [Fact]
    public void A_rule_net_cannot_read_matches_nothing_instead_of_failing()
    {
        var parser = UserAgentParser.FromYaml(new StringReader("""
            user_agent_parsers:
              - regex: '(Broken'
              - regex: '(Fine)/(\d+)'
            os_parsers: []
            device_parsers: []
            """));
        Assert.Single(parser.RulesNetCannotRead());
        Assert.Equal(new BrowserInfo("Fine", "2", null, null), parser.ParseBrowser("Broken Fine/2"));
    }

    [Fact]
    public void Coc_coc_is_recognised()
    {
        var parsed = EnrichmentData.Parser.Parse("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) coc_coc_browser/124.0.226 Chrome/118.0.5993.226 Safari/537.36");
        Assert.Equal("Coc Coc", parsed.Browser.Family);
        Assert.Equal("Windows", parsed.Os.Family);
    }

    [Fact]
    public void Parse_results_are_cached_by_the_whole_string()
    {
        const string ua = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
        Assert.Same(EnrichmentData.Parser.Parse(ua), EnrichmentData.Parser.Parse(ua));
    }

    [Fact]
    public void Supplement_cost_is_printed_not_asserted()
    {
        // Both parsers uncached and warmed up, then timed in alternating rounds, so that a machine busy with other work
        // weighs on both alike.
        var cases = EnrichmentData.UapCoreCases("test_ua.yaml").Select(c => c["user_agent_string"] ?? "").ToArray();
        UserAgentParser[] parsers =
        [
            UserAgentParser.Load(EnrichmentData.RegexesYaml, cacheSize: 0, withSupplement: false),
            UserAgentParser.Load(EnrichmentData.RegexesYaml, cacheSize: 0),
        ];
        var elapsed = new TimeSpan[parsers.Length];
        for (var round = 0; round < 8; round++)
        {
            for (var p = 0; p < parsers.Length; p++)
            {
                var watch = Stopwatch.StartNew();
                foreach (var ua in cases)
                {
                    parsers[p].Parse(ua);
                }

                if (round >= 2)
                {
                    elapsed[p] += watch.Elapsed;
                }
            }
        }

        var perString = elapsed.Select(e => e.TotalMicroseconds / (6 * cases.Length)).ToArray();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"uncached parse (browser+os+device, {cases.Length} strings of test_ua.yaml, {(UserAgentParser.DefaultEngine == RegexOptions.Compiled ? "compiled" : "interpreted")}, after warm-up): package alone ({parsers[0].RuleCount} rules) "
            + $"{perString[0]:F0} µs a string, with the supplement ({parsers[1].RuleCount} rules) {perString[1]:F0} µs a string ({perString[1] / perString[0] - 1:+0%;-0%})"));
    }

    [Theory]
    [InlineData(RegexOptions.None)]
    [InlineData(RegexOptions.Compiled)]
    public void Throughput_is_printed_not_asserted(RegexOptions engine)
    {
        var cases = EnrichmentData.UapCoreCases("test_ua.yaml").Select(c => c["user_agent_string"] ?? "").ToArray();
        var watch = Stopwatch.StartNew();
        var fresh = UserAgentParser.Load(EnrichmentData.RegexesYaml, cacheSize: 0, engine);
        var load = watch.Elapsed;
        watch.Restart();
        foreach (var ua in cases)
        {
            fresh.Parse(ua);
        }

        var cold = watch.Elapsed;
        for (var round = 0; round < 4; round++)
        {
            // Warm-up, so that the steady state is measured after every reached rule is built.
            foreach (var ua in cases)
            {
                fresh.Parse(ua);
            }
        }

        watch.Restart();
        for (var round = 0; round < 3; round++)
        {
            foreach (var ua in cases)
            {
                fresh.Parse(ua);
            }
        }

        var uncached = watch.Elapsed / 3;
        var cached = UserAgentParser.Load(EnrichmentData.RegexesYaml, engine: engine);
        foreach (var ua in cases)
        {
            cached.Parse(ua);
        }

        watch.Restart();
        for (var round = 0; round < 10; round++)
        {
            foreach (var ua in cases)
            {
                cached.Parse(ua);
            }
        }

        var hits = watch.Elapsed;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{engine} ({fresh.RuleCount} rules): load {load.TotalMilliseconds:F0} ms; {cases.Length} distinct UAs (test_ua.yaml), browser+os+device: first pass (regexes built) "
            + $"{cases.Length / cold.TotalSeconds:F0}/s, uncached after warm-up {cases.Length / uncached.TotalSeconds:F0}/s "
            + $"({uncached.TotalMicroseconds / cases.Length:F0} µs a string), cache hits {cases.Length * 10 / hits.TotalSeconds:F0}/s"));
    }

    /// <summary>
    /// The share of <paramref name="file"/>'s cases whose <paramref name="fields"/> all equal the parse; prints and
    /// writes every failure with what differs and the rule that answered, and prints the package's figure without the
    /// supplement beside it.
    /// </summary>
    private double Score(UapRuleList list, string file, string[] fields, Func<UserAgentParser, string, string?[]> parse)
    {
        var cases = EnrichmentData.UapCoreCases(file);
        if (cases.Count == 0)
        {
            return 1;
        }

        List<string> Failures(UserAgentParser parser) =>
        [
            .. from testCase in cases
               let ua = testCase["user_agent_string"] ?? ""
               let expected = fields.Select(f => Normalise(testCase.GetValueOrDefault(f))).ToArray()
               let actual = parse(parser, ua).Select(Normalise).ToArray()
               where !expected.SequenceEqual(actual)
               select $"{ua}\n    " + string.Join("; ", fields.Select((f, i) => (f, i)).Where(x => expected[x.i] != actual[x.i])
                   .Select(x => $"{x.f}: expected '{expected[x.i]}' got '{actual[x.i]}'"))
                 + $"\n    rule: {parser.MatchingRule(list, ua) ?? "none matched"}",
        ];

        var failures = Failures(EnrichmentData.Parser);
        var packageOnly = Failures(EnrichmentData.PackageOnlyParser).Count;
        var score = 1 - ((double)failures.Count / cases.Count);
        var target = list == UapRuleList.Device ? 0.98 : 0.99;
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{list} ({file}): {cases.Count - failures.Count}/{cases.Count} = {score:P2} against the issue's target {target:P0}: "
            + $"{(score >= target ? "met" : "NOT met")}. uap-core 0.18.0's regexes.yaml alone: {cases.Count - packageOnly}/{cases.Count} "
            + $"= {1 - ((double)packageOnly / cases.Count):P2}.");
        var path = EnrichmentData.WriteReport($"uap-core-{list.ToString().ToLowerInvariant()}-failures.txt",
            [summary, "Each failure: the user agent, what differs, and the rule that answered (file, list, index, pattern).", "", .. failures]);
        output.WriteLine(summary);
        output.WriteLine($"{failures.Count} failures (also in {path}):");
        foreach (var failure in failures)
        {
            output.WriteLine(failure);
        }

        return score;
    }

    private static string? Normalise(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
