using System.Collections.Concurrent;
using CivicDesk.Web.Data;
using CivicDesk.Web.Jobs;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CivicDesk.Web.Tests.Jobs;

/// <summary>
/// Several app nodes on one database, as DESIGN.md §4 has them: each job run happens once across nodes. Every test
/// starts its own nodes (hosts) on the class's database and schedules a job under a name of its own.
/// </summary>
public abstract class SchedulerTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Two_nodes_polling_at_the_same_moments_run_a_job_exactly_once_per_interval()
    {
        app.EnsureAvailable();
        var time = Clock();
        var log = new RunLog(Name("count"));
        await using var nodeA = Node("node-a", time, log, s => s.AddJobForTest<RecordingJob>(log.Job, Interval));
        await using var nodeB = Node("node-b", time, log, s => s.AddJobForTest<RecordingJob>(log.Job, Interval));
        var schedulers = new[] { Scheduler(nodeA), Scheduler(nodeB) };

        const int Intervals = 12;
        for (var i = 0; i < Intervals; i++)
        {
            if (i > 0)
            {
                time.Advance(Interval / 2);
                var early = await PollTogetherAsync(schedulers);
                Assert.DoesNotContain(log.Job, early);
                time.Advance(Interval / 2);
            }

            var ran = await PollTogetherAsync(schedulers);

            Assert.True(ran.Count(n => n == log.Job) == 1, $"Interval {i}: {ran.Count(n => n == log.Job)} claims");
            Assert.Equal(i + 1, log.Runs.Count);
        }

        var lease = await LeaseAsync(log.Job);
        var runs = log.Runs.ToList();
        Assert.Equal(Intervals, lease.RunCount);
        Assert.All(runs, r => Assert.Equal(r.Node, r.HolderWhileRunning));
        Assert.Equal(runs[^1].Node, lease.Holder);
        Assert.Contains(lease.Holder, new[] { "node-a", "node-b" });
        Assert.Null(lease.LeaseUntil);
        Assert.True(lease.LastSucceeded);
        Assert.Equal(time.GetUtcNow().UtcDateTime, lease.LastStartedAt);
        Assert.Equal(time.GetUtcNow().UtcDateTime + Interval, lease.NextRunAt);
    }

    [Fact]
    public async Task With_the_real_loops_of_two_nodes_running_no_interval_is_run_twice()
    {
        app.EnsureAvailable();
        var interval = TimeSpan.FromMilliseconds(300);
        var log = new RunLog(Name("loop"));
        (string, string)[] loop = [("Jobs:Enabled", "true"), ("Jobs:PollInterval", "00:00:00.050")];
        var nodeA = Node("node-a", TimeProvider.System, log, s => s.AddJobForTest<RecordingJob>(log.Job, interval), loop);
        var nodeB = Node("node-b", TimeProvider.System, log, s => s.AddJobForTest<RecordingJob>(log.Job, interval), loop);
        await using (nodeA)
        await using (nodeB)
        {
            Start(nodeA, nodeB);
            // About three seconds of polling every 50 ms on each node.
            await Eventually.HoldsAsync(() => log.Runs.Count >= 10, "ten runs happened", TimeSpan.FromSeconds(30));
        }

        // Both loops are stopped: nothing runs any more, and every run is in the table.
        var runs = log.Runs.OrderBy(r => r.ClaimedAt).ToList();
        var lease = await LeaseAsync(log.Job);
        Assert.Equal(runs.Count, lease.RunCount);
        Assert.All(runs, r => Assert.Equal(r.Node, r.HolderWhileRunning));
        Assert.Equal(runs.Count, runs.Select(r => r.ClaimedAt).Distinct().Count());
        for (var i = 1; i < runs.Count; i++)
        {
            var gap = runs[i].ClaimedAt - runs[i - 1].ClaimedAt;
            Assert.True(gap >= interval, $"Runs {i} and {i + 1} were claimed {gap.TotalMilliseconds} ms apart (by {runs[i - 1].Node} and {runs[i].Node})");
        }
    }

    [Fact]
    public async Task A_failing_job_is_recorded_with_its_error_and_the_other_jobs_still_run()
    {
        app.EnsureAvailable();
        var time = Clock();
        var log = new RunLog(Name("after-failure"));
        var failing = Name("failing");
        await using var node = Node("node-a", time, log, s => s
            .AddJobForTest<FailingJob>(failing, Interval)
            .AddJobForTest<RecordingJob>(log.Job, Interval));
        var scheduler = Scheduler(node);

        var first = await scheduler.RunDueJobsAsync();
        time.Advance(Interval);
        var second = await scheduler.RunDueJobsAsync();

        Assert.Contains(failing, first);
        Assert.Contains(log.Job, first);
        Assert.Contains(failing, second);
        Assert.Contains(log.Job, second);
        Assert.Equal(2, log.Runs.Count);
        var failed = await LeaseAsync(failing);
        Assert.False(failed.LastSucceeded);
        Assert.Equal($"{nameof(InvalidOperationException)}: {FailingJob.Message}", failed.LastError);
        Assert.Equal(2, failed.RunCount);
        Assert.Null(failed.LeaseUntil);
        Assert.Equal(time.GetUtcNow().UtcDateTime + Interval, failed.NextRunAt);
        var other = await LeaseAsync(log.Job);
        Assert.True(other.LastSucceeded);
        Assert.Null(other.LastError);
    }

    [Fact]
    public async Task The_scheduler_loop_keeps_running_after_a_job_fails()
    {
        app.EnsureAvailable();
        var time = Clock();
        var log = new RunLog(Name("loop-after-failure"));
        var failing = Name("failing");
        await using var node = Node("node-a", time, log, s => s
                .AddJobForTest<FailingJob>(failing, Interval)
                .AddJobForTest<RecordingJob>(log.Job, Interval),
            ("Jobs:Enabled", "true"), ("Jobs:PollInterval", "00:00:01"));

        Start(node);
        for (var pass = 1; pass <= 3; pass++)
        {
            if (pass > 1)
            {
                time.Advance(Interval);
            }

            await Eventually.HoldsAsync(() => log.Runs.Count == pass, $"the loop made pass {pass}");
            await Eventually.HoldsAsync(async () => (await LeaseAsync(failing)).RunCount == pass, $"the failure of pass {pass} is recorded");
        }

        var failed = await LeaseAsync(failing);
        Assert.False(failed.LastSucceeded);
        Assert.Equal($"{nameof(InvalidOperationException)}: {FailingJob.Message}", failed.LastError);
    }

    [Fact]
    public async Task A_job_whose_node_died_holding_its_lease_is_taken_over_when_the_lease_runs_out()
    {
        app.EnsureAvailable();
        var time = Clock();
        // The job's interval is longer than the lease, as for the real jobs (hours against minutes).
        var interval = TimeSpan.FromHours(1);
        var lease = TimeSpan.FromMinutes(1);
        var log = new RunLog(Name("takeover")) { FirstRunHangs = true };
        var dyingDatabase = new DatabaseSwitch();
        await using var dying = Node("node-a", time, log, s =>
        {
            s.AddJobForTest<RecordingJob>(log.Job, interval);
            dyingDatabase.AttachTo(s, app.Provider);
        }, ("Jobs:LeaseDuration", "00:01:00"));
        await using var survivor = Node("node-b", time, log, s => s.AddJobForTest<RecordingJob>(log.Job, interval), ("Jobs:LeaseDuration", "00:01:00"));
        var claimedAt = time.GetUtcNow().UtcDateTime;

        var hung = Scheduler(dying).RunDueJobsAsync();
        await Eventually.HoldsAsync(() => log.Runs.Count == 1, "node-a started the job");
        var held = await LeaseAsync(log.Job);
        // node-a is gone for the others: it no longer reaches the database, so it cannot renew its lease.
        var cutOff = dyingDatabase.Down();
        time.Advance(lease - TimeSpan.FromSeconds(1));
        var whileHeld = await Scheduler(survivor).RunDueJobsAsync();
        time.Advance(TimeSpan.FromSeconds(1));
        var takenOver = await Scheduler(survivor).RunDueJobsAsync();
        var afterTakeover = await LeaseAsync(log.Job);
        // The dead node comes back to life and finishes late: it must not overwrite its successor's record.
        cutOff.Dispose();
        log.ReleaseFirstRun();
        await hung;

        Assert.Equal("node-a", held.Holder);
        Assert.Equal(claimedAt + lease, held.LeaseUntil);
        Assert.DoesNotContain(log.Job, whileHeld);
        Assert.Contains(log.Job, takenOver);
        Assert.Equal(["node-a", "node-b"], log.Runs.Select(r => r.Node));
        Assert.Equal("node-b", log.Runs.Last().HolderWhileRunning);
        Assert.Equal(claimedAt + lease, afterTakeover.LastStartedAt);
        Assert.Equal(claimedAt + lease + interval, afterTakeover.NextRunAt);
        var final = await LeaseAsync(log.Job);
        Assert.Equal("node-b", final.Holder);
        Assert.Equal(1, final.RunCount);
        Assert.True(final.LastSucceeded);
        Assert.Equal(afterTakeover.LastFinishedAt, final.LastFinishedAt);
    }

    [Fact]
    public async Task A_run_longer_than_its_lease_keeps_the_lease_while_its_node_lives()
    {
        app.EnsureAvailable();
        var time = Clock();
        var lease = TimeSpan.FromMinutes(1);
        var log = new RunLog(Name("long-run")) { FirstRunHangs = true };
        await using var busy = Node("node-a", time, log, s => s.AddJobForTest<RecordingJob>(log.Job, TimeSpan.FromHours(1)), ("Jobs:LeaseDuration", "00:01:00"));
        await using var other = Node("node-b", time, log, s => s.AddJobForTest<RecordingJob>(log.Job, TimeSpan.FromHours(1)), ("Jobs:LeaseDuration", "00:01:00"));
        Start(busy, other);

        var running = Scheduler(busy).RunDueJobsAsync();
        await Eventually.HoldsAsync(() => log.Runs.Count == 1, "node-a started the job");
        var polled = new List<string>();
        // Three leases long, ten seconds at a time; node-a renews every third of a lease, so after each step its lease
        // reaches at least two thirds of a lease ahead, and node-b, polling at every step, never finds it run out.
        for (var step = 0; step < 18; step++)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            var now = time.GetUtcNow().UtcDateTime;
            await Eventually.HoldsAsync(
                async () => (await LeaseAsync(log.Job)).LeaseUntil >= now + lease - (lease / 3), $"node-a renewed its lease by {now:O}");
            polled.AddRange(await Scheduler(other).RunDueJobsAsync());
        }

        log.ReleaseFirstRun();
        await running;

        Assert.Empty(polled);
        Assert.Equal(["node-a"], log.Runs.Select(r => r.Node));
        var final = await LeaseAsync(log.Job);
        Assert.Equal("node-a", final.Holder);
        Assert.Null(final.LeaseUntil);
        Assert.Equal(1, final.RunCount);
        Assert.True(final.LastSucceeded);
    }

    [Fact]
    public async Task A_run_cut_short_by_shutdown_gives_its_lease_back_and_another_node_runs_it_at_once()
    {
        app.EnsureAvailable();
        var time = Clock();
        var log = new RunLog(Name("shutdown")) { FirstRunHangs = true };
        var stopping = Node("node-a", time, log, s => s.AddJobForTest<RecordingJob>(log.Job, Interval), ("Jobs:Enabled", "true"));
        await using var other = Node("node-b", time, log, s => s.AddJobForTest<RecordingJob>(log.Job, Interval));

        await using (stopping)
        {
            Start(stopping);
            await Eventually.HoldsAsync(() => log.Runs.Count == 1, "node-a's loop started the job");
        }

        var released = await LeaseAsync(log.Job);
        var ran = await Scheduler(other).RunDueJobsAsync();

        Assert.Null(released.LeaseUntil);
        Assert.True(released.NextRunAt <= time.GetUtcNow().UtcDateTime, $"Next run {released.NextRunAt:O} is not due at {time.GetUtcNow():O}");
        Assert.Equal(0, released.RunCount);
        Assert.Contains(log.Job, ran);
        Assert.Equal(["node-a", "node-b"], log.Runs.Select(r => r.Node));
        Assert.Equal(1, (await LeaseAsync(log.Job)).RunCount);
    }

    private static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 12, 1, 1, 0, 0, TimeSpan.Zero));

    private static string Name(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>One app node on the class's database, with its own name, the given clock and extra jobs.</summary>
    private WebApplicationFactory<Program> Node(string name, TimeProvider time, RunLog log, Action<IServiceCollection> jobs, params (string Key, string Value)[] settings) =>
        app.WithWebHostBuilder(host =>
        {
            host.UseSetting("Jobs:NodeName", name);
            foreach (var (key, value) in settings)
            {
                host.UseSetting(key, value);
            }

            host.ConfigureTestServices(services =>
            {
                services.AddSingleton(time);
                services.AddSingleton(log);
                jobs(services);
            });
        });

    private static JobScheduler Scheduler(WebApplicationFactory<Program> node) => node.Services.GetRequiredService<JobScheduler>();

    /// <summary>Starts the hosts, one after the other so that their start-up migrations do not race.</summary>
    private static void Start(params WebApplicationFactory<Program>[] nodes)
    {
        foreach (var node in nodes)
        {
            _ = node.Services;
        }
    }

    /// <summary>Each node polls twice at the same moment: four claimers race for every due job.</summary>
    private static async Task<List<string>> PollTogetherAsync(JobScheduler[] schedulers)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var polls = schedulers.Concat(schedulers).Select(s => Task.Run(async () =>
        {
            await go.Task;
            return await s.RunDueJobsAsync();
        })).ToList();
        go.SetResult();
        return (await Task.WhenAll(polls)).SelectMany(r => r).ToList();
    }

    private Task<JobLease> LeaseAsync(string job) => app.WithDbAsync(db => db.JobLeases.AsNoTracking().SingleAsync(l => l.Name == job));
}

