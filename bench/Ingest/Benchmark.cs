using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;

namespace CivicDesk.Bench.Ingest;

/// <summary>One target's figures: the measured phase's answers and latencies, and for the app what reached the database.</summary>
internal sealed record Measurement(string Target, LoadResult Load, Memory Memory, double ServerCpuCores, double GeneratorCpuCores, string LoadAverage)
{
    /// <summary>The round (1, 2, …) in which every target was measured once, one after the other.</summary>
    public int Round { get; init; } = 1;

    /// <summary>Accepted events of the measured phase over the time from its first request until the last of them was stored.</summary>
    public double? PersistedPerSecond { get; init; }

    /// <summary>From the end of the load until the database held every accepted event.</summary>
    public TimeSpan? DrainLag { get; init; }

    public StoredCounts? Stored { get; init; }

    /// <summary>Accepted events (warm-up and measured) that the database should hold.</summary>
    public long? Expected { get; init; }

    /// <summary>Pageviews plus events from the product's own stats API for today, to compare with the rows.</summary>
    public long? StatsApiEvents { get; init; }

    /// <summary>Events stored after the load ended, and the app's CPU time per event meanwhile (the writer's cost).</summary>
    public long? Drained { get; init; }

    public double? WriterCpuMsPerEvent { get; init; }

    /// <summary>
    /// The app's processor time from the measured phase's first event until its last was stored, per accepted event
    /// (the endpoint and the writer; for the bare endpoint, its time during the load).
    /// </summary>
    public double? CpuMsPerEvent { get; init; }

    /// <summary>The same for PostgreSQL's processes on this machine (the postgres target only).</summary>
    public double? PostgresCpuMsPerEvent { get; init; }

    /// <summary>The server's processor time during the load alone, per accepted event.</summary>
    public double LoadCpuMsPerEvent => ServerCpuCores * Load.Elapsed.TotalMilliseconds / Math.Max(1, Load.Accepted);

    /// <summary>How the warm-up went: its length and throughput slice by slice.</summary>
    public string? Warmup { get; init; }

    public string? Note { get; init; }
}

/// <summary>
/// Runs the same load against each target, in one process so that the figures share a machine state. Every target is
/// started and warmed up first (the bare endpoint, the app on SQLite, the app on PostgreSQL); then each round measures
/// them one after the other, and each app round is compared with the bare endpoint's round just before it. The app
/// is the built dll, started with a fresh database and spool, behind a "trusted proxy" (this tool on 127.0.0.1) so
/// that each event's X-Forwarded-For is its visitor's.
/// </summary>
internal sealed class Benchmark(BenchOptions options, TextWriter progress)
{
    public const string Bare = "bare";
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
    public const string Domain = "songlam.gov.vn";
    private const string SiteTimeZone = "Asia/Ho_Chi_Minh";
    private const int WorkloadSize = 100_000;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(2);
    private readonly EventRequest[] _workload = Workload.Generate(Domain, WorkloadSize);

    public async Task<IReadOnlyList<Measurement>> RunAsync(CancellationToken ct)
    {
        var work = Directory.CreateTempSubdirectory("civicdesk-ingest-bench.");
        progress.WriteLine($"Work folder: {work.FullName}");
        var results = new List<Measurement>();
        var running = new List<RunningTarget>();
        try
        {
            foreach (var target in options.Targets)
            {
                progress.WriteLine($"[{target}] load average {LoadAverage()}");
                running.Add(target == Bare ? await StartBareAsync(work.FullName, ct) : await StartAppAsync(target, options.AppDll!, options.AppEnvironment, work.FullName, ct));
                if (target != Bare && options.CompareDll is { } other)
                {
                    progress.WriteLine($"[{target}{CompareSuffix}] load average {LoadAverage()}");
                    running.Add(await StartAppAsync(target + CompareSuffix, other, options.AppEnvironment.Concat(options.CompareEnvironment), work.FullName, ct));
                }
            }

            for (var round = 1; round <= options.Rounds; round++)
            {
                foreach (var target in RoundOrder(running.Select(t => t.Name).ToList(), round).Select(name => running.Single(t => t.Name == name)))
                {
                    progress.WriteLine($"[{target.Name}] round {round} of {options.Rounds}, load average {LoadAverage()}");
                    results.Add(target.Database is null ? await MeasureBareAsync(target, round, ct) : await MeasureAppAsync(target, round, ct));
                }
            }
        }
        finally
        {
            for (var i = running.Count - 1; i >= 0; i--)
            {
                await running[i].DisposeAsync();
            }

            if (!options.KeepWork)
            {
                work.Delete(recursive: true);
            }
        }

        return results;
    }

