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
    private readonly Dictionary<(int SiteId, Dimension Dimension, string Value, DateOnly Day), SiteDailyStats> _pending = [];

    /// <summary>What a visit had contributed before an event, to move the difference into its rows.</summary>
    internal readonly record struct Snapshot(long Pageviews, long Events, long Bounces, long Duration, string ExitPage)
    {
        public static Snapshot Of(VisitState visit) =>
            new(visit.Pageviews, visit.Events - visit.Pageviews, visit.IsBounce ? 1 : 0, visit.DurationSeconds, visit.ExitPage);
    }

    private sealed class VisitorDay
    {
        public HashSet<(Dimension, string)> Counted { get; } = [];
        public DateTime LastAt { get; set; }
    }

    /// <summary>Counts one stored event; <paramref name="before"/> is null when the event started the visit.</summary>
    public void Add(PendingEvent e, VisitState visit, Snapshot? before, TimeZoneInfo zone)
    {
        var visitor = Visitor(e.SiteId, e.VisitorId, e.Timestamp);
        var startDay = LocalDay(visit.StartedAt, zone);
        var after = Snapshot.Of(visit);
        if (before is null)
        {
            foreach (var (dimension, value) in VisitValues(visit.First))
            {
                var row = Row(e.SiteId, dimension, value, startDay);
                row.Visits++;
                Apply(row, after, 1);
                if (visitor.Counted.Add((dimension, value)))
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
            foreach (var (dimension, value) in VisitValues(visit.First))
            {
                Apply(Row(e.SiteId, dimension, value, startDay), delta, 1);
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
        var day = LocalDay(e.Timestamp, zone);
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
        var rows = _pending.Values.ToList();
        _pending.Clear();
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
                foreach (var value in VisitValues(VisitState.From(row).First))
                {
                    visitor.Counted.Add(value);
                }
            }

            var events = await db.SiteEvents.AsNoTracking().Where(e => e.SiteId == siteId && e.Timestamp >= since)
                .Select(e => new { e.VisitorId, e.SessionId, e.Name, e.Pathname, e.Props, e.Timestamp }).ToListAsync(ct);
            foreach (var e in events)
            {
                var visitor = Visitor(siteId, e.VisitorId, e.Timestamp);
                openVisits.TryGetValue(e.SessionId, out var visit);
                foreach (var value in EventValues(e.Name, e.Pathname, e.Props))
                {
                    visitor.Counted.Add(value);
                    visit?.Counted.Add(value);
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
        if (visit.Counted.Add((dimension, value)))
        {
            row.Visits++;
        }

        if (visitor.Counted.Add((dimension, value)))
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

    private SiteDailyStats Row(int siteId, Dimension dimension, string value, DateOnly day)
    {
        if (!_pending.TryGetValue((siteId, dimension, value, day), out var row))
        {
            _pending[(siteId, dimension, value, day)] = row = new SiteDailyStats { SiteId = siteId, Dimension = dimension, Value = value, Day = day };
        }

        return row;
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
