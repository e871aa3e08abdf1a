using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace CivicDesk.Bench.Ingest;

/// <summary>What one phase of load produced: answers by status, and every request's latency (exact, sorted).</summary>
internal sealed class LoadResult
{
    public long Accepted { get; init; }
    public long TooMany { get; init; }
    public long Unavailable { get; init; }
    public long Other { get; init; }

    /// <summary>Requests that got no answer at all (connection refused or reset, timeout); counted in <see cref="Other"/> too.</summary>
    public long Failures { get; init; }

    public string? FirstFailure { get; init; }

    /// <summary>Bot events among the 202s (by the workload's own labels; the app decides for itself).</summary>
    public long AcceptedFromBots { get; init; }

    /// <summary>From the first request's start to the last answer's end.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Stopwatch timestamp of the first request's start.</summary>
    public long StartedAt { get; init; }

    public required long[] SortedLatencyTicks { get; init; }

    public long Requests => Accepted + TooMany + Unavailable + Other;

    public double AcceptedPerSecond => Accepted / Elapsed.TotalSeconds;

    public double LatencyMs(double quantile)
    {
        if (SortedLatencyTicks.Length == 0)
        {
            return double.NaN;
        }

        // Nearest rank: the smallest latency that at least this share of requests did not exceed.
        var rank = (int)Math.Ceiling(quantile * SortedLatencyTicks.Length);
        return TicksToMs(SortedLatencyTicks[Math.Clamp(rank - 1, 0, SortedLatencyTicks.Length - 1)]);
    }

    public double MaxLatencyMs => SortedLatencyTicks.Length == 0 ? double.NaN : TicksToMs(SortedLatencyTicks[^1]);

    private static double TicksToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}

/// <summary>
/// A closed-loop load generator like wrk: <c>connections</c> loops, each with one request in flight at a time, over
/// one <see cref="SocketsHttpHandler"/> that keeps exactly that many HTTP/1.1 connections open. Each loop takes the
/// next event of the prepared workload, sends it, reads the whole answer, and records the latency.
/// </summary>
internal sealed class LoadGenerator : IDisposable
{
    private static readonly MediaTypeHeaderValue TextPlain = new("text/plain") { CharSet = "utf-8" };
    private readonly HttpClient _client;
    private readonly EventRequest[] _workload;
    private long _next = -1;

    public LoadGenerator(Uri baseAddress, EventRequest[] workload, int connections)
    {
        _workload = workload;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
        Connections = connections;
    }

    public int Connections { get; }

    /// <summary>
    /// Runs the loops for <paramref name="duration"/>; each finishes the request it has in flight. With a
    /// <paramref name="rate"/> (requests a second, all loops together) each loop sends on a schedule instead of as soon as
    /// its answer came: loop <c>i</c> of <c>n</c> sends its <c>k</c>-th request at <c>(k + i / n) · n / rate</c> seconds,
    /// or at once when it is behind (a slow answer is not made up for by a burst).
    /// </summary>
    public async Task<LoadResult> RunAsync(TimeSpan duration, CancellationToken ct, double? rate = null)
    {
        var loops = new Loop[Connections];
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var tasks = new Task[Connections];
        for (var i = 0; i < Connections; i++)
        {
            loops[i] = new Loop(expected: (int)Math.Min(duration.TotalSeconds * 20_000 / Connections, 4_000_000));
            var loop = loops[i];
            var pace = rate is { } r ? new Pace(started, Connections / r, (double)i / Connections) : null;
            tasks[i] = Task.Run(() => RunLoopAsync(loop, deadline, pace, ct), ct);
        }

        await Task.WhenAll(tasks);
        var ended = Stopwatch.GetTimestamp();
        var latencies = new long[loops.Sum(l => l.Latencies.Count)];
        var at = 0;
        foreach (var loop in loops)
        {
            loop.Latencies.CopyTo(latencies, at);
            at += loop.Latencies.Count;
        }

        Array.Sort(latencies);
        return new LoadResult
        {
            Accepted = loops.Sum(l => l.Accepted),
            TooMany = loops.Sum(l => l.TooMany),
            Unavailable = loops.Sum(l => l.Unavailable),
            Other = loops.Sum(l => l.Other),
            Failures = loops.Sum(l => l.Failures),
            FirstFailure = loops.Select(l => l.FirstFailure).FirstOrDefault(f => f is not null),
            AcceptedFromBots = loops.Sum(l => l.AcceptedFromBots),
            StartedAt = started,
            Elapsed = Stopwatch.GetElapsedTime(started, ended),
            SortedLatencyTicks = latencies,
        };
    }