    /// <summary>The name of an app target started from <c>--compare</c>'s build: "postgres" and "postgres-compare".</summary>
    public const string CompareSuffix = "-compare";

    /// <summary>
    /// The order in which a round measures the targets: as started, except that an app and its <c>--compare</c> twin
    /// swap places every other round, so that neither is always the one measured later.
    /// </summary>
    internal static IReadOnlyList<string> RoundOrder(IReadOnlyList<string> targets, int round)
    {
        var order = targets.ToList();
        if (round % 2 == 0)
        {
            for (var i = 0; i + 1 < order.Count; i++)
            {
                if (order[i + 1] == order[i] + CompareSuffix)
                {
                    (order[i], order[i + 1]) = (order[i + 1], order[i]);
                    i++;
                }
            }
        }

        return order;
    }

    /// <summary>A started, warmed-up target: its server, its load generator and, for the app, its database and site.</summary>
    private sealed class RunningTarget(string name, ServerProcess server, LoadGenerator load) : IAsyncDisposable
    {
        public string Name { get; } = name;
        public ServerProcess Server { get; } = server;
        public LoadGenerator Load { get; } = load;
        public TargetDatabase? Database { get; init; }
        public HttpClient? Api { get; init; }
        public int SiteId { get; init; }

        /// <summary>Accepted events so far, warm-up included, that the database should hold.</summary>
        public long Accepted { get; set; }

        public required string Warmup { get; init; }

        public async ValueTask DisposeAsync()
        {
            Load.Dispose();
            Api?.Dispose();
            await Server.DisposeAsync();
            if (Database is not null)
            {
                await Database.DisposeAsync();
            }
        }
    }

    private async Task<RunningTarget> StartBareAsync(string work, CancellationToken ct)
    {
        var address = ServerProcess.FreeLoopbackAddress();
        var self = Path.Combine(AppContext.BaseDirectory, "CivicDesk.Bench.Ingest.dll");
        var server = ServerProcess.Start(
            "dotnet", [self, BareEndpoint.Mode, address.ToString()], new Dictionary<string, string>(), address, Path.Combine(work, "bare.log"));
        var load = new LoadGenerator(address, _workload, options.Connections);
        try
        {
            await server.WaitReadyAsync(ReadyTimeout, ct);
            await load.SendFirstAsync(ct);
            var warmup = await WarmUpAsync(Bare, load, ct);
            return new RunningTarget(Bare, server, load) { Warmup = warmup.Description };
        }
        catch
        {
            load.Dispose();
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task<Measurement> MeasureBareAsync(RunningTarget bare, int round, CancellationToken ct)
    {
        var (result, serverCpu, generatorCpu) = await MeasuredPhaseAsync(Bare, bare.Server, bare.Load, ct);
        var measurement = new Measurement(Bare, result, bare.Server.ReadMemory(), serverCpu, generatorCpu, LoadAverage())
        {
            Round = round,
            Warmup = round == 1 ? bare.Warmup : null,
        };
        // The bare endpoint has nothing to store: its cost per event is its time during the load.
        return measurement with { CpuMsPerEvent = measurement.LoadCpuMsPerEvent };
    }

    private async Task<RunningTarget> StartAppAsync(string target, string appDll, IEnumerable<KeyValuePair<string, string>> appEnvironment, string work, CancellationToken ct)
    {
        TargetDatabase database = target.StartsWith(Sqlite, StringComparison.Ordinal)
            ? new SqliteTargetDatabase(Directory.CreateDirectory(Path.Combine(work, target)).FullName)
            : await PostgresTargetDatabase.CreateAsync(options.PostgresServer!, ct);
        ServerProcess? app = null;
        HttpClient? api = null;
        LoadGenerator? load = null;
        try
        {
            var appFolder = Path.GetDirectoryName(appDll)!;
            var address = ServerProcess.FreeLoopbackAddress();
            var environment = new Dictionary<string, string>
            {
                ["Database__Provider"] = database.Provider,
                ["Database__ConnectionString"] = database.ConnectionString,
                ["SiteAnalytics__SpoolPath"] = Path.Combine(work, target + "-spool"),
                ["SiteAnalytics__TrustedProxies__0"] = "127.0.0.1",
                ["ASPNETCORE_URLS"] = address.ToString(),
            };
            foreach (var (name, value) in appEnvironment)
            {
                environment[name] = value;
            }

            if (options.RateLimitPerMinute is { } limit)
            {
                environment["SiteAnalytics__RateLimitPerMinute"] = limit.ToString(CultureInfo.InvariantCulture);
            }

            // The documented way in for a program: an administrator and a personal API token from the CLI, then the REST API.
            const string email = "bench@civicdesk.invalid";
            var password = "Bench-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12)) + "-a1";
            await ServerProcess.RunToEndAsync("dotnet", [appDll, "admin", "create", "--email", email, "--password", password], environment, appFolder, ct);
            var tokenOutput = await ServerProcess.RunToEndAsync("dotnet", [appDll, "token", "create", "--email", email, "--name", "ingest benchmark"], environment, appFolder, ct);
            var token = tokenOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];

            if (!options.FirstDay)
            {
                // A node that has run for over a day has yesterday's salt (kept 48 hours); a fresh database has none, and
                // the event endpoint then looks for it in the database on every event (see docs/benchmarks.md).
                var now = TimeProvider.System.GetUtcNow();
                var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, TimeZoneInfo.FindSystemTimeZoneById(SiteTimeZone)).DateTime);
                await database.AddSaltAsync(SiteTimeZone, today.AddDays(-1), now.UtcDateTime.AddDays(-1), ct);
            }

            app = ServerProcess.Start("dotnet", [appDll], environment, address, Path.Combine(work, target + ".log"), appFolder);
            await app.WaitReadyAsync(ReadyTimeout, ct);
            // The pid lets one watch the app meanwhile (dotnet-counters monitor -p <pid>, top -p <pid>).
            progress.WriteLine($"[{target}] app ready, pid {app.Id}, {database.Provider} database {database.Name}");
            api = new HttpClient { BaseAddress = address };
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var siteId = await CreateSiteAsync(api, SiteTimeZone, ct);

            load = new LoadGenerator(address, _workload, options.Connections);
            var (firstStatus, firstTook) = await load.SendFirstAsync(ct);
            if (firstStatus != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"The first event was answered {(int)firstStatus}; see {app.LogPath}.");
            }

