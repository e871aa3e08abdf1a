using CivicDesk.Web.Units;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.SiteAnalytics;

/// <summary>
/// A unit's own website measured by CivicDesk's cookieless analytics (Website). Events are accepted for its domain
/// and its subdomains; days are counted in its time zone.
/// </summary>
public sealed class Site
{
    public const int DomainMaxLength = 253;
    public const string DefaultTimeZone = "Asia/Ho_Chi_Minh";

    public int Id { get; set; }
    public int UnitId { get; set; }
    public Unit? Unit { get; set; }

    /// <summary>Lower-case host name without "www." (IDN in its ASCII form), e.g. "quangnam.gov.vn".</summary>
    public required string Domain { get; set; }

    public string TimeZone { get; set; } = DefaultTimeZone;

    /// <summary>Visits counted by an older counter before the site moved to CivicDesk; added to the counter widget's total.</summary>
    public long CounterStartTotal { get; set; }

    /// <summary>Raw events older than this many months are deleted; rollups stay. Null keeps them.</summary>
    public int? RetentionMonths { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? ArchivedAt { get; set; }
    public bool IsDemo { get; set; }
}

internal sealed class SiteConfiguration : IEntityTypeConfiguration<Site>
{
    public void Configure(EntityTypeBuilder<Site> builder)
    {
        builder.ToTable("sites");
        builder.Property(s => s.Domain).HasMaxLength(Site.DomainMaxLength);
        builder.Property(s => s.TimeZone).HasMaxLength(64);
        builder.HasIndex(s => s.Domain).IsUnique();
        builder.HasIndex(s => s.UnitId);
        builder.HasOne(s => s.Unit).WithMany().HasForeignKey(s => s.UnitId).OnDelete(DeleteBehavior.Restrict);
    }
}
