using CivicDesk.Web.Data;
using CivicDesk.Web.Localization;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Accounts;

public sealed class UserEditModel(UserService users, UnitAccess access, Navigation nav, AppDbContext db, CurrentUser currentUser, Text text) : PageModel
{
    [BindProperty]
    public int UnitId { get; set; }

    [BindProperty]
    public Role Role { get; set; } = Role.Viewer;

    public User Target { get; private set; } = null!;
    public IReadOnlyList<RoleRow> Roles { get; private set; } = [];
    public IReadOnlyList<UnitOption> Units { get; private set; } = [];
    public IReadOnlySet<int> ManageableUnits { get; private set; } = new HashSet<int>();
    public bool IsSystemAdmin { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id) => await LoadAsync(id) ? Page() : NotFound();

    public async Task<IActionResult> OnPostGrantAsync(string id)
    {
        if (!ModelState.IsValid)
        {
            ModelState.Clear();
            ModelState.AddModelError(nameof(Role), text["User.UnknownRole"]);
            return await LoadAsync(id) ? Page() : NotFound();
        }

        return await HandleAsync(id, await users.GrantAsync(id, UnitId, Role));
    }

    public async Task<IActionResult> OnPostRevokeAsync(string id, int membershipId) =>
        await HandleAsync(id, await users.RevokeAsync(membershipId));

    public async Task<IActionResult> OnPostDisableAsync(string id, bool disabled) =>
        await HandleAsync(id, await users.SetDisabledAsync(id, disabled, currentUser.Id));

    private Task<IActionResult> HandleAsync<T>(string id, Outcome<T> outcome) =>
        this.AnswerAsync(outcome, () => LoadAsync(id), text["Common.Saved"], new { id });

    private async Task<bool> LoadAsync(string id)
    {
        var target = await users.FindVisibleAsync(id);
        if (target is null)
        {
            return false;
        }

        Target = target;
        IsSystemAdmin = await access.IsSystemAdminAsync();
        Units = await nav.UnitsAsync(Permission.ManageMembers);
        ManageableUnits = (await nav.UnitsAsync(Permission.ManageMembers, includeArchived: true)).Select(u => u.Id).ToHashSet();
        Roles = await db.Memberships.AsNoTracking().Where(m => m.UserId == id)
            .OrderBy(m => m.Unit!.Path)
            .Select(m => new RoleRow(m.Id, m.UnitId, m.Unit!.Name, m.Role))
            .ToListAsync();
        return true;
    }
}
