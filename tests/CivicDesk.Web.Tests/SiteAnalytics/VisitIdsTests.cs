using CivicDesk.Web.SiteAnalytics.Ingestion;

namespace CivicDesk.Web.Tests.SiteAnalytics;

public sealed class VisitIdsTests
{
    [Fact]
    public void Visit_ids_are_positive_distinct_and_in_the_order_visits_begin_even_within_one_millisecond_or_when_the_clock_steps_back()
    {
        var time = new Clock { Now = new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero) };
        var ids = new VisitIds(time);
        var drawn = new List<long>();
        for (var i = 0; i < 5_000; i++)
        {
            drawn.Add(ids.Next());
            if (i % 100 == 0)
            {
                time.Now = time.Now.AddMilliseconds(1);
            }
        }

        // A clock set back (NTP) must not repeat ids drawn before.
        time.Now = time.Now.AddMinutes(-5);
        drawn.AddRange(Enumerable.Range(0, 100).Select(_ => ids.Next()));

        Assert.All(drawn, id => Assert.True(id > 0));
        Assert.Equal(drawn, drawn.Order());
        Assert.Equal(drawn.Count, drawn.Distinct().Count());

        // Later visits get larger ids than earlier ones drawn by another node (time in the high bits).
        var later = new VisitIds(new Clock { Now = time.Now.AddMinutes(10) }).Next();
        Assert.True(later > drawn.Max());
    }

    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
