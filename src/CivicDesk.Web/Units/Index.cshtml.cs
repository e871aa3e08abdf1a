using CivicDesk.Web.Data;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Units;

public sealed record UnitRow(int Id, string Name, int Depth, bool Archived, int Channels, int Users, bool CanManage);

public sealed class IndexModel(UnitService units, Navigation nav, UnitAccess access, AppDbContext db) : PageModel
{
    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public int? ParentId { get; set; }

    [BindProperty(SupportsGet = true, Name = "archived")]
    public bool ShowArchived { get; set; }

    public IReadOnlyList<UnitRow> Units { get; private set; } = [];
    public IReadOnlyList<UnitOption> Parents { get; private set; } = [];
    public bool IsSystemAdmin { get; private set; }
    public bool CanCreate => IsSystemAdmin || Parents.Count > 0;

    public async Task OnGetAsync()
    {
        if (int.TryParse(Request.Query["unit"], out var scope))
        {
            ParentId = scope;
        }

        await LoadAsync();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var outcome = await units.CreateAsync(Name, ParentId);
        if (outcome.Succeeded)
        {
            return RedirectToPage(new { unit = Request.Query["unit"].ToString() is { Length: > 0 } u ? u : null });
        }

        // A person who may not create units here has no form to show the reason in: same answer as the edit pages.
        if (outcome.Failure == Failure.Forbidden)
        {
            return Forbid();
        }

        outcome.CopyTo(ModelState);
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        IsSystemAdmin = await access.IsSystemAdminAsync();
        Parents = (await nav.UnitsAsync(Permission.ManageUnits)).ToList();
        var tree = await nav.UnitsAsync(Permission.View, ShowArchived);
        var ids = tree.Select(t => t.Id).ToList();
        var channels = await db.Channels.Where(c => ids.Contains(c.UnitId) && c.ArchivedAt == null)
            .GroupBy(c => c.UnitId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count);
        var users = await db.Memberships.Where(m => ids.Contains(m.UnitId))
            .GroupBy(m => m.UnitId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count);
        var manageable = (await nav.UnitsAsync(Permission.ManageUnits, includeArchived: true)).Select(u => u.Id).ToHashSet();
        Units = tree.Select(t => new UnitRow(t.Id, t.Name, t.Depth, t.Archived,
            channels.GetValueOrDefault(t.Id), users.GetValueOrDefault(t.Id), manageable.Contains(t.Id))).ToList();
    }
}
