using CivicDesk.Web.SiteAnalytics.Ingestion;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>The spool file on its own: a large write reads back whole, in order, at the offsets it returned, and a
/// record cut short by a crash is cut off when the spool opens.</summary>
public sealed class SpoolTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"civicdesk-spool-unit-{Guid.NewGuid():N}");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_large_write_reads_back_whole_and_in_order_at_the_offsets_it_returned()
    {
        // About 1 KB a record: 300 of them are several of the 64 KiB parts an append is handed over in, the last one partly full.
        var events = Enumerable.Range(0, 300).Select(Event).ToList();
        using var spool = new Spool(_folder, 64L * 1024 * 1024);

        var (start, end, ends) = spool.Append(events);

        Assert.Equal(new SpoolPosition(1, 0), start);
        Assert.Equal(end, spool.End);
        Assert.Equal(new FileInfo(Path.Combine(_folder, "0000000001.spool")).Length, end.Offset);
        Assert.Equal(end.Offset, ends[^1]);
        Assert.True(end.Offset > 256 * 1024, $"the write is large ({end.Offset} bytes)");
        var (read, next) = spool.Read(start, 1000);
        Assert.Equal(end, next);
        Assert.Equal(events, read);

        // Each returned offset is where the next record begins: reading from it gives exactly the rest.
        var (rest, _) = spool.Read(new SpoolPosition(1, ends[149]), 1000);
        Assert.Equal(events.Skip(150), rest);
    }

    [Fact]
    public void Writes_after_the_first_continue_the_file_and_a_record_cut_short_by_a_crash_is_cut_off_on_open()
    {
        var first = Enumerable.Range(0, 80).Select(Event).ToList();
        var second = Enumerable.Range(80, 5).Select(Event).ToList();
        SpoolPosition afterFirst;
        using (var spool = new Spool(_folder, 64L * 1024 * 1024))
        {
            afterFirst = spool.Append(first).End;
            var (start, _, _) = spool.Append(second);
            Assert.Equal(afterFirst, start);
        }

        // A kill in the middle of the second write: its last record lost its last 10 bytes.
        var path = Path.Combine(_folder, "0000000001.spool");
        using (var file = new FileStream(path, FileMode.Open))
        {
            file.SetLength(file.Length - 10);
        }

        using (var reopened = new Spool(_folder, 64L * 1024 * 1024))
        {
            var (read, next) = reopened.Read(new SpoolPosition(1, 0), 1000);
            Assert.Equal(first.Concat(second.Take(4)), read);
            Assert.Equal(reopened.End, next);

            // The next write begins where the last whole record ended.
            var third = Event(85);
            reopened.Append([third]);
            Assert.Equal(third, reopened.Read(next, 10).Events.Single());
        }
    }

    [Fact]
    public void A_new_segment_that_cannot_be_opened_leaves_the_spool_as_it_was_and_the_same_write_goes_through_later()
    {
        var first = Enumerable.Range(0, 3).Select(Event).ToList();
        var second = Enumerable.Range(3, 2).Select(Event).ToList();
        // One-byte segments: every write after the first opens the next segment file.
        using var spool = new Spool(_folder, 1);
        var afterFirst = spool.Append(first).End;

        // The folder is gone (an unmounted disk): the next segment cannot be created, and nothing changes.
        Directory.Move(_folder, _folder + "-away");
        Assert.ThrowsAny<IOException>(() => spool.Append(second));
        Assert.Equal(afterFirst, spool.End);

        // Back again: the same write goes to segment 2, not 3, and the spool reads back whole across both.
        Directory.Move(_folder + "-away", _folder);
        var (start, end, _) = spool.Append(second);
        Assert.Equal(new SpoolPosition(2, 0), start);
        Assert.Equal(end, spool.End);
        var (read, next) = spool.Read(new SpoolPosition(1, 0), 100);
        Assert.Equal(first.Concat(second), read);
        Assert.Equal(end, next);
    }

    private static PendingEvent Event(int i) => new()
    {
        EventId = Guid.CreateVersion7(),
        SiteId = 7,
        Timestamp = new DateTime(2026, 12, 5, 8, 0, 0, DateTimeKind.Utc).AddSeconds(i),
        Name = i % 10 == 0 ? "Tải tài liệu" : "pageview",
        Hostname = "so-tttt.gov.vn",
        Pathname = $"/tin-tuc/bai-{i}",
        VisitorId = 1_000_000 + i,
        PreviousVisitorId = i,
        Enrichment = new EventEnrichment { Browser = "Chrome", Country = "VN", Source = "Zalo", Device = "Mobile" },
        Props = $"{{\"chuyên_mục\":\"{new string('x', 800)}\",\"số\":\"{i}\"}}",
    };
}
