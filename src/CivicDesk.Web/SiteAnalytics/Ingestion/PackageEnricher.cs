using System.Net;
using CivicDesk.Web.SiteAnalytics.Enrichment;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>
/// Ingestion's enrichment from the data packages (uap-core, crawler-user-agents, DB-IP): loaded on the first event,
/// not at start, so that a node is ready at once; a missing package turns its part off (see <see cref="Enricher"/>).
/// </summary>
internal sealed class PackageEnricher(ILoggerFactory loggers) : IEventEnricher
{
    private readonly Lazy<Enricher> _enricher = new(() => Enricher.Load(Enricher.DefaultDataDirectory, loggers), LazyThreadSafetyMode.ExecutionAndPublication);

    public EventEnrichment Enrich(string? userAgent, IPAddress? address, string? referrer, Uri page, string siteDomain)
    {
        ArgumentNullException.ThrowIfNull(page);
        var e = _enricher.Value.Enrich(userAgent, address?.ToString(), referrer, page.AbsoluteUri, siteDomain);
        var source = e.Source;
        return new EventEnrichment
        {
            IsBot = e.IsBot,
            BotReason = e.IsBot ? e.Bot.ToString() : null,
            Browser = e.Browser,
            BrowserVersion = e.BrowserVersion,
            Os = e.Os,
            OsVersion = e.OsVersion,
            Device = e.DeviceType.ToString(),
            Country = e.Country,
            ReferrerHost = source.ReferrerHost,
            Source = source.Source,
            UtmSource = source.UtmSource,
            UtmMedium = source.UtmMedium,
            UtmCampaign = source.UtmCampaign,
            UtmTerm = source.UtmTerm,
            UtmContent = source.UtmContent,
        };
    }
}

/// <summary>Loads the data packages in the background as the node starts, so the first events do not wait for it.</summary>
internal sealed class EnrichmentWarmup(IEventEnricher enricher) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Run(() => enricher.Enrich(null, null, null, new Uri("https://warm-up.invalid/"), "warm-up.invalid"), stoppingToken);
}
