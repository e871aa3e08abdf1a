using CivicDesk.Web.SiteAnalytics.Storage;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>A visit the writer is following in memory: what its row in site_sessions will hold.</summary>
internal sealed class VisitState
{
    private readonly PendingEvent _first;

    public VisitState(PendingEvent first, long sessionId)
    {
        _first = first;
        SessionId = sessionId;
        SiteId = first.SiteId;
        VisitorId = first.VisitorId;
        StartedAt = first.Timestamp;
        LastAt = first.Timestamp;
        EntryPage = first.Pathname;
        ExitPage = first.Pathname;
    }

    /// <summary>The visit's first event: its attributes are the visit's (entry page, source, device…).</summary>
    public PendingEvent First => _first;

    /// <summary>Pages and goals this visit has already been counted for in the daily rollups.</summary>
    public CountedValues Counted { get; } = new();

    /// <summary>The daily rollups' own record of the visit's values (<see cref="DailyRollups"/>), made at its first event.</summary>
    public DailyRollups.VisitRollup? Rollup { get; set; }

    public long SessionId { get; }
    public int SiteId { get; }
    public long VisitorId { get; private init; }
    public DateTime StartedAt { get; private init; }
    public DateTime LastAt { get; private set; }
    public int Pageviews { get; private set; }
    public int Events { get; private set; }
    public int InteractiveEvents { get; private set; }
    public string EntryPage { get; private init; }
    public string ExitPage { get; private set; }

    /// <summary>The pages viewed, with their pageviews.</summary>
    public VisitPages Pages { get; private init; } = new();

    /// <summary>Whether the visit has a row in site_sessions (it may be behind: see <see cref="WrittenAt"/>).</summary>
    public bool Stored { get; set; }

    /// <summary>When the row was last written (<see cref="Environment.TickCount64"/>).</summary>
    public long WrittenAt { get; set; }

    public bool IsBounce => Pageviews <= 1 && InteractiveEvents == 0;

    public long DurationSeconds => (long)(LastAt - StartedAt).TotalSeconds;

    public void Add(PendingEvent e)
    {
        Events++;
        if (e.Timestamp > LastAt)
        {
            LastAt = e.Timestamp;
        }

        if (e.IsPageview)
        {
            Pageviews++;
            ExitPage = e.Pathname;
            Pages.Add(e.Pathname);
        }
        else if (e.Interactive)
        {
            InteractiveEvents++;
        }
    }

    public SiteSession NewRow() => new()
    {
        SiteId = SiteId,
        SessionId = SessionId,
        VisitorId = VisitorId,
        StartedAt = StartedAt,
        EntryPage = EntryPage,
        ExitPage = ExitPage,
        ReferrerHost = _first.Enrichment.ReferrerHost,
        Source = _first.Enrichment.Source,
        UtmSource = _first.Enrichment.UtmSource,
        UtmMedium = _first.Enrichment.UtmMedium,
        UtmCampaign = _first.Enrichment.UtmCampaign,
        UtmTerm = _first.Enrichment.UtmTerm,
        UtmContent = _first.Enrichment.UtmContent,
        Country = _first.Enrichment.Country,
        Browser = _first.Enrichment.Browser,
        BrowserVersion = _first.Enrichment.BrowserVersion,
        Os = _first.Enrichment.Os,
        OsVersion = _first.Enrichment.OsVersion,
        Device = _first.Enrichment.Device,
    };

    public void CopyTo(SiteSession row)
    {
        row.LastAt = LastAt;
        row.Pageviews = Pageviews;
        row.Events = Events;
        row.InteractiveEvents = InteractiveEvents;
        row.ExitPage = ExitPage;
        row.Pages = Pages.Text();
    }

    /// <summary>A visit stored earlier, taken up again after a restart.</summary>
    public static VisitState From(SiteSession row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var first = new PendingEvent
        {
            EventId = Guid.Empty,
            SiteId = row.SiteId,
            Timestamp = row.StartedAt,
            Pathname = row.EntryPage,
            VisitorId = row.VisitorId,
            Enrichment = new EventEnrichment
            {
                ReferrerHost = row.ReferrerHost,
                Source = row.Source,
                UtmSource = row.UtmSource,
                UtmMedium = row.UtmMedium,
                UtmCampaign = row.UtmCampaign,
                UtmTerm = row.UtmTerm,
                UtmContent = row.UtmContent,
                Country = row.Country,
                Browser = row.Browser,
                BrowserVersion = row.BrowserVersion,
                Os = row.Os,
                OsVersion = row.OsVersion,
                Device = row.Device,
            },
        };
        return new VisitState(first, row.SessionId)
        {
            Stored = true,
            LastAt = row.LastAt,
            Pageviews = row.Pageviews,
            Events = row.Events,
            InteractiveEvents = row.InteractiveEvents,
            ExitPage = row.ExitPage,
            Pages = VisitPages.From(row.Pages),
        };
    }
}
