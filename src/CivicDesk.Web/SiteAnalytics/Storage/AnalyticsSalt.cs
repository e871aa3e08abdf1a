using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.SiteAnalytics.Storage;

/// <summary>
/// The random salt of one day in one time zone. Visitor ids are hashes of (salt, site, IP, user agent), so they
/// change every day and cannot be linked across days; salts older than 48 hours are deleted, after which nobody —
/// not even the server's operator — can recompute an id from an IP address.
/// </summary>
public sealed class AnalyticsSalt
{
    public int Id { get; set; }
    public required string TimeZone { get; set; }
    public DateOnly Day { get; set; }
    public required byte[] Salt { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal sealed class AnalyticsSaltConfiguration : IEntityTypeConfiguration<AnalyticsSalt>
{
    public void Configure(EntityTypeBuilder<AnalyticsSalt> builder)
    {
        builder.ToTable("analytics_salts");
        builder.Property(s => s.TimeZone).HasMaxLength(64);
        builder.Property(s => s.Salt).HasMaxLength(32);
        builder.HasIndex(s => new { s.TimeZone, s.Day }).IsUnique();
    }
}

/// <summary>How far this node's spool has been written to the database, saved in the same transaction as the events.</summary>
public sealed class SpoolCheckpoint
{
    public required string SpoolId { get; set; }
    public long Segment { get; set; }
    public long Offset { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class SpoolCheckpointConfiguration : IEntityTypeConfiguration<SpoolCheckpoint>
{
    public void Configure(EntityTypeBuilder<SpoolCheckpoint> builder)
    {
        builder.ToTable("analytics_spool_checkpoints");
        builder.HasKey(c => c.SpoolId);
        builder.Property(c => c.SpoolId).HasMaxLength(64);
    }
}

/// <summary>Summable counters per site and UTC hour, maintained when events are written.</summary>
public sealed class SiteHourlyStats
{
    public int SiteId { get; set; }
    public DateTime Hour { get; set; }
    public long Pageviews { get; set; }
    public long Events { get; set; }

    /// <summary>Visits that started in this hour.</summary>
    public long Visits { get; set; }

    /// <summary>Visitors first seen on their (daily) id in this hour: summed over hours of a day they give that day's unique visitors.</summary>
    public long NewVisitors { get; set; }

    /// <summary>Visits started in this hour that are bounces now (kept up to date as the visits go on).</summary>
    public long Bounces { get; set; }

    /// <summary>Total duration in seconds of the visits started in this hour (kept up to date as they go on).</summary>
    public long DurationSeconds { get; set; }

    /// <summary>Events dropped as bots in this hour (not stored), so that the number is visible.</summary>
    public long BotsDropped { get; set; }
}

internal sealed class SiteHourlyStatsConfiguration : IEntityTypeConfiguration<SiteHourlyStats>
{
    public void Configure(EntityTypeBuilder<SiteHourlyStats> builder)
    {
        builder.ToTable("site_stats_hourly");
        builder.HasKey(s => new { s.SiteId, s.Hour });
    }
}
