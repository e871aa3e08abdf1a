using CivicDesk.Web.Channels;
using CivicDesk.Web.Permissions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Overview;

/// <summary>The landing page: what the chosen scope holds. Reach and analytics join it as they are built.</summary>
public sealed class IndexModel(ChannelService channels, UnitAccess access) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "unit")]
    public int? Unit { get; set; }

    public int Units { get; private set; }
    public IReadOnlyList<(Platform Platform, int Count)> ByPlatform { get; private set; } = [];
    public int Total => ByPlatform.Sum(p => p.Count);

    public async Task OnGetAsync()
    {
        var units = (await access.UnitsAsync(Permission.View)).Where(u => u.ArchivedAt == null);
        if (Unit is { } id && await units.SingleOrDefaultAsync(u => u.Id == id) is { } scope)
        {
            units = units.Where(u => u.Path.StartsWith(scope.Path));
        }

        Units = await units.CountAsync();
        var counts = await (await channels.QueryAsync(Unit, null, includeArchived: false))
            .GroupBy(c => c.Platform).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count);
        ByPlatform = Enum.GetValues<Platform>().Select(p => (p, counts.GetValueOrDefault(p))).ToList();
    }
}
