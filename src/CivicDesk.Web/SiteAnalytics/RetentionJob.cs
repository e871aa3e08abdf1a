using CivicDesk.Web.Data;
using CivicDesk.Web.Jobs;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.SiteAnalytics;

/// <summary>
/// Deletes each site's raw events and visits older than its retention (Site.RetentionMonths); the hourly rollups
/// stay, so totals and charts over any period are unchanged.
/// </summary>
public sealed class RetentionJob(AppDbContext db, TimeProvider time) : IJob
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var sites = await db.Sites.AsNoTracking().Where(s => s.RetentionMonths != null).Select(s => new { s.Id, s.RetentionMonths }).ToListAsync(cancellationToken);
        foreach (var site in sites)
        {
            var cutoff = now.AddMonths(-site.RetentionMonths!.Value);
            await db.SiteEvents.Where(e => e.SiteId == site.Id && e.Timestamp < cutoff).ExecuteDeleteAsync(cancellationToken);
            // A visit ends after it starts: the start bounds the index range, the end decides.
            await db.SiteSessions.Where(s => s.SiteId == site.Id && s.StartedAt < cutoff && s.LastAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        }
    }
}
