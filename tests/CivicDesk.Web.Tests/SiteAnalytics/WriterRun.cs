using CivicDesk.Web.SiteAnalytics;
using CivicDesk.Web.SiteAnalytics.Ingestion;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>A writer of its own over a fresh spool, for one site of the shared app.</summary>
internal sealed class WriterRun : IAsyncDisposable
{
    private readonly SqliteApp _app;
    private readonly Site _site;
    private readonly string _folder;
    private readonly IngestQueue _queue = new(10_000);
    private readonly Spool _spool;

    private WriterRun(SqliteApp app, Site site, AnalyticsOptions options, long segmentBytes)
    {
        _app = app;
        _site = site;
        _folder = Path.Combine(Path.GetTempPath(), $"civicdesk-writer-{Guid.NewGuid():N}");
        _spool = new Spool(_folder, segmentBytes);
        Writer = new EventWriter(_queue, _spool, new TextPool(TextPool.NodeCharacters), app.Services.GetRequiredService<IServiceScopeFactory>(),
            Options.Create(options), TimeProvider.System, NullLogger<EventWriter>.Instance);
    }

    public EventWriter Writer { get; }

    /// <summary>The spool's folder, which a test may take away and put back.</summary>
    public string SpoolFolder => _folder;

    public IngestQueue Queue => _queue;

    public int Sent { get; private set; }

    /// <summary>When the writer was started (a <see cref="TimeProvider"/> timestamp): after the site and the spooled writes were made.</summary>
    public long WriterStarted { get; private set; }

    /// <param name="spooledBefore">The sizes of spooler writes made before the writer starts.</param>
    /// <param name="segmentBytes">The spool's segment size: 1 starts a new segment file with every write.</param>
    public static async Task<WriterRun> StartAsync(SqliteApp app, AnalyticsOptions options, IEnumerable<int>? spooledBefore = null, long segmentBytes = 1 << 20)
    {
        app.EnsureAvailable();
        var run = new WriterRun(app, await Analytics.CreateSiteAsync(app), options, segmentBytes);
        foreach (var size in spooledBefore ?? [])
        {
            for (var i = 0; i < size; i++)
            {
                Assert.True(run._queue.TryEnqueue(Pageview(run._site, run.Sent++)));
            }

            Assert.Equal(size, run.Writer.SpoolQueued());
        }

        run.WriterStarted = TimeProvider.System.GetTimestamp();
        await run.Writer.StartAsync(TestContext.Current.CancellationToken);
        // The writer's first pass finds nothing and it waits: from here on, what it stores is what is sent.
        await Eventually.HoldsAsync(() => run.Writer.Waits > 0, "the writer waits for events");
        return run;
    }

    public async Task SendAsync(int count, bool oneByOne)
    {
        for (var i = 0; i < count; i++)
        {
            var end = _spool.End;
            Assert.True(_queue.TryEnqueue(Pageview(_site, Sent++)));
            while (oneByOne && _spool.End == end)
            {
                // Spooled on its own before the next one comes, as events arrive on a quiet site.
                await Task.Delay(1, TestContext.Current.CancellationToken);
            }
        }
    }

    /// <summary>Offers one event to the queue as the endpoint does; false is the endpoint's 503.</summary>
    public bool TryEnqueueOne()
    {
        if (!_queue.TryEnqueue(Pageview(_site, Sent)))
        {
            return false;
        }

        Sent++;
        return true;
    }

    /// <summary>The site's stored events, and how many distinct event ids they have.</summary>
    public Task<(int Rows, int Distinct)> CountStoredWithDistinctAsync() => _app.WithDbAsync(async db =>
    {
        var ids = await db.SiteEvents.Where(e => e.SiteId == _site.Id).Select(e => e.EventId).ToListAsync(TestContext.Current.CancellationToken);
        return (ids.Count, ids.Distinct().Count());
    });

    public Task StoredAsync(int count, TimeSpan within) => Eventually.HoldsAsync(async () => await CountStoredAsync() == count, $"the {count} events are stored", within);

    /// <summary>
    /// Asserts how many transactions have stored events. The writer counts a batch just after its commit, so a test
    /// that has just seen the batch's rows may read the count a moment before it moves: it waits for the count to
    /// reach <paramref name="expected"/>, then asserts it is exactly that.
    /// </summary>
    public async Task AssertBatchesStoredAsync(int expected)
    {
        await Eventually.HoldsAsync(() => Writer.BatchesStored >= expected, $"the writer has counted {expected} batches", TimeSpan.FromSeconds(5));
        Assert.Equal(expected, Writer.BatchesStored);
    }

    public Task<int> CountStoredAsync() => _app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == _site.Id, TestContext.Current.CancellationToken));

    public async ValueTask DisposeAsync()
    {
        await Writer.StopAsync(CancellationToken.None);
        Writer.Dispose();
        _spool.Dispose();
        Directory.Delete(_folder, recursive: true);
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
