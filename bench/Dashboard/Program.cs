using System.Globalization;
using CivicDesk.Bench.Dashboard;

// Dashboard benchmark (docs/benchmarks.md, "Dashboard"): one site with N generated events over 90 days, stored
// through the app's writer, then every dashboard query timed for 30 and 90 days, without a filter and with one.
// Run in Release: dotnet run -c Release --project bench/Dashboard -- --provider sqlite --events 200000

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
    await new Benchmark(options, Console.Out).RunAsync(stop.Token);
    return 0;
}
catch (Exception ex) when (ex is InvalidOperationException or IOException or OperationCanceledException or System.Data.Common.DbException)
{
    await Console.Error.WriteLineAsync($"The benchmark stopped: {ex.Message}");
    return 1;
}
