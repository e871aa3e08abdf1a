using CivicDesk.Web.Permissions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Accounts;

public sealed record RoleRow(int MembershipId, int UnitId, string UnitName, Role Role);

public sealed record UserRow(string Id, string DisplayName, string? Email, bool IsSystemAdmin, bool Disabled, bool LockedOut, IReadOnlyList<RoleRow> Roles);

public sealed class UsersModel(UserService users, Data.AppDbContext db, UnitAccess access, TimeProvider time) : PageModel
{
    public IReadOnlyList<UserRow> Users { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await access.IsSystemAdminAsync() && !await (await access.UnitsAsync(Permission.ManageMembers)).AnyAsync())
        {
            return Forbid();
        }

        var now = time.GetUtcNow();
        var list = await (await users.VisibleUsersAsync()).OrderBy(u => u.Email).ToListAsync();
        var ids = list.Select(u => u.Id).ToList();
        var roles = await db.Memberships.AsNoTracking().Where(m => ids.Contains(m.UserId))
            .Select(m => new { m.UserId, Row = new RoleRow(m.Id, m.UnitId, m.Unit!.Name, m.Role) })
            .ToListAsync();
        var byUser = roles.ToLookup(r => r.UserId, r => r.Row);
        Users = list.Select(u => new UserRow(u.Id, u.DisplayName, u.Email, u.IsSystemAdmin, u.DisabledAt is not null,
            u.LockoutEnd is { } end && end > now, byUser[u.Id].ToList())).ToList();
        return Page();
    }
}
