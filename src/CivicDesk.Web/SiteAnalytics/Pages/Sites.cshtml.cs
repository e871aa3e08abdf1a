using CivicDesk.Web.Data;
using CivicDesk.Web.Localization;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.SiteAnalytics.Pages;

public sealed record SiteRow(int Id, string Domain, string UnitName, bool Archived, long VisitorsToday, long VisitorsNow);

/// <summary>
/// Website: the sites of the units in scope with today's and current visitors, and, for Editors and Admins of a unit,
/// the form that adds one. A new site's next stop is its installation page, with the snippet to paste.
/// </summary>
public sealed class SitesModel(SiteService sites, Navigation nav, AppDbContext db, Text text, TimeProvider time) : PageModel
{
    /// <summary>Time zones offered when adding a site: Vietnam first, then those of the region and of embassies' hosts.</summary>
    public static readonly string[] TimeZones =
    [
        Site.DefaultTimeZone, "Asia/Bangkok", "Asia/Vientiane", "Asia/Phnom_Penh", "Asia/Jakarta", "Asia/Singapore",
        "Asia/Kuala_Lumpur", "Asia/Manila", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Seoul", "Asia/Tokyo",
        "Asia/Kolkata", "Asia/Dubai", "Australia/Sydney", "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Moscow",
        "America/New_York", "America/Chicago", "America/Los_Angeles", "UTC",
    ];

    private static readonly TimeSpan NowWindow = TimeSpan.FromMinutes(5);

    [BindProperty]
    public string? Domain { get; set; }

    [BindProperty]
    public int UnitId { get; set; }

    [BindProperty]
    public string? TimeZone { get; set; }

    [BindProperty(SupportsGet = true, Name = "unit")]
    public int? Unit { get; set; }

    public IReadOnlyList<SiteRow> Sites { get; private set; } = [];
    public IReadOnlyList<UnitOption> VisibleUnits { get; private set; } = [];
    public IReadOnlyList<UnitOption> AddUnits { get; private set; } = [];

    public async Task OnGetAsync()
    {
        UnitId = Unit ?? 0;
        TimeZone = Site.DefaultTimeZone;
        await LoadAsync();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var outcome = await sites.CreateAsync(UnitId, Domain, TimeZone);
        if (outcome.Succeeded)
        {
            TempData["Flash"] = text["Sites.Added", outcome.Value!.Domain];
            return Redirect($"/sites/{outcome.Value.Id}/install");
        }

        // A person who may not add sites here has no form to show the reason in: same answer as the channel pages.
        if (outcome.Failure == Failure.Forbidden)
        {
            return Forbid();
        }

        outcome.CopyTo(ModelState);
        await LoadAsync();
        return Page();
    }

    /// <summary>"(UTC+07:00) Asia/Ho_Chi_Minh", with the zone's offset now.</summary>
    public string ZoneLabel(string id)
    {
        var offset = TimeZoneInfo.FindSystemTimeZoneById(id).GetUtcOffset(time.GetUtcNow());
        return $"(UTC{(offset < TimeSpan.Zero ? "-" : "+")}{offset:hh\\:mm}) {id}";
    }

    private async Task LoadAsync()
    {
        VisibleUnits = await nav.UnitsAsync();
        AddUnits = await nav.UnitsAsync(Permission.ManageSites);
        var query = await sites.QueryAsync();
        if (Unit is { } id)
        {
            var path = await db.Units.Where(u => u.Id == id).Select(u => u.Path).SingleOrDefaultAsync() ?? "/none/";
            query = query.Where(s => s.Unit!.Path.StartsWith(path));
        }

        var list = await query.OrderBy(s => s.Unit!.Path).ThenBy(s => s.Domain)
            .Select(s => new { s.Id, s.Domain, s.TimeZone, UnitName = s.Unit!.Name, s.ArchivedAt })
            .ToListAsync();
        var ids = list.Select(s => s.Id).ToList();
        var now = time.GetUtcNow();

        // Today is each site's own day: start from the earliest midnight among their zones, then keep each site's hours.
        var midnights = list.ToDictionary(s => s.Id, s => Midnight(s.TimeZone, now));
        var earliest = midnights.Count == 0 ? now.UtcDateTime : midnights.Values.Min();
        var hours = await db.SiteHourlyStats.AsNoTracking()
            .Where(h => ids.Contains(h.SiteId) && h.Hour >= earliest)
            .Select(h => new { h.SiteId, h.Hour, h.NewVisitors })
            .ToListAsync();
        var today = hours.Where(h => h.Hour >= midnights[h.SiteId]).GroupBy(h => h.SiteId).ToDictionary(g => g.Key, g => g.Sum(h => h.NewVisitors));

        var since = now.UtcDateTime - NowWindow;
        var current = await db.SiteEvents.AsNoTracking()
            .Where(e => ids.Contains(e.SiteId) && e.Timestamp >= since)
            .GroupBy(e => e.SiteId)
            .Select(g => new { g.Key, Count = g.Select(e => e.VisitorId).Distinct().Count() })
            .ToDictionaryAsync(g => g.Key, g => (long)g.Count);

        Sites = list.Select(s => new SiteRow(s.Id, s.Domain, s.UnitName, s.ArchivedAt is not null, today.GetValueOrDefault(s.Id), current.GetValueOrDefault(s.Id))).ToList();
    }

    private static DateTime Midnight(string zoneId, DateTimeOffset now)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        return new Period(today, today).Utc(zone).Start;
    }
}
