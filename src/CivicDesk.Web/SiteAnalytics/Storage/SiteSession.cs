using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.SiteAnalytics.Storage;

/// <summary>
/// One visit (Lượt truy cập): a visitor's events with no gap of 30 minutes or more. Attributes are those of the
/// visit's first event (entry page, source, device…); the exit page and the counters follow the later ones.
/// </summary>
public sealed class SiteSession
{
    public long Id { get; set; }
    public int SiteId { get; set; }
    public long SessionId { get; set; }
    public long VisitorId { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime LastAt { get; set; }
    public int Pageviews { get; set; }
    public int Events { get; set; }
    public int InteractiveEvents { get; set; }
    public required string EntryPage { get; set; }
    public required string ExitPage { get; set; }
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

    /// <summary>
    /// The visit's pages with their pageviews (<see cref="VisitPages"/>), so that a page breakdown under a visit filter
    /// reads the matching visits alone rather than every pageview of the day (ADR 0009); null when not kept.
    /// </summary>
    public string? Pages { get; set; }

    /// <summary>A bounce is a visit with at most one pageview and no interactive custom event (as Plausible counts it).</summary>
    public bool IsBounce => Pageviews <= 1 && InteractiveEvents == 0;

    public double DurationSeconds => (LastAt - StartedAt).TotalSeconds;
}

internal sealed class SiteSessionConfiguration : IEntityTypeConfiguration<SiteSession>
{
    public void Configure(EntityTypeBuilder<SiteSession> builder)
    {
        builder.ToTable("site_sessions");
        builder.HasIndex(s => new { s.SiteId, s.SessionId }).IsUnique();
        builder.HasIndex(s => new { s.SiteId, s.StartedAt });
        builder.Property(s => s.EntryPage).HasMaxLength(SiteEventColumns.Pathname);
        builder.Property(s => s.ExitPage).HasMaxLength(SiteEventColumns.Pathname);
        builder.Property(s => s.ReferrerHost).HasMaxLength(SiteEventColumns.ReferrerHost);
        builder.Property(s => s.Source).HasMaxLength(SiteEventColumns.Source);
        builder.Property(s => s.UtmSource).HasMaxLength(SiteEventColumns.Utm);
        builder.Property(s => s.UtmMedium).HasMaxLength(SiteEventColumns.Utm);
        builder.Property(s => s.UtmCampaign).HasMaxLength(SiteEventColumns.Utm);
        builder.Property(s => s.UtmTerm).HasMaxLength(SiteEventColumns.Utm);
        builder.Property(s => s.UtmContent).HasMaxLength(SiteEventColumns.Utm);
        builder.Property(s => s.Country).HasMaxLength(SiteEventColumns.Country);
        builder.Property(s => s.Browser).HasMaxLength(SiteEventColumns.Browser);
        builder.Property(s => s.BrowserVersion).HasMaxLength(SiteEventColumns.Version);
        builder.Property(s => s.Os).HasMaxLength(SiteEventColumns.Os);
        builder.Property(s => s.OsVersion).HasMaxLength(SiteEventColumns.Version);
        builder.Property(s => s.Device).HasMaxLength(SiteEventColumns.Device);
        builder.Ignore(s => s.IsBounce);
        builder.Ignore(s => s.DurationSeconds);
    }
}
