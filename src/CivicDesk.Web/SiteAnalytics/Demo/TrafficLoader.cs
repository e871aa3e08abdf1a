using System.Diagnostics;
using CivicDesk.Web.Data;
using CivicDesk.Web.SiteAnalytics.Ingestion;
using CivicDesk.Web.SiteAnalytics.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.SiteAnalytics.Demo;

/// <summary>How many events a load stored, how long it took, and the processor time the process used meanwhile
/// (a fairer figure than the elapsed time on a machine shared with other work).</summary>
public sealed record TrafficLoad(long Events, TimeSpan Elapsed, TimeSpan ProcessorTime)
{
    public double EventsPerSecond => Elapsed.TotalSeconds <= 0 ? 0 : Events / Elapsed.TotalSeconds;
}

/// <summary>
/// Stores generated events the way accepted events are stored: appended to a spool and written by an
/// <see cref="EventWriter"/>, so that visits, hourly and daily rollups are exactly what live ingestion makes of them.
/// The load acts as a node of its own — a spool in a temporary folder and a writer of its own, as every node has — so
/// it neither waits behind nor disturbs this node's live writer (the database's upserts are made for several writers).
/// Its checkpoint row and spool folder are removed when it ends.
/// </summary>
public sealed class TrafficLoader(IServiceScopeFactory scopes, TimeProvider time, ILoggerFactory loggers)
{
    /// <param name="batchSize">Events per writer transaction (the live default is 2,000; bulk loads gain from more).</param>
    /// <param name="progress">Called after each batch with the number of events stored so far.</param>
    public async Task<TrafficLoad> LoadAsync(IEnumerable<PendingEvent> events, int batchSize, Action<long>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var started = Stopwatch.GetTimestamp();
        var processor = Process.GetCurrentProcess().TotalProcessorTime;
        var folder = Path.Combine(Path.GetTempPath(), $"civicdesk-traffic-{Guid.NewGuid():N}");
        var options = Options.Create(new AnalyticsOptions { BatchSize = batchSize, SpoolPath = folder });
        var spool = new Spool(folder, options.Value.SegmentBytes);
        var writer = new EventWriter(new IngestQueue(1), spool, new TextPool(TextPool.NodeCharacters), scopes, options, time, loggers.CreateLogger<EventWriter>());
        var stored = 0L;
        try
        {
            foreach (var batch in events.Chunk(batchSize))
            {
                spool.Append(batch);
                while (await writer.WriteBatchAsync(ct) > 0)
                {
                }

                stored += batch.Length;
                progress?.Invoke(stored);
            }
        }
        finally
        {
            writer.Dispose();
            spool.Dispose();
            Directory.Delete(folder, recursive: true);
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<AppDbContext>().Set<SpoolCheckpoint>().Where(c => c.SpoolId == spool.Id).ExecuteDeleteAsync(CancellationToken.None);
        }

        return new TrafficLoad(stored, Stopwatch.GetElapsedTime(started), Process.GetCurrentProcess().TotalProcessorTime - processor);
    }
}
