using System.Net;
using CivicDesk.Web.SiteAnalytics.Enrichment;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>
/// Ingestion's enrichment from the data packages (uap-core, crawler-user-agents, DB-IP): loaded on the first event,
/// not at start, so that a node is ready at once; a missing package turns its part off (see <see cref="Enricher"/>).
/// </summary>
internal sealed class PackageEnricher(ILoggerFactory loggers, TextPool texts) : IEventEnricher
{
    private readonly Lazy<Enricher> _enricher = new(() => Enricher.Load(Enricher.DefaultDataDirectory, loggers), LazyThreadSafetyMode.ExecutionAndPublication);

    public EventEnrichment Enrich(string? userAgent, IPAddress? address, string? referrer, Uri page, string siteDomain)
    {
        ArgumentNullException.ThrowIfNull(page);
        var e = _enricher.Value.Enrich(userAgent, address?.ToString(), referrer, page.AbsoluteUri, siteDomain);
        var source = e.Source;
        // Shared: the referrer and campaign texts are new strings for every request, and a visit keeps its first
        // event's for as long as it lasts. The endpoint cuts them to their columns (EventEnrichment.Fitted).
        return new EventEnrichment
        {
            IsBot = e.IsBot,
            BotReason = e.IsBot ? e.Bot.ToString() : null,
            Browser = texts.GetOrNull(e.Browser),
            BrowserVersion = texts.GetOrNull(e.BrowserVersion),
            Os = texts.GetOrNull(e.Os),
            OsVersion = texts.GetOrNull(e.OsVersion),
            Device = texts.GetOrNull(e.DeviceType.ToString()),
            Country = texts.GetOrNull(e.Country),
            ReferrerHost = texts.GetOrNull(source.ReferrerHost),
            Source = texts.GetOrNull(source.Source),
            UtmSource = texts.GetOrNull(source.UtmSource),
            UtmMedium = texts.GetOrNull(source.UtmMedium),
            UtmCampaign = texts.GetOrNull(source.UtmCampaign),
            UtmTerm = texts.GetOrNull(source.UtmTerm),
            UtmContent = texts.GetOrNull(source.UtmContent),
        };
    }
}

/// <summary>Loads the data packages in the background as the node starts, so the first events do not wait for it.</summary>
internal sealed class EnrichmentWarmup(IEventEnricher enricher) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Run(() => enricher.Enrich(null, null, null, new Uri("https://warm-up.invalid/"), "warm-up.invalid"), stoppingToken);
}
