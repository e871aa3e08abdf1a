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

    /// <summary>True for an event from a bot: not stored, only counted.</summary>
    public bool Bot { get; init; }

    public string? BotReason { get; init; }
    public string Name { get; init; } = "";
    public string Hostname { get; init; } = "";
    public string Pathname { get; init; } = "/";

    /// <summary>Today's visitor id, and the same visitor's id under yesterday's salt (to continue a visit across midnight).</summary>
    public long VisitorId { get; init; }

    public long PreviousVisitorId { get; init; }
    public string? ReferrerHost { get; init; }
    public string? Source { get; init; }
    public string? UtmSource { get; init; }
    public string? UtmMedium { get; init; }
    public string? UtmCampaign { get; init; }
    public string? UtmTerm { get; init; }
    public string? UtmContent { get; init; }
    public string? Country { get; init; }
    public string? Browser { get; init; }
    public string? BrowserVersion { get; init; }
    public string? Os { get; init; }
    public string? OsVersion { get; init; }
    public string? Device { get; init; }
    public string Props { get; init; } = "{}";
    public decimal? RevenueAmount { get; init; }
    public string? RevenueCurrency { get; init; }
    public bool Interactive { get; init; } = true;

    public bool IsPageview => Name == "pageview";
}
