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

/// <summary>
/// The sizes of the text columns of site_events (site_sessions' are the same). PostgreSQL refuses longer text, and a
/// batch it refuses would stop the writer: the endpoint refuses what a page sends that cannot fit (name, URL, props)
/// and cuts what it learns from the request (browser, referrer, UTM…) to these sizes.
/// </summary>
public static class SiteEventColumns
{
    public const int Name = 120;
    public const int Hostname = 253;
    public const int Pathname = 2000;
    public const int ReferrerHost = 253;
    public const int Source = 253;
    public const int Utm = 300;
    public const int Country = 2;
    public const int Browser = 100;
    public const int Os = 100;

    /// <summary>A browser's or an operating system's version.</summary>
    public const int Version = 50;

    public const int Device = 20;
    public const int Props = 8192;
    public const int Currency = 3;
}

internal sealed class SiteEventConfiguration : IEntityTypeConfiguration<SiteEvent>
{
    public void Configure(EntityTypeBuilder<SiteEvent> builder)
    {
        builder.ToTable("site_events");
        builder.HasIndex(e => e.EventId).IsUnique();
        // No index by visit: an event would be inserted beside its visit's earlier ones, so with many visits going on
        // at once nearly every event dirtied a page of that index of its own, two thirds of the SQLite writer's I/O
        // (ADR 0008, "Events not indexed by visit"). The events of given visits are read by time, over the visits' span.
        builder.HasIndex(e => new { e.SiteId, e.Timestamp });
        builder.Property(e => e.Name).HasMaxLength(SiteEventColumns.Name);
        builder.Property(e => e.Hostname).HasMaxLength(SiteEventColumns.Hostname);
        builder.Property(e => e.Pathname).HasMaxLength(SiteEventColumns.Pathname);
        builder.Property(e => e.ReferrerHost).HasMaxLength(SiteEventColumns.ReferrerHost);
        builder.Property(e => e.Source).HasMaxLength(SiteEventColumns.Source);
        builder.Property(e => e.UtmSource).HasMaxLength(SiteEventColumns.Utm);
        builder.Property(e => e.UtmMedium).HasMaxLength(SiteEventColumns.Utm);
        builder.Property(e => e.UtmCampaign).HasMaxLength(SiteEventColumns.Utm);
        builder.Property(e => e.UtmTerm).HasMaxLength(SiteEventColumns.Utm);
        builder.Property(e => e.UtmContent).HasMaxLength(SiteEventColumns.Utm);
        builder.Property(e => e.Country).HasMaxLength(SiteEventColumns.Country);
        builder.Property(e => e.Browser).HasMaxLength(SiteEventColumns.Browser);
        builder.Property(e => e.BrowserVersion).HasMaxLength(SiteEventColumns.Version);
        builder.Property(e => e.Os).HasMaxLength(SiteEventColumns.Os);
        builder.Property(e => e.OsVersion).HasMaxLength(SiteEventColumns.Version);
        builder.Property(e => e.Device).HasMaxLength(SiteEventColumns.Device);
        builder.Property(e => e.Props).HasMaxLength(SiteEventColumns.Props);
        builder.Property(e => e.RevenueAmount).HasPrecision(18, 4);
        builder.Property(e => e.RevenueCurrency).HasMaxLength(SiteEventColumns.Currency);
    }
}
