using CivicDesk.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Jobs;

/// <summary>
/// The in-process scheduler. Every node polls the shared job table; a job is claimed with one conditional UPDATE,
/// which exactly one node can win: a due job nobody holds, or a job whose holder let its lease run out (the node
/// died mid-run, so the run is taken over at once rather than lost until the next interval). A running job's lease is
/// renewed while it runs, so only a dead node's job is taken over, however long the run. A failed run is recorded and
/// logged; it never stops the loop. A run cut short by shutdown gives its lease back and is due again.
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
            await RunRenewingLeaseAsync(job, ct);
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

    private async Task RunRenewingLeaseAsync(JobDefinition job, CancellationToken ct)
    {
        using var running = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var heartbeat = RenewWhileRunningAsync(job, running.Token);
        try
        {
            await using var jobScope = scopes.CreateAsyncScope();
            var instance = (IJob)ActivatorUtilities.GetServiceOrCreateInstance(jobScope.ServiceProvider, job.JobType);
            await instance.RunAsync(ct);
        }
        finally
        {
            // The run is over: no renewal may follow (or still be in flight) when the lease is released or the result
            // recorded.
            await running.CancelAsync();
            await heartbeat;
        }
    }

    /// <summary>
    /// Keeps the lease of a running job: every third of <see cref="JobsOptions.LeaseDuration"/> it is moved to a whole
    /// lease from now, so a run longer than the lease is not taken over while its node lives; a node that dies (or
    /// loses the database) stops renewing, and another node takes the job over once the lease runs out. Renewal stops
    /// for good when another node holds the job.
    /// </summary>
    private async Task RenewWhileRunningAsync(JobDefinition job, CancellationToken running)
    {
        using var timer = new PeriodicTimer(options.Value.LeaseDuration / 3, time);
        try
        {
            while (await timer.WaitForNextTickAsync(running))
            {
                if (!await TryRenewAsync(job, running))
                {
                    logger.LogWarning("Job {Job} is now held by another node; this node's run goes on without its lease.", job.Name);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (running.IsCancellationRequested)
        {
            // The run ended.
        }
    }

    /// <summary>True when the lease was renewed or could not be reached this time; false when another node holds it.</summary>
    private async Task<bool> TryRenewAsync(JobDefinition job, CancellationToken running)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var until = Now() + options.Value.LeaseDuration;
            return await db.JobLeases.Where(j => j.Name == job.Name && j.Holder == NodeName && j.LeaseUntil != null)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseUntil, until), running) == 1;
        }
        catch (Exception ex) when (!running.IsCancellationRequested)
        {
            // The database did not answer: try again at the next beat, while the lease still holds.
            logger.LogWarning(ex, "The lease of job {Job} could not be renewed; trying again.", job.Name);
            return true;
        }
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
