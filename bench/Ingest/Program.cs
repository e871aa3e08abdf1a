using System.Globalization;
using CivicDesk.Bench.Ingest;

// Ingestion benchmark for POST /api/event (docs/benchmarks.md, "Site analytics: ingestion"). Usually run through
// bench/ingest.sh, which builds the app in Release first. The tool itself builds nothing.
if (args.Length == 2 && args[0] == BareEndpoint.Mode)
{
    return await BareEndpoint.RunAsync(args[1]);
}

// The report is pasted into docs/benchmarks.md: the same number format whatever the machine's locale.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args, Environment.GetEnvironmentVariable("CIVICDESK_BENCH_POSTGRES"));
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    await Console.Error.WriteLineAsync(BenchOptions.Usage);
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

try
{
    var measurements = await new Benchmark(options, Console.Out).RunAsync(stop.Token);
    Report.Write(Console.Out, options, measurements);
    return 0;
}
catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or IOException or OperationCanceledException)
{
    await Console.Error.WriteLineAsync($"The benchmark stopped: {ex.Message}");
    return 1;
}

/// <summary>The command line: what to run, for how long, with how many connections.</summary>
internal sealed record BenchOptions(
    string? AppDll, TimeSpan Duration, TimeSpan Warmup, int Rounds, int Connections, string? PostgresServer, IReadOnlyList<string> Targets, int? RateLimitPerMinute, bool FirstDay, bool KeepWork)
{
    /// <summary>Extra environment variables for the app (configuration such as SiteAnalytics__BatchSize, or runtime knobs such as DOTNET_gcServer).</summary>
    public IReadOnlyDictionary<string, string> AppEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Events a second for the measured phases (all connections together) instead of as many as the target answers:
    /// the processor time per event is then compared, not the throughput (<see cref="Report"/>).
    /// </summary>
    public double? Rate { get; init; }

    /// <summary>A second build of the app, measured as a twin of every app target in every round (<see cref="Benchmark.RoundOrder"/>).</summary>
    public string? CompareDll { get; init; }

    /// <summary>Environment variables for the twin only, over <see cref="AppEnvironment"/>: a runtime knob judged against the same build.</summary>
    public IReadOnlyDictionary<string, string> CompareEnvironment { get; init; } = new Dictionary<string, string>();

    public const string Usage =
        """
        usage: CivicDesk.Bench.Ingest --app <CivicDesk.Web.dll> [--duration 30] [--warmup 10] [--rounds 3] [--connections 16]
                                      [--targets bare,sqlite,postgres] [--postgres <Npgsql connection string>]
                                      [--rate-limit <requests a minute per client>] [--first-day] [--keep]
                                      [--app-env NAME=VALUE]... [--rate <events a second>]
                                      [--compare <another build's CivicDesk.Web.dll>] [--compare-env NAME=VALUE]...
          --rounds: every target is started and warmed up once, then measured once per round, one after the other;
            each app round is compared with the bare endpoint's round just before it, and the median ratio is judged.
          --postgres defaults to $CIVICDESK_BENCH_POSTGRES; without either, the postgres target is left out.
          The run creates (and drops) a database of its own on that server.
          --rate-limit sets SiteAnalytics:RateLimitPerMinute for the run (default: the app's own default).
          --first-day leaves out yesterday's visitor-id salt, which a fresh database lacks and a node running for
            over a day has; without it the run measures that steady state.
          --app-env sets an environment variable for the app, e.g. SiteAnalytics__BatchSize=5000 or DOTNET_gcServer=0.
          --keep leaves the work folder (logs, SQLite file, spool) in place.
          --rate sends the measured phases at that many events a second (the warm-up still goes flat out) and reports
            processor time per event instead of judging throughput: the app's from the first event until the last is
            stored, and PostgreSQL's (every process named postgres on this machine), so that builds can be compared
            with less noise than the throughput of a saturated machine has.
          --compare starts a second build beside each app target (named sqlite-compare, postgres-compare) and measures
            it in every round next to its twin, the two swapping places every other round; the report gives each
            round's figure of the one over the other's, so that a change is judged against the build before it
            within a minute rather than between runs.
          --compare-env sets an environment variable for the twin only, e.g. DOTNET_TieredPGO=0; without --compare
            the twin is the same build, so that a setting the runtime reads only from the environment is judged paired.
        """;

    public static BenchOptions Parse(string[] args, string? postgresFromEnvironment)
    {
        string? app = null, postgres = postgresFromEnvironment, targets = null;
        double duration = 30, warmup = 10;
        int connections = 16, rounds = 3;
        int? rateLimit = null;
        double? rate = null;
        string? compare = null;
        bool keep = false, firstDay = false;
        var appEnvironment = new Dictionary<string, string>();
        var compareEnvironment = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--app": app = Value(); break;
                case "--duration": duration = Seconds(Value()); break;
                case "--warmup": warmup = Seconds(Value()); break;
                case "--rounds": rounds = Positive(Value()); break;
                case "--connections": connections = Positive(Value()); break;
                case "--postgres": postgres = Value(); break;
                case "--targets": targets = Value(); break;
                case "--rate-limit": rateLimit = Positive(Value()); break;
                case "--first-day": firstDay = true; break;
                case "--keep": keep = true; break;
                case "--app-env": AddVariable(appEnvironment, Value()); break;
                case "--rate": rate = Positive(Value()); break;
                case "--compare": compare = Value(); break;
                case "--compare-env": AddVariable(compareEnvironment, Value()); break;
                default: throw new ArgumentException($"Unknown argument {args[i]}.");
            }
        }

        var chosen = (targets ?? (string.IsNullOrEmpty(postgres) ? "bare,sqlite" : "bare,sqlite,postgres"))
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (chosen.Count == 0 || chosen.Any(t => t is not (Benchmark.Bare or Benchmark.Sqlite or Benchmark.Postgres)))
        {
            throw new ArgumentException("--targets takes bare, sqlite and postgres, separated by commas.");
        }

        if (chosen.Contains(Benchmark.Postgres) && string.IsNullOrEmpty(postgres))
        {
            throw new ArgumentException("The postgres target needs --postgres or CIVICDESK_BENCH_POSTGRES.");
        }

        if (chosen.Any(t => t != Benchmark.Bare) && (app is null || !File.Exists(app)))
        {
            throw new ArgumentException($"--app must name the built CivicDesk.Web.dll{(app is null ? "" : $" ({app} does not exist)")}.");
        }

        if (compareEnvironment.Count > 0)
        {
            compare ??= app;
        }

        if (compare is not null && !File.Exists(compare))
        {
            throw new ArgumentException($"--compare must name another build's CivicDesk.Web.dll ({compare} does not exist).");
        }

        return new BenchOptions(
            app is null ? null : Path.GetFullPath(app), TimeSpan.FromSeconds(duration), TimeSpan.FromSeconds(warmup), rounds, connections,
            string.IsNullOrEmpty(postgres) ? null : postgres, chosen, rateLimit, firstDay, keep)
        {
            AppEnvironment = appEnvironment,
            Rate = rate,
            CompareDll = compare is null ? null : Path.GetFullPath(compare),
            CompareEnvironment = compareEnvironment,
        };
    }

    private static void AddVariable(Dictionary<string, string> variables, string assignment)
    {
        var equals = assignment.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new ArgumentException($"--app-env and --compare-env take NAME=VALUE, not '{assignment}'.");
        }

        variables[assignment[..equals]] = assignment[(equals + 1)..];
    }

    private static double Seconds(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : throw new ArgumentException($"'{text}' is not a number of seconds.");

    private static int Positive(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"'{text}' is not a positive whole number.");
}
