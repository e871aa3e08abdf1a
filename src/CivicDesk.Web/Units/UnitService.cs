using System.Globalization;
using CivicDesk.Web.Audit;
using CivicDesk.Web.Data;
using CivicDesk.Web.Localization;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Shared;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Units;

/// <summary>
/// Every change to the unit tree, for pages, API and verbs alike: the permission check, the input rules with their
/// translated messages, the change, and its audit entry, saved together.
/// </summary>
public sealed class UnitService(AppDbContext db, UnitAccess access, AuditLog audit, Text text, TimeProvider time)
{
    public const string NameField = "name";
    public const string ParentField = "parentId";

    public async Task<Outcome<Unit>> CreateAsync(string? name, int? parentId, bool isDemo = false, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        var cleanName = Validate.Text(name, Unit.NameMaxLength, NameField, text, errors);

        Unit? parent = null;
        if (parentId is { } pid)
        {
            (parent, var check) = await access.LoadAsync(pid, Permission.ManageUnits, ct);
            if (check == UnitCheck.Forbidden)
            {
                return Outcome<Unit>.Forbidden(text["Unit.CannotManageParent"]);
            }

            if (parent is null || parent.IsArchived)
            {
                errors[ParentField] = [text[parent is null ? "Unit.ParentNotFound" : "Unit.ParentArchived"]];
            }
        }
        else if (!await access.IsSystemAdminAsync(ct))
        {
            return Outcome<Unit>.Forbidden(text["Unit.OnlySystemAdminTopLevel"]);
        }

        if (errors.Count > 0)
        {
            return Outcome<Unit>.Invalid(errors);
        }

        if (await SiblingNamedAsync(parentId, cleanName!, exceptId: null, ct))
        {
            return Outcome<Unit>.Conflict(NameField, text["Unit.DuplicateName", cleanName!]);
        }

        var unit = new Unit { Name = cleanName!, ParentId = parentId, CreatedAt = Now(), IsDemo = isDemo };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Units.Add(unit);
        await db.SaveChangesAsync(ct);
        unit.Path = (parent?.Path ?? "/") + unit.Id.ToString(CultureInfo.InvariantCulture) + "/";
        audit.Add(AuditActions.UnitCreated, unit.Id, "unit", unit.Id, ("name", unit.Name), ("parent", parent?.Name));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<Unit>.Ok(unit);
    }

    public async Task<Outcome<Unit>> RenameAsync(int id, string? name, CancellationToken ct = default)
    {
        var (unit, failure) = await LoadForChangeAsync(id, ct);
        if (failure is not null)
        {
            return failure;
        }

        var errors = new Dictionary<string, string[]>();
        var cleanName = Validate.Text(name, Unit.NameMaxLength, NameField, text, errors);
        if (errors.Count > 0)
        {
            return Outcome<Unit>.Invalid(errors);
        }

        if (cleanName == unit!.Name)
        {
            return Outcome<Unit>.Ok(unit);
        }

        if (await SiblingNamedAsync(unit.ParentId, cleanName!, unit.Id, ct))
        {
            return Outcome<Unit>.Conflict(NameField, text["Unit.DuplicateName", cleanName!]);
        }

        audit.Add(AuditActions.UnitRenamed, unit.Id, "unit", unit.Id, ("from", unit.Name), ("to", cleanName));
        unit.Name = cleanName!;
        await db.SaveChangesAsync(ct);
        return Outcome<Unit>.Ok(unit);
    }

