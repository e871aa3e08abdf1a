using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CivicDesk.Bench.Ingest;

/// <summary>
/// What the database holds for the site: event rows, bots counted (not stored) in the hourly rollups, and the
/// rollups' own event count, which the writer keeps in the same transaction as the rows and must agree with them.
/// </summary>
internal readonly record struct StoredCounts(long Rows, long Bots, long RollupEvents)
{
    /// <summary>Accepted events whose effect is in the database: a row for a person's event, a counter for a bot's.</summary>
    public long Settled => Rows + Bots;
}

/// <summary>A fresh database for one run of the app, read with the provider's own ADO.NET driver.</summary>
internal abstract class TargetDatabase : IAsyncDisposable
{
    /// <summary>The value of the app's <c>Database:Provider</c> setting.</summary>
    public abstract string Provider { get; }

    /// <summary>The file or database name, for the operator watching the run.</summary>
    public abstract string Name { get; }

    /// <summary>The app's <c>Database:ConnectionString</c>.</summary>
    public abstract string ConnectionString { get; }

    protected abstract DbConnection Connect();

    /// <summary>The counts query, in the provider's quoting of the tables' PascalCase column names.</summary>
    protected abstract string CountsSql { get; }

    /// <summary>
    /// Accepted events settled by the rollups alone (events and bots counted in the hourly rows, which commit with the
    /// event rows): a few rows to add up where counting the events reads an index of millions, so it is what the
    /// run polls while the writer drains, and the database spends next to nothing on being watched.
    /// </summary>
    protected abstract string SettledSql { get; }

    public Task<long> SettledAsync(int siteId, CancellationToken ct) =>
        QuerySiteAsync(SettledSql, siteId, reader => Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), ct);

    public Task<StoredCounts> CountAsync(int siteId, CancellationToken ct) =>
        QuerySiteAsync(CountsSql, siteId, reader => new StoredCounts(
            Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture),
            Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture),
            Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture)), ct);

    /// <summary>Runs a one-row query about the site (<c>@site</c>) on a connection of its own and reads the row.</summary>
    private async Task<T> QuerySiteAsync<T>(string sql, int siteId, Func<DbDataReader, T> read, CancellationToken ct)
    {
        await using var connection = Connect();
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        Add(command, "site", siteId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return read(reader);
    }

    /// <summary>Stores a salt for <paramref name="day"/> as the app would have created it that day.</summary>
    public async Task AddSaltAsync(string timeZone, DateOnly day, DateTime createdAtUtc, CancellationToken ct)
    {
        await using var connection = Connect();
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = AddSaltSql;
        Add(command, "zone", timeZone);
        Add(command, "day", day);
        Add(command, "salt", RandomNumberGenerator.GetBytes(32));
        Add(command, "created", createdAtUtc);
        await command.ExecuteNonQueryAsync(ct);
    }

    protected abstract string AddSaltSql { get; }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    public abstract ValueTask DisposeAsync();
}

/// <summary>A SQLite file in a folder of its own (WAL mode, set by the app: counting never blocks its writer).</summary>
internal sealed class SqliteTargetDatabase(string folder) : TargetDatabase
{
    private readonly string _path = Path.Combine(folder, "civicdesk.db");

    public override string Provider => "Sqlite";

    public override string Name => _path;

    public override string ConnectionString => $"Data Source={_path}";

    protected override DbConnection Connect() => new SqliteConnection($"Data Source={_path};Pooling=False");

    protected override string CountsSql =>
        """
        SELECT (SELECT COUNT(*) FROM site_events WHERE SiteId = @site),
               (SELECT COALESCE(SUM(BotsDropped), 0) FROM site_stats_hourly WHERE SiteId = @site),
               (SELECT COALESCE(SUM(Pageviews + Events), 0) FROM site_stats_hourly WHERE SiteId = @site)
        """;

    protected override string SettledSql =>
        "SELECT COALESCE(SUM(BotsDropped + Pageviews + Events), 0) FROM site_stats_hourly WHERE SiteId = @site";

    protected override string AddSaltSql =>
        "INSERT INTO analytics_salts (TimeZone, Day, Salt, CreatedAt) VALUES (@zone, @day, @salt, @created)";

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A database created for the run on the given server and dropped afterwards.</summary>
internal sealed class PostgresTargetDatabase : TargetDatabase
{
    private readonly string _serverConnectionString;
    private readonly string _name;

    private PostgresTargetDatabase(string serverConnectionString, string name, string connectionString)
    {
        _serverConnectionString = serverConnectionString;
        _name = name;
        ConnectionString = connectionString;
    }

    public override string Provider => "Postgres";

    public override string Name => _name;

    public override string ConnectionString { get; }

    public static async Task<PostgresTargetDatabase> CreateAsync(string serverConnectionString, CancellationToken ct)
    {
        var name = $"civicdesk_bench_{Guid.NewGuid():N}"[..32];
        await using (var connection = new NpgsqlConnection(serverConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync(ct);
        }

        var app = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name };
        return new PostgresTargetDatabase(serverConnectionString, name, app.ConnectionString);
    }

    protected override DbConnection Connect() =>
        new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);

    protected override string CountsSql =>
        """
        SELECT (SELECT COUNT(*) FROM site_events WHERE "SiteId" = @site),
               (SELECT COALESCE(SUM("BotsDropped"), 0) FROM site_stats_hourly WHERE "SiteId" = @site),
               (SELECT COALESCE(SUM("Pageviews" + "Events"), 0) FROM site_stats_hourly WHERE "SiteId" = @site)
        """;

    protected override string SettledSql =>
        """SELECT COALESCE(SUM("BotsDropped" + "Pageviews" + "Events"), 0) FROM site_stats_hourly WHERE "SiteId" = @site""";

    protected override string AddSaltSql =>
        """INSERT INTO analytics_salts ("TimeZone", "Day", "Salt", "CreatedAt") VALUES (@zone, @day, @salt, @created)""";

    public override async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
