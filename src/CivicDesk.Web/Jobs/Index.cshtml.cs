using CivicDesk.Web.Data;
using CivicDesk.Web.Localization;
using CivicDesk.Web.Permissions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Jobs;

/// <summary>The visible schedule: every job, its interval, its last run on any node, and a button to run it now.</summary>
public sealed class IndexModel(JobSchedule schedule, JobScheduler scheduler, AppDbContext db, UnitAccess access, Text text) : PageModel
{
    public IReadOnlyList<(JobDefinition Job, JobLease? Lease)> Rows { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await access.IsSystemAdminAsync())
        {
            return Forbid();
        }

        var leases = await db.JobLeases.AsNoTracking().ToDictionaryAsync(l => l.Name);
        Rows = schedule.Jobs.Select(j => (j, leases.GetValueOrDefault(j.Name))).ToList();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string name)
    {
        if (!await access.IsSystemAdminAsync())
        {
            return Forbid();
        }

        if (schedule.Jobs.Any(j => j.Name == name))
        {
            await scheduler.RequestRunAsync(name);
            TempData["Flash"] = text["Jobs.Requested"];
        }

        return RedirectToPage();
    }
}
