using CivicDesk.Web.SiteAnalytics;
using CivicDesk.Web.SiteAnalytics.Ingestion;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>
/// The writer stores in batches (issue 3, point 6): events that trickle in wait for a whole batch or for the flush
/// interval, whichever comes first, instead of costing a transaction each.
/// </summary>
public sealed class WriterBatchingTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task Trickling_events_wait_for_the_interval_and_a_whole_batch_goes_at_once()
    {
        app.EnsureAvailable();
        var ct = TestContext.Current.CancellationToken;
        var site = await Analytics.CreateSiteAsync(app);
        var folder = Path.Combine(Path.GetTempPath(), $"civicdesk-batching-{Guid.NewGuid():N}");
        var queue = new IngestQueue(1_000);
        using var spool = new Spool(folder, 1 << 20);
        using var writer = new EventWriter(queue, spool, app.Services.GetRequiredService<IServiceScopeFactory>(),
            Options.Create(new AnalyticsOptions { BatchSize = 100, FlushInterval = Interval }), TimeProvider.System, NullLogger<EventWriter>.Instance);
        Task<int> Stored() => app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == site.Id, ct));
        var sent = 0;
        async Task SendAsync(int count, bool oneByOne)
        {
            for (var i = 0; i < count; i++)
            {
                var end = spool.End;
                Assert.True(queue.TryEnqueue(Pageview(site, sent++)));
                while (oneByOne && spool.End == end)
                {
                    // Spooled on its own before the next one comes, as events arrive on a quiet site.
                    await Task.Delay(1, ct);
                }
            }
        }

        await writer.StartAsync(ct);
        try
        {
            var started = TimeProvider.System.GetTimestamp();
            await SendAsync(30, oneByOne: true);
            // Thirty events in thirty spool writes. The writer's first pass may have found the first few; after it,
            // nothing is stored until the interval has passed...
            var early = writer.BatchesStored;
            Assert.True(TimeProvider.System.GetElapsedTime(started) < Interval / 2, "the events were sent well within the interval");
            Assert.InRange(early, 0, 1);
            Assert.Equal(early, writer.BatchesStored);

            // ...and then all the others in one transaction.
            await Eventually.HoldsAsync(async () => await Stored() == 30, "the 30 events are stored", Interval * 3);
            Assert.True(TimeProvider.System.GetElapsedTime(started) >= Interval * 0.9, "the rest waited for the interval");
            Assert.Equal(early + 1, writer.BatchesStored);

            // A whole batch does not wait for the interval.
            var whole = TimeProvider.System.GetTimestamp();
            await SendAsync(100, oneByOne: false);
            await Eventually.HoldsAsync(async () => await Stored() == 130, "the next 100 events are stored", Interval * 3);
            Assert.True(TimeProvider.System.GetElapsedTime(whole) < Interval * 0.9, "the whole batch did not wait for the interval");
            Assert.Equal(early + 2, writer.BatchesStored);
        }
        finally
        {
            await writer.StopAsync(CancellationToken.None);
            Directory.Delete(folder, recursive: true);
        }
    }

    private static PendingEvent Pageview(Site site, int n)
    {
        var at = TimeProvider.System.GetUtcNow().UtcDateTime;
        return new PendingEvent
        {
            EventId = Guid.CreateVersion7(new DateTimeOffset(at)),
            SiteId = site.Id,
            Timestamp = at,
            Name = "pageview",
            Hostname = site.Domain,
            Pathname = "/p" + n,
            VisitorId = 1_000 + n,
            Enrichment = new EventEnrichment { Browser = "Chrome", Os = "Windows", Device = "Desktop", Country = "VN", Source = "Direct / None" },
        };
    }
}
