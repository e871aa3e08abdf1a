using System.Net;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>What ingestion learns about an event from its request, before the IP and user agent are forgotten.</summary>
public sealed record EventEnrichment
{
    /// <summary>Nothing learnt (immutable, so shared).</summary>
    public static readonly EventEnrichment None = new();

    public bool IsBot { get; init; }
    public string? BotReason { get; init; }
    public string? Browser { get; init; }
    public string? BrowserVersion { get; init; }
    public string? Os { get; init; }
    public string? OsVersion { get; init; }
    public string? Device { get; init; }
    public string? Country { get; init; }
    public string? ReferrerHost { get; init; }
    public string? Source { get; init; }
    public string? UtmSource { get; init; }
    public string? UtmMedium { get; init; }
    public string? UtmCampaign { get; init; }
    public string? UtmTerm { get; init; }
    public string? UtmContent { get; init; }
}

/// <summary>Enriches one event. Implementations never throw: enrichment is optional, ingestion is not.</summary>
public interface IEventEnricher
{
    EventEnrichment Enrich(string? userAgent, IPAddress? address, string? referrer, Uri page, string siteDomain);
}
