using CivicDesk.Web.SiteAnalytics;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>
/// The writer stores in batches (issue 3, point 6): events that trickle in wait for a whole batch, for a quiet moment
/// or for the flush interval, whichever comes first, instead of costing a transaction each.
/// </summary>
public sealed class WriterBatchingTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task Trickling_events_wait_for_the_interval_and_a_whole_batch_goes_at_once()
    {
        // Events that keep coming never leave the writer a quiet moment here, so only the interval or a whole batch
        // makes it store them.
        await using var run = await WriterRun.StartAsync(app, new AnalyticsOptions { BatchSize = 100, FlushInterval = Interval, QuietFlush = Interval * 10 });
        var started = TimeProvider.System.GetTimestamp();
        await run.SendAsync(30, oneByOne: true);
        // Thirty events in thirty spool writes: nothing is stored until the interval has passed...
        Assert.True(TimeProvider.System.GetElapsedTime(started) < Interval / 2, "the events were sent well within the interval");
        Assert.Equal(0, run.Writer.BatchesStored);

        // ...and then all of them in one transaction.
        await run.StoredAsync(30, Interval * 3);
        Assert.True(TimeProvider.System.GetElapsedTime(started) >= Interval * 0.9, "they waited for the interval");
        await run.AssertBatchesStoredAsync(1);

        // A whole batch does not wait for the interval.
        var whole = TimeProvider.System.GetTimestamp();
        await run.SendAsync(100, oneByOne: false);
        await run.StoredAsync(130, Interval * 3);
        Assert.True(TimeProvider.System.GetElapsedTime(whole) < Interval * 0.9, "the whole batch did not wait for the interval");
        await run.AssertBatchesStoredAsync(2);
    }

    [Fact]
    public async Task Events_are_stored_once_they_stop_coming_without_waiting_for_the_interval()
    {
        var quiet = TimeSpan.FromSeconds(1);
        var interval = TimeSpan.FromSeconds(30);
        await using var run = await WriterRun.StartAsync(app, new AnalyticsOptions { BatchSize = 100, FlushInterval = interval, QuietFlush = quiet });

        // A burst's events, each spooled on its own a few milliseconds apart: one transaction once they stop.
        await run.SendAsync(30, oneByOne: true);
        var last = TimeProvider.System.GetTimestamp();
        await run.StoredAsync(30, interval / 2);
        var waited = TimeProvider.System.GetElapsedTime(last);
        Assert.True(waited < interval / 3, $"stored {waited} after the last event, not at the interval");
        Assert.True(waited >= quiet * 0.8, $"stored {waited} after the last event: the writer waited for quiet");
        await run.AssertBatchesStoredAsync(1);

        // A single event on a quiet site: stored within about twice the quiet time.
        await Task.Delay(quiet * 2, TestContext.Current.CancellationToken);
        var alone = TimeProvider.System.GetTimestamp();
        await run.SendAsync(1, oneByOne: true);
        await run.StoredAsync(31, interval / 2);
        Assert.True(TimeProvider.System.GetElapsedTime(alone) < interval / 3, "the single event did not wait for the interval");
        await run.AssertBatchesStoredAsync(2);
    }

    [Fact]
    public async Task Steady_traffic_is_stored_at_the_interval_not_event_by_event()
    {
        var quiet = TimeSpan.FromSeconds(2);
        await using var run = await WriterRun.StartAsync(app, new AnalyticsOptions { BatchSize = 1_000, FlushInterval = Interval, QuietFlush = quiet });
        var ct = TestContext.Current.CancellationToken;
        var started = TimeProvider.System.GetTimestamp();
        // An event every 100 ms for 1.5 intervals: never quiet for 2 s, and far from a whole batch.
        while (TimeProvider.System.GetElapsedTime(started) < Interval * 1.5)
        {
            await run.SendAsync(1, oneByOne: true);
            if (TimeProvider.System.GetElapsedTime(started) < Interval * 0.75)
            {
                Assert.Equal(0, run.Writer.BatchesStored);
            }

            await Task.Delay(100, ct);
        }

        var sent = run.Sent;
        await run.StoredAsync(sent, Interval * 3);
        // One interval's transaction while the events came, one for the rest.
        await run.AssertBatchesStoredAsync(2);
        Assert.True(sent >= 20, $"{sent} events were sent");
    }

    [Fact]
    public async Task A_writer_behind_by_more_than_a_batch_goes_on_at_once()
    {
        // Ten spooler writes of 30 events waiting when the writer starts, as under load: batches taken from memory end
        // where a write does (90 of 100 here), and the writer must not wait for new events while whole batches wait.
        // (The writes made before the start leave one signal behind, which lets one wait pass at once.)
        await using var run = await WriterRun.StartAsync(app, new AnalyticsOptions { BatchSize = 100, FlushInterval = Interval, QuietFlush = Interval * 10 },
            spooledBefore: Enumerable.Repeat(30, 10));
        await Eventually.HoldsAsync(async () => await run.CountStoredAsync() >= 270, "the batches behind are stored", Interval);
        // Timed from the writer's start, not the test's: making the site and the spooled writes took over 2 s on a
        // loaded machine. A writer that waited for new events would take at least the interval.
        var took = TimeProvider.System.GetElapsedTime(run.WriterStarted);
        Assert.True(took < Interval * 3 / 4, $"the batches behind were stored without waiting for new events ({took})");

        // The 30 left, less than a batch, with nothing new coming: stored once the interval has passed.
        await run.StoredAsync(300, Interval * 3);
        await run.AssertBatchesStoredAsync(4);
    }
}
