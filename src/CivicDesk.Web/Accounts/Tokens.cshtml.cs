using CivicDesk.Web.Data;
using CivicDesk.Web.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Accounts;

/// <summary>A person's own API tokens: create (shown once), list, revoke.</summary>
public sealed class TokensModel(ApiTokenService tokens, UserManager<User> users, AppDbContext db, Text text) : PageModel
{
    [BindProperty]
    public string? Name { get; set; }

    public string? NewSecret { get; private set; }

    public IReadOnlyList<ApiToken> Tokens { get; private set; } = [];

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostCreateAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        var outcome = await tokens.CreateAsync(user, Name);
        if (outcome.Succeeded)
        {
            NewSecret = outcome.Value.Secret;
            Name = null;
            ModelState.Clear();
        }
        else
        {
            outcome.CopyTo(ModelState);
        }

        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(int id)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        if (await tokens.RevokeAsync(user, id))
        {
            TempData["Flash"] = text["Tokens.RevokedFlash"];
        }

        return RedirectToPage();
    }

    private async Task LoadAsync()
    {
        var userId = users.GetUserId(User);
        Tokens = await db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId).OrderByDescending(t => t.CreatedAt).ToListAsync();
    }
}
