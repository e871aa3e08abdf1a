using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.SiteAnalytics.Storage;

/// <summary>
/// What a daily rollup row breaks the numbers down by. Visit dimensions are the visit's first event's (entry page,
/// source, device…) and count the visit on the day it started; page and goal dimensions count each event on its own
/// day. The numbers are part of the stored data: never renumber a member.
/// </summary>
public enum Dimension : short
{
    Page = 1,
    EntryPage = 2,
    ExitPage = 3,
    Source = 4,
    Referrer = 5,
    UtmSource = 6,
    UtmMedium = 7,
    UtmCampaign = 8,
    UtmTerm = 9,
    UtmContent = 10,
    Country = 11,
    Browser = 12,

    /// <summary>Browser and version joined by <see cref="SiteDailyStats.Separator"/>.</summary>
    BrowserVersion = 13,
    Os = 14,

    /// <summary>OS and version joined by <see cref="SiteDailyStats.Separator"/>.</summary>
    OsVersion = 15,
    Device = 16,

    /// <summary>A custom event's name (a goal).</summary>
    Goal = 17,

    /// <summary>Goal, property name and value joined by <see cref="SiteDailyStats.Separator"/>.</summary>
    GoalProperty = 18,

    /// <summary>Source, referrer and the five UTM fields joined by <see cref="SiteDailyStats.Separator"/>, as Plausible's sources export needs them together.</summary>
    SourceDetail = 19,

    /// <summary>Goal, link URL (props.url) and path (props.path) joined by <see cref="SiteDailyStats.Separator"/>, as Plausible's custom-events export needs them.</summary>
    GoalDetail = 20,
}

/// <summary>
/// Summable counters per site, local day (the site's time zone), dimension and value, maintained when events are
/// written, so that breakdowns and filtered dashboards never scan raw events. Visitor ids are daily (the salt rotates
/// at the site's midnight), so a visitor counted once per day and value is an exact unique count for the day, and the
/// sum over days is the unique count over a range — the same definition Plausible uses (no cross-day identity exists).
/// </summary>
public sealed class SiteDailyStats
{
    /// <summary>Joins the parts of a composite value.</summary>
    public const char Separator = '\u001f';

    /// <summary>Longer values are cut in rollups (raw events keep the whole path), so that a key always fits an index entry.</summary>
    public const int ValueMaxLength = 800;

    public int SiteId { get; set; }
    public DateOnly Day { get; set; }
    public Dimension Dimension { get; set; }

    /// <summary>The dimension's value; "" when the event had none (direct traffic, unknown country…).</summary>
    public required string Value { get; set; }

    /// <summary>Unique visitors of the day with this value (exact). Not kept for exit pages, where it would have to be taken back.</summary>
    public long Visitors { get; set; }

    /// <summary>Visits with this value: started with it (visit dimensions), ended on it (exit page) or containing it (page, goal).</summary>
    public long Visits { get; set; }

    /// <summary>Pageviews: of the page (page dimension) or of the visits with this value (visit dimensions).</summary>
    public long Pageviews { get; set; }

    /// <summary>Custom events: of the goal (goal dimensions) or of the visits with this value (visit dimensions).</summary>
    public long Events { get; set; }

    /// <summary>Visits with this value that are bounces now (visit dimensions).</summary>
    public long Bounces { get; set; }

    /// <summary>Total duration of the visits with this value (visit dimensions).</summary>
    public long DurationSeconds { get; set; }

    public static string Join(params ReadOnlySpan<string?> parts) => string.Join(Separator, parts);

    public static string[] Split(string value) => (value ?? "").Split(Separator);

    public static string Cut(string? value) => value is null ? "" : value.Length <= ValueMaxLength ? value : value[..ValueMaxLength];
}

internal sealed class SiteDailyStatsConfiguration : IEntityTypeConfiguration<SiteDailyStats>
{
    public void Configure(EntityTypeBuilder<SiteDailyStats> builder)
    {
        builder.ToTable("site_stats_daily");
        builder.HasKey(s => new { s.SiteId, s.Dimension, s.Value, s.Day });
        builder.HasIndex(s => new { s.SiteId, s.Dimension, s.Day });
        builder.Property(s => s.Value).HasMaxLength(SiteDailyStats.ValueMaxLength);
    }
}
