using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Infrastructure;

/// <summary>
/// Everything a refused request must leave as it was: units, channels, websites, memberships, accounts, and the
/// length of the audit log. Two snapshots compare equal only when no row was added, removed or changed.
/// </summary>
public sealed record DatabaseSnapshot(
    IReadOnlyList<string> Units,
    IReadOnlyList<string> Channels,
    IReadOnlyList<string> Sites,
    IReadOnlyList<string> Memberships,
    IReadOnlyList<string> Users,
    int AuditEntries)
{
    /// <summary>
    /// Every row of units, channels and memberships, or, with <paramref name="underPath"/>, the rows of that subtree
    /// together with each table's total count: a stray insert or delete anywhere still shows, and a bulk update that
    /// forgot its filter changes the subtree too. Scoping keeps the snapshot cheap when a test makes thousands of rows.
    /// </summary>
    public static Task<DatabaseSnapshot> TakeAsync(AppFactory app, string? underPath = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.WithDbAsync(async db =>
        {
            var scope = underPath ?? "/";
            var units = await db.Units.AsNoTracking().Where(u => u.Path.StartsWith(scope)).OrderBy(u => u.Id)
                .Select(u => new { u.Id, u.Name, u.ParentId, u.Path, u.ArchivedAt }).ToListAsync();
            var channels = await db.Channels.AsNoTracking().Where(c => c.Unit!.Path.StartsWith(scope)).OrderBy(c => c.Id)
                .Select(c => new { c.Id, c.UnitId, c.Platform, c.ExternalId, c.Url, c.DisplayName, c.ArchivedAt }).ToListAsync();
            var sites = await db.Sites.AsNoTracking().Where(s => s.Unit!.Path.StartsWith(scope)).OrderBy(s => s.Id)
                .Select(s => new { s.Id, s.UnitId, s.Domain, s.TimeZone, s.ArchivedAt }).ToListAsync();
            var memberships = await db.Memberships.AsNoTracking().Where(m => m.Unit!.Path.StartsWith(scope)).OrderBy(m => m.Id)
                .Select(m => new { m.Id, m.UserId, m.UnitId, m.Role }).ToListAsync();
            var users = await db.Users.AsNoTracking().OrderBy(u => u.Id)
                .Select(u => new { u.Id, u.Email, u.DisplayName, u.IsSystemAdmin, u.DisabledAt }).ToListAsync();
            return new DatabaseSnapshot(
                [$"count={await db.Units.CountAsync()}", .. units.Select(u => Line(u.Id, u.Name, u.ParentId, u.Path, u.ArchivedAt))],
                [$"count={await db.Channels.CountAsync()}", .. channels.Select(c => Line(c.Id, c.UnitId, c.Platform, c.ExternalId, c.Url, c.DisplayName, c.ArchivedAt))],
                [$"count={await db.Sites.CountAsync()}", .. sites.Select(s => Line(s.Id, s.UnitId, s.Domain, s.TimeZone, s.ArchivedAt))],
                [$"count={await db.Memberships.CountAsync()}", .. memberships.Select(m => Line(m.Id, m.UserId, m.UnitId, m.Role))],
                users.Select(u => Line(u.Id, u.Email, u.DisplayName, u.IsSystemAdmin, u.DisabledAt)).ToList(),
                await db.AuditEntries.CountAsync());
        });
    }

    /// <summary>What differs from <paramref name="before"/>, in words; empty when nothing does.</summary>
    public string DifferencesFrom(DatabaseSnapshot before)
    {
        ArgumentNullException.ThrowIfNull(before);
        var parts = new List<string>();
        Compare("units", before.Units, Units);
        Compare("channels", before.Channels, Channels);
        Compare("sites", before.Sites, Sites);
        Compare("memberships", before.Memberships, Memberships);
        Compare("users", before.Users, Users);
        if (before.AuditEntries != AuditEntries)
        {
            parts.Add($"audit entries {before.AuditEntries} → {AuditEntries}");
        }

        return string.Join("; ", parts);

        void Compare(string table, IReadOnlyList<string> was, IReadOnlyList<string> now)
        {
            var removed = was.Except(now).ToList();
            var added = now.Except(was).ToList();
            if (removed.Count > 0 || added.Count > 0)
            {
                parts.Add($"{table}: -[{string.Join(", ", removed)}] +[{string.Join(", ", added)}]");
            }
        }
    }

    private static string Line(params object?[] values) =>
        string.Join("|", values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));
}
