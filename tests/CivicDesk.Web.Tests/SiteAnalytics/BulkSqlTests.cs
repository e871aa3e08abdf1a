using CivicDesk.Web.Data;
using CivicDesk.Web.SiteAnalytics.Ingestion;
using CivicDesk.Web.SiteAnalytics.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>
/// The writer's bulk rows on SQLite bypass Microsoft.Data.Sqlite's parameters (<see cref="SqliteRows"/>): what they
/// store must be what EF Core stores for the same entities, value for value, or EF Core's queries would miss them.
/// </summary>
public sealed class BulkSqlTests : IAsyncLifetime
{
    private readonly List<string> _files = [];

    [Fact]
    public async Task Rows_written_in_bulk_are_stored_exactly_as_EF_Core_stores_the_same_entities()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var viaEf = await DatabaseAsync();
        await using var viaBulk = await DatabaseAsync();

        await WithDbAsync(viaEf, async db =>
        {
            db.AddRange(Samples());
            await db.SaveChangesAsync(ct);
        });
        await WithDbAsync(viaBulk, async db =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            foreach (var group in Samples().GroupBy(s => s.GetType()))
            {
                await InsertAsync(db, group.Key, group.ToList(), ct);
            }

            await tx.CommitAsync(ct);
        });

        foreach (var type in Samples().Select(s => s.GetType()).Distinct())
        {
            var expected = await WithDbAsync(viaEf, db => StoredAsync(db, type, ct));
            var actual = await WithDbAsync(viaBulk, db => StoredAsync(db, type, ct));
            Assert.NotEmpty(expected);
            Assert.Equal(expected, actual);
        }

        // And EF Core reads them back as the entities they were.
        var events = await WithDbAsync(viaBulk, db => db.Set<SiteEvent>().OrderBy(e => e.Id).ToListAsync(ct));
        Assert.Equal(Samples().OfType<SiteEvent>().Select(e => (e.EventId, e.Timestamp, e.Pathname, e.RevenueAmount, e.Browser)),
            events.Select(e => (e.EventId, e.Timestamp, e.Pathname, e.RevenueAmount, e.Browser)));
        var days = await WithDbAsync(viaBulk, db => db.Set<SiteDailyStats>().Where(d => d.Day == new DateOnly(2026, 12, 2) && d.Dimension == Dimension.Page).CountAsync(ct));
        Assert.Equal(1, days);
    }

    [Fact]
    public async Task Upserts_replace_and_add_as_the_statement_says_and_a_broken_row_fails_the_call()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var services = await DatabaseAsync();
        var day = new DateOnly(2026, 12, 2);
        SiteDailyStats Row(long visits) => new() { SiteId = 1, Day = day, Dimension = Dimension.Source, Value = "Zalo", Visitors = 1, Visits = visits, Pageviews = 2 };
        string[] key = [nameof(SiteDailyStats.SiteId), nameof(SiteDailyStats.Day), nameof(SiteDailyStats.Dimension), nameof(SiteDailyStats.Value)];

        for (var round = 1; round <= 3; round++)
        {
            await WithDbAsync(services, async db =>
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                await BulkSql.InsertAsync(db, [Row(round)], ct, key, updateColumns: [nameof(SiteDailyStats.Visitors)],
                    addColumns: [nameof(SiteDailyStats.Visits), nameof(SiteDailyStats.Pageviews)]);
                await tx.CommitAsync(ct);
            });
        }

        var stored = await WithDbAsync(services, db => db.Set<SiteDailyStats>().SingleAsync(ct));
        Assert.Equal((1L, 1L + 2 + 3, 6L), (stored.Visitors, stored.Visits, stored.Pageviews));

        // A duplicate event id breaks the unique index: the call fails with SQLite's error, and the rows before it in
        // the same transaction are rolled back with it.
        var id = Guid.CreateVersion7();
        var error = await Assert.ThrowsAsync<SqliteException>(() => WithDbAsync(services, async db =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await BulkSql.InsertAsync(db, [Event(id, "/a"), Event(Guid.CreateVersion7(), "/b"), Event(id, "/c")], ct);
            await tx.CommitAsync(ct);
        }));
        Assert.Equal(19, error.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Equal(0, await WithDbAsync(services, db => db.Set<SiteEvent>().CountAsync(ct)));

        // Outside a transaction each row would commit alone: refused.
        await Assert.ThrowsAsync<InvalidOperationException>(() => WithDbAsync(services, db => BulkSql.InsertAsync(db, [Event(Guid.CreateVersion7(), "/d")], ct)));
    }

    private static SiteEvent Event(Guid id, string path) => new()
    {
        EventId = id, SiteId = 1, Timestamp = new DateTime(2026, 12, 2, 8, 0, 0, DateTimeKind.Utc), Name = "pageview",
        Hostname = "songlam.gov.vn", Pathname = path,
    };

    /// <summary>Every entity type the writer stores in bulk, with the awkward values: fractions of a second, nulls, non-ASCII texts.</summary>
    private static List<object> Samples()
    {
        var at = new DateTime(2026, 12, 2, 1, 2, 3, DateTimeKind.Utc).AddTicks(1_234_567);
        return
        [
            new SiteEvent
            {
                EventId = new Guid("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"), SiteId = 7, Timestamp = at, Name = "Tải tài liệu",
                Hostname = "songlam.gov.vn", Pathname = "/tin-tức/ủy-ban?x=1", VisitorId = long.MinValue + 1, SessionId = long.MaxValue,
                ReferrerHost = "zalo.me", Source = "Zalo", UtmSource = "zalo", UtmMedium = null, UtmCampaign = "tết 2027",
                Country = "VN", Browser = "Cốc Cốc", BrowserVersion = "130.0", Os = "Android", OsVersion = "14", Device = "Mobile",
                Props = """{"tệp":"báo cáo.pdf"}""", RevenueAmount = 1234.5678m, RevenueCurrency = "VND", Interactive = false,
            },
            new SiteEvent
            {
                EventId = new Guid("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c"), SiteId = 7, Timestamp = at.AddTicks(-at.Ticks % TimeSpan.TicksPerSecond),
                Name = "pageview", Hostname = "songlam.gov.vn", Pathname = "/", RevenueAmount = 0m,
            },
            new SiteSession
            {
                SiteId = 7, SessionId = 42, VisitorId = -5, StartedAt = at, LastAt = at.AddMinutes(29), Pageviews = 3, Events = 1,
                InteractiveEvents = 4, EntryPage = "/", ExitPage = "/liên-hệ", Source = "Google", Device = "Desktop",
            },
            new SiteHourlyStats { SiteId = 7, Hour = new DateTime(2026, 12, 2, 1, 0, 0, DateTimeKind.Utc), Pageviews = 10, Events = 2, Visits = 3, NewVisitors = 1, Bounces = 1, DurationSeconds = 600, BotsDropped = 5 },
            new SiteDailyStats { SiteId = 7, Day = new DateOnly(2026, 12, 2), Dimension = Dimension.Page, Value = "/tin-tức", Visitors = 5, Visits = 6, Pageviews = 7, Events = 0, Bounces = 2, DurationSeconds = 99 },
            new SiteCrossedStats { SiteId = 7, FilterDimension = Dimension.Country, FilterValue = "VN", Dimension = Dimension.Browser, Day = new DateOnly(2026, 11, 30), Value = "Cốc Cốc", Visitors = 1, Visits = 2, Pageviews = 3, Events = 4, Bounces = 0, DurationSeconds = 5 },
            new SiteCrossedDay { SiteId = 7, Day = new DateOnly(2026, 11, 30), ComputedAt = at, Visits = 2, Pageviews = 3, Events = 4, DurationSeconds = 5 },
            new SpoolCheckpoint { SpoolId = "node-a", Segment = 12, Offset = 345_678, UpdatedAt = at },
        ];
    }

    private static Task InsertAsync(AppDbContext db, Type type, List<object> rows, CancellationToken ct) =>
        (Task)typeof(BulkSqlTests).GetMethod(nameof(InsertTypedAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(type).Invoke(null, [db, rows, ct])!;

    private static Task InsertTypedAsync<T>(AppDbContext db, List<object> rows, CancellationToken ct)
        where T : class => BulkSql.InsertAsync(db, rows.Cast<T>().ToList(), ct);

    /// <summary>Every column of every row as SQLite's own literal (type and value), rows in the order of those texts.</summary>
    private static async Task<List<string>> StoredAsync(AppDbContext db, Type type, CancellationToken ct)
    {
        var entity = db.Model.FindEntityType(type)!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!);
        var columns = string.Join(" || '|' || ", entity.GetProperties().Select(p => $"quote(\"{p.GetColumnName(table)}\")"));
        var connection = db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {columns} FROM \"{table.Name}\" ORDER BY 1";
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    private async Task<ServiceProvider> DatabaseAsync()
    {
        var file = Path.Combine(Path.GetTempPath(), $"civicdesk-bulksql-{Guid.NewGuid():N}.db");
        _files.Add(file);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["Database:ConnectionString"] = $"Data Source={file}",
        }).Build();
        var environment = new HostingEnvironment { ContentRootPath = Path.GetTempPath(), EnvironmentName = "Testing" };
        var services = new ServiceCollection().AddLogging().AddDatabase(configuration, environment).BuildServiceProvider();
        await DatabaseSetup.MigrateAsync(services, TestContext.Current.CancellationToken);
        return services;
    }

    private static async Task<T> WithDbAsync<T>(IServiceProvider services, Func<AppDbContext, Task<T>> work)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.Database.OpenConnectionAsync();
        return await work(db);
    }

    private static Task WithDbAsync(IServiceProvider services, Func<AppDbContext, Task> work) =>
        WithDbAsync(services, async db =>
        {
            await work(db);
            return true;
        });

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in _files)
        {
            foreach (var path in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(path);
            }
        }

        return ValueTask.CompletedTask;
    }
}
