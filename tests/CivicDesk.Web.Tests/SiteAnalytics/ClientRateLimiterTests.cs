using System.Net;
using System.Threading.RateLimiting;
using CivicDesk.Web.SiteAnalytics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>The public endpoints' limit per client address, on a clock the tests move (the HTTP side: RateLimitTests).</summary>
public sealed class ClientRateLimiterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 3, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_client_gets_the_limit_then_a_refusal_saying_when_a_permit_frees_up()
    {
        using var limiter = Limiter(perMinute: 5);
        var client = Public("203.0.113.1");

        var taken = Enumerable.Range(0, 5).Select(_ => limiter.AttemptAcquire(client).IsAcquired).ToList();
        var refused = limiter.AttemptAcquire(client);
        _time.Advance(TimeSpan.FromSeconds(15));
        var later = limiter.AttemptAcquire(client);

        Assert.All(taken, Assert.True);
        Assert.False(refused.IsAcquired);
        Assert.Equal(TimeSpan.FromMinutes(1), RetryAfter(refused));
        Assert.False(later.IsAcquired);
        Assert.Equal(TimeSpan.FromSeconds(45), RetryAfter(later));
        Assert.Equal(0, limiter.GetStatistics(client)!.CurrentAvailablePermits);
    }

    [Fact]
    public async Task Waiting_for_a_permit_gets_no_more_than_asking_there_is_no_queue()
    {
        using var limiter = Limiter(perMinute: 1);
        var client = Public("203.0.113.1");
        Assert.True(limiter.AttemptAcquire(client).IsAcquired);

        var waited = await limiter.AcquireAsync(client, cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(waited.IsAcquired);
        Assert.Equal(TimeSpan.FromMinutes(1), RetryAfter(waited));
    }

    [Fact]
    public void The_window_slides_permits_free_up_segment_by_segment_ten_seconds_apart()
    {
        using var limiter = Limiter(perMinute: 6);
        var client = Public("203.0.113.1");
        for (var segment = 0; segment < 3; segment++)
        {
            Assert.True(limiter.AttemptAcquire(client, 2).IsAcquired);
            _time.Advance(TimeSpan.FromSeconds(10));
        }

        // At 0:30 the window is full: the first segment's two permits free up at 1:00, four at 1:10.
        var full = limiter.AttemptAcquire(client);
        var three = limiter.AttemptAcquire(client, 3);
        _time.Advance(TimeSpan.FromSeconds(29.9));
        var justBefore = limiter.AttemptAcquire(client);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        var atOneMinute = Enumerable.Range(0, 3).Select(_ => limiter.AttemptAcquire(client)).ToList();
        _time.Advance(TimeSpan.FromSeconds(10));
        var atOneMinuteTen = limiter.AttemptAcquire(client, 2);

        Assert.Equal(TimeSpan.FromSeconds(30), RetryAfter(full));
        Assert.Equal(TimeSpan.FromSeconds(40), RetryAfter(three));
        Assert.Equal(TimeSpan.FromSeconds(0.1), RetryAfter(justBefore));
        Assert.Equal([true, true, false], atOneMinute.Select(l => l.IsAcquired));
        Assert.Equal(TimeSpan.FromSeconds(10), RetryAfter(atOneMinute[2]));
        Assert.True(atOneMinuteTen.IsAcquired);
    }

    [Fact]
    public void Clients_are_independent_and_known_by_their_address_not_by_the_object()
    {
        using var limiter = Limiter(perMinute: 2);

        var first = Enumerable.Range(0, 3).Select(_ => limiter.AttemptAcquire(Public("203.0.113.1")).IsAcquired).ToList();
        var other = Enumerable.Range(0, 2).Select(_ => limiter.AttemptAcquire(Public("203.0.113.2")).IsAcquired).ToList();
        var mapped = limiter.AttemptAcquire(Public("::ffff:203.0.113.1")).IsAcquired;
        var noAddress = Enumerable.Range(0, 3).Select(_ => limiter.AttemptAcquire(Public(null)).IsAcquired).ToList();

        Assert.Equal([true, true, false], first);
        Assert.Equal([true, true], other);
        // Written differently, an address is another client, as it was when the address's text was the key.
        Assert.True(mapped);
        // Connections without an address share one window.
        Assert.Equal([true, true, false], noAddress);
    }

    [Fact]
    public void Clients_with_nothing_left_in_their_window_are_forgotten_by_a_sweep_at_most_once_a_minute()
    {
        using var limiter = Limiter(perMinute: 5);
        for (var i = 0; i < 100; i++)
        {
            limiter.AttemptAcquire(Public($"10.0.0.{i}"));
        }

        _time.Advance(TimeSpan.FromSeconds(55));
        limiter.AttemptAcquire(Public("203.0.113.1"));
        Assert.Equal(101, limiter.Clients);

        // At 1:01 the first hundred have nothing left in their window; the one from 0:55 has.
        _time.Advance(TimeSpan.FromSeconds(6));
        limiter.AttemptAcquire(Public("203.0.113.2"));
        Assert.Equal(2, limiter.Clients);

        // The next sweep is a minute later.
        _time.Advance(TimeSpan.FromSeconds(50));
        limiter.AttemptAcquire(Public("203.0.113.3"));
        Assert.Equal(3, limiter.Clients);
        _time.Advance(TimeSpan.FromMinutes(1));
        limiter.AttemptAcquire(Public("203.0.113.4"));
        Assert.Equal(1, limiter.Clients);
        Assert.Equal(5, limiter.GetStatistics(Public("10.0.0.1"))!.CurrentAvailablePermits);
    }

    [Fact]
    public void Requests_to_endpoints_that_are_not_public_are_never_limited_and_take_nothing_from_the_client()
    {
        using var limiter = Limiter(perMinute: 1);
        var address = IPAddress.Parse("203.0.113.1");
        var page = new DefaultHttpContext { Connection = { RemoteIpAddress = address } };
        page.SetEndpoint(new Endpoint(null, EndpointMetadataCollection.Empty, "GET /units"));
        var noEndpoint = new DefaultHttpContext { Connection = { RemoteIpAddress = address } };

        var leases = Enumerable.Range(0, 100).SelectMany(_ => new[] { limiter.AttemptAcquire(page), limiter.AttemptAcquire(noEndpoint) }).ToList();

        Assert.All(leases, l => Assert.True(l.IsAcquired));
        Assert.Equal(0, limiter.Clients);
        Assert.True(limiter.AttemptAcquire(Public("203.0.113.1")).IsAcquired);
    }

    [Fact]
    public void Many_threads_at_once_get_exactly_the_limit_in_each_window_while_sweeps_run_beside_them()
    {
        using var limiter = Limiter(perMinute: 600);
        var rounds = new List<int>();
        for (var round = 0; round < 5; round++)
        {
            // A window later: the first request of the round sweeps (forgetting every client) while the others take
            // permits. The race it guards against (a permit taken in an entry being forgotten) is rare here, not forced.
            _time.Advance(TimeSpan.FromSeconds(61));
            var acquired = 0;
            Parallel.For(0, 2_000, i =>
            {
                if (limiter.AttemptAcquire(Public("203.0.113.1")).IsAcquired)
                {
                    Interlocked.Increment(ref acquired);
                }

                limiter.AttemptAcquire(Public($"10.0.{i % 200}.1"));
            });
            rounds.Add(acquired);
        }

        Assert.All(rounds, acquired => Assert.Equal(600, acquired));
    }

    private ClientRateLimiter Limiter(int perMinute) =>
        new(Options.Create(new AnalyticsOptions { RateLimitPerMinute = perMinute }), _time);

    /// <summary>A request to a public endpoint from <paramref name="address"/>.</summary>
    private static DefaultHttpContext Public(string? address)
    {
        var context = new DefaultHttpContext { Connection = { RemoteIpAddress = address is null ? null : IPAddress.Parse(address) } };
        context.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(ClientRateLimiter.Limited.Instance), "POST /api/event"));
        return context;
    }

    private static TimeSpan RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : throw new InvalidOperationException("No Retry-After");
}
