using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CivicDesk.Bench.Ingest.Tests;

/// <summary>The load generator counts every answer under its status and measures latency the way the report states.</summary>
public sealed class LoadGeneratorTests
{
    private static readonly EventRequest[] Workload = Ingest.Workload.Generate("songlam.gov.vn", 1_000);

    [Fact]
    public async Task Every_answer_is_counted_under_its_status()
    {
        // A server that answers 202, 429, 503 and 500 in turn, and counts what it answered.
        var url = FreeLoopbackUrl();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        await using var server = builder.Build();
        int[] statuses = [202, 429, 503, 500];
        var answered = new int[statuses.Length];
        var next = -1;
        server.MapPost("/api/event", (HttpContext context) =>
        {
            var turn = Interlocked.Increment(ref next) % statuses.Length;
            Interlocked.Increment(ref answered[turn]);
            context.Response.StatusCode = statuses[turn];
        });
        await server.StartAsync(TestContext.Current.CancellationToken);

        using var load = new LoadGenerator(new Uri(url), Workload, connections: 4);
        await load.SendFirstAsync(TestContext.Current.CancellationToken);
        answered[0]--;
        var result = await load.RunAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);

        // No rate is asserted (the machine may be busy); a few turns of the four answers are enough.
        Assert.True(result.Requests >= 8, $"only {result.Requests} requests in 1 s");
        Assert.Equal(answered[0], result.Accepted);
        Assert.Equal(answered[1], result.TooMany);
        Assert.Equal(answered[2], result.Unavailable);
        Assert.Equal(answered[3], result.Other);
        Assert.Equal(0, result.Failures);
        Assert.StartsWith("HTTP 500", result.FirstFailure, StringComparison.Ordinal);
        Assert.Equal(result.Requests, result.SortedLatencyTicks.Length);
        Assert.True(result.Elapsed >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task The_bare_endpoint_accepts_every_event()
    {
        await using var bare = await StartBareAsync();
        using var load = new LoadGenerator(new Uri(bare.Urls.First()), Workload, connections: 2);
        var (first, _) = await load.SendFirstAsync(TestContext.Current.CancellationToken);
        var result = await load.RunAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, first);
        Assert.True(result.Accepted >= 2, $"only {result.Accepted} accepted");
        Assert.Equal(result.Accepted, result.Requests);
        // The loops take the workload's events in order after the first one, so the bots among the answers are known.
        Assert.Equal(Enumerable.Range(1, (int)result.Requests).Count(i => Workload[i % Workload.Length].FromBot), result.AcceptedFromBots);
    }

    [Fact]
    public async Task At_a_fixed_rate_the_loops_send_on_schedule_and_no_faster()
    {
        await using var bare = await StartBareAsync();
        using var load = new LoadGenerator(new Uri(bare.Urls.First()), Workload, connections: 4);
        await load.SendFirstAsync(TestContext.Current.CancellationToken);
        var result = await load.RunAsync(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken, rate: 200);

        // Flat out, the bare endpoint answers thousands a second here; on schedule, 400 in 2 s, each loop's requests
        // 20 ms apart and the loops 5 ms apart. A loop that fell behind sends at once, never ahead of its schedule.
        Assert.InRange(result.Requests, 200, 404);
        Assert.Equal(result.Requests, result.Accepted);
    }

    [Fact]
    public void A_loops_schedule_starts_at_its_phase_and_advances_by_the_interval()
    {
        var started = Stopwatch.GetTimestamp();
        var pace = new LoadGenerator.Pace(started, intervalSeconds: 10, phase: 0.5);

        // Due 5 s after the start, then 15 s, 25 s; long past due (negative): send now.
        Assert.InRange(pace.Wait(0).TotalSeconds, 4.5, 5.0);
        Assert.InRange(pace.Wait(2).TotalSeconds, 24.5, 25.0);
        Assert.True(new LoadGenerator.Pace(started - 100 * Stopwatch.Frequency, 1, 0).Wait(3) < TimeSpan.Zero);
    }

    [Fact]
    public async Task A_request_without_an_answer_counts_as_other_and_adds_no_latency()
    {
        using var load = new LoadGenerator(new Uri(FreeLoopbackUrl()), Workload, connections: 1);
        var result = await load.RunAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);

        Assert.True(result.Failures > 0);
        Assert.Equal(result.Failures, result.Other);
        Assert.Equal(0, result.Accepted);
        Assert.Empty(result.SortedLatencyTicks);
        Assert.NotNull(result.FirstFailure);
    }

    [Fact]
    public void Percentiles_are_nearest_rank_over_every_latency()
    {
        var msTicks = Stopwatch.Frequency / 1000;
        var result = new LoadResult { SortedLatencyTicks = Enumerable.Range(1, 200).Select(ms => ms * msTicks).ToArray() };

        Assert.Equal(100, result.LatencyMs(0.50), precision: 6);
        Assert.Equal(198, result.LatencyMs(0.99), precision: 6);
        Assert.Equal(200, result.MaxLatencyMs, precision: 6);
        Assert.Equal(1, result.LatencyMs(0.001), precision: 6);
    }

    private static async Task<WebApplication> StartBareAsync()
    {
        var bare = BareEndpoint.Build(FreeLoopbackUrl());
        await bare.StartAsync(TestContext.Current.CancellationToken);
        return bare;
    }

    private static string FreeLoopbackUrl() => ServerProcess.FreeLoopbackAddress().ToString().TrimEnd('/');
}