    private async Task RunLoopAsync(Loop loop, long deadline, Pace? pace, CancellationToken ct)
    {
        for (var k = 0L; Stopwatch.GetTimestamp() < deadline && !ct.IsCancellationRequested; k++)
        {
            if (pace is not null && pace.Wait(k) is { } wait && wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, ct);
                if (Stopwatch.GetTimestamp() >= deadline)
                {
                    break;
                }
            }

            var e = NextEvent();
            var start = Stopwatch.GetTimestamp();
            try
            {
                using var response = await SendAsync(e, ct);
                loop.Latencies.Add(Stopwatch.GetTimestamp() - start);
                switch (response.StatusCode)
                {
                    case HttpStatusCode.Accepted:
                        loop.Accepted++;
                        loop.AcceptedFromBots += e.FromBot ? 1 : 0;
                        break;
                    case HttpStatusCode.TooManyRequests:
                        loop.TooMany++;
                        break;
                    case HttpStatusCode.ServiceUnavailable:
                        loop.Unavailable++;
                        break;
                    default:
                        loop.Other++;
                        loop.FirstFailure ??= $"HTTP {(int)response.StatusCode}: {Shorten(await response.Content.ReadAsStringAsync(ct))}";
                        break;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                // No answer: the latency is not a server's answer time, so it is left out; the request counts as "other".
                loop.Other++;
                loop.Failures++;
                loop.FirstFailure ??= ex.Message;
            }
        }
    }

    /// <summary>
    /// Sends one event and waits for its answer, however long: the app loads its enrichment data on start and the
    /// first events wait for it, which is start-up, not ingestion. Returns the status and how long it took.
    /// </summary>
    public async Task<(HttpStatusCode Status, TimeSpan Elapsed)> SendFirstAsync(CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        using var response = await SendAsync(NextEvent(), ct);
        return (response.StatusCode, Stopwatch.GetElapsedTime(start));
    }

    private EventRequest NextEvent() => _workload[(int)((ulong)Interlocked.Increment(ref _next) % (ulong)_workload.Length)];

    private async Task<HttpResponseMessage> SendAsync(EventRequest e, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/event") { Content = new ByteArrayContent(e.Body) };
        request.Content.Headers.ContentType = TextPlain;
        request.Headers.TryAddWithoutValidation("User-Agent", e.UserAgent);
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", e.ForwardedFor);
        return await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";

    public void Dispose() => _client.Dispose();

    /// <summary>A loop's schedule: its first request <paramref name="phase"/> of an interval after the start, then one each interval.</summary>
    internal sealed class Pace(long started, double intervalSeconds, double phase)
    {
        /// <summary>How long to wait before the <paramref name="k"/>-th request (zero or less: send now).</summary>
        public TimeSpan Wait(long k)
        {
            var due = started + (long)((k + phase) * intervalSeconds * Stopwatch.Frequency);
            return TimeSpan.FromSeconds((double)(due - Stopwatch.GetTimestamp()) / Stopwatch.Frequency);
        }
    }

    /// <summary>One loop's own counters: no sharing, so no contention while measuring.</summary>
    private sealed class Loop(int expected)
    {
        public List<long> Latencies { get; } = new(expected);
        public long Accepted { get; set; }
        public long AcceptedFromBots { get; set; }
        public long TooMany { get; set; }
        public long Unavailable { get; set; }
        public long Other { get; set; }
        public long Failures { get; set; }
        public string? FirstFailure { get; set; }
    }
}