    /// <summary>Moves a unit (with its whole subtree) under another parent, or to the top level when null.</summary>
    public async Task<Outcome<Unit>> MoveAsync(int id, int? newParentId, CancellationToken ct = default)
    {
        var (unit, failure) = await LoadForChangeAsync(id, ct);
        if (failure is not null)
        {
            return failure;
        }

        if (unit!.ParentId == newParentId)
        {
            return Outcome<Unit>.Ok(unit);
        }

        Unit? parent = null;
        if (newParentId is { } pid)
        {
            (parent, var check) = await access.LoadAsync(pid, Permission.ManageUnits, ct);
            if (parent is null)
            {
                return Outcome<Unit>.Invalid(ParentField, text["Unit.ParentNotFound"]);
            }

            if (parent.Path.StartsWith(unit.Path, StringComparison.Ordinal))
            {
                return Outcome<Unit>.Invalid(ParentField, text["Unit.MoveCycle"]);
            }

            if (check == UnitCheck.Forbidden)
            {
                return Outcome<Unit>.Forbidden(text["Unit.CannotManageParent"]);
            }

            if (parent.IsArchived)
            {
                return Outcome<Unit>.Invalid(ParentField, text["Unit.ParentArchived"]);
            }
        }
        else if (!await access.IsSystemAdminAsync(ct))
        {
            return Outcome<Unit>.Forbidden(text["Unit.OnlySystemAdminTopLevel"]);
        }

        if (await SiblingNamedAsync(newParentId, unit.Name, unit.Id, ct))
        {
            return Outcome<Unit>.Conflict(NameField, text["Unit.DuplicateName", unit.Name]);
        }

        var oldPath = unit.Path;
        var newPath = (parent?.Path ?? "/") + unit.Id.ToString(CultureInfo.InvariantCulture) + "/";
        var oldParentName = unit.ParentId is { } op ? await db.Units.Where(u => u.Id == op).Select(u => u.Name).SingleAsync(ct) : null;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
#pragma warning disable CA1845 // Span-based concatenation cannot be translated to SQL.
        await db.Units
            .Where(u => u.Path.StartsWith(oldPath))
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.Path, u => newPath + u.Path.Substring(oldPath.Length)), ct);
#pragma warning restore CA1845
        unit.ParentId = newParentId;
        unit.Path = newPath;
        audit.Add(AuditActions.UnitMoved, unit.Id, "unit", unit.Id, ("name", unit.Name), ("from", oldParentName), ("to", parent?.Name));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<Unit>.Ok(unit);
    }

    /// <summary>Archives the unit and every sub-unit not archived yet; they leave lists and pickers but keep their data.</summary>
    public async Task<Outcome<Unit>> ArchiveAsync(int id, CancellationToken ct = default)
    {
        var (unit, failure) = await LoadForChangeAsync(id, ct);
        if (failure is not null || unit!.IsArchived)
        {
            return failure ?? Outcome<Unit>.Ok(unit!);
        }

        var now = Now();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Units.Where(u => u.Path.StartsWith(unit.Path) && u.ArchivedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.ArchivedAt, now), ct);
        unit.ArchivedAt = now;
        audit.Add(AuditActions.UnitArchived, unit.Id, "unit", unit.Id, ("name", unit.Name));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<Unit>.Ok(unit);
    }

    /// <summary>Restores the unit and the sub-units archived with it; its parent must be active.</summary>
    public async Task<Outcome<Unit>> RestoreAsync(int id, CancellationToken ct = default)
    {
        var (unit, failure) = await LoadForChangeAsync(id, ct);
        if (failure is not null || !unit!.IsArchived)
        {
            return failure ?? Outcome<Unit>.Ok(unit!);
        }

        if (unit.ParentId is { } pid && await db.Units.AnyAsync(u => u.Id == pid && u.ArchivedAt != null, ct))
        {
            return Outcome<Unit>.Invalid(ParentField, text["Unit.RestoreParentArchived"]);
        }

        var archivedAt = unit.ArchivedAt;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Units.Where(u => u.Path.StartsWith(unit.Path) && u.ArchivedAt == archivedAt)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.ArchivedAt, (DateTime?)null), ct);
        unit.ArchivedAt = null;
        audit.Add(AuditActions.UnitRestored, unit.Id, "unit", unit.Id, ("name", unit.Name));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<Unit>.Ok(unit);
    }

    /// <summary>Deletes a unit that holds nothing: no sub-units, channels or users. Otherwise says which.</summary>
    public async Task<Outcome<Unit>> DeleteAsync(int id, CancellationToken ct = default)
    {
        var (unit, failure) = await LoadForChangeAsync(id, ct);
        if (failure is not null)
        {
            return failure;
        }

        var children = await db.Units.CountAsync(u => u.ParentId == id, ct);
        var channels = await db.Channels.CountAsync(c => c.UnitId == id, ct);
        var users = await db.Memberships.CountAsync(m => m.UnitId == id, ct);
        var reasons = new List<string>();
        if (children > 0)
        {
            reasons.Add(text["Unit.DeleteHasChildren", children]);
        }

        if (channels > 0)
        {
            reasons.Add(text["Unit.DeleteHasChannels", channels]);
        }

        if (users > 0)
        {
            reasons.Add(text["Unit.DeleteHasUsers", users]);
        }

        if (reasons.Count > 0)
        {
            return Outcome<Unit>.Conflict("", text["Unit.CannotDelete", string.Join("; ", reasons)]);
        }

        audit.Add(AuditActions.UnitDeleted, unit!.ParentId, "unit", unit.Id, ("name", unit.Name));
        db.Units.Remove(unit);
        await db.SaveChangesAsync(ct);
        return Outcome<Unit>.Ok(unit);
    }

    private async Task<(Unit? Unit, Outcome<Unit>? Failure)> LoadForChangeAsync(int id, CancellationToken ct)
    {
        var (unit, check) = await access.LoadAsync(id, Permission.ManageUnits, ct);
        return check switch
        {
            UnitCheck.Allowed => (unit, null),
            UnitCheck.Forbidden => (null, Outcome<Unit>.Forbidden(text["Unit.CannotManage"])),
            _ => (null, Outcome<Unit>.NotFound()),
        };
    }

    /// <summary>
    /// True when an active sibling already has this name, ignoring case. Compared in memory: SQLite's lower() folds
    /// only ASCII, and Vietnamese names start with letters such as Đ and Ở.
    /// </summary>
    private async Task<bool> SiblingNamedAsync(int? parentId, string name, int? exceptId, CancellationToken ct)
    {
        var siblings = await db.Units.Where(u => u.ParentId == parentId && u.Id != exceptId && u.ArchivedAt == null)
            .Select(u => u.Name)
            .ToListAsync(ct);
        return siblings.Any(s => string.Equals(s, name, StringComparison.OrdinalIgnoreCase));
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;
}
