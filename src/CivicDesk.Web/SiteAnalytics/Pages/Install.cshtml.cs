using CivicDesk.Web.Data;
using CivicDesk.Web.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.SiteAnalytics.Pages;

/// <summary>
/// How to install a site's tracking: the script line to paste, the visit-counter widget for the footer, and whether
/// any event has arrived yet (the check a web administrator makes after pasting). Anyone who may see the site may
/// read it: the snippet is no secret, it ends up in the site's public pages.
/// </summary>
public sealed class InstallModel(SiteService sites, AppDbContext db, Text text) : PageModel
{
    public Site Site { get; private set; } = null!;
    public string Snippet { get; private set; } = "";
    public string CounterSnippet { get; private set; } = "";
    public string CounterJsonUrl { get; private set; } = "";

    /// <summary>When the latest event arrived, or null when none has.</summary>
    public DateTime? LastEventAt { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (await sites.FindAsync(id) is not { } site)
        {
            return NotFound();
        }

        Site = site;
        Snippet = SitesApi.Snippet(site, Request);
        CounterSnippet = CounterEndpoints.Snippet(site, Request, text);
        CounterJsonUrl = CounterEndpoints.JsonUrl(site, Request);
        LastEventAt = await db.SiteEvents.AsNoTracking().Where(e => e.SiteId == id).MaxAsync(e => (DateTime?)e.Timestamp);
        return Page();
    }
}
