using CivicDesk.Web.SiteAnalytics;
using CivicDesk.Web.SiteAnalytics.Ingestion;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>
/// A spool that refuses a write (issue 3, point 7: nothing answered is lost): the spooler keeps the events it could not
/// write, new events are refused with 503 instead of waiting in memory, and once the spool takes writes again every
/// accepted event is stored, once.
/// </summary>
public sealed class SpoolFaultTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Events_the_spool_refused_are_kept_new_ones_get_503_and_all_accepted_are_stored_once_it_takes_them()
    {
        var options = new AnalyticsOptions { BatchSize = 100, FlushInterval = TimeSpan.FromMilliseconds(200), QuietFlush = TimeSpan.FromMilliseconds(100) };
        // Segments of one byte: every write to the spool opens a new segment file.
        await using var run = await WriterRun.StartAsync(app, options, segmentBytes: 1);
        await run.SendAsync(5, oneByOne: true);
        await run.StoredAsync(5, TimeSpan.FromSeconds(10));
        // The writer done with that batch (its spool files deleted) and waiting for events again.
        var waits = run.Writer.Waits;
        await Eventually.HoldsAsync(() => run.Writer.Waits > waits, "the writer waits for events again");

        // The spool's folder goes away (an unmounted or removed disk): the next write cannot open its segment.
        var away = run.SpoolFolder + "-away";
        Directory.Move(run.SpoolFolder, away);
        Assert.True(run.TryEnqueueOne(), "an event offered before the failure is known is accepted");
        await Eventually.HoldsAsync(() => run.Queue.Paused, "the queue is paused once the spool refused the event");
        Assert.False(run.TryEnqueueOne(), "a new event is refused (503) while the spool refuses writes");
        await Task.Delay(EventWriter.SpoolRetry * 2, TestContext.Current.CancellationToken);
        Assert.Equal(5, await run.CountStoredAsync());

        // The folder comes back: the refused event is written and stored, and the queue takes events again.
        Directory.Move(away, run.SpoolFolder);
        await Eventually.HoldsAsync(() => !run.Queue.Paused, "the queue takes events once the spool does", EventWriter.SpoolRetry * 10);
        await run.SendAsync(3, oneByOne: true);
        await run.StoredAsync(9, TimeSpan.FromSeconds(10));
        Assert.Equal((9, 9), await run.CountStoredWithDistinctAsync());
    }
}
