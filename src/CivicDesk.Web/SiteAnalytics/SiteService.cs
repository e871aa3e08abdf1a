using CivicDesk.Web.Audit;
using CivicDesk.Web.Data;
using CivicDesk.Web.Localization;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Shared;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.SiteAnalytics;

/// <summary>Units' websites in site analytics: add and list, with the unit permissions of the rest of CivicDesk.</summary>
public sealed class SiteService(AppDbContext db, UnitAccess access, AuditLog audit, SiteDirectory directory, Text text, TimeProvider time)
{
    public const string UnitField = "unitId";
    public const string DomainField = "domain";
    public const string TimeZoneField = "timeZone";

    public async Task<IQueryable<Site>> QueryAsync(CancellationToken ct = default)
    {
        var units = (await access.UnitsAsync(Permission.View, ct)).Select(u => u.Id);
        return db.Sites.AsNoTracking().Where(s => units.Contains(s.UnitId));
    }

    public async Task<Site?> FindAsync(int id, CancellationToken ct = default) =>
        await (await QueryAsync(ct)).SingleOrDefaultAsync(s => s.Id == id, ct);

    public async Task<Outcome<Site>> CreateAsync(int unitId, string? domain, string? timeZone, bool isDemo = false, CancellationToken ct = default)
    {
        var (unit, check) = await access.LoadAsync(unitId, Permission.ManageSites, ct);
        if (check == UnitCheck.Forbidden)
        {
            return Outcome<Site>.Forbidden(text["Site.CannotManage"]);
        }

        var errors = new Dictionary<string, string[]>();
        if (unit is null || unit.IsArchived)
        {
            errors[UnitField] = [text[unit is null ? "Channel.UnitNotFound" : "Channel.UnitArchived"]];
        }

        var clean = SiteDirectory.Normalize(domain);
        if (clean is null || !clean.Contains('.', StringComparison.Ordinal))
        {
            errors[DomainField] = [text["Site.InvalidDomain"]];
        }

        var zone = string.IsNullOrWhiteSpace(timeZone) ? Site.DefaultTimeZone : timeZone.Trim();
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            errors[TimeZoneField] = [text["Site.InvalidTimeZone"]];
        }

        if (errors.Count > 0)
        {
            return Outcome<Site>.Invalid(errors);
        }

        if (await db.Sites.AnyAsync(s => s.Domain == clean, ct))
        {
            return Outcome<Site>.Conflict(DomainField, text["Site.Duplicate", clean!]);
        }

        var site = new Site { UnitId = unitId, Domain = clean!, TimeZone = zone, CreatedAt = time.GetUtcNow().UtcDateTime, IsDemo = isDemo };
        db.Sites.Add(site);
        await db.SaveChangesAsync(ct);
        audit.Add(AuditActions.SiteCreated, unitId, "site", site.Id, ("domain", site.Domain), ("unit", unit!.Name));
        await db.SaveChangesAsync(ct);
        directory.Forget(site.Domain);
        return Outcome<Site>.Ok(site);
    }
}
