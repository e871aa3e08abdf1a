using System.Text.Json;

namespace CivicDesk.Bench.Ingest.Tests;

/// <summary>The generated events have the shape docs/benchmarks.md describes (issue 3's "realistic events").</summary>
public sealed class WorkloadTests
{
    private const string Domain = "songlam.gov.vn";
    private static readonly EventRequest[] Events = Workload.Generate(Domain, 100_000);
    private static readonly List<Parsed> Bodies = Events.Select(Parse).ToList();

    private sealed record Parsed(string Name, Uri Url, string Domain, string? Referrer, JsonElement? Props);

    private static Parsed Parse(EventRequest e)
    {
        using var json = JsonDocument.Parse(e.Body);
        var root = json.RootElement;
        return new Parsed(
            root.GetProperty("n").GetString()!,
            new Uri(root.GetProperty("u").GetString()!),
            root.GetProperty("d").GetString()!,
            root.TryGetProperty("r", out var r) ? r.GetString() : null,
            root.TryGetProperty("p", out var p) ? p.Clone() : null);
    }

    [Fact]
    public void Every_event_is_a_Plausible_event_for_the_site()
    {
        Assert.All(Bodies, b =>
        {
            Assert.Equal(Domain, b.Domain);
            Assert.Equal(Domain, b.Url.Host);
            Assert.Equal(Uri.UriSchemeHttps, b.Url.Scheme);
        });
    }

    [Fact]
    public void Pages_are_500_with_a_few_far_more_visited_than_the_rest()
    {
        var views = Bodies.GroupBy(b => b.Url.AbsolutePath).Select(g => g.Count()).OrderDescending().ToList();
        Assert.InRange(views.Count, 490, Workload.PathCount);
        // Zipf (s = 1): the top page alone gets about 1/H(500) ≈ 15 % of events, the top ten about 43 %.
        Assert.InRange(views[0] / (double)Bodies.Count, 0.12, 0.18);
        Assert.InRange(views.Take(10).Sum() / (double)Bodies.Count, 0.38, 0.48);
    }

    [Fact]
    public void Referrers_are_50_external_sites_plus_direct_and_internal_visits()
    {
        var external = Bodies.Where(b => b.Referrer is not null && !b.Referrer.Contains(Domain, StringComparison.Ordinal)).Select(b => b.Referrer!).ToList();
        Assert.Equal(50, external.Distinct().Count());
        foreach (var expected in new[] { "google.com", "coccoc.com", "//www.facebook.com", "l.facebook.com", "zalo.me", "tiktok.com", "youtube.com" })
        {
            Assert.Contains(external, r => r.Contains(expected, StringComparison.Ordinal));
        }

        Assert.InRange(Bodies.Count(b => b.Referrer is null) / (double)Bodies.Count, 0.33, 0.37);
    }

    [Fact]
    public void About_a_tenth_carry_UTM_tags_and_about_one_in_twenty_is_a_custom_event_with_props()
    {
        Assert.InRange(Bodies.Count(b => b.Url.Query.Contains("utm_source=", StringComparison.Ordinal)) / (double)Bodies.Count, 0.09, 0.11);
        var custom = Bodies.Where(b => b.Name != "pageview").ToList();
        Assert.InRange(custom.Count / (double)Bodies.Count, 0.04, 0.06);
        Assert.All(custom, c => Assert.Equal(JsonValueKind.Object, c.Props?.ValueKind));
    }

    [Fact]
    public void Visitors_come_from_about_20_000_addresses_with_a_mix_of_browsers_and_a_few_bots()
    {
        var addresses = Events.Select(e => e.ForwardedFor).Distinct().Count();
        // 100,000 draws from 20,000 visitors leave about 20,000 × e^-5 ≈ 135 of them unseen.
        Assert.InRange(addresses, 19_700, Workload.VisitorCount);
        Assert.All(Events, e => Assert.True(System.Net.IPAddress.TryParse(e.ForwardedFor, out _), e.ForwardedFor));
        Assert.InRange(Events.Count(e => e.FromBot) / (double)Events.Length, 0.02, 0.04);
        var agents = Events.Select(e => e.UserAgent).ToList();
        foreach (var marker in new[] { "coc_coc_browser", "Zalo", "Firefox/", "Edg/", "iPhone", "Android", "Windows NT", "Googlebot" })
        {
            Assert.Contains(agents, a => a.Contains(marker, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_events_so_every_target_gets_the_same_load()
    {
        var again = Workload.Generate(Domain, 1_000);
        Assert.All(Enumerable.Range(0, again.Length), i => Assert.Equal(Events[i].Body, again[i].Body));
    }
}
