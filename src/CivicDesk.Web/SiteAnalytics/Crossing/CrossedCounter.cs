using System.Runtime.InteropServices;
using CivicDesk.Web.SiteAnalytics.Ingestion;
using CivicDesk.Web.SiteAnalytics.Storage;

namespace CivicDesk.Web.SiteAnalytics.Crossing;

/// <summary>A visit as a crossed breakdown needs it (one row of site_sessions).</summary>
public sealed record CrossVisit(
    long SessionId, long VisitorId, DateTime StartedAt, DateTime LastAt, int Pageviews, int Events, int InteractiveEvents,
    string EntryPage, string ExitPage, string? ReferrerHost, string? Source, string? UtmSource, string? UtmMedium,
    string? UtmCampaign, string? UtmTerm, string? UtmContent, string? Country, string? Browser, string? Os, string? Device)
{
    public bool IsBounce => Pageviews <= 1 && InteractiveEvents == 0;

    public long DurationSeconds => (long)(LastAt - StartedAt).TotalSeconds;
}

/// <summary>An event as a crossed breakdown needs it (part of a row of site_events).</summary>
public sealed record CrossEvent(long SessionId, string Name, string Pathname, string Props)
{
    public bool IsPageview => Name == Pageview;

    public const string Pageview = "pageview";
}

/// <summary>One row of a crossed breakdown, before it is stored or shown.</summary>
public sealed record CrossedRow(Dimension FilterDimension, string FilterValue, Dimension Dimension, string Value,
    int Visitors, int Visits, int Pageviews, int Events, int Bounces, long DurationSeconds);

/// <summary>
/// Counts breakdowns under a filter from one day's visits and their events. The one definition of what a filtered
/// breakdown means, used both for closed days (stored by <see cref="CrossedRollupJob"/>) and for the days not computed
/// yet (today), so the two always agree:
/// <list type="bullet">
/// <item>A visit matches a visit filter (source, country, entry page…) by its own value, a page filter when it has a
/// pageview of the page, a goal filter when it has an event of the goal.</item>
/// <item>Visit breakdowns (source, entry page…) count the matching visits with all their pageviews, events, bounce and
/// duration.</item>
/// <item>Page, goal and goal-property breakdowns count the matching visits' events — under a page filter only the
/// events on that page, under a goal filter only that goal's events (and the pages they happened on).</item>
/// <item>Visitors are counted once per value and day (visitor ids are daily), so they add up over days.</item>
/// </list>
/// Values are cut to <see cref="SiteCrossedStats.ValueMaxLength"/>.
/// </summary>
public sealed class CrossedCounter
{
    /// <summary>The filters a dashboard offers (<see cref="Dashboard.DashboardFilter.Filterable"/>).</summary>
    public static readonly Dimension[] Filters =
    [
        Dimension.Page, Dimension.EntryPage, Dimension.ExitPage, Dimension.Source, Dimension.Referrer, Dimension.UtmSource,
        Dimension.UtmMedium, Dimension.UtmCampaign, Dimension.UtmTerm, Dimension.UtmContent, Dimension.Country,
        Dimension.Browser, Dimension.Os, Dimension.Device, Dimension.Goal,
    ];

    /// <summary>The breakdowns that can be shown under a filter: every dashboard tab, and the goal properties.</summary>
    public static readonly Dimension[] Breakdowns =
    [
        Dimension.Page, Dimension.EntryPage, Dimension.ExitPage, Dimension.Source, Dimension.Referrer, Dimension.UtmSource,
        Dimension.UtmMedium, Dimension.UtmCampaign, Dimension.UtmTerm, Dimension.UtmContent, Dimension.Country,
        Dimension.Browser, Dimension.Os, Dimension.Device, Dimension.Goal, Dimension.GoalProperty,
    ];

    private static readonly Dimension[] VisitDimensions = [.. Breakdowns.Where(IsVisitDimension)];

    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _values = [];
    private readonly Dictionary<ulong, Counters> _rows = [];
    private readonly HashSet<ulong> _visit = [];
    private readonly HashSet<ulong> _visitor = [];
    private readonly (Dimension Dimension, string Value)? _onlyFilter;
    private readonly Dimension? _onlyBreakdown;

