using System.Text.Json;
using System.Text.RegularExpressions;
using CivicDesk.Web.Data;
using CivicDesk.Web.Localization;
using CivicDesk.Web.Permissions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Audit;

/// <summary>
/// The audit log, read-only. A system administrator reads all of it; a unit administrator reads the entries of
/// the units they administer and their own.
/// </summary>
public sealed partial class IndexModel(AppDbContext db, UnitAccess access, CurrentUser currentUser, Text text) : PageModel
{
    private const int PageSize = 100;

    [BindProperty(SupportsGet = true, Name = "page")]
    public int PageNumber { get; set; } = 1;

    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];
    public bool HasMore { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        PageNumber = Math.Max(1, PageNumber);
        IQueryable<AuditEntry> query = db.AuditEntries.AsNoTracking();
        if (!await access.IsSystemAdminAsync())
        {
            var units = (await access.UnitsAsync(Permission.ReadAudit)).Select(u => u.Id);
            if (!await units.AnyAsync())
            {
                return Forbid();
            }

            query = query.Where(a => (a.UnitId != null && units.Contains(a.UnitId.Value)) || a.ActorId == currentUser.Id);
        }

        var page = await query.OrderByDescending(a => a.Id).Skip((PageNumber - 1) * PageSize).Take(PageSize + 1).ToListAsync();
        HasMore = page.Count > PageSize;
        Entries = page.Take(PageSize).ToList();
        return Page();
    }

    /// <summary>The entry in the reader's language: the action's message with its named values filled in.</summary>
    public string Describe(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var values = JsonSerializer.Deserialize<Dictionary<string, string>>(entry.Details) ?? [];
        if (values.TryGetValue("role", out var role) && text.Has("Role." + role))
        {
            values["role"] = text["Role." + role];
        }

        if (values.TryGetValue("from", out var from) && entry.Action == AuditActions.RoleChanged && text.Has("Role." + from))
        {
            values["from"] = text["Role." + from];
        }

        // Platforms and edited fields are stored as codes ("facebook", "displayName"): the reader sees their names.
        if (values.TryGetValue("platform", out var platform) && text.Has("Platform." + platform))
        {
            values["platform"] = text["Platform." + platform];
        }

        if (values.TryGetValue("field", out var field) && text.Has("Field." + (field == "unit" ? "unitId" : field)))
        {
            values["field"] = text["Field." + (field == "unit" ? "unitId" : field)];
        }

        var template = text["Audit." + entry.Action];
        return Placeholder().Replace(template, m => values.TryGetValue(m.Groups[1].Value, out var v) && v.Length > 0 ? v : "—");
    }

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Placeholder();
}
