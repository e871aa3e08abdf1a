using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.SiteAnalytics.Storage;

/// <summary>
/// A breakdown under a filter, per site and closed local day: the rows of <see cref="Dimension"/> among the visits (or,
/// for page and goal filters, the events) that match <see cref="FilterDimension"/> = <see cref="FilterValue"/> — "pages of
/// the visits from Facebook", "sources of the visits that viewed /tin-tuc". Computed from raw visits and events by
/// <see cref="Crossing.CrossedRollupJob"/> once a day is over (ADR 0009), so that the write path does not pay for it.
/// Every counter belongs to the visits that started on <see cref="Day"/>, events included.
/// </summary>
public sealed class SiteCrossedStats
{
    /// <summary>Both values are cut to this length so that the key (two values) always fits an index entry.</summary>
    public const int ValueMaxLength = 400;

    public int SiteId { get; set; }
    public Dimension FilterDimension { get; set; }
    public required string FilterValue { get; set; }
    public Dimension Dimension { get; set; }
    public DateOnly Day { get; set; }
    public required string Value { get; set; }

    /// <summary>Unique visitors of the day (exact, as in <see cref="SiteDailyStats"/>).</summary>
    public int Visitors { get; set; }

    /// <summary>Matching visits with this value (visit dimensions) or with at least one such event (page, goal, property).</summary>
    public int Visits { get; set; }

    /// <summary>Pageviews of the visits (visit dimensions) or of this page.</summary>
    public int Pageviews { get; set; }

    /// <summary>Custom events of the visits (visit dimensions) or of this goal, property or page (under a goal filter).</summary>
    public int Events { get; set; }

    /// <summary>Bounced visits (visit dimensions).</summary>
    public int Bounces { get; set; }

    /// <summary>Total duration of the visits (visit dimensions).</summary>
    public long DurationSeconds { get; set; }

    public static string Cut(string? value) => value is null ? "" : value.Length <= ValueMaxLength ? value : value[..ValueMaxLength];
}

/// <summary>
/// A local day whose <see cref="SiteCrossedStats"/> rows are computed, with the day's totals in
/// <see cref="SiteDailyStats"/> as they were then: when they change (events stored late, after an outage), the day is
/// computed again.
/// </summary>
public sealed class SiteCrossedDay
{
    public int SiteId { get; set; }
    public DateOnly Day { get; set; }
    public DateTime ComputedAt { get; set; }
    public long Visits { get; set; }
    public long Pageviews { get; set; }
    public long Events { get; set; }
    public long DurationSeconds { get; set; }
}

internal sealed class SiteCrossedStatsConfiguration : IEntityTypeConfiguration<SiteCrossedStats>
{
    public void Configure(EntityTypeBuilder<SiteCrossedStats> builder)
    {
        // Key by day first: a breakdown seeks once per day of its period (Day IN (…)) and reads one contiguous range
        // each, and computing a day again deletes one range. On SQLite the table is WITHOUT ROWID (see the migration), so
        // the key is the table: no second lookup per row, and no secondary index (which would repeat the whole key).
        builder.ToTable("site_stats_crossed");
        builder.HasKey(s => new { s.SiteId, s.Day, s.FilterDimension, s.FilterValue, s.Dimension, s.Value });
        builder.Property(s => s.FilterValue).HasMaxLength(SiteCrossedStats.ValueMaxLength);
        builder.Property(s => s.Value).HasMaxLength(SiteCrossedStats.ValueMaxLength);
    }
}

internal sealed class SiteCrossedDayConfiguration : IEntityTypeConfiguration<SiteCrossedDay>
{
    public void Configure(EntityTypeBuilder<SiteCrossedDay> builder)
    {
        builder.ToTable("site_crossed_days");
        builder.HasKey(s => new { s.SiteId, s.Day });
    }
}
