using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.SiteAnalytics.Storage;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>
/// Keeps <see cref="SiteDailyStats"/> up to date as the writer stores events. For exact unique visitors it remembers,
/// per daily visitor id, which dimension values the visitor has been counted for; a visitor id lives one local day, so
/// that memory is dropped a day after the visitor's last event. After a start or a database error the memory is
/// rebuilt from the last 25 hours of stored visits and events, so a restart never counts a visitor twice.
/// </summary>
internal sealed class DailyRollups
{
    private static readonly TimeSpan VisitorLifetime = TimeSpan.FromHours(25);
    private static readonly Dimension[] VisitDimensions =
    [
        Dimension.EntryPage, Dimension.Source, Dimension.Referrer, Dimension.UtmSource, Dimension.UtmMedium, Dimension.UtmCampaign,
        Dimension.UtmTerm, Dimension.UtmContent, Dimension.Country, Dimension.Browser, Dimension.BrowserVersion, Dimension.Os,
        Dimension.OsVersion, Dimension.Device, Dimension.SourceDetail,
    ];

    private readonly Dictionary<(int SiteId, long VisitorId), VisitorDay> _visitors = [];
    private readonly Dictionary<(int SiteId, Dimension Dimension, string Value, DateOnly Day), int> _pending = [];
    /// <summary>The rows of <see cref="_pending"/>, by the number it gives them.</summary>
    private readonly List<SiteDailyStats> _rows = [];
    private readonly LocalDays _days = new();
    /// <summary>Counts the flushes (and resets) of <see cref="_pending"/>: a visit's rows of an older generation are gone.</summary>
    private int _generation;

    /// <summary>What a visit had contributed before an event, to move the difference into its rows.</summary>
    internal readonly record struct Snapshot(long Pageviews, long Events, long Bounces, long Duration, string ExitPage)
    {
        public static Snapshot Of(VisitState visit) =>
            new(visit.Pageviews, visit.Events - visit.Pageviews, visit.IsBounce ? 1 : 0, visit.DurationSeconds, visit.ExitPage);
    }

    private sealed class VisitorDay
    {
        /// <summary>Room for a visit's own values and its first page: most visitors make one visit a day.</summary>
        public CountedValues Counted { get; } = new(VisitDimensions.Length + 1);
        public DateTime LastAt { get; set; }
    }

    /// <summary>Counts one stored event; <paramref name="before"/> is null when the event started the visit.</summary>
    public void Add(PendingEvent e, VisitState visit, Snapshot? before, TimeZoneInfo zone)
    {
        var visitor = Visitor(e.SiteId, e.VisitorId, e.Timestamp);
        var startDay = _days.Of(visit.StartedAt, zone);
        var after = Snapshot.Of(visit);
        var rollup = visit.Rollup ??= new VisitRollup([.. VisitValues(visit.First)]);
        var own = Rows(e.SiteId, rollup, startDay);
        if (before is null)
        {
            for (var i = 0; i < own.Length; i++)
            {
                var row = _rows[own[i]];
                row.Visits++;
                Apply(row, after, 1);
                if (visitor.Counted.Add(rollup.Fingerprints[i]))
                {
                    row.Visitors++;
                }
            }

            var exit = Row(e.SiteId, Dimension.ExitPage, Cut(after.ExitPage), startDay);
            exit.Visits++;
            Apply(exit, after, 1);
        }
        else
        {
            var delta = new Snapshot(after.Pageviews - before.Value.Pageviews, after.Events - before.Value.Events, after.Bounces - before.Value.Bounces, after.Duration - before.Value.Duration, after.ExitPage);
            foreach (var index in own)
            {
                Apply(_rows[index], delta, 1);
            }

            if (before.Value.ExitPage == after.ExitPage)
            {
                Apply(Row(e.SiteId, Dimension.ExitPage, Cut(after.ExitPage), startDay), delta, 1);
            }
            else
            {
                var left = Row(e.SiteId, Dimension.ExitPage, Cut(before.Value.ExitPage), startDay);
                left.Visits--;
                Apply(left, before.Value, -1);
                var reached = Row(e.SiteId, Dimension.ExitPage, Cut(after.ExitPage), startDay);
                reached.Visits++;
                Apply(reached, after, 1);
            }
        }

        // The same values a reload after a restart reads back from stored events (LoadAsync), so both count alike.
        var day = _days.Of(e.Timestamp, zone);
        if (e.IsPageview)
        {
            Count(e.SiteId, Dimension.Page, Cut(e.Pathname), day, visit, visitor).Pageviews++;
            return;
        }

        foreach (var (dimension, value) in EventValues(e.Name, e.Pathname, e.Props))
        {
            var row = Count(e.SiteId, dimension, value, day, visit, visitor);
            if (dimension == Dimension.Page)
            {
                row.Pageviews++;
            }
            else
            {
                row.Events++;
            }
        }
    }

    /// <summary>Whether the visitor (a daily id) has been seen in the last 25 hours: one not seen is new today.</summary>
    public bool Knows(int siteId, long visitorId) => _visitors.ContainsKey((siteId, visitorId));

