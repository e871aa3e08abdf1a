using CivicDesk.Web.Localization;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CivicDesk.Web.Channels;

public sealed class EditModel(ChannelService channels, UnitAccess access, Navigation nav, Text text) : PageModel
{
    [BindProperty]
    public string? DisplayName { get; set; }

    [BindProperty]
    public int UnitId { get; set; }

    public Channel Channel { get; private set; } = null!;
    public IReadOnlyList<UnitOption> Units { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        DisplayName = Channel.DisplayName;
        UnitId = Channel.UnitId;
        return Page();
    }

    public Task<IActionResult> OnPostSaveAsync(int id) => HandleAsync(id, () => channels.UpdateAsync(id, DisplayName ?? "", UnitId));

    public Task<IActionResult> OnPostArchiveAsync(int id) => HandleAsync(id, () => channels.ArchiveAsync(id));

    public Task<IActionResult> OnPostRestoreAsync(int id) => HandleAsync(id, () => channels.RestoreAsync(id));

    private async Task<IActionResult> HandleAsync(int id, Func<Task<Outcome<Channel>>> change) =>
        await this.AnswerAsync(await change(), () => LoadAsync(id), text["Common.Saved"], new { id });

    private async Task<bool> LoadAsync(int id)
    {
        var channel = await channels.FindAsync(id);
        if (channel is null || !await access.CanAsync(channel.Unit!, Permission.ManageChannels))
        {
            return false;
        }

        Channel = channel;
        Units = await nav.UnitsAsync(Permission.ManageChannels);
        return true;
    }
}
