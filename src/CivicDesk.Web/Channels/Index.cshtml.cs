using CivicDesk.Web.Localization;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Channels;

public sealed class IndexModel(ChannelService channels, Navigation nav, Text text) : PageModel
{
    /// <summary>The pasted URL or handle (not named Url: PageModel.Url is the URL helper).</summary>
    [BindProperty]
    public string? Address { get; set; }

    [BindProperty]
    public string? Platform { get; set; }

    [BindProperty]
    public int UnitId { get; set; }

    [BindProperty]
    public string? DisplayName { get; set; }

    [BindProperty(SupportsGet = true, Name = "unit")]
    public int? Unit { get; set; }

    [BindProperty(SupportsGet = true, Name = "platform")]
    public string? PlatformFilter { get; set; }

    [BindProperty(SupportsGet = true, Name = "archived")]
    public bool ShowArchived { get; set; }

    public IReadOnlyList<Channel> Channels { get; private set; } = [];
    public IReadOnlyList<UnitOption> VisibleUnits { get; private set; } = [];
    public IReadOnlyList<UnitOption> RegisterUnits { get; private set; } = [];
    public IReadOnlySet<int> Manageable { get; private set; } = new HashSet<int>();

    public async Task OnGetAsync()
    {
        UnitId = Unit ?? 0;
        await LoadAsync();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        Platform? hint = null;
        if (!string.IsNullOrEmpty(Platform))
        {
            if (!Platforms.TryParse(Platform, out var p))
            {
                ModelState.AddModelError(nameof(Platform), text["Channel.UnknownPlatform"]);
                await LoadAsync();
                return Page();
            }

            hint = p;
        }

        var outcome = await channels.RegisterAsync(UnitId, Address, hint, DisplayName);
        if (outcome.Succeeded)
        {
            TempData["Flash"] = text["Channels.Registered", outcome.Value!.DisplayName, text["Platform." + outcome.Value.Platform.Code()]];
            return Redirect(Unit is { } u ? $"/channels?unit={u}" : "/channels");
        }

        // A person who may not register channels here has no form to show the reason in: same answer as the edit page.
        if (outcome.Failure == Failure.Forbidden)
        {
            return Forbid();
        }

        // Field names match the page's properties (model state keys ignore case), so messages land beside them.
        outcome.CopyTo(ModelState, (ChannelService.UrlField, nameof(Address)));

        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        VisibleUnits = await nav.UnitsAsync();
        RegisterUnits = await nav.UnitsAsync(Permission.ManageChannels);
        Manageable = (await nav.UnitsAsync(Permission.ManageChannels, includeArchived: true)).Select(u => u.Id).ToHashSet();
        Platform? platform = Platforms.TryParse(PlatformFilter, out var p) ? p : null;
        var query = await channels.QueryAsync(Unit, platform, ShowArchived);
        Channels = await query.Include(c => c.Unit).OrderBy(c => c.Unit!.Path).ThenBy(c => c.Platform).ThenBy(c => c.DisplayName).ToListAsync();
    }
}