    /// <summary>Writes the counted differences with one atomic upsert (added to what is stored) and forgets them.</summary>
    public async Task FlushAsync(AppDbContext db, CancellationToken ct)
    {
        var rows = _rows.ToList();
        _pending.Clear();
        _rows.Clear();
        _generation++;
        await BulkSql.InsertAsync(
            db, rows, ct,
            conflictColumns: [nameof(SiteDailyStats.SiteId), nameof(SiteDailyStats.Dimension), nameof(SiteDailyStats.Value), nameof(SiteDailyStats.Day)],
            addColumns:
            [
                nameof(SiteDailyStats.Visitors), nameof(SiteDailyStats.Visits), nameof(SiteDailyStats.Pageviews), nameof(SiteDailyStats.Events),
                nameof(SiteDailyStats.Bounces), nameof(SiteDailyStats.DurationSeconds),
            ]);
    }

    /// <summary>Forgets everything: counted differences not yet written, and who was counted for what.</summary>
    public void Reset()
    {
        _pending.Clear();
        _rows.Clear();
        _generation++;
        _visitors.Clear();
    }

    /// <summary>Drops the visitors whose daily id can no longer appear.</summary>
    public void ForgetOldVisitors(DateTime now)
    {
        foreach (var key in _visitors.Where(v => now - v.Value.LastAt >= VisitorLifetime).Select(v => v.Key).ToList())
        {
            _visitors.Remove(key);
        }
    }

    /// <summary>Rebuilds who was counted for what from the last 25 hours of stored visits and events.</summary>
    public async Task LoadAsync(AppDbContext db, IReadOnlyDictionary<long, VisitState> openVisits, DateTime now, CancellationToken ct)
    {
        Reset();
        var since = now - VisitorLifetime;
        var siteIds = await db.Sites.AsNoTracking().Select(s => s.Id).ToListAsync(ct);
        foreach (var siteId in siteIds)
        {
            // Per site, so that each query reads the (site, time) index range only.
            var visits = await db.SiteSessions.AsNoTracking().Where(s => s.SiteId == siteId && s.StartedAt >= since).ToListAsync(ct);
            foreach (var row in visits)
            {
                var visitor = Visitor(row.SiteId, row.VisitorId, row.LastAt);
                foreach (var (dimension, value) in VisitValues(VisitState.From(row).First))
                {
                    visitor.Counted.Add(dimension, value);
                }
            }

            var events = await db.SiteEvents.AsNoTracking().Where(e => e.SiteId == siteId && e.Timestamp >= since)
                .Select(e => new { e.VisitorId, e.SessionId, e.Name, e.Pathname, e.Props, e.Timestamp }).ToListAsync(ct);
            foreach (var e in events)
            {
                var visitor = Visitor(siteId, e.VisitorId, e.Timestamp);
                openVisits.TryGetValue(e.SessionId, out var visit);
                foreach (var (dimension, value) in EventValues(e.Name, e.Pathname, e.Props))
                {
                    var fingerprint = CountedValues.Fingerprint(dimension, value);
                    visitor.Counted.Add(fingerprint);
                    visit?.Counted.Add(fingerprint);
                }
            }
        }
    }

    private static IEnumerable<(Dimension, string)> EventValues(string name, string pathname, string propsJson)
    {
        if (name == "pageview")
        {
            yield return (Dimension.Page, Cut(pathname));
            yield break;
        }

        yield return (Dimension.Goal, Cut(name));
        var props = ReadProps(propsJson);
        foreach (var (key, value) in props)
        {
            yield return (Dimension.GoalProperty, Cut(SiteDailyStats.Join(name, key, value)));
        }

        yield return (Dimension.GoalDetail, Cut(SiteDailyStats.Join(name, props.GetValueOrDefault("url"), props.GetValueOrDefault("path"))));
    }

    private static IEnumerable<(Dimension, string)> VisitValues(PendingEvent first)
    {
        var x = first.Enrichment;
        foreach (var dimension in VisitDimensions)
        {
            var value = dimension switch
            {
                Dimension.EntryPage => first.Pathname,
                Dimension.Source => x.Source ?? "",
                Dimension.Referrer => x.ReferrerHost,
                Dimension.UtmSource => x.UtmSource,
                Dimension.UtmMedium => x.UtmMedium,
                Dimension.UtmCampaign => x.UtmCampaign,
                Dimension.UtmTerm => x.UtmTerm,
                Dimension.UtmContent => x.UtmContent,
                Dimension.Country => x.Country ?? "",
                Dimension.Browser => x.Browser ?? "",
                Dimension.BrowserVersion => SiteDailyStats.Join(x.Browser, x.BrowserVersion),
                Dimension.Os => x.Os ?? "",
                Dimension.OsVersion => SiteDailyStats.Join(x.Os, x.OsVersion),
                Dimension.Device => x.Device ?? "",
                _ => SiteDailyStats.Join(x.Source, x.ReferrerHost, x.UtmSource, x.UtmMedium, x.UtmCampaign, x.UtmContent, x.UtmTerm),
            };

            // Referrer and UTM breakdowns list only the visits that had one, as Plausible's do.
            if (value is not null)
            {
                yield return (dimension, Cut(value));
            }
        }
    }

