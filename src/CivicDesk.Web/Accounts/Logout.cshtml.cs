using CivicDesk.Web.Audit;
using CivicDesk.Web.Data;
using CivicDesk.Web.Permissions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CivicDesk.Web.Accounts;

public sealed class LogoutModel(SignInManager<User> signIn, AuditLog audit, AppDbContext db, CurrentUser currentUser) : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (currentUser.Id is { } id)
        {
            audit.Add(AuditActions.SignedOut, null, "user", id);
            await db.SaveChangesAsync();
        }

        await signIn.SignOutAsync();
        return LocalRedirect("/account/login");
    }
}
