using CivicDesk.Web.SiteAnalytics.Enrichment;
using CivicDesk.Web.Tests.Infrastructure;
using YamlDotNet.Serialization;

namespace CivicDesk.Web.Tests.SiteAnalytics.Enrichment;

/// <summary>
/// The data packages the build copies next to the tests (data-packages/…), parsers loaded once for all tests, and
/// uap-core's peer test suites from shared/fixtures/uap-core, found by walking up from the repository.
/// </summary>
internal static class EnrichmentData
{
    public static string DataDirectory => Path.Combine(AppContext.BaseDirectory, "data-packages");

    public static string RegexesYaml => Path.Combine(DataDirectory, "uap-core", "regexes.yaml");

    public static string CrawlerJson => Path.Combine(DataDirectory, "crawler-user-agents", "crawler-user-agents.json");

    public static string CountryMmdb => Path.Combine(DataDirectory, "dbip-country", "dbip-country.mmdb");

    private static readonly Lazy<UserAgentParser> LazyParser = new(() => UserAgentParser.Load(RegexesYaml));

    private static readonly Lazy<UserAgentParser> LazyPackageOnlyParser = new(() => UserAgentParser.Load(RegexesYaml, withSupplement: false));

    private static readonly Lazy<BotDetector> LazyBots = new(() => BotDetector.Load(CrawlerJson));

    /// <summary>The shipped rules: the embedded supplement, then the package's regexes.yaml.</summary>
    public static UserAgentParser Parser => LazyParser.Value;

    /// <summary>The package's regexes.yaml alone, to show what the supplement adds.</summary>
    public static UserAgentParser PackageOnlyParser => LazyPackageOnlyParser.Value;

    public static BotDetector Bots => LazyBots.Value;

    /// <summary>The folder of uap-core's test cases, or null (the test then calls TestEnvironment.Unavailable).</summary>
    public static string? UapCoreFixtures()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures", "uap-core");
            if (File.Exists(Path.Combine(candidate, "test_ua.yaml")))
            {
                return candidate;
            }
        }

        return null;
    }

    public static List<Dictionary<string, string?>> UapCoreCases(string file)
    {
        var folder = UapCoreFixtures();
        if (folder is null)
        {
            TestEnvironment.Unavailable("uap-core's test cases (shared/fixtures/uap-core) were not found above the repository");
            return [];
        }

        using var reader = File.OpenText(Path.Combine(folder, file));
        var document = new DeserializerBuilder().Build().Deserialize<Dictionary<string, List<Dictionary<string, string?>>>>(reader);
        return document["test_cases"];
    }

    /// <summary>Writes <paramref name="lines"/> to a file in the test output folder and returns its path.</summary>
    public static string WriteReport(string name, IEnumerable<string> lines)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "enrichment-reports");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        File.WriteAllLines(path, lines);
        return path;
    }
}
