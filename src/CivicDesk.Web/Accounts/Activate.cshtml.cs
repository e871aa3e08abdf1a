using CivicDesk.Web.Audit;
using CivicDesk.Web.Data;
using CivicDesk.Web.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CivicDesk.Web.Accounts;

/// <summary>An invited person sets their password with the one-time link an administrator gave them.</summary>
[AllowAnonymous]
public sealed class ActivateModel(UserManager<User> users, AuditLog audit, AppDbContext db, Text text) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? UserId { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public bool Done { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = UserId is null ? null : await users.FindByIdAsync(UserId);
        if (user is null || Token is null || user.DisabledAt is not null)
        {
            ModelState.AddModelError("", text["Identity.InvalidToken"]);
            return Page();
        }

        var result = await users.ResetPasswordAsync(user, Token, Password ?? "");
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(error.Code == nameof(IdentityErrorDescriber.InvalidToken) ? "" : nameof(Password), error.Description);
            }

            return Page();
        }

        audit.Add(AuditActions.PasswordChanged, null, "user", user.Id, user.Id, user.Email ?? user.Id);
        await db.SaveChangesAsync();
        Done = true;
        return Page();
    }
}
