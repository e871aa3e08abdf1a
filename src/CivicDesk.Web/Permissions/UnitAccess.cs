using System.Linq.Expressions;
using CivicDesk.Web.Data;
using CivicDesk.Web.Units;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Permissions;

/// <summary>
/// Answers "may the current user do this in that unit?" for pages, API endpoints and verbs alike. A role held in a
/// unit applies to the whole subtree below it, which is why grants are kept as materialised path prefixes.
/// </summary>
public sealed class UnitAccess(AppDbContext db, CurrentUser currentUser)
{
    private Grants? _grants;

    public async Task<bool> IsSystemAdminAsync(CancellationToken ct = default) => (await LoadAsync(ct)).IsSystemAdmin;

    /// <summary>True when the user holds <paramref name="permission"/> in the unit with that id.</summary>
    public async Task<bool> CanAsync(int unitId, Permission permission, CancellationToken ct = default)
    {
        var grants = await LoadAsync(ct);
        if (grants.IsSystemAdmin)
        {
            return await db.Units.AnyAsync(u => u.Id == unitId, ct);
        }

        var path = await db.Units.Where(u => u.Id == unitId).Select(u => u.Path).SingleOrDefaultAsync(ct);
        return path is not null && grants.Allows(path, permission);
    }

    /// <summary>Same as <see cref="CanAsync(int, Permission, CancellationToken)"/> for a unit already loaded.</summary>
    public async Task<bool> CanAsync(Unit unit, Permission permission, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var grants = await LoadAsync(ct);
        return grants.IsSystemAdmin || grants.Allows(unit.Path, permission);
    }

    /// <summary>
    /// The one rule for a unit named in a request: not visible answers as if it did not exist (404 or a "not found"
    /// field message); visible without <paramref name="permission"/> is forbidden (403).
    /// </summary>
    public async Task<UnitCheck> CheckAsync(Unit? unit, Permission permission, CancellationToken ct = default) =>
        unit is null || !await CanAsync(unit, Permission.View, ct) ? UnitCheck.NotVisible
        : !await CanAsync(unit, permission, ct) ? UnitCheck.Forbidden
        : UnitCheck.Allowed;

    /// <summary>Loads the unit with that id (tracked, for changes) and checks it as <see cref="CheckAsync(Unit?, Permission, CancellationToken)"/>.</summary>
    public async Task<(Unit? Unit, UnitCheck Check)> LoadAsync(int unitId, Permission permission, CancellationToken ct = default)
    {
        var unit = await db.Units.SingleOrDefaultAsync(u => u.Id == unitId, ct);
        var check = await CheckAsync(unit, permission, ct);
        return (check == UnitCheck.NotVisible ? null : unit, check);
    }

    /// <summary>The highest role the user holds in the unit at <paramref name="unitPath"/>, inherited or direct.</summary>
    public async Task<Role?> EffectiveRoleAsync(string unitPath, CancellationToken ct = default)
    {
        var grants = await LoadAsync(ct);
        return grants.IsSystemAdmin ? Role.Admin : grants.HighestRole(unitPath);
    }

    /// <summary>A filter for the units in which the user holds <paramref name="permission"/>.</summary>
    public async Task<Expression<Func<Unit, bool>>> UnitFilterAsync(Permission permission, CancellationToken ct = default)
    {
        var grants = await LoadAsync(ct);
        if (grants.IsSystemAdmin)
        {
            return _ => true;
        }

        var prefixes = grants.PrefixesFor(permission);
        if (prefixes.Count == 0)
        {
            return _ => false;
        }

        var unit = Expression.Parameter(typeof(Unit), "u");
        var path = Expression.Property(unit, nameof(Unit.Path));
        var startsWith = typeof(string).GetMethod(nameof(string.StartsWith), [typeof(string)])!;
        Expression body = prefixes
            .Select(p => (Expression)Expression.Call(path, startsWith, Expression.Constant(p)))
            .Aggregate(Expression.OrElse);
        return Expression.Lambda<Func<Unit, bool>>(body, unit);
    }

    /// <summary>The units (archived or not) in which the user holds <paramref name="permission"/>.</summary>
    public async Task<IQueryable<Unit>> UnitsAsync(Permission permission, CancellationToken ct = default) =>
        db.Units.Where(await UnitFilterAsync(permission, ct));

    private async Task<Grants> LoadAsync(CancellationToken ct)
    {
        if (_grants is not null)
        {
            return _grants;
        }

        if (currentUser.IsOperator)
        {
            return _grants = new Grants(true, []);
        }

        if (currentUser.Id is not { } userId)
        {
            return _grants = Grants.None;
        }

        var user = await db.Users.AsNoTracking()
            .Where(u => u.Id == userId && u.DisabledAt == null)
            .Select(u => new { u.IsSystemAdmin })
            .SingleOrDefaultAsync(ct);
        if (user is null)
        {
            return _grants = Grants.None;
        }

        var memberships = await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == userId)
            .Select(m => new Grant(m.Unit!.Path, m.Role))
            .ToListAsync(ct);
        return _grants = new Grants(user.IsSystemAdmin, memberships);
    }

    private sealed record Grant(string Path, Role Role);

    private sealed record Grants(bool IsSystemAdmin, IReadOnlyList<Grant> Memberships)
    {
        public static readonly Grants None = new(false, []);

        public bool Allows(string unitPath, Permission permission) =>
            Memberships.Any(m => unitPath.StartsWith(m.Path, StringComparison.Ordinal) && RolePermissions.Allows(m.Role, permission));

        public Role? HighestRole(string unitPath) =>
            Memberships.Where(m => unitPath.StartsWith(m.Path, StringComparison.Ordinal))
                .Select(m => (Role?)m.Role)
                .Max();

        /// <summary>The path prefixes granting the permission, without those already covered by a shorter one.</summary>
        public List<string> PrefixesFor(Permission permission)
        {
            var paths = Memberships.Where(m => RolePermissions.Allows(m.Role, permission))
                .Select(m => m.Path)
                .Distinct()
                .OrderBy(p => p.Length)
                .ToList();
            var kept = new List<string>();
            foreach (var p in paths)
            {
                if (!kept.Any(k => p.StartsWith(k, StringComparison.Ordinal)))
                {
                    kept.Add(p);
                }
            }

            return kept;
        }
    }
}

public enum UnitCheck
{
    Allowed,
    NotVisible,
    Forbidden,
}
