using CivicDesk.Web.SiteAnalytics.Ingestion;

namespace CivicDesk.Web.Tests.SiteAnalytics;

public sealed class EventIdsTests
{
    [Fact]
    public void Event_ids_are_uuid_version_7_of_the_event_time_in_time_order_and_distinct()
    {
        var at = new DateTime(2026, 11, 29, 8, 30, 15, 123, DateTimeKind.Utc);
        var random = new Random(20261129);
        var id = EventIds.Version7(at, random);

        Assert.Equal(7, id.Version);
        Assert.Equal(0b10, id.Variant >> 2);
        // The first 48 bits are the milliseconds, exactly as the runtime's own UUIDv7 of the same instant has them.
        Assert.Equal(Guid.CreateVersion7(new DateTimeOffset(at)).ToString()[..13], id.ToString()[..13]);

        var ids = Enumerable.Range(0, 10_000).Select(i => EventIds.Version7(at.AddMilliseconds(i), random)).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(ids.Select(g => g.ToString()), ids.Select(g => g.ToString()).Order(StringComparer.Ordinal));
    }
}
