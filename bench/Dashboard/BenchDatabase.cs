using CivicDesk.Web.Data;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CivicDesk.Bench.Dashboard;

/// <summary>The benchmark's own database: a SQLite file or a PostgreSQL database it creates, keeps for reuse, or drops.</summary>
internal abstract class BenchDatabase
{
    public abstract DatabaseProvider Provider { get; }

    /// <summary>The app's <c>Database:ConnectionString</c>.</summary>
    public abstract string ConnectionString { get; }

    /// <summary>Where the data is, for the report.</summary>
    public abstract string Name { get; }

    public abstract Task<bool> ExistsAsync(CancellationToken ct);

    /// <summary>Deletes what is there and starts empty.</summary>
    public abstract Task CreateAsync(CancellationToken ct);

    public abstract Task DropAsync(CancellationToken ct);

    /// <summary>Bytes on disk, for the report.</summary>
    public abstract Task<long> SizeAsync(CancellationToken ct);

    /// <summary>Brings the planner's statistics up to date, as the server does by itself in production.</summary>
    public abstract Task AnalyzeAsync(CancellationToken ct);

    public static BenchDatabase For(BenchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Provider == BenchOptions.Sqlite ? new SqliteBenchDatabase(Path.GetFullPath(options.Database)) : new PostgresBenchDatabase(options.PostgresServer!, options.Database);
    }
}

internal sealed class SqliteBenchDatabase(string path) : BenchDatabase
{
    private static readonly string[] Suffixes = ["", "-wal", "-shm"];

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public override string ConnectionString => $"Data Source={path}";

    public override string Name => path;

    public override Task<bool> ExistsAsync(CancellationToken ct) => Task.FromResult(File.Exists(path));

    public override Task CreateAsync(CancellationToken ct) => DropAsync(ct);

    public override Task DropAsync(CancellationToken ct)
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in Suffixes)
        {
            File.Delete(path + suffix);
        }

        return Task.CompletedTask;
    }

    public override Task<long> SizeAsync(CancellationToken ct) =>
        Task.FromResult(Suffixes.Select(s => new FileInfo(path + s)).Where(f => f.Exists).Sum(f => f.Length));

    /// <summary>Nothing: the app never runs ANALYZE on SQLite, so the benchmark measures the planner without statistics as it runs there.</summary>
    public override Task AnalyzeAsync(CancellationToken ct) => Task.CompletedTask;
}

internal sealed class PostgresBenchDatabase(string server, string name) : BenchDatabase
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public override string ConnectionString => new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;

    public override string Name => $"{name} on {new NpgsqlConnectionStringBuilder(server).Host}:{new NpgsqlConnectionStringBuilder(server).Port}";

    public override async Task<bool> ExistsAsync(CancellationToken ct) =>
        await ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = @name)", server, ct);

    public override async Task CreateAsync(CancellationToken ct)
    {
        await DropAsync(ct);
        await ExecuteAsync($"CREATE DATABASE {Quoted}", server, ct);
    }

    public override async Task DropAsync(CancellationToken ct)
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"DROP DATABASE IF EXISTS {Quoted} WITH (FORCE)", server, ct);
    }

    public override async Task<long> SizeAsync(CancellationToken ct) =>
        await ScalarAsync<long>("SELECT pg_database_size(@name)", server, ct);

    public override Task AnalyzeAsync(CancellationToken ct) => ExecuteAsync("ANALYZE", ConnectionString, ct);

    private string Quoted => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task ExecuteAsync(string sql, string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task<T> ScalarAsync<T>(string sql, string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("name", name);
        return (T)(await command.ExecuteScalarAsync(ct))!;
    }
}
