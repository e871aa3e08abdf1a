using System.Data.Common;
using CivicDesk.Web.Data;
using CivicDesk.Web.SiteAnalytics.Crossing;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>
/// site_events is indexed by visit for its custom events only (a partial index: ADR 0008, 2026-12-04). A database
/// uses such an index only for a query whose condition contains the index's own, so the lookups by visit must say
/// "not a pageview" as the index does, or they would read every event of the period instead.
/// </summary>
public abstract class EventIndexTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory
{
    private const string ByVisit = "IX_site_events_SiteId_SessionId";

    [Fact]
    public async Task The_custom_events_of_given_visits_are_found_through_the_index_by_visit()
    {
        app.EnsureAvailable();
        var ct = TestContext.Current.CancellationToken;
        List<long> ids = [1L << 40, (1L << 40) + 7];
        var plan = await app.WithDbAsync(db => PlanAsync(db, CrossedData.CustomEvents(db.SiteEvents.Where(e => e.SiteId == 1))
            .Where(e => EF.Parameter(ids).Contains(e.SessionId)).Select(e => new { e.SessionId, e.Name }), ct));
        Assert.Contains(ByVisit, plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pageviews_are_not_in_the_index_by_visit()
    {
        app.EnsureAvailable();
        var ct = TestContext.Current.CancellationToken;
        List<long> ids = [1L << 40];
        // Without "not a pageview" in its condition, a lookup by visit cannot use the partial index.
        var plan = await app.WithDbAsync(db => PlanAsync(db, db.SiteEvents.Where(e => e.SiteId == 1 && e.Name == "pageview")
            .Where(e => EF.Parameter(ids).Contains(e.SessionId)).Select(e => new { e.SessionId, e.Name }), ct));
        Assert.DoesNotContain(ByVisit, plan, StringComparison.Ordinal);
    }

    /// <summary>The database's plan for the query, as text. On PostgreSQL sequential scans are priced out, as on a table of millions of rows.</summary>
    private static async Task<string> PlanAsync<T>(AppDbContext db, IQueryable<T> query, CancellationToken ct)
    {
        var sqlite = db.Database.IsSqlite();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            if (!sqlite)
            {
                await db.Database.ExecuteSqlRawAsync("SET enable_seqscan = off", ct);
            }

            await using DbCommand command = query.CreateDbCommand();
            command.CommandText = (sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + command.CommandText;
            var lines = new List<string>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                // SQLite: id, parent, notused, detail; PostgreSQL: one line of the plan.
                lines.Add(reader.GetString(reader.FieldCount - 1));
            }

            return string.Join('\n', lines);
        }
        finally
        {
            if (!sqlite)
            {
                await db.Database.ExecuteSqlRawAsync("RESET enable_seqscan", ct);
            }

            await db.Database.CloseConnectionAsync();
        }
    }
}

public sealed class EventIndexOnSqlite(SqliteApp app) : EventIndexTests<SqliteApp>(app);

public sealed class EventIndexOnPostgres(PostgresApp app) : EventIndexTests<PostgresApp>(app);
