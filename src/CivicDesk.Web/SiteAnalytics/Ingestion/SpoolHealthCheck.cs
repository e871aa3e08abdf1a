using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>
/// /health/ready says "Degraded" while the spool refuses writes (<see cref="IngestQueue.Paused"/>): events get 503
/// until it takes them again, and whoever watches the node learns of it before the sites' numbers show a gap. Still a
/// 200: the node's pages, dashboards and APIs serve as before, so a load balancer should not take it out for this.
/// </summary>
internal sealed class SpoolHealthCheck(IngestQueue queue) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(queue.Paused
            ? HealthCheckResult.Degraded("The spool refuses writes (a full disk, a missing folder): site events are refused with 503 until it takes them again.")
            : HealthCheckResult.Healthy());
}
