using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Audit;

/// <summary>
/// One line of the audit log (Nhật ký hoạt động): who did what, when, to which record. Entries are append-only
/// (<see cref="Data.AppDbContext"/> refuses to update or delete them). The action is a code and the details are
/// named values, so the line is shown in the reader's language, not the writer's.
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public string? ActorId { get; set; }

    /// <summary>The actor's e-mail at the time, kept so that the line stays readable if the account goes.</summary>
    public required string ActorName { get; set; }

    public required string Action { get; set; }
    public string? EntityType { get; set; }
    public string? EntityId { get; set; }
    public int? UnitId { get; set; }

    /// <summary>Named values for the action's message, as a JSON object of strings.</summary>
    public string Details { get; set; } = "{}";
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("audit_entries");
        builder.Property(a => a.ActorId).HasMaxLength(64);
        builder.Property(a => a.ActorName).HasMaxLength(256);
        builder.Property(a => a.Action).HasMaxLength(64);
        builder.Property(a => a.EntityType).HasMaxLength(32);
        builder.Property(a => a.EntityId).HasMaxLength(64);
        builder.Property(a => a.Details).HasMaxLength(4000);
        builder.HasIndex(a => a.At);
        builder.HasIndex(a => a.UnitId);
    }
}
