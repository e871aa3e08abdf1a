using System.Globalization;
using CivicDesk.Web.SiteAnalytics.Enrichment;
using CivicDesk.Web.SiteAnalytics.Storage;

namespace CivicDesk.Web.SiteAnalytics.Export;

/// <summary>
/// One CSV file of Plausible's export, made from the daily rollups: its table name, its columns in the order Plausible
/// writes them (date, then the key columns, then the numbers), the rollup rows it reads, and how a row becomes the key
/// columns (null leaves the row out). Rows whose keys meet on the same day are added up.
/// </summary>
internal sealed record PlausibleTable(
    string Name,
    string[] Columns,
    Dimension[] Dimensions,
    Func<SiteDailyStats, string[]?> Key,
    Func<DailyCounts, DailyCounts>? Adjust = null);

/// <summary>The numbers of one key on one day, as the rollups count them.</summary>
internal readonly record struct DailyCounts(long Visitors, long Visits, long Pageviews, long Events, long Bounces, long DurationSeconds)
{
    public static DailyCounts Of(SiteDailyStats row) => new(row.Visitors, row.Visits, row.Pageviews, row.Events, row.Bounces, row.DurationSeconds);

    public DailyCounts Add(DailyCounts other) => new(
        Visitors + other.Visitors, Visits + other.Visits, Pageviews + other.Pageviews, Events + other.Events,
        Bounces + other.Bounces, DurationSeconds + other.DurationSeconds);

    /// <summary>The value of a numeric column of Plausible's files; columns we do not track (city, scroll depth, time
    /// on page) are 0, which Plausible reads as unknown (see docs/site-analytics-export.md).</summary>
    public long Column(string name) => name switch
    {
        "visitors" => Visitors,
        "visits" or "entrances" or "exits" => Visits,
        "pageviews" => Pageviews,
        "events" => Events,
        "bounces" => Bounces,
        "visit_duration" => DurationSeconds,
        _ => 0,
    };
}

/// <summary>
/// The layout of Plausible's CSV export (Settings → Imports &amp; Exports), the format its CSV importer reads and other
/// analytics tools exchange: ten files named <c>{table}_{YYYYMMDD}_{YYYYMMDD}.csv</c> in a zip named
/// <c>{domain with _ for .}_{YYYYMMDD}.zip</c>. Columns and value formats follow Plausible's exporter and importer;
/// where each was read and what we put in the columns we do not track is in docs/site-analytics-export.md.
/// </summary>
internal static class PlausibleCsv
{
    public const string Visitors = "imported_visitors";

    /// <summary>The columns of imported_visitors, made from the hourly rollups grouped by the site's local day.</summary>
    public static readonly string[] VisitorsColumns = ["date", "visitors", "pageviews", "bounces", "visits", "visit_duration"];

    /// <summary>Goals whose <c>url</c> property Plausible exports as link_url (Plausible.Goals.SystemGoals).</summary>
    private static readonly string[] GoalsWithUrl = ["Outbound Link: Click", "Cloaked Link: Click", "File Download"];

    /// <summary>Goals whose <c>path</c> property Plausible exports as path.</summary>
    private static readonly string[] GoalsWithPath = ["404", "WP Form Completions", "Form: Submission"];

    /// <summary>The files made from the daily rollups, in the order of Plausible's archive (by name; visitors comes last).</summary>
    public static IReadOnlyList<PlausibleTable> DailyTables(Site site)
    {
        ArgumentNullException.ThrowIfNull(site);
        string[] visitMetrics = ["visitors", "visits", "visit_duration", "bounces", "pageviews"];
        return
        [
            new("imported_browsers", ["date", "browser", "browser_version", .. visitMetrics], [Dimension.BrowserVersion], r => Pair(r, Browser)),
            new("imported_custom_events", ["date", "name", "link_url", "path", "visitors", "events"], [Dimension.Goal, Dimension.GoalDetail], CustomEvent),
            new("imported_devices", ["date", "device", .. visitMetrics], [Dimension.Device], r => [Device(r.Value)]),
            new("imported_entry_pages", ["date", "entry_page", "visitors", "entrances", "visit_duration", "bounces", "pageviews"], [Dimension.EntryPage], r => [r.Value]),
            // Visitors are not kept per exit page (they would have to be taken back when a visit moves on): each exit
            // is counted as a visitor, which is exact unless one visitor left from the same page twice that day.
            new("imported_exit_pages", ["date", "exit_page", "visitors", "visit_duration", "exits", "bounces", "pageviews"], [Dimension.ExitPage],
                r => r.Visits > 0 ? [r.Value] : null, c => c with { Visitors = c.Visits }),
            // Plausible leaves visits of unknown country out of this file; region and city are not tracked ("" and 0,
            // which is what Plausible writes for an unknown region and city).
            new("imported_locations", ["date", "country", "region", "city", .. visitMetrics], [Dimension.Country], r => r.Value.Length == 0 ? null : [r.Value, ""]),
            new("imported_operating_systems", ["date", "operating_system", "operating_system_version", .. visitMetrics], [Dimension.OsVersion], r => Pair(r, Os)),
            // Scroll depth and time on page are not tracked: 0 visits with 0 in total, as Plausible writes for a page
            // without engagement data. The hostname is the site's domain (the rollups keep the path only).
            new("imported_pages", ["date", "hostname", "page", "visits", "visitors", "pageviews", "total_scroll_depth", "total_scroll_depth_visits", "total_time_on_page", "total_time_on_page_visits"],
                [Dimension.Page], r => [site.Domain, r.Value]),
            new("imported_sources", ["date", "source", "referrer", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "pageviews", "visitors", "visits", "visit_duration", "bounces"],
                [Dimension.SourceDetail], Source),
        ];
    }

