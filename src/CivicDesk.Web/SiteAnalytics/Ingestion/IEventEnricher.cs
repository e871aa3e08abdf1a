using System.Net;
using CivicDesk.Web.SiteAnalytics.Storage;

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

    /// <summary>
    /// This enrichment with every text cut to its column (<see cref="SiteEventColumns"/>): itself when all fit, as
    /// nearly always. What a browser sends can be longer (a user agent with a 300-digit version, a referrer host of 300
    /// characters), and PostgreSQL refuses text longer than its column: one such event would fail its batch at every
    /// retry and stop ingestion for every site.
    /// </summary>
    public EventEnrichment Fitted() => Shared(null);

    /// <summary>
    /// This enrichment cut to its columns, with its texts taken from <paramref name="texts"/> when given: itself when
    /// that changes nothing.
    /// </summary>
    public EventEnrichment Shared(TextPool? texts)
    {
        var changed = false;
        var browser = Text(Browser, SiteEventColumns.Browser);
        var browserVersion = Text(BrowserVersion, SiteEventColumns.Version);
        var os = Text(Os, SiteEventColumns.Os);
        var osVersion = Text(OsVersion, SiteEventColumns.Version);
        var device = Text(Device, SiteEventColumns.Device);
        var country = Text(Country, SiteEventColumns.Country);
        var referrerHost = Text(ReferrerHost, SiteEventColumns.ReferrerHost);
        var source = Text(Source, SiteEventColumns.Source);
        var utmSource = Text(UtmSource, SiteEventColumns.Utm);
        var utmMedium = Text(UtmMedium, SiteEventColumns.Utm);
        var utmCampaign = Text(UtmCampaign, SiteEventColumns.Utm);
        var utmTerm = Text(UtmTerm, SiteEventColumns.Utm);
        var utmContent = Text(UtmContent, SiteEventColumns.Utm);
        return !changed ? this : this with
        {
            Browser = browser, BrowserVersion = browserVersion, Os = os, OsVersion = osVersion, Device = device, Country = country,
            ReferrerHost = referrerHost, Source = source, UtmSource = utmSource, UtmMedium = utmMedium, UtmCampaign = utmCampaign,
            UtmTerm = utmTerm, UtmContent = utmContent,
        };

        string? Text(string? text, int max)
        {
            var fit = Fit(text, max);
            var result = fit is null || texts is null ? fit : texts.Get(fit);
            changed |= !ReferenceEquals(result, text);
            return result;
        }
    }

    /// <summary>At most <paramref name="max"/> characters, never ending on half of a surrogate pair.</summary>
    private static string? Fit(string? text, int max) =>
        text is null || text.Length <= max ? text : text[..(char.IsHighSurrogate(text[max - 1]) ? max - 1 : max)];
}

/// <summary>Enriches one event. Implementations never throw: enrichment is optional, ingestion is not.</summary>
public interface IEventEnricher
{
    EventEnrichment Enrich(string? userAgent, IPAddress? address, string? referrer, Uri page, string siteDomain);
}
