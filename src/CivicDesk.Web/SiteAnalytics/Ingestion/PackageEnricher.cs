using System.Net;
using CivicDesk.Web.SiteAnalytics.Enrichment;
using CivicDesk.Web.SiteAnalytics.Storage;

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
        // Cut to their columns and shared: the referrer and campaign texts are new strings for every request, and a
        // visit keeps its first event's for as long as it lasts.
        return new EventEnrichment
        {
            IsBot = e.IsBot,
            BotReason = e.IsBot ? e.Bot.ToString() : null,
            Browser = Shared(e.Browser, SiteEventColumns.Browser),
            BrowserVersion = Shared(e.BrowserVersion, SiteEventColumns.Version),
            Os = Shared(e.Os, SiteEventColumns.Os),
            OsVersion = Shared(e.OsVersion, SiteEventColumns.Version),
            Device = Shared(e.DeviceType.ToString(), SiteEventColumns.Device),
            Country = Shared(e.Country, SiteEventColumns.Country),
            ReferrerHost = Shared(source.ReferrerHost, SiteEventColumns.ReferrerHost),
            Source = Shared(source.Source, SiteEventColumns.Source),
            UtmSource = Shared(source.UtmSource, SiteEventColumns.Utm),
            UtmMedium = Shared(source.UtmMedium, SiteEventColumns.Utm),
            UtmCampaign = Shared(source.UtmCampaign, SiteEventColumns.Utm),
            UtmTerm = Shared(source.UtmTerm, SiteEventColumns.Utm),
            UtmContent = Shared(source.UtmContent, SiteEventColumns.Utm),
        };
    }

    private string? Shared(string? text, int max) => texts.GetOrNull(EventEnrichment.Fit(text, max));
}

/// <summary>Loads the data packages in the background as the node starts, so the first events do not wait for it.</summary>
internal sealed class EnrichmentWarmup(IEventEnricher enricher) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Run(() => enricher.Enrich(null, null, null, new Uri("https://warm-up.invalid/"), "warm-up.invalid"), stoppingToken);
}