    /// <summary>"imported_pages_20260101_20260131.csv": the name Plausible's export gives and its importer requires.</summary>
    public static string FileName(string table, Period period) =>
        $"{table}_{period.From.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}_{period.To.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}.csv";

    /// <summary>Plausible's archive name: the domain with dots as underscores and the day the export was made.</summary>
    public static string ArchiveName(string domain, DateOnly createdOn) =>
        $"{domain.Replace('.', '_')}_{createdOn.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}.zip";

    public static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Plausible's device names are Desktop, Mobile and Tablet, and "" when it cannot tell (TVs, consoles,
    /// watches and unknown agents are "Other" here; crawlers that got through are "Bot").</summary>
    public static string Device(string device) =>
        device is nameof(DeviceType.Desktop) or nameof(DeviceType.Mobile) or nameof(DeviceType.Tablet) ? device : "";

    /// <summary>uap-core's browser families under the names Plausible's parser (Matomo's device detector) gives them,
    /// where they differ for common browsers; "" for unknown.</summary>
    public static string Browser(string browser) => browser switch
    {
        "Other" => "",
        "Mobile Safari" or "Mobile Safari UI/WKWebView" => "Safari",
        "Chrome Mobile" or "Chrome Mobile iOS" => "Chrome",
        "Firefox Mobile" or "Firefox iOS" => "Firefox",
        "Edge" or "Edge Mobile" => "Microsoft Edge",
        "Opera Mobile" or "Opera Mini" => "Opera",
        "Samsung Internet" => "Samsung Browser",
        _ => browser,
    };

    /// <summary>uap-core's OS families under Plausible's names where they differ; "" for unknown.</summary>
    public static string Os(string os) => os switch
    {
        "Other" => "",
        "Mac OS X" or "macOS" => "Mac",
        "Linux" => "GNU/Linux",
        _ => os,
    };

    /// <summary>Plausible's source for direct traffic is "".</summary>
    public static string SourceName(string source) => source == ReferrerClassifier.Direct ? "" : source;

    private static string[] Pair(SiteDailyStats row, Func<string, string> name)
    {
        var parts = Parts(row.Value, 2);
        var mapped = name(parts[0]);
        return [mapped, mapped.Length == 0 ? "" : parts[1]];
    }

    private static string[] Source(SiteDailyStats row)
    {
        var parts = Parts(row.Value, 7);
        parts[0] = SourceName(parts[0]);
        return parts;
    }

    /// <summary>
    /// Plausible's custom events keep the url property only for the goals that have one (outbound links, file
    /// downloads) and the path only for 404 and form goals; every other goal is one row a day. Those come from the
    /// goal rows (exact visitors); the special goals from the goal-detail rows, whose visitors are per URL or path.
    /// </summary>
    private static string[]? CustomEvent(SiteDailyStats row)
    {
        if (row.Dimension == Dimension.Goal)
        {
            return GoalsWithUrl.Contains(row.Value) || GoalsWithPath.Contains(row.Value) ? null : [row.Value, "", ""];
        }

        var parts = Parts(row.Value, 3);
        var withUrl = GoalsWithUrl.Contains(parts[0]);
        var withPath = GoalsWithPath.Contains(parts[0]);
        return withUrl || withPath ? [parts[0], withUrl ? parts[1] : "", withPath ? parts[2] : ""] : null;
    }

    /// <summary>The parts of a composite value, padded with "" (a value cut at the rollups' length limit has fewer).</summary>
    private static string[] Parts(string value, int count)
    {
        var parts = SiteDailyStats.Split(value);
        return parts.Length == count ? parts : [.. parts.Take(count), .. Enumerable.Repeat("", Math.Max(0, count - parts.Length))];
    }
}
