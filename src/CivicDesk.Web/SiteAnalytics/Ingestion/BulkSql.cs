using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using CivicDesk.Web.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>
/// INSERT (optionally … ON CONFLICT … DO UPDATE) of many rows for the writer's hot path, where EF Core's change tracking
/// costs more than the database itself. Columns, names and value conversions come from the EF model, so rows are
/// stored exactly as EF would store them on either provider. SQLite runs one prepared statement per row
/// (<see cref="SqliteRows"/>); PostgreSQL gets binary COPY for plain inserts and large upserts, multi-row statements
/// for small upserts.
/// </summary>
internal static class BulkSql
{
    /// <summary>
    /// Parameters per multi-row statement (PostgreSQL only: fewer statements mean fewer round trips). SQLite would find
    /// each named parameter by a linear search, binding at a cost that grows with the square of their number.
    /// </summary>
    private const int MaxParameters = 2000;

    /// <summary>
    /// From this many rows an upsert into PostgreSQL copies them into a temporary table and upserts from there in one
    /// statement: 1 850 open visits took 120–160 ms as 23 multi-row statements of 2 000 parameters each.
    /// </summary>
    private const int CopyUpsertRows = 50;

    /// <summary>
    /// Inserts <paramref name="rows"/> (store-generated keys left to the database). With <paramref name="conflictColumns"/>,
    /// a row whose key exists instead replaces the existing row's <paramref name="updateColumns"/> and adds its
    /// <paramref name="addColumns"/> to the existing row's (counters written by several batches or nodes at once,
    /// atomically). The rows must have distinct keys.
    /// </summary>
    public static async Task InsertAsync<T>(
        AppDbContext db, IReadOnlyList<T> rows, CancellationToken ct,
        IReadOnlyList<string>? conflictColumns = null, IReadOnlyList<string>? updateColumns = null, IReadOnlyList<string>? addColumns = null)
        where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }

        var table = Table.For(db.Model, typeof(T));
        var columns = string.Join(", ", table.Columns.Select(Quote));
        var head = $"INSERT INTO {Quote(table.Name)} ({columns}) VALUES ";
        var tail = conflictColumns is null
            ? ""
            : $" ON CONFLICT ({string.Join(", ", conflictColumns.Select(Quote))}) DO UPDATE SET "
              + string.Join(", ", (updateColumns ?? []).Select(c => $"{Quote(c)} = excluded.{Quote(c)}")
                  .Concat((addColumns ?? []).Select(c => $"{Quote(c)} = {Quote(table.Name)}.{Quote(c)} + excluded.{Quote(c)}")));
        var width = table.Columns.Length;
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        if (connection is SqliteConnection sqlite)
        {
            SqliteRows.Insert(sqlite, transaction, table.SqliteBinder<T>(), head + table.SqliteValues + tail, rows);
            return;
        }

        if (connection is NpgsqlConnection npgsql)
        {
            if (conflictColumns is null)
            {
                await CopyAsync(npgsql, table, Quote(table.Name), rows, ct);
                return;
            }

            if (rows.Count >= CopyUpsertRows && transaction is not null)
            {
                // Many rows: copied into a temporary table of this session (emptied at commit, so only inside a
                // transaction), then one upsert from it.
                var incoming = Quote(table.Name + "_incoming");
                await using (var create = connection.CreateCommand())
                {
                    create.Transaction = transaction;
                    create.CommandText = $"CREATE TEMP TABLE IF NOT EXISTS {incoming} ON COMMIT DELETE ROWS AS SELECT {columns} FROM {Quote(table.Name)} WITH NO DATA";
                    await create.ExecuteNonQueryAsync(ct);
                }

                await CopyAsync(npgsql, table, incoming, rows, ct);
                await using var upsert = connection.CreateCommand();
                upsert.Transaction = transaction;
                upsert.CommandText = $"INSERT INTO {Quote(table.Name)} ({columns}) SELECT {columns} FROM {incoming}{tail}";
                await upsert.ExecuteNonQueryAsync(ct);
                return;
            }
        }

        var perStatement = Math.Max(1, MaxParameters / width);
        for (var start = 0; start < rows.Count; start += perStatement)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var sql = new StringBuilder(head);
            var end = Math.Min(rows.Count, start + perStatement);
            for (var i = start; i < end; i++)
            {
                sql.Append(i == start ? "(" : ", (");
                for (var c = 0; c < width; c++)
                {
                    var name = ParameterName((i - start) * width + c);
                    command.Parameters.Add(table.Mappings[c].CreateParameter(command, name, table.Getters[c].GetClrValue(rows[i]), table.Nullable[c]));
                    sql.Append(c == 0 ? name : ", " + name);
                }

                sql.Append(')');
            }

            command.CommandText = sql.Append(tail).ToString();
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// PostgreSQL's binary COPY into <paramref name="into"/>, in the current transaction: no statement to parse or
    /// plan, no parameters. The writer's multi-row INSERT of a batch's events cost PostgreSQL several times the
    /// processor time of the same rows copied. Each column is written with the type its EF mapping gives a parameter,
    /// after the mapping's value conversion (<see cref="NpgsqlRows"/>).
    /// </summary>
    private static async Task CopyAsync<T>(NpgsqlConnection connection, Table table, string into, IReadOnlyList<T> rows, CancellationToken ct)
        where T : class
    {
        var writers = table.NpgsqlWriters<T>();
        var copy = $"COPY {into} ({string.Join(", ", table.Columns.Select(Quote))}) FROM STDIN (FORMAT BINARY)";
        await using var importer = await connection.BeginBinaryImportAsync(copy, ct);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(ct);
            foreach (var write in writers)
            {
                await write(importer, row, ct);
            }
        }

        await importer.CompleteAsync(ct);
    }

    private static readonly string[] ParameterNames = Enumerable.Range(0, 2000).Select(i => "@p" + i.ToString(CultureInfo.InvariantCulture)).ToArray();

    private static string ParameterName(int index) =>
        index < ParameterNames.Length ? ParameterNames[index] : "@p" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>A table's inserted columns with their EF type mappings and compiled getters, looked up once per model.</summary>
    private sealed record Table(string Name, string[] Columns, IProperty[] Properties, RelationalTypeMapping[] Mappings, IClrPropertyGetter[] Getters, bool[] Nullable)
    {
        private static readonly ConditionalWeakTable<IModel, ConcurrentDictionary<Type, Table>> Cache = [];
        private object? _sqliteBinder;
        private object? _npgsqlWriters;

        /// <summary>One row's positional parameters, "(?1, ?2, …)".</summary>
        public string SqliteValues { get; } = "(" + string.Join(", ", Enumerable.Range(1, Columns.Length).Select(i => "?" + i.ToString(CultureInfo.InvariantCulture))) + ")";

        /// <summary>Binds a row to <see cref="SqliteValues"/>, compiled on first use (a race compiles it twice, harmlessly).</summary>
        public Func<SQLitePCL.sqlite3_stmt, T, int> SqliteBinder<T>() =>
            (Func<SQLitePCL.sqlite3_stmt, T, int>)(_sqliteBinder ??= SqliteRows.CompileBinder<T>(Properties, Mappings));

        /// <summary>Writes a row's columns to a binary COPY, compiled on first use like <see cref="SqliteBinder{T}"/>.</summary>
        public Func<NpgsqlBinaryImporter, T, CancellationToken, Task>[] NpgsqlWriters<T>() =>
            (Func<NpgsqlBinaryImporter, T, CancellationToken, Task>[])(_npgsqlWriters ??= NpgsqlRows.CompileWriters<T>(Properties, Mappings));

        public static Table For(IModel model, Type type) =>
            Cache.GetOrCreateValue(model).GetOrAdd(type, t => Create(model, t));

        private static Table Create(IModel model, Type type)
        {
            var entity = model.FindEntityType(type) ?? throw new InvalidOperationException($"{type.Name} is not in the model.");
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var properties = entity.GetProperties().Where(p => p.ValueGenerated != ValueGenerated.OnAdd && p.PropertyInfo is not null).ToArray();
            return new Table(
                table.Name,
                [.. properties.Select(p => p.GetColumnName(table)!)],
                properties,
                [.. properties.Select(p => (RelationalTypeMapping)p.GetTypeMapping())],
                [.. properties.Select(p => p.GetGetter())],
                [.. properties.Select(p => p.IsNullable)]);
        }
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