    /// <param name="onlyFilter">Count only this filter (a dashboard query), or every filter and value (null).</param>
    /// <param name="onlyBreakdown">Count only this breakdown, or every one (null).</param>
    public CrossedCounter((Dimension Dimension, string Value)? onlyFilter = null, Dimension? onlyBreakdown = null)
    {
        _onlyFilter = onlyFilter is { } f ? (f.Dimension, SiteCrossedStats.Cut(f.Value)) : null;
        _onlyBreakdown = onlyBreakdown;
    }

    public static bool IsVisitDimension(Dimension dimension) => dimension is not (Dimension.Page or Dimension.Goal or Dimension.GoalProperty);

    /// <summary>Whether a breakdown under <paramref name="filter"/> needs the visits' events as well as the visits.</summary>
    public static bool NeedsEvents(Dimension filter, Dimension breakdown) => !IsVisitDimension(filter) || !IsVisitDimension(breakdown);

    /// <summary>
    /// Counts visits and their events. Visitors are counted once per value within a call; a visitor id belongs to one
    /// day (a visit keeps the id of the day it began, a later visit gets that day's id), so visits of several days
    /// may come in one call and each day's visitors still count apart.
    /// </summary>
    public void Add(IEnumerable<CrossVisit> visits, IEnumerable<CrossEvent> events)
    {
        ArgumentNullException.ThrowIfNull(visits);
        ArgumentNullException.ThrowIfNull(events);
        // Sorted by visit, a visit's events are one slice of one array, and sorted by visitor, a visitor's visits are
        // one run: no list or group per visit (today's raw part has tens of thousands, and allocating them cost as much
        // as counting them).
        var sorted = events.OrderBy(e => e.SessionId).ToArray();
        var slices = new Dictionary<long, (int Start, int Count)>();
        for (var i = 0; i < sorted.Length; i++)
        {
            ref var slice = ref CollectionsMarshal.GetValueRefOrAddDefault(slices, sorted[i].SessionId, out var exists);
            slice = exists ? (slice.Start, slice.Count + 1) : (i, 1);
        }

        long? visitor = null;
        foreach (var visit in visits.OrderBy(v => v.VisitorId))
        {
            if (visit.VisitorId != visitor)
            {
                _visitor.Clear();
                visitor = visit.VisitorId;
            }

            _visit.Clear();
            var (start, count) = slices.GetValueOrDefault(visit.SessionId);
            AddVisit(visit, new ArraySegment<CrossEvent>(sorted, start, count));
        }
    }

    /// <summary>The counted rows (filter, breakdown, value and counters).</summary>
    public IEnumerable<CrossedRow> Rows()
    {
        foreach (var (key, c) in _rows)
        {
            var (filter, filterValue, dimension, value) = Unpack(key);
            yield return new CrossedRow(filter, filterValue, dimension, value, c.Visitors, c.Visits, c.Pageviews, c.Events, c.Bounces, c.DurationSeconds);
        }
    }

