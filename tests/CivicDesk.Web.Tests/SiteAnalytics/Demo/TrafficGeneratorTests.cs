using CivicDesk.Web.SiteAnalytics.Demo;
using CivicDesk.Web.SiteAnalytics.Ingestion;

namespace CivicDesk.Web.Tests.SiteAnalytics.Demo;

/// <summary>The generator alone: what it promises about the events, before any writer sees them.</summary>
public sealed class TrafficGeneratorTests
{
    private static readonly TimeZoneInfo Vietnam = TimeZoneInfo.FindSystemTimeZoneById("Asia/Ho_Chi_Minh");
    private static readonly DateOnly FirstDay = new(2026, 9, 1);

    [Fact]
    public void The_same_seed_gives_the_same_events_and_another_seed_other_ones()
    {
        var plan = new TrafficPlan(7, "songlam.example", Vietnam, FirstDay, 14, 20_000);

        var first = new TrafficGenerator(plan).Events().ToList();
        var again = new TrafficGenerator(plan).Events().ToList();
        var other = new TrafficGenerator(plan with { Seed = plan.Seed + 1 }).Events().ToList();

        Assert.Equal(first.Select(Key), again.Select(Key));
        Assert.NotEqual(first.Select(Key).Take(100), other.Select(Key).Take(100));
    }

    [Fact]
    public void Events_come_in_order_within_the_plan_about_as_many_as_asked_for()
    {
        var until = new DateTime(2026, 9, 30, 3, 0, 0, DateTimeKind.Utc);
        var plan = new TrafficPlan(7, "songlam.example", Vietnam, FirstDay, 30, 60_000) { Until = until };

        var events = new TrafficGenerator(plan).Events().ToList();

        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Timestamp <= p.Second.Timestamp), "Events are in chronological order.");
        Assert.True(events[0].Timestamp >= new DateTime(2026, 8, 31, 17, 0, 0, DateTimeKind.Utc), "Nothing before the first local day.");
        Assert.True(events[^1].Timestamp < until, "Nothing after the plan's end.");
        // 29 whole days and 10 hours of the 30th: a little under the target.
        Assert.InRange(events.Count, 50_000, 66_000);
        Assert.Equal(events.Count, events.Select(e => e.EventId).Distinct().Count());
        Assert.All(events, e => Assert.True(e.VisitorId > 0 && e.SiteId == 7 && e.Hostname == "songlam.example" && e.Enrichment.Device is not null));
    }

    [Fact]
    public void A_visitor_id_lives_one_local_day_and_pages_look_like_a_government_portal()
    {
        var plan = new TrafficPlan(7, "songlam.example", Vietnam, FirstDay, 10, 40_000);
        var generator = new TrafficGenerator(plan);

        var events = generator.Events().ToList();

        var daysPerVisitor = events.GroupBy(e => e.VisitorId).Select(g => g.Select(e => LocalDay(e.Timestamp)).Distinct().Count());
        Assert.All(daysPerVisitor, days => Assert.Equal(1, days));
        Assert.InRange(generator.Pages.Count, 300, 500);
        Assert.Equal(generator.Pages.Count, generator.Pages.Distinct().Count());
        Assert.All(generator.Pages, p => Assert.Matches("^/[a-z0-9/-]*$", p));
        Assert.Contains(generator.Pages, p => p.StartsWith("/tin-tuc/", StringComparison.Ordinal));
        Assert.Contains(generator.Pages, p => p.StartsWith("/van-ban/", StringComparison.Ordinal));
        Assert.Contains(generator.Pages, p => p.StartsWith("/thu-tuc-hanh-chinh/", StringComparison.Ordinal));
        // Zipf: the home page is the most viewed, except on the day the article went viral.
        var viralDay = FirstDay.AddDays(generator.ViralDay);
        Assert.Equal("/", MostViewed(events.Where(e => LocalDay(e.Timestamp) != viralDay)));
        Assert.Equal(generator.ViralPage, MostViewed(events.Where(e => LocalDay(e.Timestamp) == viralDay)));
        var downloads = events.Where(e => e.Name == TrafficGenerator.FileDownload).ToList();
        Assert.NotEmpty(downloads);
        Assert.All(downloads, d => Assert.Contains("\"url\":\"https://songlam.example/uploads/", d.Props, StringComparison.Ordinal));
        Assert.Contains(events, e => e.Name == TrafficGenerator.OutboundLink);
    }

    private static (Guid, DateTime, string, long, string?, string?) Key(PendingEvent e) =>
        (e.EventId, e.Timestamp, e.Pathname, e.VisitorId, e.Enrichment.Source, e.Enrichment.Browser);

    private static string MostViewed(IEnumerable<PendingEvent> events) =>
        events.Where(e => e.IsPageview).GroupBy(e => e.Pathname).MaxBy(g => g.Count())!.Key;

    private static DateOnly LocalDay(DateTime utc) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(utc, Vietnam));
}
