using System.Net;
using Microsoft.AspNetCore.WebUtilities;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>
/// The enrichment that needs no data package: referrer host (self-referrals count as direct) and UTM parameters.
/// Browser, OS, device, country and bot detection come from the uap-core, crawler-user-agents and DB-IP packages
/// in SiteAnalytics/Enrichment, which replace this class as the registered <see cref="IEventEnricher"/>.
/// </summary>
public sealed class ReferrerEnricher : IEventEnricher
{
    public EventEnrichment Enrich(string? userAgent, IPAddress? address, string? referrer, Uri page, string siteDomain)
    {
        ArgumentNullException.ThrowIfNull(page);
        try
        {
            var query = QueryHelpers.ParseQuery(page.Query);
            string? Utm(string name) => query.TryGetValue(name, out var v) && v.ToString() is { Length: > 0 and <= 300 } s ? s : null;
            string? host = null;
            if (referrer is not null && Uri.TryCreate(referrer, UriKind.Absolute, out var r) && r.IdnHost.Length > 0)
            {
                var h = r.IdnHost.ToLowerInvariant();
                h = h.StartsWith("www.", StringComparison.Ordinal) ? h[4..] : h;
                host = SiteDirectory.HostBelongsTo(h, siteDomain) ? null : h;
            }

            var utmSource = Utm("utm_source") ?? Utm("ref") ?? Utm("source");
            return new EventEnrichment
            {
                ReferrerHost = host,
                Source = utmSource ?? host,
                UtmSource = utmSource,
                UtmMedium = Utm("utm_medium"),
                UtmCampaign = Utm("utm_campaign"),
                UtmTerm = Utm("utm_term"),
                UtmContent = Utm("utm_content"),
            };
        }
        catch (Exception ex) when (ex is UriFormatException or ArgumentException or InvalidOperationException)
        {
            return new EventEnrichment();
        }
    }
}
