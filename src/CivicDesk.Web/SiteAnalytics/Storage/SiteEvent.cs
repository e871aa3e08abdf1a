using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.SiteAnalytics.Storage;

/// <summary>
/// One accepted event, as stored: enriched at ingestion, with no IP address and no user agent — only the daily
/// visitor hash and the parsed browser, OS and device. Kept for exports and custom-event properties, deleted after the
/// site's retention; dashboards read rollups and sessions instead.
/// </summary>
public sealed class SiteEvent
{
    public long Id { get; set; }

    /// <summary>Assigned at ingestion; unique, so that replaying the spool after a crash never stores an event twice.</summary>
    public Guid EventId { get; set; }

    public int SiteId { get; set; }
    public DateTime Timestamp { get; set; }
    public required string Name { get; set; }
    public required string Hostname { get; set; }
    public required string Pathname { get; set; }
    public long VisitorId { get; set; }
    public long SessionId { get; set; }
    public string? ReferrerHost { get; set; }
    public string? Source { get; set; }
    public string? UtmSource { get; set; }
    public string? UtmMedium { get; set; }
    public string? UtmCampaign { get; set; }
    public string? UtmTerm { get; set; }
    public string? UtmContent { get; set; }
    public string? Country { get; set; }
    public string? Browser { get; set; }
    public string? BrowserVersion { get; set; }
    public string? Os { get; set; }
    public string? OsVersion { get; set; }
    public string? Device { get; set; }

    /// <summary>Custom properties as a JSON object of strings; "{}" when none.</summary>
    public string Props { get; set; } = "{}";

    public decimal? RevenueAmount { get; set; }
    public string? RevenueCurrency { get; set; }
    public bool Interactive { get; set; } = true;
}

internal sealed class SiteEventConfiguration : IEntityTypeConfiguration<SiteEvent>
{
    public void Configure(EntityTypeBuilder<SiteEvent> builder)
    {
        builder.ToTable("site_events");
        builder.HasIndex(e => e.EventId).IsUnique();
        builder.HasIndex(e => new { e.SiteId, e.Timestamp });

        // "Visits that did X" (visit breakdowns under a page or goal filter) finds a visit's events by session; without
        // it SQLite searched every event of the site once per visit, and such breakdowns timed out at 200 k events.
        builder.HasIndex(e => new { e.SiteId, e.SessionId });
        builder.Property(e => e.Name).HasMaxLength(120);
        builder.Property(e => e.Hostname).HasMaxLength(253);
        builder.Property(e => e.Pathname).HasMaxLength(2000);
        builder.Property(e => e.ReferrerHost).HasMaxLength(253);
        builder.Property(e => e.Source).HasMaxLength(253);
        builder.Property(e => e.UtmSource).HasMaxLength(300);
        builder.Property(e => e.UtmMedium).HasMaxLength(300);
        builder.Property(e => e.UtmCampaign).HasMaxLength(300);
        builder.Property(e => e.UtmTerm).HasMaxLength(300);
        builder.Property(e => e.UtmContent).HasMaxLength(300);
        builder.Property(e => e.Country).HasMaxLength(2);
        builder.Property(e => e.Browser).HasMaxLength(100);
        builder.Property(e => e.BrowserVersion).HasMaxLength(50);
        builder.Property(e => e.Os).HasMaxLength(100);
        builder.Property(e => e.OsVersion).HasMaxLength(50);
        builder.Property(e => e.Device).HasMaxLength(20);
        builder.Property(e => e.Props).HasMaxLength(8192);
        builder.Property(e => e.RevenueAmount).HasPrecision(18, 4);
        builder.Property(e => e.RevenueCurrency).HasMaxLength(3);
    }
}
