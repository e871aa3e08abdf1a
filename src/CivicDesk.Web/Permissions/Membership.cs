using CivicDesk.Web.Accounts;
using CivicDesk.Web.Units;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Permissions;

/// <summary>A user's role in one unit (and, by inheritance, in all its sub-units).</summary>
public sealed class Membership
{
    public int Id { get; set; }
    public required string UserId { get; set; }
    public User? User { get; set; }
    public int UnitId { get; set; }
    public Unit? Unit { get; set; }
    public Role Role { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal sealed class MembershipConfiguration : IEntityTypeConfiguration<Membership>
{
    public void Configure(EntityTypeBuilder<Membership> builder)
    {
        builder.ToTable("memberships");
        builder.HasIndex(m => new { m.UserId, m.UnitId }).IsUnique();
        builder.HasIndex(m => m.UnitId);
        builder.Property(m => m.Role).HasConversion<string>().HasMaxLength(16);
        builder.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(m => m.Unit).WithMany().HasForeignKey(m => m.UnitId).OnDelete(DeleteBehavior.Restrict);
    }
}
