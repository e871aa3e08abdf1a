namespace CivicDesk.Web.Jobs;

/// <summary>A background job: a plain class whose one method tests can call directly.</summary>
public interface IJob
{
    Task RunAsync(CancellationToken cancellationToken);
}

public sealed record JobDefinition(string Name, TimeSpan Interval, Type JobType);

/// <summary>The one visible table of background jobs and their intervals, filled in Program.cs.</summary>
public sealed class JobSchedule
{
    private readonly List<JobDefinition> _jobs = [];

    public IReadOnlyList<JobDefinition> Jobs => _jobs;

    public JobSchedule Add<TJob>(string name, TimeSpan interval)
        where TJob : class, IJob
    {
        if (_jobs.Any(j => j.Name == name))
        {
            throw new InvalidOperationException($"Job '{name}' is scheduled twice.");
        }

        _jobs.Add(new JobDefinition(name, interval, typeof(TJob)));
        return this;
    }
}
