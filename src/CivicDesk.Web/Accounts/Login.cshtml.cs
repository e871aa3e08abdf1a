using CivicDesk.Web.Audit;
using CivicDesk.Web.Data;
using CivicDesk.Web.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CivicDesk.Web.Accounts;

[AllowAnonymous]
public sealed class LoginModel(SignInManager<User> signIn, UserManager<User> users, AuditLog audit, AppDbContext db, Text text, FirstRunSetup setup) : PageModel
{
    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty]
    public bool RememberMe { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>No account exists yet: the page points to the setup link printed in the server's console.</summary>
    public bool SetupPending => setup.IsPending;

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(Email))
        {
            ModelState.AddModelError(nameof(Email), text["Validation.Required", text["Field.email"]]);
        }

        if (string.IsNullOrEmpty(Password))
        {
            ModelState.AddModelError(nameof(Password), text["Validation.Required", text["Field.password"]]);
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var email = Email!.Trim();
        var user = await users.FindByEmailAsync(email);
        if (user is { DisabledAt: not null })
        {
            audit.Add(AuditActions.SignInFailed, null, "user", user.Id, user.Id, email, ("reason", "disabled"));
            await db.SaveChangesAsync();
            ModelState.AddModelError("", text["Login.Failed"]);
            return Page();
        }

        var result = user is null
            ? Microsoft.AspNetCore.Identity.SignInResult.Failed
            : await signIn.PasswordSignInAsync(user, Password!, RememberMe, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            audit.Add(AuditActions.SignedIn, null, "user", user!.Id, user.Id, email);
            await db.SaveChangesAsync();
            CultureEndpoint.Remember(HttpContext, user);
            return LocalRedirect(CultureEndpoint.IsLocal(ReturnUrl) ? ReturnUrl! : "/");
        }

        if (result.IsLockedOut)
        {
            audit.Add(AuditActions.LockedOut, null, "user", user?.Id, user?.Id, email);
            await db.SaveChangesAsync();
            ModelState.AddModelError("", text["Login.LockedOut"]);
            return Page();
        }

        // One message for a wrong password and an unknown address: no account enumeration.
        audit.Add(AuditActions.SignInFailed, null, "user", user?.Id, user?.Id, email, ("reason", user is null ? "unknown" : "password"));
        await db.SaveChangesAsync();
        ModelState.AddModelError("", text["Login.Failed"]);
        return Page();
    }
}