    private SiteDailyStats Count(int siteId, Dimension dimension, string value, DateOnly day, VisitState visit, VisitorDay visitor)
    {
        var row = Row(siteId, dimension, value, day);
        var fingerprint = CountedValues.Fingerprint(dimension, value);
        if (visit.Counted.Add(fingerprint))
        {
            row.Visits++;
        }

        if (visitor.Counted.Add(fingerprint))
        {
            row.Visitors++;
        }

        return row;
    }

    private static void Apply(SiteDailyStats row, Snapshot amounts, int sign)
    {
        row.Pageviews += sign * amounts.Pageviews;
        row.Events += sign * amounts.Events;
        row.Bounces += sign * amounts.Bounces;
        row.DurationSeconds += sign * amounts.Duration;
    }

    private SiteDailyStats Row(int siteId, Dimension dimension, string value, DateOnly day) => _rows[Index(siteId, dimension, value, day)];

    private int Index(int siteId, Dimension dimension, string value, DateOnly day)
    {
        if (!_pending.TryGetValue((siteId, dimension, value, day), out var index))
        {
            _pending[(siteId, dimension, value, day)] = index = _rows.Count;
            _rows.Add(new SiteDailyStats { SiteId = siteId, Dimension = dimension, Value = value, Day = day });
        }

        return index;
    }

    /// <summary>
    /// The numbers of the pending rows of the visit's own values, looked up once per batch: every event of a visit
    /// moves its pageviews, duration and bounce into the same fifteen rows, and finding them by value cost a dictionary
    /// lookup with a string hash, and three joined strings, per row and event. Numbers, not the rows: a visit lives
    /// through many collections, and references from it to each batch's new rows made every collection keep and copy
    /// the last batch's rows (tried: GC pauses went from 8 to 14 % of the time in the ingestion benchmark).
    /// </summary>
    private int[] Rows(int siteId, VisitRollup rollup, DateOnly startDay)
    {
        if (rollup.Generation != _generation || rollup.Day != startDay)
        {
            for (var i = 0; i < rollup.Values.Length; i++)
            {
                rollup.Rows[i] = Index(siteId, rollup.Values[i].Dimension, rollup.Values[i].Value, startDay);
            }

            rollup.Generation = _generation;
            rollup.Day = startDay;
        }

        return rollup.Rows;
    }

    private VisitorDay Visitor(int siteId, long visitorId, DateTime at)
    {
        if (!_visitors.TryGetValue((siteId, visitorId), out var visitor))
        {
            _visitors[(siteId, visitorId)] = visitor = new VisitorDay();
        }

        if (at > visitor.LastAt)
        {
            visitor.LastAt = at;
        }

        return visitor;
    }

    private static string Cut(string? value) => SiteDailyStats.Cut(value);

    /// <summary>A visit's own values (entry page, source, device…) and their fingerprints, worked out once, and its pending rows for them.</summary>
    internal sealed class VisitRollup((Dimension Dimension, string Value)[] values)
    {
        public (Dimension Dimension, string Value)[] Values { get; } = values;
        public long[] Fingerprints { get; } = [.. values.Select(v => CountedValues.Fingerprint(v.Dimension, v.Value))];
        public int[] Rows { get; } = new int[values.Length];
        public int Generation { get; set; } = -1;
        public DateOnly Day { get; set; }
    }

    /// <summary>
    /// Local days of UTC instants, remembered per zone for a quarter of an hour of UTC: zones' offsets today are whole
    /// quarter hours, so a local day changes at a quarter hour, and a quarter whose start and end fall on different days
    /// (an old offset like 7:06:40) is not remembered. Converting every event's time cost a search of the zone's rules.
    /// </summary>
    private sealed class LocalDays
    {
        private static readonly long Quarter = TimeSpan.FromMinutes(15).Ticks;
        private readonly Dictionary<TimeZoneInfo, (long Quarter, DateOnly Day)> _known = new(ReferenceEqualityComparer.Instance);

        public DateOnly Of(DateTime utc, TimeZoneInfo zone)
        {
            var quarter = utc.Ticks / Quarter;
            if (_known.TryGetValue(zone, out var known) && known.Quarter == quarter)
            {
                return known.Day;
            }

            var day = LocalDay(utc, zone);
            var start = new DateTime(quarter * Quarter, DateTimeKind.Utc);
            if (LocalDay(start, zone) == day && LocalDay(start.AddTicks(Quarter - 1), zone) == day)
            {
                _known[zone] = (quarter, day);
            }

            return day;
        }
    }

    internal static DateOnly LocalDay(DateTime utc, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(utc, zone));

    /// <summary>Stored props are a JSON object of strings (ingestion made them so); anything else counts as none.</summary>
    internal static Dictionary<string, string> ReadProps(string json)
    {
        var props = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(json) || json == "{}")
        {
            return props;
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    if (p.Value.ValueKind == JsonValueKind.String)
                    {
                        props[p.Name] = p.Value.GetString()!;
                    }
                }
            }
        }
        catch (JsonException)
        {
        }

        return props;
    }
}
