using CivicDesk.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Jobs;

/// <summary>
/// The in-process scheduler. Every node polls the shared job table; a due job is claimed with one conditional
/// UPDATE (due, and no live lease), which exactly one node can win. A failed run is recorded and logged; it never
/// stops the loop.
/// </summary>
public sealed class JobScheduler(
    IServiceScopeFactory scopes,
    JobSchedule schedule,
    IOptions<JobsOptions> options,
    TimeProvider time,
    ILogger<JobScheduler> logger) : BackgroundService
{
    /// <summary>This node's name in the job table: two hosts in one process still get different names.</summary>
    public string NodeName { get; } = options.Value.NodeName ?? $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.PollInterval, time);
        do
        {
            try
            {
                await RunDueJobsAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "The job scheduler could not check for due jobs; it will try again.");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Creates missing rows, then claims and runs every due job. Returns the names of the jobs this node ran.</summary>
    public async Task<IReadOnlyList<string>> RunDueJobsAsync(CancellationToken ct = default)
    {
        await EnsureRowsAsync(ct);
        var ran = new List<string>();
        foreach (var job in schedule.Jobs)
        {
            if (await TryClaimAsync(job, ct))
            {
                await RunClaimedAsync(job, ct);
                ran.Add(job.Name);
            }
        }

        return ran;
    }

    /// <summary>Marks a job due now; the next poll on any node runs it.</summary>
    public async Task RequestRunAsync(string name, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = Now();
        await db.JobLeases.Where(j => j.Name == name).ExecuteUpdateAsync(s => s.SetProperty(j => j.NextRunAt, now), ct);
    }

    private async Task EnsureRowsAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var known = await db.JobLeases.Select(j => j.Name).ToListAsync(ct);
        foreach (var job in schedule.Jobs.Where(j => !known.Contains(j.Name)))
        {
            db.JobLeases.Add(new JobLease { Name = job.Name, NextRunAt = Now() });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another node created the row at the same moment: theirs is as good as ours.
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<bool> TryClaimAsync(JobDefinition job, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = Now();
        var leaseUntil = now + options.Value.LeaseDuration;
        var next = now + job.Interval;
        var claimed = await db.JobLeases
            .Where(j => j.Name == job.Name && j.NextRunAt <= now && (j.LeaseUntil == null || j.LeaseUntil <= now))
            .ExecuteUpdateAsync(
                s => s.SetProperty(j => j.Holder, NodeName)
                    .SetProperty(j => j.LeaseUntil, leaseUntil)
                    .SetProperty(j => j.NextRunAt, next)
                    .SetProperty(j => j.LastStartedAt, now),
                ct);
        return claimed == 1;
    }

    private async Task RunClaimedAsync(JobDefinition job, CancellationToken ct)
    {
        string? error = null;
        try
        {
            await using var jobScope = scopes.CreateAsyncScope();
            var instance = (IJob)ActivatorUtilities.GetServiceOrCreateInstance(jobScope.ServiceProvider, job.JobType);
            await instance.RunAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            error = ex.GetType().Name + ": " + ex.Message;
            logger.LogError(ex, "Job {Job} failed.", job.Name);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var finished = Now();
        var truncated = error is { Length: > 2000 } ? error[..2000] : error;
        await db.JobLeases.Where(j => j.Name == job.Name && j.Holder == NodeName)
            .ExecuteUpdateAsync(
                s => s.SetProperty(j => j.LeaseUntil, (DateTime?)null)
                    .SetProperty(j => j.LastFinishedAt, finished)
                    .SetProperty(j => j.LastSucceeded, error == null)
                    .SetProperty(j => j.LastError, truncated)
                    .SetProperty(j => j.RunCount, j => j.RunCount + 1),
                CancellationToken.None);
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;
}
