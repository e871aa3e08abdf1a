using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Accounts;

/// <summary>
/// A member of staff who signs in to CivicDesk. What they may see and change comes from their memberships
/// (a role in a unit, inherited by its sub-units) and, for operators, <see cref="IsSystemAdmin"/>.
/// </summary>
public sealed class User : IdentityUser
{
    public const int DisplayNameMaxLength = 200;

    public string DisplayName { get; set; } = "";

    /// <summary>System administrators manage the whole tree: top-level units, every user, the audit log.</summary>
    public bool IsSystemAdmin { get; set; }

    /// <summary>"vi" or "en": remembered across devices; the culture cookie mirrors it.</summary>
    public string? PreferredCulture { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? DisabledAt { get; set; }
    public bool IsDemo { get; set; }
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.Property(u => u.DisplayName).HasMaxLength(User.DisplayNameMaxLength);
        builder.Property(u => u.PreferredCulture).HasMaxLength(8);
    }
}