public sealed class SchedulerOnSqlite(SqliteApp app) : SchedulerTests<SqliteApp>(app);

public sealed class SchedulerOnPostgres(PostgresApp app) : SchedulerTests<PostgresApp>(app);

/// <summary>What the test jobs saw, shared by every node of a test.</summary>
public sealed class RunLog(string job)
{
    private readonly TaskCompletionSource _firstRunReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Job { get; } = job;

    /// <summary>The first run waits for <see cref="ReleaseFirstRun"/> (or for its node to stop), like a stuck run.</summary>
    public bool FirstRunHangs { get; init; }

    public ConcurrentQueue<Run> Runs { get; } = new();

    public void ReleaseFirstRun() => _firstRunReleased.TrySetResult();

    internal Task FirstRunReleased => _firstRunReleased.Task;
}

/// <summary>One run: the node that ran it, and the holder and claim time that job_leases showed while it ran.</summary>
public sealed record Run(string Node, string? HolderWhileRunning, DateTime ClaimedAt);

/// <summary>Records each run with what the shared job table says about it at that moment.</summary>
internal sealed class RecordingJob(RunLog log, JobScheduler scheduler, AppDbContext db) : IJob
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var lease = await db.JobLeases.AsNoTracking().SingleAsync(l => l.Name == log.Job, cancellationToken);
        log.Runs.Enqueue(new Run(scheduler.NodeName, lease.Holder, lease.LastStartedAt ?? default));
        if (log.FirstRunHangs && log.Runs.Count == 1)
        {
            await log.FirstRunReleased.WaitAsync(cancellationToken);
        }
    }
}

internal sealed class FailingJob : IJob
{
    public const string Message = "The platform answered 503.";

    public Task RunAsync(CancellationToken cancellationToken) => throw new InvalidOperationException(Message);
}
