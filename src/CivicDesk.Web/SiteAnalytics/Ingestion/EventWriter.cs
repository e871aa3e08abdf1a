using System.Collections.Concurrent;
using CivicDesk.Web.Data;
using CivicDesk.Web.SiteAnalytics.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>
/// The ingestion pipeline behind POST /api/event, one per node:
/// <list type="number">
/// <item>the spooler drains the in-memory queue into the node's spool file (in the OS's hands within milliseconds);</item>
/// <item>the writer reads the spool from the checkpoint and stores each batch — events, visits, hourly counters and
/// the new checkpoint — in one transaction, so a batch is stored exactly once even when a crash or an outage makes
/// it be read again;</item>
/// <item>while the database is down the writer retries with back-off and the spool grows; ingestion keeps answering.</item>
/// </list>
/// On a graceful stop the queue is closed, the spooler drains it, and the writer drains the spool.
/// </summary>
public sealed class EventWriter(
    IngestQueue queue,
    Spool spool,
    TextPool texts,
    IServiceScopeFactory scopes,
    IOptions<AnalyticsOptions> options,
    TimeProvider time,
    ILogger<EventWriter> logger) : BackgroundService
{
    /// <summary>A visit ends after this long without events.</summary>
    internal static readonly TimeSpan VisitTimeout = TimeSpan.FromMinutes(30);
    /// <summary>
    /// How many batches' worth of spooled events stay in memory for the writer (24,000 events at the default batch
    /// size, their texts shared through the <see cref="TextPool"/>): under load a batch takes a few hundred
    /// milliseconds to store while the next ones are spooled.
    /// </summary>
    private const int RecentBatches = 4;
    /// <summary>Fewer events than this in one write to the spool, and the spooler waits a millisecond for more (<see cref="SpoolLoop"/>).</summary>
    private const int GatherEvents = 64;
    /// <summary>How long the spooler waits after a write to the spool failed before it tries the same events again.</summary>
    internal static readonly TimeSpan SpoolRetry = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _batchReady = new(0, 1);
    private readonly ConcurrentQueue<SpooledBatch> _recent = new();
    /// <summary>The spooler's list of the events it takes from the queue, reused from one write to the next.</summary>
    private readonly List<PendingEvent> _spooling = [];
    /// <summary>Events spooled and kept in memory that the writer has not taken yet.</summary>
    private int _recentEvents;
    /// <summary>When the spooler last wrote events (<see cref="Environment.TickCount64"/>).</summary>
    private long _lastSpooled;
    private readonly Dictionary<(int SiteId, long VisitorId), VisitState> _visits = [];
    /// <summary>Visits whose row is behind their state in memory (<see cref="AnalyticsOptions.VisitWriteInterval"/>).</summary>
    private readonly HashSet<VisitState> _unwritten = [];
    private readonly DailyRollups _rollups = new();
    private readonly Dictionary<int, TimeZoneInfo> _zones = [];
    private readonly VisitIds _visitIds = new(time);
    /// <summary>The visits a batch touched by session, kept from batch to batch: made anew, it grew to a batch's worth every time.</summary>
    private readonly Dictionary<long, VisitState> _touched = [];
    private SpoolPosition? _checkpoint;
    /// <summary>Set when the node stops: the spooler then gives up on a spool that refuses writes (<see cref="SpoolLoop"/>).</summary>
    private volatile bool _stopping;
    /// <summary>
    /// The latest checkpoint known to be on the database's disk: read from it, or committed durably. Spool segments
    /// are deleted only before it (<see cref="CommitsDurably"/>).
    /// </summary>
    private SpoolPosition _durable;
    private bool _checkStored;
    private bool _visitsLoaded;
    /// <summary>The writer's PostgreSQL session, open between batches (<see cref="UseSessionAsync"/>).</summary>
    private Npgsql.NpgsqlConnection? _session;

    /// <summary>The latest event time stored: the writer's clock for ending visits, so that a backlog (a spool
    /// replayed after an outage, generated past traffic) is written as it was lived, not as the wall clock sees it.</summary>
    private DateTime _latest;

    private DateTime _lastForget;
    private int _reloadRequested;

    /// <summary>
    /// Makes the writer take up its in-memory state (open visits, who was counted for what) from the database before
    /// the next batch, exactly as after a start or a database error. For tests of that path.
    /// </summary>
    internal void ReloadStateFromDatabase() => Interlocked.Exchange(ref _reloadRequested, 1);

    /// <summary>How many events are in the spool but not yet in the database (for health and tests).</summary>
    public long Backlog { get; private set; }

    /// <summary>Batches read back from the spool file rather than taken from memory, since the start (for tests).</summary>
    internal int SpoolFileReads { get; private set; }

    /// <summary>Transactions that stored events, since the start (for tests of batching).</summary>
    internal int BatchesStored => Volatile.Read(ref _batchesStored);

    private int _batchesStored;

    /// <summary>How many times the writer has waited for events after a partial batch (for tests of batching).</summary>
    internal int Waits => Volatile.Read(ref _waits);

    private int _waits;

    /// <summary>The last time a batch was stored, or a database error, for the operator.</summary>
    public string? LastError { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var spooler = Task.Factory.StartNew(SpoolLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            await WriteLoopAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Graceful stop: no new events, everything queued goes to the spool, then as much as possible to the database.
        _stopping = true;
        queue.Complete();
        await spooler;
        using var drainDeadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            while (await WriteBatchAsync(drainDeadline.Token) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogWarning(ex, "Events left in the spool at shutdown are stored at the next start.");
        }
        finally
        {
            await EndSessionAsync();
        }
    }

    /// <summary>
    /// PostgreSQL: the writer keeps one session open from batch to batch. A connection returned to the pool is reset
    /// (DISCARD ALL), which dropped the temporary tables the upserts go through (<see cref="BulkSql"/>), and every batch
    /// created them again: about a tenth of PostgreSQL's time per batch went to creating, resetting and dropping them.
    /// A connection the context finds open is left open by it. After an error the session is closed, and the next
    /// batch opens a new one. Returns whether the database is PostgreSQL.
    /// </summary>
    private async ValueTask<bool> UseSessionAsync(AppDbContext db, CancellationToken ct)
    {
        if (!db.Database.IsNpgsql())
        {
            return false;
        }

        if (_session is { State: not System.Data.ConnectionState.Open })
        {
            // Broken under the writer (the server ended the session): a new one.
            await EndSessionAsync();
        }

        if (_session is null)
        {
            var session = new Npgsql.NpgsqlConnection(db.Database.GetConnectionString());
            try
            {
                await session.OpenAsync(ct);
            }
            catch
            {
                await session.DisposeAsync();
                throw;
            }

            _session = session;
        }

        db.Database.SetDbConnection(_session, contextOwnsConnection: false);
        return true;
    }

    /// <summary>The server process of the writer's PostgreSQL session, if one is open (for tests).</summary>
    internal int? SessionProcessId => _session is { State: System.Data.ConnectionState.Open } session ? session.ProcessID : null;

    public override void Dispose()
    {
        // Tests drive batches without the loop; the host stops the loop (which ends the session) before disposing.
        _session?.Dispose();
        _session = null;
        base.Dispose();
    }

    private async ValueTask EndSessionAsync()
    {
        if (_session is { } session)
        {
            _session = null;
            await session.DisposeAsync();
        }
    }

    /// <summary>
    /// The spooler, on a thread of its own: it writes what the queue holds to the spool and, when that was a handful
    /// (fewer than <see cref="GatherEvents"/>), sleeps a millisecond so that the next write takes what came meanwhile.
    /// Woken by the queue whenever it waited, under load it wrote about six events at a time, with a system call to
    /// write and often one to be woken for each handful; a wait on a timer (Task.Delay) cost the thread pool more wake-ups
    /// than it saved (docs/benchmarks.md). An event then reaches the spool a millisecond later at most, well within the
    /// second after which an answered event survives a kill (ADR 0008).
    /// <para>
    /// A write that fails (a full disk, a spool folder gone) leaves its events with the spooler, which pauses the queue
    /// (new events get 503) and tries them again every <see cref="SpoolRetry"/> until the spool takes them; then the
    /// queue takes events again. At shutdown, events the spool still refuses are logged as lost.
    /// </para>
    /// </summary>
    private void SpoolLoop()
    {
        var failing = false;
        while (_spooling.Count > 0 || WaitForEvents())
        {
            int written;
            try
            {
                written = SpoolQueued();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                queue.Paused = true;
                var refused = _spooling.Count;
                if (_stopping)
                {
                    refused += queue.Reader.Count;
                    if (logger.IsEnabled(LogLevel.Critical))
                    {
                        logger.LogCritical(ex, "Stopping with {Count} accepted events that the spool refused; they are lost.", refused);
                    }

                    return;
                }

                if (!failing)
                {
                    logger.LogError(ex, "The spool refused {Count} accepted events; new events are refused (503) until it takes them, tried again every {Delay}.", refused, SpoolRetry);
                    failing = true;
                }

                Thread.Sleep(SpoolRetry);
                continue;
            }

            if (failing)
            {
                logger.LogInformation("The spool takes events again.");
                failing = false;
                queue.Paused = false;
            }

            if (written < GatherEvents)
            {
                Thread.Sleep(1);
            }
        }
    }

    /// <summary>Blocks the spooler's thread until the queue holds an event (true) or is completed and empty (false).</summary>
    private bool WaitForEvents()
    {
        var waiting = queue.Reader.WaitToReadAsync();
        return waiting.IsCompletedSuccessfully ? waiting.Result : waiting.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>
    /// Writes the events waiting in the queue, up to a batch, to the spool, and keeps them in memory for the writer;
    /// returns how many. The spooler's step, which tests also take on their own.
    /// </summary>
    internal int SpoolQueued()
    {
        // Events a failed write left here go first, in their order (SpoolLoop).
        while (_spooling.Count < options.Value.BatchSize && queue.Reader.TryRead(out var e))
        {
            _spooling.Add(e);
        }

        if (_spooling.Count == 0)
        {
            return 0;
        }

        PendingEvent[] events = [.. _spooling];
        var (start, end, ends) = spool.Append(events);
        _spooling.Clear();
        _recent.Enqueue(new SpooledBatch(start, end, events, ends));
        Interlocked.Add(ref _recentEvents, events.Length);
        while (Volatile.Read(ref _recentEvents) > RecentBatches * options.Value.BatchSize && _recent.TryDequeue(out var dropped))
        {
            // The writer is behind (a database outage, a burst): it reads those events back from the spool.
            Interlocked.Add(ref _recentEvents, -dropped.Events.Length);
        }

        Volatile.Write(ref _lastSpooled, Environment.TickCount64);
        if (Volatile.Read(ref _recentEvents) >= options.Value.BatchSize)
        {
            SignalBatchReady();
        }

        return events.Length;
    }

    private void SignalBatchReady()
    {
        if (_batchReady.CurrentCount > 0)
        {
            // Already signalled (an exception for each of these cost more than the check).
            return;
        }

        try
        {
            _batchReady.Release();
        }
        catch (SemaphoreFullException)
        {
            // Signalled meanwhile.
        }
    }

    private async Task WriteLoopAsync(CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var written = await WriteBatchAsync(ct);
                backoff = TimeSpan.FromMilliseconds(200);
                // A batch taken from memory ends where one of the spooler's writes does, so under load it falls a little
                // short of a whole one while more are waiting: then the writer goes on at once. Waiting there for a whole
                // batch of new events kept it behind by as much for as long as the load lasted.
                if (written < options.Value.BatchSize && (written == 0 || Volatile.Read(ref _recentEvents) < options.Value.BatchSize))
                {
                    await WaitForBatchAsync(ct);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                LastError = ex.Message;
                logger.LogWarning(ex, "Storing site events failed; retrying in {Delay}. Accepted events wait in the spool.", backoff);
                await EndSessionAsync();
                _checkpoint = null;
                _visitsLoaded = false;
                await Task.Delay(backoff, time, ct);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    /// <summary>
    /// After a partial batch: waits until a whole one waits in memory, no event has come for <see
    /// cref="AnalyticsOptions.QuietFlush"/> (with some waiting), or <see cref="AnalyticsOptions.FlushInterval"/> has
    /// passed. Storing each handful of events as it came cost a transaction (and its sync to disk) per handful; waiting
    /// out the whole interval after the last events of a burst only delayed them. The waits run on the machine's clock:
    /// they pace the writing, whatever clock the events are stamped with.
    /// </summary>
    private async Task WaitForBatchAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _waits);
        var quiet = (long)options.Value.QuietFlush.TotalMilliseconds;
        var deadline = Environment.TickCount64 + (long)options.Value.FlushInterval.TotalMilliseconds;
        while (true)
        {
            var now = Environment.TickCount64;
            // Events waiting: come since the last batch was taken, or left over from what it took.
            var pending = Volatile.Read(ref _recentEvents) > 0;
            var sinceSpooled = now - Volatile.Read(ref _lastSpooled);
            if (now >= deadline || (pending && sinceSpooled >= quiet))
            {
                return;
            }

            // Wake at the deadline, when the events waiting would have been quiet long enough, or, with none waiting,
            // after the quiet time to look again: events that come alone are then stored within about twice of it.
            var wake = Math.Min(deadline - now, pending ? quiet - sinceSpooled : quiet);
            if (await _batchReady.WaitAsync(TimeSpan.FromMilliseconds(Math.Max(wake, 1)), ct))
            {
                return;
            }
        }
    }

    /// <summary>Stores the next batch from the spool; returns how many events it read.</summary>
    internal async Task<int> WriteBatchAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var postgres = await UseSessionAsync(db, ct);
        if (_checkpoint is null)
        {
            // Read once after a start or an error; afterwards this node's own commits are the truth.
            var stored = await db.Set<SpoolCheckpoint>().AsNoTracking().SingleOrDefaultAsync(c => c.SpoolId == spool.Id, ct);
            _checkpoint = stored is null ? new SpoolPosition(1, 0) : new SpoolPosition(stored.Segment, stored.Offset);
            _durable = _checkpoint.Value;
            _checkStored = true;
        }

        if (Interlocked.Exchange(ref _reloadRequested, 0) == 1)
        {
            _visitsLoaded = false;
        }

        // Events this process's endpoint made fit their columns and share their texts already; those read back from
        // the spool file may come from an older version, which left that to the writer.
        IReadOnlyList<PendingEvent> events;
        SpoolPosition next;
        if (TakeRecent(_checkpoint.Value, options.Value.BatchSize) is { } recent)
        {
            (events, next) = recent;
        }
        else
        {
            var (read, after) = spool.Read(_checkpoint.Value, options.Value.BatchSize);
            (events, next) = (read.Select(e => Storable(e, texts)).ToList(), after);
            SpoolFileReads += read.Count > 0 ? 1 : 0;
        }

        Backlog = events.Count;
        if (!_visitsLoaded)
        {
            // The visits still open when the batch's first event happened: after an outage that is long before now. With
            // nothing to store, those open now, so that rows a crash left behind their events are brought up to date.
            await LoadOpenVisitsAsync(db, events.Count > 0 ? events.Min(e => e.Timestamp) : null, ct);
        }

        if (events.Count == 0)
        {
            if (next != _checkpoint.Value)
            {
                _checkpoint = next;
            }

            // Caught up: the visits whose rows waited are written now.
            if (_unwritten.Count > 0)
            {
                await using var visitsOnly = await db.Database.BeginTransactionAsync(ct);
                var due = _unwritten.ToList();
                await SaveVisitsAsync(db, due, ct);
                await visitsOnly.CommitAsync(ct);
                Written(due);
            }

            return 0;
        }

        await LoadZonesAsync(db, events, ct);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var durably = CommitsDurably(postgres, _durable, next);
        if (postgres)
        {
            await db.Database.ExecuteSqlRawAsync(durably ? "SET LOCAL synchronous_commit = on" : "SET LOCAL synchronous_commit = off", ct);
        }

        var stats = new Dictionary<(int, DateTime), SiteHourlyStats>();
        _touched.Clear();
        var rows = new List<SiteEvent>(events.Count);
        // The checkpoint commits with the events, so in step the writer never reads a stored event again. The first
        // batch after reading the checkpoint (a start, an error) skips any it finds stored: a spool that disagrees with
        // the database (restored from a backup, say) must not stop ingestion on the events' unique index.
        // EF.Parameter: the ids travel as one JSON array, not as one parameter each (EF Core 10's default), whose
        // lookup by name costs SQLite the square of their number.
        var existingIds = new HashSet<Guid>();
        if (_checkStored)
        {
            var batchIds = events.Select(x => x.EventId).ToList();
            existingIds.UnionWith(await db.Set<SiteEvent>().Where(e => EF.Parameter(batchIds).Contains(e.EventId)).Select(e => e.EventId).ToListAsync(ct));
        }

        foreach (var e in events)
        {
            var hour = Stats(stats, e.SiteId, e.Timestamp);
            if (e.IsBot)
            {
                hour.BotsDropped++;
                continue;
            }

            if (existingIds.Contains(e.EventId))
            {
                continue;
            }

            var visit = Visit(e, stats, out var before);
            _rollups.Add(e, visit, before, _zones[e.SiteId]);
            _touched[visit.SessionId] = visit;
            rows.Add(ToRow(e, visit.SessionId));
            if (e.IsPageview)
            {
                hour.Pageviews++;
            }
            else
            {
                hour.Events++;
            }
        }

        var latest = events.Max(e => e.Timestamp);
        if (latest > _latest)
        {
            _latest = latest;
        }

        // Less than half a batch: the writer keeps up with time to spare (the spooler hands over what has come, so
        // under load batches fall a little short of whole ones, which is still being behind).
        var visits = VisitsToWrite(_touched.Values, keepingUp: events.Count * 2 < options.Value.BatchSize);
        await SaveVisitsAsync(db, visits, ct);
        await BulkSql.InsertAsync(db, rows, ct);
        await AddStatsAsync(db, stats.Values.ToList(), ct);
        await _rollups.FlushAsync(db, ct);
        await BulkSql.InsertAsync(
            db, [new SpoolCheckpoint { SpoolId = spool.Id, Segment = next.Segment, Offset = next.Offset, UpdatedAt = time.GetUtcNow().UtcDateTime }], ct,
            conflictColumns: [nameof(SpoolCheckpoint.SpoolId)],
            updateColumns: [nameof(SpoolCheckpoint.Segment), nameof(SpoolCheckpoint.Offset), nameof(SpoolCheckpoint.UpdatedAt)]);
        await tx.CommitAsync(ct);
        Interlocked.Increment(ref _batchesStored);
        Written(visits);
        _checkpoint = next;
        if (durably)
        {
            _durable = next;
        }

        _checkStored = false;
        spool.DeleteBefore(_durable);
        LastError = null;
        ForgetEndedVisits();
        return events.Count;
    }

    /// <summary>
    /// Whether a batch's commit waits for the database's disk. On PostgreSQL it does not (synchronous_commit off for
    /// that transaction), unless its checkpoint lets spool segments be deleted: the spool already holds every event on
    /// this node's disk, so a commit PostgreSQL loses in a crash of its own (at most a few hundred milliseconds of them)
    /// loses the batch's checkpoint with its events, and the writer, reading the checkpoint again after the error,
    /// stores them again from the spool. The segments behind a checkpoint go only once it is durable: committed
    /// durably, or read from the database. SQLite commits every batch durably (ADR 0008, "Asynchronous commits on
    /// PostgreSQL").
    /// </summary>
    internal static bool CommitsDurably(bool postgres, SpoolPosition durable, SpoolPosition next) =>
        !postgres || next.Segment > durable.Segment;

    /// <summary>
    /// The visits whose rows this batch writes: those new in the batch, those whose row was last written
    /// <see cref="AnalyticsOptions.VisitWriteInterval"/> ago or more, those that have ended in event time, and, when
    /// the writer keeps up (a small batch), every visit of the batch. The others keep their state in memory, exact,
    /// and are written by a later batch or as soon as the writer finds no events waiting (with each batch, every open
    /// visit was rewritten, and those rewrites were most of the writer's work under load: docs/benchmarks.md). So a
    /// row behind its visit always belongs to a visit with an event in the last 30 minutes of event time, which is
    /// where <see cref="LoadOpenVisitsAsync"/> looks after a crash to bring it up to date from its stored events.
    /// </summary>
    private List<VisitState> VisitsToWrite(ICollection<VisitState> touched, bool keepingUp)
    {
        _unwritten.UnionWith(touched);
        var now = Environment.TickCount64;
        var interval = (long)options.Value.VisitWriteInterval.TotalMilliseconds;
        var ended = _latest - VisitTimeout;
        var due = _unwritten.Where(v => !v.Stored || now - v.WrittenAt >= interval || v.LastAt < ended);
        return keepingUp ? due.Union(touched).ToList() : due.ToList();
    }

    /// <summary>After the commit: the visits' rows now hold their state.</summary>
    private void Written(List<VisitState> visits)
    {
        var now = Environment.TickCount64;
        foreach (var visit in visits)
        {
            visit.Stored = true;
            visit.WrittenAt = now;
            _unwritten.Remove(visit);
        }
    }

    /// <summary>
    /// The batches the spooler wrote from <paramref name="from"/> on, still in memory, up to <paramref name="max"/>
    /// events: a writer that keeps up stores what the spooler wrote instead of reading it back (parsing it again took
    /// about 3 % of ingestion's processor time). Null when the next events must come from the spool file: after a start
    /// or an error, or when the writer fell more than <see cref="RecentBatches"/> batches behind; reading the file
    /// brings it back in step.
    /// </summary>
    private (IReadOnlyList<PendingEvent> Events, SpoolPosition Next)? TakeRecent(SpoolPosition from, int max)
    {
        List<PendingEvent>? events = null;
        var next = from;
        while (_recent.TryPeek(out var batch))
        {
            if (batch.End <= next)
            {
                Forget();
                continue;
            }

            // A read of the spool file stops after a number of events, often inside one of these batches: the rest of
            // that batch is taken from where it stopped, or the writer would go on reading the file.
            var skip = batch.Start == next ? 0
                : batch.Start < next && batch.Start.Segment == next.Segment && Array.BinarySearch(batch.Ends, next.Offset) is var at and >= 0 ? at + 1
                : -1;
            if (skip < 0 || (events is not null && events.Count + batch.Events.Length - skip > max))
            {
                break;
            }

            Forget();
            (events ??= new List<PendingEvent>(Math.Min(max, 2 * batch.Events.Length))).AddRange(batch.Events.AsSpan(skip));
            next = batch.End;
        }

        return events is null ? null : (events, next);
    }

    private void Forget()
    {
        if (_recent.TryDequeue(out var batch))
        {
            Interlocked.Add(ref _recentEvents, -batch.Events.Length);
        }
    }

    private VisitState Visit(PendingEvent e, Dictionary<(int, DateTime), SiteHourlyStats> stats, out DailyRollups.Snapshot? before)
    {
        var key = (e.SiteId, e.VisitorId);
        if (!_visits.TryGetValue(key, out var visit) && e.PreviousVisitorId != 0
            && _visits.TryGetValue((e.SiteId, e.PreviousVisitorId), out var carried))
        {
            // The visit began before midnight under yesterday's salt: it goes on under today's id.
            _visits.Remove((e.SiteId, e.PreviousVisitorId));
            _visits[key] = visit = carried;
        }

        var isNew = visit is null || e.Timestamp - visit.LastAt >= VisitTimeout;
        if (isNew)
        {
            visit = new VisitState(e, _visitIds.Next());
            _visits[key] = visit;
            var start = Stats(stats, e.SiteId, e.Timestamp);
            start.Visits++;

            // Visitor ids are daily and the rollups remember every visitor of the last 25 hours (rebuilt from the
            // database after a start): one they do not know is new today.
            if (!_rollups.Knows(e.SiteId, e.VisitorId))
            {
                start.NewVisitors++;
            }
        }

        // Bounce and duration belong to the hour the visit started in; keep them right as the visit goes on.
        var wasBounce = !isNew && visit!.IsBounce;
        var oldDuration = isNew ? 0 : visit!.DurationSeconds;
        before = isNew ? null : DailyRollups.Snapshot.Of(visit!);
        visit!.Add(e);
        var startHour = Stats(stats, e.SiteId, visit.StartedAt);
        startHour.Bounces += (visit.IsBounce ? 1 : 0) - (wasBounce ? 1 : 0);
        startHour.DurationSeconds += visit.DurationSeconds - oldDuration;
        return visit;
    }

    /// <summary>
    /// Once a minute of event time, drops from memory the visits that have ended (30 minutes without events); their
    /// rows stay. Event time, not the wall clock: events come in the order they were accepted, so a visit 30 minutes
    /// older than the latest event can get no more events, whereas one 30 minutes older than now may still be in the
    /// spool's backlog.
    /// </summary>
    private void ForgetEndedVisits()
    {
        var now = _latest;
        if (now - _lastForget < TimeSpan.FromMinutes(1))
        {
            return;
        }

        _lastForget = now;
        _rollups.ForgetOldVisitors(now);
        foreach (var key in _visits.Where(v => now - v.Value.LastAt >= VisitTimeout).Select(v => v.Key).ToList())
        {
            _visits.Remove(key);
        }
    }

    private static SiteHourlyStats Stats(Dictionary<(int, DateTime), SiteHourlyStats> stats, int siteId, DateTime at)
    {
        var hour = new DateTime(at.Year, at.Month, at.Day, at.Hour, 0, 0, DateTimeKind.Utc);
        if (!stats.TryGetValue((siteId, hour), out var row))
        {
            stats[(siteId, hour)] = row = new SiteHourlyStats { SiteId = siteId, Hour = hour };
        }

        return row;
    }

    /// <summary>Inserts the batch's new visits and brings the others up to date, in one statement per chunk.</summary>
    private static async Task SaveVisitsAsync(AppDbContext db, IEnumerable<VisitState> visits, CancellationToken ct)
    {
        var rows = visits.Select(v =>
        {
            var row = v.NewRow();
            v.CopyTo(row);
            return row;
        }).ToList();
        await BulkSql.InsertAsync(
            db, rows, ct,
            conflictColumns: [nameof(SiteSession.SiteId), nameof(SiteSession.SessionId)],
            updateColumns: [nameof(SiteSession.LastAt), nameof(SiteSession.Pageviews), nameof(SiteSession.Events), nameof(SiteSession.InteractiveEvents), nameof(SiteSession.ExitPage),
                nameof(SiteSession.Pages)]);
    }

    /// <summary>Adds the batch's counters with one atomic upsert, so nodes writing the same hour never lose an update.</summary>
    private static Task AddStatsAsync(AppDbContext db, List<SiteHourlyStats> stats, CancellationToken ct) =>
        BulkSql.InsertAsync(
            db, stats, ct,
            conflictColumns: [nameof(SiteHourlyStats.SiteId), nameof(SiteHourlyStats.Hour)],
            addColumns:
            [
                nameof(SiteHourlyStats.Pageviews), nameof(SiteHourlyStats.Events), nameof(SiteHourlyStats.Visits), nameof(SiteHourlyStats.NewVisitors),
                nameof(SiteHourlyStats.Bounces), nameof(SiteHourlyStats.DurationSeconds), nameof(SiteHourlyStats.BotsDropped),
            ]);

    /// <summary>The time zones of the batch's sites (rollup days are the site's local days).</summary>
    private async Task LoadZonesAsync(AppDbContext db, IReadOnlyList<PendingEvent> events, CancellationToken ct)
    {
        var missing = events.Select(e => e.SiteId).Where(id => !_zones.ContainsKey(id)).Distinct().ToList();
        if (missing.Count == 0)
        {
            return;
        }

        foreach (var site in await db.Sites.AsNoTracking().Where(s => missing.Contains(s.Id)).Select(s => new { s.Id, s.TimeZone }).ToListAsync(ct))
        {
            _zones[site.Id] = TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone);
        }

        foreach (var id in missing.Where(id => !_zones.ContainsKey(id)))
        {
            // A site deleted while its events waited in the spool: its events still go somewhere sensible.
            _zones[id] = TimeZoneInfo.Utc;
        }
    }

    /// <summary>
    /// Takes up the visits open at <paramref name="from"/> (the first event to store; null when there is none) and at
    /// each site's latest stored event, bringing up to date the rows a stop left behind, and who was counted for what.
    /// </summary>
    private async Task LoadOpenVisitsAsync(AppDbContext db, DateTime? from, CancellationToken ct)
    {
        _visits.Clear();
        _unwritten.Clear();
        var now = from ?? time.GetUtcNow().UtcDateTime;
        // Per site, the visits with an event since then, found from the (site, time) index of the events: visits have
        // no index on their last event, whose update on every event would move them in it (and, on PostgreSQL, keep
        // each update from staying within the row's page).
        foreach (var siteId in await db.Sites.AsNoTracking().Select(s => s.Id).ToListAsync(ct))
        {
            var latest = await db.SiteEvents.Where(e => e.SiteId == siteId).MaxAsync(e => (DateTime?)e.Timestamp, ct);
            if (latest is null)
            {
                continue;
            }

            var since = (from is { } first && first < latest ? first : latest.Value) - VisitTimeout;
            var open = db.SiteEvents.Where(e => e.SiteId == siteId && e.Timestamp >= since).Select(e => e.SessionId);
            var visits = (await db.Set<SiteSession>().AsNoTracking().Where(s => s.SiteId == siteId && open.Contains(s.SessionId)).ToListAsync(ct))
                .Select(VisitState.From).ToList();
            await CatchUpAsync(db, siteId, visits, ct);
            foreach (var visit in visits.OrderBy(v => v.StartedAt))
            {
                _visits[(visit.SiteId, visit.VisitorId)] = visit;
            }
        }

        await _rollups.LoadAsync(db, _visits.Values.ToDictionary(v => v.SessionId), now, ct);
        _latest = now;
        _lastForget = now;

        _visitsLoaded = true;
    }

    /// <summary>
    /// Applies to visits taken up from their rows the events stored after the rows were last written (a row may be
    /// behind by up to <see cref="AnalyticsOptions.VisitWriteInterval"/> when the process stopped): a row's
    /// <see cref="SiteSession.Events"/> is how many of its visit's events it holds, and the writer stores a visit's events
    /// in the order it applies them, so the events past that count, in the order of their ids, are the ones it lacks.
    /// Those visits are written with the next transaction.
    /// </summary>
    private async Task CatchUpAsync(AppDbContext db, int siteId, List<VisitState> visits, CancellationToken ct)
    {
        if (visits.Count == 0)
        {
            return;
        }

        var byId = visits.ToDictionary(v => v.SessionId);
        var ids = byId.Keys.ToList();
        var earliest = visits.Min(v => v.StartedAt);
        // EF.Parameter: the ids travel as one array (see WriteBatchAsync).
        var stored = db.SiteEvents.AsNoTracking()
            .Where(e => e.SiteId == siteId && e.Timestamp >= earliest && EF.Parameter(ids).Contains(e.SessionId))
            .OrderBy(e => e.Id)
            .Select(e => new { e.SessionId, e.Timestamp, e.Name, e.Pathname, e.Interactive });
        var seen = new Dictionary<long, int>();
        await foreach (var e in stored.AsAsyncEnumerable().WithCancellation(ct))
        {
            var visit = byId[e.SessionId];
            var nth = seen[e.SessionId] = seen.GetValueOrDefault(e.SessionId) + 1;
            if (nth <= visit.Events)
            {
                continue;
            }

            visit.Add(new PendingEvent
            {
                EventId = Guid.Empty, SiteId = siteId, Timestamp = e.Timestamp, Name = e.Name, Pathname = texts.Get(e.Pathname), Interactive = e.Interactive,
            });
            _unwritten.Add(visit);
        }
    }

    /// <summary>
    /// An event read back from the spool as the endpoint makes them (<see cref="EventEndpoint"/>): its enrichment cut
    /// to fit the columns (<see cref="EventEnrichment.Fitted"/>), its texts shared through <paramref name="texts"/>.
    /// </summary>
    private static PendingEvent Storable(PendingEvent e, TextPool texts) => e with
    {
        Name = texts.Get(e.Name),
        Hostname = texts.Get(e.Hostname),
        Pathname = texts.Get(e.Pathname),
        Props = texts.Get(e.Props),
        Enrichment = e.Enrichment.Shared(texts),
    };

    private static SiteEvent ToRow(PendingEvent e, long sessionId) => new()
    {
        EventId = e.EventId,
        SiteId = e.SiteId,
        Timestamp = e.Timestamp,
        Name = e.Name,
        Hostname = e.Hostname,
        Pathname = e.Pathname,
        VisitorId = e.VisitorId,
        SessionId = sessionId,
        ReferrerHost = e.Enrichment.ReferrerHost,
        Source = e.Enrichment.Source,
        UtmSource = e.Enrichment.UtmSource,
        UtmMedium = e.Enrichment.UtmMedium,
        UtmCampaign = e.Enrichment.UtmCampaign,
        UtmTerm = e.Enrichment.UtmTerm,
        UtmContent = e.Enrichment.UtmContent,
        Country = e.Enrichment.Country,
        Browser = e.Enrichment.Browser,
        BrowserVersion = e.Enrichment.BrowserVersion,
        Os = e.Enrichment.Os,
        OsVersion = e.Enrichment.OsVersion,
        Device = e.Enrichment.Device,
        Props = e.Props,
        RevenueAmount = e.RevenueAmount,
        RevenueCurrency = e.RevenueCurrency,
        Interactive = e.Interactive,
    };

    /// <summary>Events the spooler has written, between two positions of the spool, with the offset after each one's record.</summary>
    private sealed record SpooledBatch(SpoolPosition Start, SpoolPosition End, PendingEvent[] Events, long[] Ends);
}
