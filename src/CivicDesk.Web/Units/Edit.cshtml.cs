using CivicDesk.Web.Data;
using CivicDesk.Web.Localization;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Units;

public sealed class EditModel(UnitService units, UnitAccess access, Navigation nav, AppDbContext db, Text text) : PageModel
{
    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public int? ParentId { get; set; }

    public Unit Unit { get; private set; } = null!;
    public IReadOnlyList<UnitOption> Parents { get; private set; } = [];
    public bool IsSystemAdmin { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        Name = Unit.Name;
        ParentId = Unit.ParentId;
        return Page();
    }

    public Task<IActionResult> OnPostRenameAsync(int id) =>
        HandleAsync(id, () => units.RenameAsync(id, Name), text["Units.Renamed"]);

    public Task<IActionResult> OnPostMoveAsync(int id) =>
        HandleAsync(id, () => units.MoveAsync(id, ParentId), text["Units.Moved"]);

    public Task<IActionResult> OnPostArchiveAsync(int id) =>
        HandleAsync(id, () => units.ArchiveAsync(id), text["Units.ArchivedFlash"]);

    public Task<IActionResult> OnPostRestoreAsync(int id) =>
        HandleAsync(id, () => units.RestoreAsync(id), text["Units.RestoredFlash"]);

    public async Task<IActionResult> OnPostDeleteAsync(int id)
    {
        var outcome = await units.DeleteAsync(id);
        if (outcome.Succeeded)
        {
            // A deleted unit has no page to come back to: go to the tree.
            TempData["Flash"] = text["Units.DeletedFlash", outcome.Value!.Name];
            return Redirect("/units");
        }

        return await this.AnswerAsync(outcome, () => LoadAsync(id), "", new { id });
    }

    private async Task<IActionResult> HandleAsync(int id, Func<Task<Outcome<Unit>>> change, string flash) =>
        await this.AnswerAsync(await change(), () => LoadAsync(id), flash, new { id });

    private async Task<bool> LoadAsync(int id)
    {
        var unit = await db.Units.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id);
        if (unit is null || !await access.CanAsync(unit, Permission.ManageUnits))
        {
            return false;
        }

        Unit = unit;
        IsSystemAdmin = await access.IsSystemAdminAsync();
        // A unit cannot move under itself or its own sub-units, so those are not offered.
        var subtree = await db.Units.Where(u => u.Path.StartsWith(unit.Path)).Select(u => u.Id).ToListAsync();
        Parents = (await nav.UnitsAsync(Permission.ManageUnits)).Where(p => !subtree.Contains(p.Id)).ToList();
        return true;
    }
}
