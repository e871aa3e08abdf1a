using CivicDesk.Web.Accounts;
using CivicDesk.Web.Data;
using CivicDesk.Web.Permissions;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Shared;

public sealed record UnitOption(int Id, string Name, int Depth, bool Archived);

/// <summary>
/// What the layout shows around every page: the person, the units they may pick as scope (the unit picker keeps
/// the choice in the URL, <c>?unit=</c>), and which admin sections they may open.
/// </summary>
public sealed class Navigation(AppDbContext db, UnitAccess access, CurrentUser currentUser)
{
    private IReadOnlyList<UnitOption>? _units;
    private User? _user;

    public async Task<User?> UserAsync()
    {
        if (_user is null && currentUser.Id is { } id)
        {
            _user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id);
        }

        return _user;
    }

    /// <summary>The active units the person can see, in tree order with their depth.</summary>
    public async Task<IReadOnlyList<UnitOption>> UnitsAsync(Permission permission = Permission.View, bool includeArchived = false)
    {
        if (permission == Permission.View && !includeArchived && _units is not null)
        {
            return _units;
        }

        var query = await access.UnitsAsync(permission);
        if (!includeArchived)
        {
            query = query.Where(u => u.ArchivedAt == null);
        }

        var rows = await query.AsNoTracking().Select(u => new { u.Id, u.Name, u.Path, u.ParentId, u.ArchivedAt }).ToListAsync();
        var byParent = rows.ToLookup(r => r.ParentId);
        var ids = rows.Select(r => r.Id).ToHashSet();
        var ordered = new List<UnitOption>();
        // Roots of what the person sees: units whose parent they cannot see.
        foreach (var root in rows.Where(r => r.ParentId is null || !ids.Contains(r.ParentId.Value)).OrderBy(r => r.Name, StringComparer.CurrentCulture))
        {
            Walk(root.Id, root.Name, root.ArchivedAt is not null, 0);
        }

        if (permission == Permission.View && !includeArchived)
        {
            _units = ordered;
        }

        return ordered;

        void Walk(int id, string name, bool archived, int depth)
        {
            ordered.Add(new UnitOption(id, name, depth, archived));
            foreach (var child in byParent[id].OrderBy(r => r.Name, StringComparer.CurrentCulture))
            {
                Walk(child.Id, child.Name, child.ArchivedAt is not null, depth + 1);
            }
        }
    }

    public async Task<bool> CanAdministerAsync() =>
        await access.IsSystemAdminAsync() || (await UnitsAsync(Permission.ManageMembers)).Count > 0;

    public Task<bool> IsSystemAdminAsync() => access.IsSystemAdminAsync();
}
