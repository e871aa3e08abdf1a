using System.ComponentModel.DataAnnotations;

namespace CivicDesk.Web.Jobs;

/// <summary>Section <c>Jobs</c>.</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>Turns the scheduler loop off (jobs can still be run by hand or by tests).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often a node looks for due jobs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a claim holds before another node may take over a job whose node died.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>This node's name in the schedule table; defaults to host name and process id.</summary>
    public string? NodeName { get; set; }
}
