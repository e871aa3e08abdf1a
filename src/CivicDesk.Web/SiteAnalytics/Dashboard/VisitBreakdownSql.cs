using CivicDesk.Web.Data;
using CivicDesk.Web.SiteAnalytics.Crossing;
using CivicDesk.Web.SiteAnalytics.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace CivicDesk.Web.SiteAnalytics.Dashboard;

/// <summary>
/// A visit breakdown (sources, entry pages, devices…) of the visits begun in a time range that match a filter, counted
/// by the database in one <c>GROUP BY</c>: what <see cref="CrossedCounter"/> counts for the days it has not computed
/// (today), without carrying the visits into the process. Under a broad filter (a country) that is nearly every visit
/// of the day, and reading, parsing and sorting them in the process took 150–250 ms at 10 M events by the end of the
/// day (docs/benchmarks.md, 2026-12-03); the database counts them in a third of that.
/// <para>
/// The one part LINQ cannot say is a visit's duration in whole seconds, truncated as <see cref="CrossVisit.DurationSeconds"/>
/// truncates it: SQLite's date functions round to milliseconds, so the seconds are read from the stored text
/// (<c>yyyy-MM-dd HH:mm:ss.FFFFFFF</c>) — whole seconds of each end, less one when the last event's fraction of a second
/// is smaller than the start's. PostgreSQL subtracts exactly. The crossed-breakdown tests hold both equal to the counter.
/// </para>
/// </summary>
internal static class VisitBreakdownSql
{
    /// <summary>
    /// The rows, or null when a value is longer than <see cref="SiteCrossedStats.ValueMaxLength"/> (values are cut to
    /// that length, so two long values may be one row with each visitor once) or the filter's value reaches it (it then
    /// stands for every longer value it begins: <see cref="CrossedData.Having"/>). The caller then counts the general way.
    /// </summary>
    public static async Task<List<BreakdownRow>?> CountAsync(
        AppDbContext db, int siteId, DateTime start, DateTime end, Dimension dimension, DashboardFilter filter, CancellationToken ct)
    {
        if (filter.Value.Length >= SiteCrossedStats.ValueMaxLength)
        {
            return null;
        }

        var sql = Sql(db, dimension, filter);
        var sums = await db.Database.SqlQueryRaw<Sums>(sql, siteId, start, end, filter.Value, CrossEvent.Pageview).ToListAsync(ct);
        if (sums.Exists(s => s.Value.Length > SiteCrossedStats.ValueMaxLength))
        {
            return null;
        }

        return [.. sums.Select(s => new BreakdownRow(s.Value, s.Visitors, s.Visits, s.Pageviews, s.Events, s.Bounces, s.DurationSeconds))];
    }

    /// <summary>The query; its parameters are {0} site, {1} start, {2} end, {3} the filter's value, {4} the pageview event's name.</summary>
    private static string Sql(AppDbContext db, Dimension dimension, DashboardFilter filter)
    {
        var helper = db.GetService<ISqlGenerationHelper>();
        var (visits, visitColumn) = Columns<SiteSession>(db, helper);
        var (events, eventColumn) = Columns<SiteEvent>(db, helper);
        string S(string property) => "s." + visitColumn(property);
        string E(string property) => "e." + eventColumn(property);

        var started = S(nameof(SiteSession.StartedAt));
        var last = S(nameof(SiteSession.LastAt));
        var pageviews = S(nameof(SiteSession.Pageviews));
        var value = $"COALESCE({S(CrossedData.Column(dimension))}, '')";
        var seconds = db.Database.IsSqlite()
            ? $"unixepoch(substr({last}, 1, 19)) - unixepoch(substr({started}, 1, 19))"
              + $" - (CAST('0' || substr({last}, 20) AS REAL) < CAST('0' || substr({started}, 20) AS REAL))"
            : $"FLOOR(EXTRACT(EPOCH FROM {last} - {started}))";

        // The visits having a pageview of the page, an event of the goal (CrossedCounter's match), or their own value.
        var eventsOfSite = $"SELECT {E(nameof(SiteEvent.SessionId))} FROM {events} AS e WHERE {E(nameof(SiteEvent.SiteId))} = {{0}} AND {E(nameof(SiteEvent.Timestamp))} >= {{1}}";
        var matching = filter.Dimension switch
        {
            Dimension.Page => $"{S(nameof(SiteSession.SessionId))} IN ({eventsOfSite} AND {E(nameof(SiteEvent.Name))} = {{4}} AND {E(nameof(SiteEvent.Pathname))} = {{3}})",
            Dimension.Goal => $"{S(nameof(SiteSession.SessionId))} IN ({eventsOfSite} AND {E(nameof(SiteEvent.Name))} = {{3}} AND {E(nameof(SiteEvent.Name))} <> {{4}})",
            // A value other than "" compares the column itself, whose statistics the database has (CrossedData.Having).
            _ when filter.Value.Length == 0 => $"COALESCE({S(CrossedData.Column(filter.Dimension))}, '') = {{3}}",
            _ => $"{S(CrossedData.Column(filter.Dimension))} = {{3}}",
        };
        return $$"""
            SELECT {{value}} AS "Value",
                COUNT(DISTINCT {{S(nameof(SiteSession.VisitorId))}}) AS "Visitors",
                COUNT(*) AS "Visits",
                CAST(SUM({{pageviews}}) AS BIGINT) AS "Pageviews",
                CAST(SUM({{S(nameof(SiteSession.Events))}} - {{pageviews}}) AS BIGINT) AS "Events",
                CAST(SUM(CASE WHEN {{pageviews}} <= 1 AND {{S(nameof(SiteSession.InteractiveEvents))}} = 0 THEN 1 ELSE 0 END) AS BIGINT) AS "Bounces",
                CAST(SUM({{seconds}}) AS BIGINT) AS "DurationSeconds"
            FROM {{visits}} AS s
            WHERE {{S(nameof(SiteSession.SiteId))}} = {0} AND {{started}} >= {1} AND {{started}} < {2} AND {{matching}}
            GROUP BY {{value}}
            """;
    }

    /// <summary>An entity's table and columns as the model maps them, quoted for the provider.</summary>
    private static (string Table, Func<string, string> Column) Columns<T>(AppDbContext db, ISqlGenerationHelper helper)
    {
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        return (helper.DelimitIdentifier(table.Name, table.Schema), property => helper.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName(table)!));
    }

    /// <summary>One row as the query names its columns.</summary>
    private sealed class Sums
    {
        public string Value { get; init; } = "";
        public long Visitors { get; init; }
        public long Visits { get; init; }
        public long Pageviews { get; init; }
        public long Events { get; init; }
        public long Bounces { get; init; }
        public long DurationSeconds { get; init; }
    }
}
