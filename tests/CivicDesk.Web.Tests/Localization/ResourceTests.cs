using System.Text.RegularExpressions;
using System.Xml.Linq;
using CivicDesk.Web.Audit;
using CivicDesk.Web.Channels;
using CivicDesk.Web.Permissions;

namespace CivicDesk.Web.Tests.Localization;

/// <summary>
/// Nothing is left untranslated: both resource files hold the same keys, none empty, and every key the code asks
/// for exists. Keys built at run time (platforms, roles, audit actions, fields, problems) are checked from their
/// sources of truth.
/// </summary>
public sealed partial class ResourceTests
{
    private static readonly string SourceRoot = FindSourceRoot();

    private static Dictionary<string, string> Load(string culture) =>
        XDocument.Load(Path.Combine(SourceRoot, "Localization", $"SharedResource.{culture}.resx"))
            .Root!.Elements("data")
            .ToDictionary(d => d.Attribute("name")!.Value, d => d.Element("value")!.Value);

    [Fact]
    public void Vietnamese_and_English_have_the_same_keys_and_no_empty_text()
    {
        var vi = Load("vi");
        var en = Load("en");

        Assert.Empty(vi.Keys.Except(en.Keys));
        Assert.Empty(en.Keys.Except(vi.Keys));
        Assert.DoesNotContain(vi, p => string.IsNullOrWhiteSpace(p.Value));
        Assert.DoesNotContain(en, p => string.IsNullOrWhiteSpace(p.Value));
    }

    [Fact]
    public void Placeholders_match_between_the_two_languages()
    {
        var vi = Load("vi");
        var en = Load("en");

        var mismatched = vi.Keys
            .Where(k => !Placeholders(vi[k]).SetEquals(Placeholders(en[k])))
            .ToList();

        Assert.Empty(mismatched);
    }

    [Fact]
    public void English_text_has_no_Vietnamese_letters_except_the_language_switch()
    {
        var en = Load("en");

        var leaking = en.Where(p => p.Key != "Layout.OtherLanguage" && VietnameseLetters().IsMatch(p.Value)).Select(p => p.Key).ToList();

        Assert.Empty(leaking);
    }

    [Fact]
    public void Every_key_the_code_uses_exists()
    {
        var vi = Load("vi");
        var used = Directory.EnumerateFiles(SourceRoot, "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".cshtml", StringComparison.Ordinal))
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => LiteralKey().Matches(File.ReadAllText(f)).Select(m => m.Groups["key"].Value))
            .Where(k => !k.EndsWith('.'))
            .Distinct()
            .ToList();

        var missing = used.Where(k => !vi.ContainsKey(k)).ToList();

        Assert.NotEmpty(used);
        Assert.Empty(missing);
    }

    [Fact]
    public void Keys_built_at_run_time_exist()
    {
        var vi = Load("vi");
        var expected = Enum.GetValues<Platform>().Select(p => "Platform." + p.Code())
            .Concat(Enum.GetValues<Role>().Select(r => "Role." + r))
            .Concat(AuditActions.All.Select(a => "Audit." + a))
            .Concat(new[] { 400, 403, 404, 500 }.SelectMany(c => new[] { $"Error.{c}.Title", $"Error.{c}.Text" }))
            .Concat(new[] { 400, 401, 403, 404, 409, 413, 415, 500 }.Select(c => $"Problem.{c}"))
            .Concat(["Field.name", "Field.parentId", "Field.url", "Field.unitId", "Field.displayName", "Field.email", "Field.password", "Field.role", "Field.platform"]);

        var missing = expected.Where(k => !vi.ContainsKey(k)).ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void Every_channel_address_error_has_a_message()
    {
        var vi = Load("vi");
        var parserSource = File.ReadAllText(Path.Combine(SourceRoot, "Channels", "ChannelAddress.cs"));

        var keys = ErrorKey().Matches(parserSource).Select(m => m.Groups["key"].Value).Distinct().ToList();

        var missing = keys.Where(k => !vi.ContainsKey(k)).ToList();

        Assert.True(keys.Count >= 10, $"Expected the parser's error keys, found {keys.Count}");
        Assert.Empty(missing);
    }

    private static HashSet<string> Placeholders(string text) =>
        PlaceholderPattern().Matches(text).Select(m => m.Value).ToHashSet();

    private static string FindSourceRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CivicDesk.slnx")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Repository root not found."), "src", "CivicDesk.Web");
    }

    [GeneratedRegex(@"\b(?:L|text)\[""(?<key>[A-Za-z0-9_.]+)""")]
    private static partial Regex LiteralKey();

    [GeneratedRegex(@"Error\(""(?<key>Channel\.Url\.[A-Za-z]+)""\)")]
    private static partial Regex ErrorKey();

    [GeneratedRegex(@"\{\w+\}")]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex("[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")]
    private static partial Regex VietnameseLetters();
}
