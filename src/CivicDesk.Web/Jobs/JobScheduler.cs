using CivicDesk.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Jobs;

/// <summary>
/// The in-process scheduler. Every node polls the shared job table; a job is claimed with one conditional UPDATE,
/// which exactly one node can win: a due job nobody holds, or a job whose holder let its lease run out (the node
/// died mid-run, so the run is taken over at once rather than lost until the next interval). A failed run is
/// recorded and logged; it never stops the loop. A run cut short by shutdown gives its lease back and is due again.
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
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Anything but shutdown, a timeout's OperationCanceledException included: an exception leaving
                // ExecuteAsync would stop the whole host (BackgroundServiceExceptionBehavior.StopHost).
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
            // The claim itself is not cancelled half-way: an UPDATE that commits while its caller gives up would
            // hold the job, unrun, until the lease runs out.
            ct.ThrowIfCancellationRequested();
            if (await TryClaimAsync(job))
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

    private async Task<bool> TryClaimAsync(JobDefinition job)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = Now();
        var leaseUntil = now + options.Value.LeaseDuration;
        var next = now + job.Interval;
        var claimed = await db.JobLeases
            .Where(j => j.Name == job.Name && ((j.LeaseUntil == null && j.NextRunAt <= now) || j.LeaseUntil <= now))
            .ExecuteUpdateAsync(
                s => s.SetProperty(j => j.Holder, NodeName)
                    .SetProperty(j => j.LeaseUntil, leaseUntil)
                    .SetProperty(j => j.NextRunAt, next)
                    .SetProperty(j => j.LastStartedAt, now),
                CancellationToken.None);
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
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // This node is stopping: the run did not happen, so hand it to the next node that polls instead of
            // blocking the job until the lease runs out.
            await ReleaseAsync(job);
            throw;
        }
        catch (Exception ex)
        {
            error = ex.GetType().Name + ": " + ex.Message;
            logger.LogError(ex, "Job {Job} failed.", job.Name);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var finished = Now();
        var truncated = error is { Length: > 2000 } ? error[..2000] : error;
        // Only while this node still holds the job: a node whose lease ran out must not overwrite its successor.
        await db.JobLeases.Where(j => j.Name == job.Name && j.Holder == NodeName)
            .ExecuteUpdateAsync(
                s => s.SetProperty(j => j.LeaseUntil, (DateTime?)null)
                    .SetProperty(j => j.LastFinishedAt, finished)
                    .SetProperty(j => j.LastSucceeded, error == null)
                    .SetProperty(j => j.LastError, truncated)
                    .SetProperty(j => j.RunCount, j => j.RunCount + 1),
                CancellationToken.None);
    }

    private async Task ReleaseAsync(JobDefinition job)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var now = Now();
            await db.JobLeases.Where(j => j.Name == job.Name && j.Holder == NodeName)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(j => j.LeaseUntil, (DateTime?)null).SetProperty(j => j.NextRunAt, now),
                    CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Shutting down anyway: the lease then runs out and another node takes the job over.
            logger.LogWarning(ex, "Job {Job} was interrupted and its lease could not be released.", job.Name);
        }
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;
}
