using System.Text.Json.Serialization;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>
/// An accepted event on its way to the database, as written to the spool: already enriched and hashed, so that
/// neither the IP address nor the user agent ever reaches the disk.
/// </summary>
public sealed record PendingEvent
{
    public required Guid EventId { get; init; }
    public required int SiteId { get; init; }
    public required DateTime Timestamp { get; init; }

    public string Name { get; init; } = "";
    public string Hostname { get; init; } = "";
    public string Pathname { get; init; } = "/";

    /// <summary>Today's visitor id, and the same visitor's id under yesterday's salt (to continue a visit across midnight).</summary>
    public long VisitorId { get; init; }

    public long PreviousVisitorId { get; init; }
    /// <summary>What the request told about the event before its IP and user agent were forgotten.</summary>
    public EventEnrichment Enrichment { get; init; } = EventEnrichment.None;

    public string Props { get; init; } = "{}";
    public decimal? RevenueAmount { get; init; }
    public string? RevenueCurrency { get; init; }
    public bool Interactive { get; init; } = true;

    [JsonIgnore]
    public bool IsPageview => Name == "pageview";

    /// <summary>True for an event from a bot: not stored, only counted.</summary>
    [JsonIgnore]
    public bool IsBot => Enrichment.IsBot;
}
