using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Jobs;

/// <summary>
/// One row per scheduled job, shared by every app node: when it runs next, which node holds it now, and how its
/// last run went. A node runs a job only after claiming this row with a conditional update, so a run happens once
/// across nodes.
/// </summary>
public sealed class JobLease
{
    public required string Name { get; set; }
    public DateTime NextRunAt { get; set; }
    public string? Holder { get; set; }
    public DateTime? LeaseUntil { get; set; }
    public DateTime? LastStartedAt { get; set; }
    public DateTime? LastFinishedAt { get; set; }
    public bool? LastSucceeded { get; set; }
    public string? LastError { get; set; }
    public int RunCount { get; set; }
}

internal sealed class JobLeaseConfiguration : IEntityTypeConfiguration<JobLease>
{
    public void Configure(EntityTypeBuilder<JobLease> builder)
    {
        builder.ToTable("job_leases");
        builder.HasKey(j => j.Name);
        builder.Property(j => j.Name).HasMaxLength(100);
        builder.Property(j => j.Holder).HasMaxLength(100);
        builder.Property(j => j.LastError).HasMaxLength(2000);
    }
}
