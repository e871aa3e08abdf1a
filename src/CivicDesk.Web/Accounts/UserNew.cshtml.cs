using CivicDesk.Web.Localization;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CivicDesk.Web.Accounts;

/// <summary>Create an account with a password, or invite: without a password a one-time link is shown to pass on.</summary>
public sealed class UserNewModel(UserService users, Navigation nav, Text text) : PageModel
{
    [BindProperty]
    public string? DisplayName { get; set; }

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public int UnitId { get; set; }

    [BindProperty]
    public Role Role { get; set; } = Role.Viewer;

    [BindProperty]
    public string? Password { get; set; }

    public string? InvitationLink { get; private set; }

    public IReadOnlyList<UnitOption> Units { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        Units = await nav.UnitsAsync(Permission.ManageMembers);
        return Units.Count == 0 ? Forbid() : Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        Units = await nav.UnitsAsync(Permission.ManageMembers);
        if (!ModelState.IsValid)
        {
            // Only a malformed role or unit number can fail binding here.
            ModelState.Clear();
            ModelState.AddModelError(nameof(Role), text["User.UnknownRole"]);
            return Page();
        }

        var outcome = await users.CreateAsync(Email, DisplayName, Password, UnitId, Role);
        if (outcome.Failure == Failure.Forbidden)
        {
            return Forbid();
        }

        if (!outcome.Succeeded)
        {
            outcome.CopyTo(ModelState);
            return Page();
        }

        var (user, invitation) = outcome.Value;
        if (invitation is null)
        {
            TempData["Flash"] = text["Users.Created", user.Email!];
            return Redirect($"/admin/users/{user.Id}");
        }

        InvitationLink = $"{Request.Scheme}://{Request.Host}/account/activate?userId={Uri.EscapeDataString(user.Id)}&token={Uri.EscapeDataString(invitation)}";
        ModelState.Clear();
        DisplayName = Email = Password = null;
        return Page();
    }
}
