using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Units;

/// <summary>
/// An organisational unit (Đơn vị). Units form a tree; <see cref="Path"/> is the materialised path of ids from the
/// root (<c>/1/4/9/</c>), so "this unit and all its sub-units" is one indexed prefix query.
/// </summary>
public sealed class Unit
{
    public const int NameMaxLength = 200;

    public int Id { get; set; }
    public required string Name { get; set; }
    public int? ParentId { get; set; }
    public Unit? Parent { get; set; }
    public string Path { get; set; } = "/";
    public DateTime CreatedAt { get; set; }
    public DateTime? ArchivedAt { get; set; }
    public bool IsDemo { get; set; }

    public bool IsArchived => ArchivedAt is not null;

    /// <summary>The ids on the path from the root down to this unit, this unit last.</summary>
    public IReadOnlyList<int> PathIds => ParsePath(Path);

    public static IReadOnlyList<int> ParsePath(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture))
            .ToArray();
}

internal sealed class UnitConfiguration : IEntityTypeConfiguration<Unit>
{
    public void Configure(EntityTypeBuilder<Unit> builder)
    {
        builder.ToTable("units");
        builder.Property(u => u.Name).HasMaxLength(Unit.NameMaxLength);
        builder.Property(u => u.Path).HasMaxLength(1000);
        builder.HasIndex(u => u.Path);
        builder.HasIndex(u => u.ParentId);
        builder.HasOne(u => u.Parent).WithMany().HasForeignKey(u => u.ParentId).OnDelete(DeleteBehavior.Restrict);
        builder.Ignore(u => u.IsArchived);
        builder.Ignore(u => u.PathIds);
    }
}