    private void AddVisit(CrossVisit visit, ArraySegment<CrossEvent> events)
    {
        foreach (var filter in Filters)
        {
            if (_onlyFilter is { } only && only.Dimension != filter)
            {
                continue;
            }

            if (IsVisitDimension(filter))
            {
                var value = SiteCrossedStats.Cut(VisitValue(visit, filter));
                if (_onlyFilter is null || _onlyFilter.Value.Value == value)
                {
                    Count(visit, filter, value, events, pagesOf: null);
                }

                continue;
            }

            // Event filters: every distinct page the visit viewed, every goal it reached.
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in events)
            {
                var value = filter == Dimension.Page
                    ? e.IsPageview ? SiteCrossedStats.Cut(e.Pathname) : null
                    : e.IsPageview ? null : SiteCrossedStats.Cut(e.Name);
                if (value is not null && (_onlyFilter is null || _onlyFilter.Value.Value == value) && names.Add(value))
                {
                    CrossEvent[] matching = filter == Dimension.Page
                        ? [.. events.Where(x => SiteCrossedStats.Cut(x.Pathname) == value)]
                        : [.. events.Where(x => !x.IsPageview && SiteCrossedStats.Cut(x.Name) == value)];
                    Count(visit, filter, value, matching, pagesOf: filter == Dimension.Goal ? value : null);
                }
            }
        }
    }

    /// <param name="matching">The visit's events that the filter keeps (all of them for a visit filter).</param>
    /// <param name="pagesOf">Under a goal filter, the goal whose events give the page breakdown its pages.</param>
    private void Count(CrossVisit visit, Dimension filter, string filterValue, ArraySegment<CrossEvent> matching, string? pagesOf)
    {
        var f = Id(filterValue);
        foreach (var dimension in VisitDimensions)
        {
            if (_onlyBreakdown is { } b && b != dimension)
            {
                continue;
            }

            ref var row = ref Row(filter, f, dimension, SiteCrossedStats.Cut(VisitValue(visit, dimension)), out var key);
            row.Visits++;
            row.Pageviews += visit.Pageviews;
            row.Events += visit.Events - visit.Pageviews;
            row.Bounces += visit.IsBounce ? 1 : 0;
            row.DurationSeconds += visit.DurationSeconds;
            if (_visitor.Add(key))
            {
                row.Visitors++;
            }
        }

        foreach (var e in matching)
        {
            if (Wants(Dimension.Page) && (pagesOf is not null || e.IsPageview))
            {
                ref var page = ref Event(filter, f, Dimension.Page, SiteCrossedStats.Cut(e.Pathname));
                if (e.IsPageview)
                {
                    page.Pageviews++;
                }
                else
                {
                    page.Events++;
                }
            }

            if (e.IsPageview)
            {
                continue;
            }

            if (Wants(Dimension.Goal))
            {
                Event(filter, f, Dimension.Goal, SiteCrossedStats.Cut(e.Name)).Events++;
            }

            if (Wants(Dimension.GoalProperty))
            {
                foreach (var (name, value) in DailyRollups.ReadProps(e.Props))
                {
                    Event(filter, f, Dimension.GoalProperty, SiteCrossedStats.Cut(SiteDailyStats.Join(e.Name, name, value))).Events++;
                }
            }
        }
    }

    private bool Wants(Dimension dimension) => _onlyBreakdown is null || _onlyBreakdown == dimension;

    /// <summary>The row of an event-level value, counting the visit and the visitor the first time they reach it.</summary>
    private ref Counters Event(Dimension filter, int filterId, Dimension dimension, string value)
    {
        ref var row = ref Row(filter, filterId, dimension, value, out var key);
        if (_visit.Add(key))
        {
            row.Visits++;
        }

        if (_visitor.Add(key))
        {
            row.Visitors++;
        }

        return ref row;
    }

    private ref Counters Row(Dimension filter, int filterId, Dimension dimension, string value, out ulong key)
    {
        key = ((ulong)(byte)filter << 56) | ((ulong)(byte)dimension << 48) | ((ulong)(uint)filterId << 24) | (uint)Id(value);
        return ref CollectionsMarshal.GetValueRefOrAddDefault(_rows, key, out _);
    }

    private (Dimension, string, Dimension, string) Unpack(ulong key) =>
        ((Dimension)(byte)(key >> 56), _values[(int)((key >> 24) & 0xFFFFFF)], (Dimension)(byte)(key >> 48), _values[(int)(key & 0xFFFFFF)]);

    private int Id(string value)
    {
        ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(_ids, value, out var exists);
        if (!exists)
        {
            if (_values.Count >= 0xFFFFFF)
            {
                throw new InvalidOperationException("More than 16 million distinct values in one day's crossed breakdowns.");
            }

            id = _values.Count;
            _values.Add(value);
        }

        return id;
    }

    /// <summary>The value of a visit dimension as the dashboard shows it ("" for none).</summary>
    public static string VisitValue(CrossVisit visit, Dimension dimension)
    {
        ArgumentNullException.ThrowIfNull(visit);
        return dimension switch
        {
            Dimension.EntryPage => visit.EntryPage,
            Dimension.ExitPage => visit.ExitPage,
            Dimension.Source => visit.Source ?? "",
            Dimension.Referrer => visit.ReferrerHost ?? "",
            Dimension.UtmSource => visit.UtmSource ?? "",
            Dimension.UtmMedium => visit.UtmMedium ?? "",
            Dimension.UtmCampaign => visit.UtmCampaign ?? "",
            Dimension.UtmTerm => visit.UtmTerm ?? "",
            Dimension.UtmContent => visit.UtmContent ?? "",
            Dimension.Country => visit.Country ?? "",
            Dimension.Browser => visit.Browser ?? "",
            Dimension.Os => visit.Os ?? "",
            Dimension.Device => visit.Device ?? "",
            _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Not a visit dimension."),
        };
    }

    private struct Counters
    {
        public int Visitors;
        public int Visits;
        public int Pageviews;
        public int Events;
        public int Bounces;
        public long DurationSeconds;
    }
}
