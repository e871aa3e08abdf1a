using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>
/// Faults on a real node (the executable in a child process, real Kestrel, a SQLite file): killed with SIGKILL while
/// events arrive, or stopped with SIGTERM. Every event answered 202 more than a second before a kill, and every event
/// answered before a graceful stop, must be stored after the restart — once.
/// </summary>
public sealed class FaultTests
{
    [Theory]
    [InlineData("KILL")]
    [InlineData("TERM")]
    public async Task Events_answered_before_a_kill_or_a_stop_are_stored_after_restart_exactly_once(string signal)
    {
        await using var app = new SqliteApp();
        await app.InitializeAsync();
        var site = await Analytics.CreateSiteAsync(app);
        var spool = Path.Combine(Path.GetTempPath(), $"civicdesk-fault-{Guid.NewGuid():N}");
        var accepted = new ConcurrentDictionary<string, long>();
        try
        {
            var port = FreePort();
            using (var node = await StartNodeAsync(app, spool, port))
            {
                using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
                using var stop = new CancellationTokenSource();
                var senders = Enumerable.Range(0, 4).Select(s => SendUntilAsync(client, site.Domain, s, accepted, stop.Token)).ToList();
                // Kill at a random moment once the node is busy: 200 events answered, then one to two seconds more, so
                // that there are events answered more than a second before the kill (the promise) and just before it.
                await Eventually.HoldsAsync(() => accepted.Count >= 200, "the node has answered 200 events", TimeSpan.FromSeconds(60));
                await Task.Delay(TimeSpan.FromSeconds(1 + Random.Shared.NextDouble()));
                var killedAt = Stopwatch.GetTimestamp();
                Signal(node, signal);
                await node.WaitForExitAsync();
                await stop.CancelAsync();
                await Task.WhenAll(senders);
                var cutoff = signal == "KILL" ? killedAt - Stopwatch.Frequency : long.MaxValue;
                var mustHave = accepted.Where(a => a.Value < cutoff).Select(a => a.Key).ToHashSet();
                Assert.True(mustHave.Count > 20, $"too few events were answered before the {signal} ({mustHave.Count})");

                using var restarted = await StartNodeAsync(app, spool, FreePort());
                await Eventually.HoldsAsync(
                    async () => (await StoredPathsAsync(app, site.Id)).IsSupersetOf(mustHave),
                    $"the {mustHave.Count} events answered before the {signal} are stored",
                    TimeSpan.FromSeconds(30));
                restarted.Kill(entireProcessTree: true);
                await restarted.WaitForExitAsync();
            }

            var rows = await app.WithDbAsync(db => db.SiteEvents.Where(e => e.SiteId == site.Id).Select(e => e.Pathname).ToListAsync());
            Assert.Equal(rows.Count, rows.Distinct().Count());
            Assert.True(rows.ToHashSet().IsSubsetOf(accepted.Keys.Concat(rows).ToHashSet()));
        }
        finally
        {
            if (Directory.Exists(spool))
            {
                Directory.Delete(spool, recursive: true);
            }
        }
    }

    private static async Task SendUntilAsync(HttpClient client, string domain, int sender, ConcurrentDictionary<string, long> accepted, CancellationToken ct)
    {
        for (var i = 0; !ct.IsCancellationRequested; i++)
        {
            var path = $"/s{sender}/e{i}";
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/event")
            {
                Content = new StringContent($"{{\"name\":\"pageview\",\"url\":\"https://{domain}{path}\",\"domain\":\"{domain}\"}}", Encoding.UTF8, "text/plain"),
            };
            request.Headers.TryAddWithoutValidation("User-Agent", Analytics.Chrome);
            try
            {
                using var response = await client.SendAsync(request, CancellationToken.None);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    accepted[path] = Stopwatch.GetTimestamp();
                }
            }
            catch (HttpRequestException)
            {
                // The node is gone: what it did not answer 202 it did not promise to keep.
                return;
            }
        }
    }

    private static async Task<HashSet<string>> StoredPathsAsync(AppFactory app, int siteId) =>
        (await app.WithDbAsync(db => db.SiteEvents.Where(e => e.SiteId == siteId).Select(e => e.Pathname).ToListAsync())).ToHashSet();

    private static void Signal(Process process, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private static async Task<Process> StartNodeAsync(AppFactory app, string spool, int port)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = false,
            RedirectStandardError = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CivicDesk.Web.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment["Database__Provider"] = "Sqlite";
        start.Environment["Database__ConnectionString"] = app.ConnectionString;
        start.Environment["SiteAnalytics__SpoolPath"] = spool;
        start.Environment["SiteAnalytics__RateLimitPerMinute"] = "1000000";
        start.Environment["Jobs__Enabled"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.HoldsAsync(
            async () =>
            {
                try
                {
                    return (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    return false;
                }
            },
            "the node is ready",
            TimeSpan.FromSeconds(60));
        return process;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
