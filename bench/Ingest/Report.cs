using System.Globalization;

namespace CivicDesk.Bench.Ingest;

/// <summary>
/// The run's one table, the details behind it, and the verdict against issue 3's targets: persisted throughput at
/// least half the bare endpoint's, p99 under 50 ms, and peak resident memory under 300 MB. Figures are formatted in
/// the current culture, which Program sets to the invariant one.
/// </summary>
internal static class Report
{
    public const double MinPersistedRatio = 0.5;
    public const double MaxP99Ms = 50;
    public const double MaxPeakRssMb = 300;

    public static void Write(TextWriter output, BenchOptions options, IReadOnlyList<Measurement> measurements)
    {
        output.WriteLine();
        output.WriteLine($"Ingestion: {options.Connections} connections, {options.Duration.TotalSeconds:0.#} s measured after a warm-up of at least {options.Warmup.TotalSeconds:0.#} s; " +
            $"{Environment.ProcessorCount} cores; memory in MiB; latency from sending the request to reading the whole answer; " +
            (options.FirstDay ? "the app's first day (no salt from yesterday)." : "the app's steady state (yesterday's salt present)."));
        if (options.AppEnvironment.Count > 0)
        {
            output.WriteLine($"App environment: {string.Join(", ", options.AppEnvironment.Select(v => $"{v.Key}={v.Value}"))}");
        }

        output.WriteLine();
        output.WriteLine("| target | accepted/s | persisted/s | p50 ms | p99 ms | max ms | 202 | 429 | 503 | other | peak RSS MB |");
        output.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var m in measurements)
        {
            var l = m.Load;
            output.WriteLine(
                $"| {m.Target} | {l.AcceptedPerSecond:N0} | {(m.PersistedPerSecond is { } p ? p.ToString("N0", CultureInfo.CurrentCulture) : "—")} | " +
                $"{l.LatencyMs(0.50):0.00} | {l.LatencyMs(0.99):0.00} | {l.MaxLatencyMs:0.0} | {l.Accepted:N0} | {l.TooMany:N0} | {l.Unavailable:N0} | {l.Other:N0} | {m.Memory.PeakMb:0} |");
        }

        output.WriteLine();
        foreach (var m in measurements)
        {
            output.WriteLine(
                $"{m.Target}: p95 {m.Load.LatencyMs(0.95):0.00} ms; RSS at the end {m.Memory.CurrentMb:0} MiB ({m.Memory.AnonymousMb:0} anonymous, {m.Memory.FileMb:0} file-backed, {m.Memory.SharedMb:0} shared); CPU during the load: server {m.ServerCpuCores:0.00} cores, " +
                $"load generator {m.GeneratorCpuCores:0.00} cores; load average after {m.LoadAverage}");
            if (m.Warmup is { } warmup)
            {
                output.WriteLine($"    {warmup}");
            }

            if (m.Stored is { } s)
            {
                var agree = s.RollupEvents == s.Rows ? "agree" : $"DISAGREE ({s.RollupEvents:N0})";
                var statsApi = m.StatsApiEvents is { } api ? api == s.Rows ? "agrees" : $"says {api:N0}" : "did not answer";
                output.WriteLine(
                    $"    stored {s.Rows:N0} event rows + {s.Bots:N0} bots counted = {s.Settled:N0} of {m.Expected:N0} accepted (warm-up included); " +
                    $"rollups {agree}; stats API {statsApi}; last event stored {(m.DrainLag is { } lag ? $"{lag.TotalMilliseconds:N0} ms" : "—")} after the load ended");
            }

            if (m.Drained is { } drained)
            {
                var perAccepted = m.ServerCpuCores * m.Load.Elapsed.TotalMilliseconds / Math.Max(1, m.Load.Accepted);
                output.WriteLine(
                    $"    app CPU per accepted event during the load {perAccepted:0.000} ms (endpoint and writer); " +
                    $"{drained:N0} events stored after the load ended, app CPU per event meanwhile {(m.WriterCpuMsPerEvent is { } w ? $"{w:0.000} ms" : "—")} (the writer alone)");
            }

            if (m.Load.FirstFailure is { } failure)
            {
                output.WriteLine($"    first non-202 answer or failure ({m.Load.Failures:N0} without an answer): {failure}");
            }

            if (m.Note is { } note)
            {
                output.WriteLine($"    {note}");
            }
        }

        var bare = measurements.FirstOrDefault(m => m.Target == Benchmark.Bare);
        var apps = measurements.Where(m => m.Target != Benchmark.Bare).ToList();
        if (apps.Count == 0)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine($"Targets (issue 3): persisted/s ≥ {MinPersistedRatio:0.0} × bare accepted/s; p99 < {MaxP99Ms:0} ms at 16 connections; peak RSS < {MaxPeakRssMb:0} MB");
        foreach (var m in apps)
        {
            var ratio = bare is null || m.PersistedPerSecond is null ? (double?)null : m.PersistedPerSecond.Value / bare.Load.AcceptedPerSecond;
            var p99 = m.Load.LatencyMs(0.99);
            output.WriteLine(
                $"{m.Target}: persisted/bare {(ratio is { } r ? r.ToString("0.00", CultureInfo.CurrentCulture) : "—")} {Verdict(ratio is { } x ? x >= MinPersistedRatio : null)} · " +
                $"p99 {p99:0.00} ms {Verdict(p99 < MaxP99Ms)} · peak RSS {m.Memory.PeakMb:0} MB {Verdict(m.Memory.PeakMb < MaxPeakRssMb)}" +
                (m.Load.Other + m.Load.Unavailable + m.Load.TooMany > 0 ? " · some events were refused (see the counts)" : ""));
        }

        if (options.Connections != 16)
        {
            output.WriteLine($"(the p99 target is stated for 16 connections; this run used {options.Connections})");
        }
    }

    private static string Verdict(bool? pass) => pass switch
    {
        true => "PASS",
        false => "FAIL",
        null => "n/a",
    };
}
