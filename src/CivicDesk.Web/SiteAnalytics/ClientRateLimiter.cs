using System.Collections.Concurrent;
using System.Net;
using System.Threading.RateLimiting;
using CivicDesk.Web.Shared;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.SiteAnalytics;

/// <summary>
/// The public endpoints' limit: <see cref="AnalyticsOptions.RateLimitPerMinute"/> requests per client address in a
/// sliding window of one minute in six segments, no queue; a refusal carries Retry-After (when enough permits free up).
/// Requests to endpoints not marked <see cref="PublicEndpoints.RateLimitedPerClient{TBuilder}"/>, other than the tracker
/// script, pass free.
/// </summary>
/// <remarks>
/// Replaces the library's partitioned sliding-window limiters, whose timer visited every client's partition ten times
/// a second (ADR 0008). Here a client costs nothing between its requests: its window moves on when it next asks, and
/// clients with nothing left in their window are forgotten by a sweep at most once a window, run by a request.
/// </remarks>
internal sealed class ClientRateLimiter : PartitionedRateLimiter<HttpContext>
{
    private const int Segments = 6;
    private static readonly TimeSpan Segment = TimeSpan.FromMinutes(1) / Segments;

    // The lease of every request let through (it holds nothing to give back), and the key of a connection without an
    // address (255.255.255.255 is never a client's).
    private static readonly RateLimitLease Free = new Lease(true, null);
    private static readonly IPAddress NoAddress = IPAddress.None;

    private readonly ConcurrentDictionary<IPAddress, Client> _clients = new();
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly int _limit;
    private long _nextSweep = Segments;

    public ClientRateLimiter(IOptions<AnalyticsOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _limit = options.Value.RateLimitPerMinute;
        _time = time;
        _started = time.GetTimestamp();
    }

    /// <summary>Clients remembered now (those with permits taken in the last window, and some not yet swept).</summary>
    public int Clients => _clients.Count;

    public override RateLimiterStatistics? GetStatistics(HttpContext resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var available = _clients.TryGetValue(resource.Connection.RemoteIpAddress ?? NoAddress, out var client)
            ? _limit - client.InWindow(SegmentOf(_time.GetElapsedTime(_started)))
            : _limit;
        return new RateLimiterStatistics { CurrentAvailablePermits = available };
    }

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (resource.GetEndpoint()?.Metadata.GetMetadata<Limited>() is null && !IsTrackerScript(resource))
        {
            return Free;
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, _limit);
        var elapsed = _time.GetElapsedTime(_started);
        SweepIfDue(SegmentOf(elapsed));
        var address = resource.Connection.RemoteIpAddress ?? NoAddress;
        while (true)
        {
            var client = _clients.GetOrAdd(address, static _ => new Client());
            if (client.TryAcquire(elapsed, permitCount, _limit) is { } lease)
            {
                return lease;
            }

            // Swept between the lookup and the lock: ask again, so that the permits land in the entry that is kept.
        }
    }

    // No queue: waiting would never get more than trying.
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(resource, permitCount));

    /// <summary>The number of the segment <paramref name="elapsed"/> after the limiter started.</summary>
    private static long SegmentOf(TimeSpan elapsed) => elapsed.Ticks / Segment.Ticks;

    /// <summary>Once a window, forgets the clients with nothing in their window (as good as new), on this request's thread.</summary>
    private void SweepIfDue(long now)
    {
        var due = Volatile.Read(ref _nextSweep);
        if (now < due || Interlocked.CompareExchange(ref _nextSweep, now + Segments, due) != due)
        {
            return;
        }

        foreach (var (address, client) in _clients)
        {
            if (client.TryForget(now))
            {
                _clients.TryRemove(KeyValuePair.Create(address, client));
            }
        }
    }

    /// <summary>
    /// The tracker script, public like the event and counter endpoints but a static file, served before routing: the
    /// pipeline runs the limiter for it ahead of the static files (<see cref="WebPlatform.UseWebPlatform"/>).
    /// </summary>
    public static bool IsTrackerScript(HttpContext context) =>
        context.Request.Path.Equals("/js/script.js", StringComparison.OrdinalIgnoreCase);

    /// <summary>Marks an endpoint limited per client.</summary>
    internal sealed class Limited
    {
        public static readonly Limited Instance = new();
    }

    /// <summary>One client's window: the permits taken in each of the last <see cref="Segments"/> segments.</summary>
    private sealed class Client
    {
        private readonly Lock _lock = new();
        private readonly int[] _taken = new int[Segments];
        private long _segment;
        private int _inWindow;
        private bool _forgotten;

        /// <summary>
        /// Takes <paramref name="permits"/> if the window has room, or refuses them with the time until enough will
        /// have freed up; null if the sweep has just forgotten this entry.
        /// </summary>
        public RateLimitLease? TryAcquire(TimeSpan elapsed, int permits, int limit)
        {
            lock (_lock)
            {
                if (_forgotten)
                {
                    return null;
                }

                var now = MoveTo(SegmentOf(elapsed));
                if (permits == 0 ? _inWindow < limit : _inWindow + permits <= limit)
                {
                    _taken[now % Segments] += permits;
                    _inWindow += permits;
                    return Free;
                }

                // The permits of segment now - 6 + i free up when segment now + i begins; both use slot (now + i) % 6.
                var freed = 0;
                var i = 1;
                for (; i < Segments; i++)
                {
                    freed += _taken[(now + i) % Segments];
                    if (_inWindow - freed + Math.Max(permits, 1) <= limit)
                    {
                        break;
                    }
                }

                return new Lease(false, (now + i) * Segment - elapsed);
            }
        }

        public int InWindow(long now)
        {
            lock (_lock)
            {
                MoveTo(now);
                return _inWindow;
            }
        }

        /// <summary>Marks the entry forgotten if nothing is left in its window.</summary>
        public bool TryForget(long now)
        {
            lock (_lock)
            {
                MoveTo(now);
                _forgotten = _inWindow == 0;
                return _forgotten;
            }
        }

        /// <summary>Frees the segments that have left the window; returns the current segment (never going back).</summary>
        private long MoveTo(long now)
        {
            if (now <= _segment)
            {
                return _segment;
            }

            for (var s = Math.Max(_segment + 1, now - Segments + 1); s <= now; s++)
            {
                _inWindow -= _taken[s % Segments];
                _taken[s % Segments] = 0;
            }

            _segment = now;
            return now;
        }
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
