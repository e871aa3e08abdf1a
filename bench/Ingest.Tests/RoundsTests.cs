namespace CivicDesk.Bench.Ingest.Tests;

/// <summary>How the benchmark decides that a target is warm, and how it turns rounds into the ratio it judges.</summary>
public sealed class RoundsTests
{
    [Fact]
    public void A_climb_ends_only_after_three_slices_without_a_new_best()
    {
        // Still climbing: the slow slice in the middle is not the end of it.
        Assert.False(Benchmark.StoppedClimbing([8_000, 11_000, 14_500, 13_000, 16_000]));
        Assert.False(Benchmark.StoppedClimbing([8_000, 11_000, 14_500, 13_000, 14_000]));
        // Three slices within 5 % of the best before them: warm.
        Assert.True(Benchmark.StoppedClimbing([8_000, 11_000, 14_500, 13_000, 14_000, 15_100]));
        // A new best more than 5 % higher among the last three: not yet.
        Assert.False(Benchmark.StoppedClimbing([8_000, 11_000, 14_500, 13_000, 14_000, 15_500]));
        Assert.False(Benchmark.StoppedClimbing([20_000, 20_000, 20_000]));
    }

    [Fact]
    public void Each_round_of_the_app_is_compared_with_the_bare_endpoint_of_the_same_round()
    {
        Measurement[] measurements =
        [
            Bare(1, 50_000), App(1, "sqlite", 20_000), App(1, "postgres", 30_000),
            Bare(2, 40_000), App(2, "sqlite", 24_000), App(2, "postgres", null),
            Bare(3, 60_000), App(3, "sqlite", 33_000), App(3, "postgres", 27_000),
        ];

        Assert.Equal([0.4, 0.6, 0.55], Report.Ratios(measurements, "sqlite"), new Tolerance());
        // A round whose events were not all stored has no persisted rate, and no ratio.
        Assert.Equal([0.6, 0.45], Report.Ratios(measurements, "postgres"), new Tolerance());
        Assert.Equal(0.55, Report.Median(Report.Ratios(measurements, "sqlite"))!.Value, 9);
        Assert.Equal(0.525, Report.Median(Report.Ratios(measurements, "postgres"))!.Value, 9);
        Assert.Null(Report.Median([]));
    }

    [Fact]
    public void An_app_and_its_compare_twin_swap_places_every_other_round()
    {
        string[] started = ["bare", "sqlite", "sqlite-compare", "postgres", "postgres-compare"];

        Assert.Equal(started, Benchmark.RoundOrder(started, 1));
        Assert.Equal(["bare", "sqlite-compare", "sqlite", "postgres-compare", "postgres"], Benchmark.RoundOrder(started, 2));
        Assert.Equal(started, Benchmark.RoundOrder(started, 3));
        // Without twins the order is the order they were started in, every round.
        Assert.Equal(["bare", "sqlite", "postgres"], Benchmark.RoundOrder(["bare", "sqlite", "postgres"], 2));
    }

    private static Measurement Bare(int round, double acceptedPerSecond) =>
        new(Benchmark.Bare, Load(acceptedPerSecond), default, 0, 0, "") { Round = round };

    private static Measurement App(int round, string target, double? persistedPerSecond) =>
        new(target, Load(persistedPerSecond ?? 1_000), default, 0, 0, "") { Round = round, PersistedPerSecond = persistedPerSecond };

    /// <summary>One second of load with this many events accepted.</summary>
    private static LoadResult Load(double acceptedPerSecond) =>
        new() { Accepted = (long)acceptedPerSecond, Elapsed = TimeSpan.FromSeconds(1), SortedLatencyTicks = [] };

    private sealed class Tolerance : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-9;

        public int GetHashCode(double obj) => 0;
    }
}
