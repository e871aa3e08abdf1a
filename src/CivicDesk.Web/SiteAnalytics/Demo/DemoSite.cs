using CivicDesk.Web.Data;

namespace CivicDesk.Web.SiteAnalytics.Demo;

/// <summary>The demo's website and the generated traffic stored for it.</summary>
public sealed record DemoSiteResult(Site Site, TrafficLoad Load);

/// <summary>
/// The demo province's portal as a measured site, with 90 days of generated traffic up to now, so that a newcomer's
/// dashboard shows real shapes on first run: the weekday rhythm, a viral day, Facebook and Zalo, mostly phones.
/// </summary>
public sealed class DemoSite(SiteService sites, AppDbContext db, TrafficLoader loader, TimeProvider time)
{
    /// <summary>The portal's domain in the demo: under the reserved .example TLD, like every demo address.</summary>
    public const string Domain = "songlam.example";

    public const int Days = 90;

    /// <summary>
    /// About 550 visits on a working day, 250 on a weekend day and 4,500 on the viral day: enough for the shapes. The
    /// writer stores 4,000–5,000 events a second on SQLite, so more would make <c>demo</c> slow (docs/benchmarks.md,
    /// "Dashboard").
    /// </summary>
    public const long Events = 100_000;

    /// <summary>What the portal's previous counter showed when it moved to CivicDesk.</summary>
    public const long CounterStartTotal = 4_182_365;

    /// <summary>Adds the site to <paramref name="unitId"/> (marked demo) and stores its traffic; the caller acts as operator.</summary>
    public async Task<DemoSiteResult> CreateAsync(int unitId, CancellationToken ct = default)
    {
        var outcome = await sites.CreateAsync(unitId, Domain, Site.DefaultTimeZone, isDemo: true, ct);
        var site = outcome.Value ?? throw new InvalidOperationException("The demo site was refused: " + string.Join("; ", outcome.Errors.SelectMany(e => e.Value)));
        site.CounterStartTotal = CounterStartTotal;
        await db.SaveChangesAsync(ct);

        var zone = TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone);
        var now = time.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now, zone));
        var plan = new TrafficPlan(site.Id, site.Domain, zone, today.AddDays(1 - Days), Days, Events) { Until = now };
        var load = await loader.LoadAsync(new TrafficGenerator(plan).Events(), batchSize: 5_000, ct: ct);
        return new DemoSiteResult(site, load);
    }
}
