using CivicDesk.Web.Audit;
using CivicDesk.Web.Data;
using CivicDesk.Web.Localization;
using CivicDesk.Web.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Accounts;

/// <summary>The one-time first-run page that creates the first system administrator.</summary>
[AllowAnonymous]
public sealed class SetupModel(FirstRunSetup setup, UserManager<User> users, SignInManager<User> signIn, AppDbContext db, AuditLog audit, Text text, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    [BindProperty]
    public string? DisplayName { get; set; }

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public bool Valid { get; private set; }

    public void OnGet() => Valid = setup.Matches(Token);

    public async Task<IActionResult> OnPostAsync()
    {
        // One attempt at a time holds the token, and a successful one spends it: the link creates one administrator.
        Valid = setup.TryUse(Token);
        if (!Valid)
        {
            return Page();
        }

        try
        {
            if (await db.Users.AnyAsync())
            {
                setup.Complete();
                Valid = false;
                return Page();
            }

            var errors = await CreateAdministratorAsync();
            if (errors is null)
            {
                setup.Complete();
                return LocalRedirect("/units");
            }

            Outcome<User>.Invalid(errors).CopyTo(ModelState);
            return Page();
        }
        finally
        {
            // No-op after Complete(); after a refused attempt the link works again.
            setup.Release();
        }
    }

    /// <summary>Creates and signs in the first system administrator; null on success, else the errors by field.</summary>
    private async Task<Dictionary<string, string[]>?> CreateAdministratorAsync()
    {
        var errors = new Dictionary<string, string[]>();
        var name = Validate.Text(DisplayName, Accounts.User.DisplayNameMaxLength, "displayName", text, errors);
        var email = Validate.Text(Email, 256, "email", text, errors);
        if (email is not null && !System.Net.Mail.MailAddress.TryCreate(email, out _))
        {
            errors["email"] = [text["Identity.InvalidEmail", email]];
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        var user = new User
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = name ?? "",
            IsSystemAdmin = true,
            CreatedAt = time.GetUtcNow().UtcDateTime,
            PreferredCulture = Cultures.CodeOf(System.Globalization.CultureInfo.CurrentUICulture),
        };
        audit.Add(AuditActions.UserCreated, null, "user", null, null, email!, ("email", email), ("name", name));
        var result = await users.CreateAsync(user, Password ?? "");
        if (!result.Succeeded)
        {
            return UserService.IdentityErrors(result, "password");
        }

        await signIn.SignInAsync(user, isPersistent: false);
        return null;
    }
}