            progress.WriteLine($"[{target}] first event answered in {firstTook.TotalSeconds:0.0} s");
            var warmup = await WarmUpAsync(target, load, ct);
            var running = new RunningTarget(target, app, load)
            {
                Database = database,
                Api = api,
                SiteId = siteId,
                Accepted = 1 + warmup.Accepted,
                Warmup = $"first event answered after {firstTook.TotalSeconds:0.0} s; {warmup.Description}",
            };
            progress.WriteLine($"[{target}] waiting until the database holds the warm-up's {running.Accepted} events");
            var (_, warmupStored) = await WaitStoredAsync(database, siteId, running.Accepted, ct);
            if (warmupStored.Settled < running.Accepted)
            {
                throw new TimeoutException($"The warm-up's {running.Accepted} accepted events were not all stored ({warmupStored.Settled}); see {app.LogPath}.");
            }

            return running;
        }
        catch
        {
            load?.Dispose();
            api?.Dispose();
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            await database.DisposeAsync();
            throw;
        }
    }

    private async Task<Measurement> MeasureAppAsync(RunningTarget target, int round, CancellationToken ct)
    {
        var (app, database, siteId) = (target.Server, target.Database!, target.SiteId);
        var (appCpuBefore, postgresCpuBefore) = (app.CpuTime, PostgresCpuTime());
        var (result, serverCpu, generatorCpu) = await MeasuredPhaseAsync(target.Name, app, target.Load, ct);
        target.Accepted += result.Accepted;
        var expected = target.Accepted;
        // The writer's own cost: the app's CPU time while it drains what the load left behind, with nothing else to do.
        var cpuAtLoadEnd = app.CpuTime;
        var atLoadEnd = await database.SettledAsync(siteId, ct);
        var settledAt = await WaitSettledAsync(database, siteId, expected, ct);
        // Taken before the full count below, which reads an index of millions of rows.
        var (appCpuAfter, postgresCpuAfter) = (app.CpuTime, PostgresCpuTime());
        var drainCpu = appCpuAfter - cpuAtLoadEnd;
        var appCpu = appCpuAfter - appCpuBefore;
        var postgresCpu = postgresCpuAfter - postgresCpuBefore;
        var stored = await database.CountAsync(siteId, ct);
        var storedAt = StoredAt(settledAt, stored, expected);
        var drained = stored.Settled - atLoadEnd;
        var memory = app.ReadMemory();
        var loadAverage = LoadAverage();
        var statsApi = await StatsApiEventsAsync(target.Api!, siteId, ct);
        var loadEnd = result.StartedAt + (long)(result.Elapsed.TotalSeconds * Stopwatch.Frequency);
        return new Measurement(target.Name, result, memory, serverCpu, generatorCpu, loadAverage)
        {
            Round = round,
            PersistedPerSecond = storedAt is { } at ? result.Accepted / Stopwatch.GetElapsedTime(result.StartedAt, at).TotalSeconds : null,
            DrainLag = storedAt is { } end ? Stopwatch.GetElapsedTime(loadEnd, end) : null,
            Stored = stored,
            Expected = expected,
            StatsApiEvents = statsApi,
            WriterCpuMsPerEvent = drained >= MinDrainedForCost ? drainCpu.TotalMilliseconds / drained : null,
            CpuMsPerEvent = storedAt is null ? null : appCpu.TotalMilliseconds / Math.Max(1, result.Accepted),
            PostgresCpuMsPerEvent = storedAt is null || database is not PostgresTargetDatabase ? null : postgresCpu.TotalMilliseconds / Math.Max(1, result.Accepted),
            Drained = drained,
            Warmup = round == 1 ? target.Warmup : null,
            Note = storedAt is null ? $"only {stored.Settled} of {expected} accepted events stored after {DrainTimeout.TotalSeconds:0} s" : null,
        };
    }

    /// <summary>
    /// Sends load for the warm-up time, then in slices of <see cref="WarmupSlice"/> until the throughput has stopped
    /// climbing (<see cref="StoppedClimbing"/>; at most <see cref="MaxWarmup"/>). Right after start the app still
    /// compiles its user-agent rules as new strings arrive, and the runtime compiles its hot methods again, optimized,
    /// for half a minute or more: its throughput climbs meanwhile, and the measurement should not include that climb.
    /// </summary>
    private async Task<(long Accepted, string Description)> WarmUpAsync(string target, LoadGenerator load, CancellationToken ct)
    {
        progress.WriteLine($"[{target}] warm-up: {options.Warmup.TotalSeconds:0.#} s, then {WarmupSlice.TotalSeconds:0} s slices until the throughput stops climbing");
        var phase = await load.RunAsync(options.Warmup, ct);
        var accepted = phase.Accepted;
        var elapsed = phase.Elapsed;
        var rates = new List<double> { phase.AcceptedPerSecond };
        var steady = false;
        while (elapsed < MaxWarmup)
        {
            var slice = await load.RunAsync(WarmupSlice, ct);
            accepted += slice.Accepted;
            elapsed += slice.Elapsed;
            rates.Add(slice.AcceptedPerSecond);
            if (StoppedClimbing(rates))
            {
                steady = true;
                break;
            }
        }

        var description = $"warm-up {elapsed.TotalSeconds:0} s ({string.Join(" → ", rates.Select(r => r.ToString("N0", CultureInfo.CurrentCulture)))} accepted/s)" +
            (steady ? "" : $", still climbing after {MaxWarmup.TotalSeconds:0} s");
        progress.WriteLine($"[{target}] {description}");
        return (accepted, description);
    }

    /// <summary>
    /// Whether the throughput has stopped climbing: none of the last <see cref="SteadySlices"/> slices was more than 5 %
    /// above the best before them. One slow slice on a shared machine is not the end of the climb: stopping at the first
    /// slice that did not beat the one before left the app still compiling in the measured phase (a tenth of its
    /// processor time, by perf, in one run).
    /// </summary>
    internal static bool StoppedClimbing(IReadOnlyList<double> rates)
    {
        if (rates.Count <= SteadySlices)
        {
            return false;
        }

        var bestBefore = rates.Take(rates.Count - SteadySlices).Max();
        return rates.Skip(rates.Count - SteadySlices).All(r => r <= bestBefore * 1.05);
    }

    private const int SteadySlices = 3;
    private static readonly TimeSpan WarmupSlice = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan MaxWarmup = TimeSpan.FromMinutes(2);

    private async Task<(LoadResult Result, double ServerCpuCores, double GeneratorCpuCores)> MeasuredPhaseAsync(
        string target, ServerProcess server, LoadGenerator load, CancellationToken ct)
    {
        progress.WriteLine($"[{target}] measuring {options.Duration.TotalSeconds:0.#} s with {options.Connections} connections" +
            (options.Rate is { } rate ? $" at {rate:N0} events a second" : ""));
        var serverCpu = server.CpuTime;
        var generatorCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var result = await load.RunAsync(options.Duration, ct, options.Rate);
        var seconds = result.Elapsed.TotalSeconds;
        var serverCores = (server.CpuTime - serverCpu).TotalSeconds / seconds;
        var generatorCores = (Process.GetCurrentProcess().TotalProcessorTime - generatorCpu).TotalSeconds / seconds;
        progress.WriteLine($"[{target}] {result.Accepted} accepted in {seconds:0.00} s");
        return (result, serverCores, generatorCores);
    }

    /// <summary>Fewer events drained than this give no figure for the writer's cost per event (too few to mean anything).</summary>
    private const int MinDrainedForCost = 500;

    private TimeSpan DrainTimeout => TimeSpan.FromSeconds(Math.Max(60, 5 * options.Duration.TotalSeconds));

    /// <summary>
    /// Polls the rollups every 20 ms until they have settled <paramref name="expected"/> accepted events; returns when
    /// that was first seen (null if it never was). Polling starts when the load ends, so it costs the database nothing
    /// during the measurement.
    /// </summary>
    private async Task<long?> WaitSettledAsync(TargetDatabase database, int siteId, long expected, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var settled = await database.SettledAsync(siteId, ct);
            var now = Stopwatch.GetTimestamp();
            if (settled >= expected)
            {
                return now;
            }

            if (Stopwatch.GetElapsedTime(started, now) > DrainTimeout)
            {
                return null;
            }

            await Task.Delay(20, ct);
        }
    }

    /// <summary>
    /// <see cref="WaitSettledAsync"/>, then the full counts (event rows included): the time is null unless the rows
    /// and bots, not only the rollups, make up every accepted event.
    /// </summary>
    private async Task<(long? At, StoredCounts Counts)> WaitStoredAsync(TargetDatabase database, int siteId, long expected, CancellationToken ct)
    {
        var at = await WaitSettledAsync(database, siteId, expected, ct);
        var counts = await database.CountAsync(siteId, ct);
        return (StoredAt(at, counts, expected), counts);
    }

    /// <summary>When the rollups settled every accepted event, if the rows and bots counted afterwards make them up too.</summary>
    private static long? StoredAt(long? settledAt, StoredCounts counts, long expected) => counts.Settled >= expected ? settledAt : null;

    private static async Task<int> CreateSiteAsync(HttpClient api, string timeZone, CancellationToken ct)
    {
        using var unitResponse = await api.PostAsJsonAsync("/api/v1/units", new { name = "UBND tỉnh Sông Lam (benchmark)", parentId = (int?)null }, ct);
        var unitId = (await ReadCreatedAsync(unitResponse, ct)).GetProperty("id").GetInt32();
        using var siteResponse = await api.PostAsJsonAsync("/api/v1/sites", new { unitId, domain = Domain, timeZone }, ct);
        return (await ReadCreatedAsync(siteResponse, ct)).GetProperty("id").GetInt32();
    }

    private static async Task<JsonElement> ReadCreatedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        }

        return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
    }

    /// <summary>Today's pageviews plus custom events as the stats API reports them (from the rollups), or null if it fails.</summary>
    private static async Task<long?> StatsApiEventsAsync(HttpClient api, int siteId, CancellationToken ct)
    {
        using var response = await api.GetAsync(new Uri($"/api/v1/sites/{siteId}/stats/aggregate?period=day&metrics=pageviews,events", UriKind.Relative), ct);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var json = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        var results = json.TryGetProperty("results", out var r) ? r : json;
        return Metric(results, "pageviews") + Metric(results, "events");
    }

    private static long Metric(JsonElement results, string name)
    {
        var value = results.GetProperty(name);
        return value.ValueKind == JsonValueKind.Object ? value.GetProperty("value").GetInt64() : value.GetInt64();
    }

    /// <summary>
    /// User plus system time of every process named postgres on this machine (a server given by address elsewhere
    /// counts nothing), with the time of the children each has waited for: a backend or autovacuum worker that exits
    /// takes its own time out of the sum, and the postmaster, reaping it, adds it back, so processes ending between two
    /// readings neither lower the difference nor leave their work out. The tool's own short connections count too.
    /// </summary>
    internal static TimeSpan PostgresCpuTime()
    {
        const double ticksPerSecond = 100; // USER_HZ, the unit of /proc/<pid>/stat's times on Linux
        var ticks = 0L;
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out _)
                    || File.ReadAllText(Path.Combine(folder, "comm")).Trim() != "postgres")
                {
                    continue;
                }

                // The fields after the command's closing parenthesis: state is the first, then utime, stime, cutime and
                // cstime are the 12th to the 15th.
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += fields[11..15].Sum(f => long.Parse(f, CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return TimeSpan.FromSeconds(ticks / ticksPerSecond);
    }

    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
