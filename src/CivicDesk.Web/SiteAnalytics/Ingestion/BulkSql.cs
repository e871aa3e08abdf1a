using System.Text;
using CivicDesk.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>
/// Multi-row INSERT (optionally … ON CONFLICT … DO UPDATE) for the writer's hot path, where EF Core's change tracking
/// costs more than the database itself. Columns, names and value conversions come from the EF model, so rows are
/// stored exactly as EF would store them on either provider; the SQL is the same on SQLite and PostgreSQL.
/// </summary>
internal static class BulkSql
{
    /// <summary>
    /// Parameters per statement. SQLite finds a named parameter by a linear search, so binding costs grow with the square
    /// of the parameters in one statement: 30 000 took seconds per 2 000 events, about 1 000 takes milliseconds.
    /// </summary>
    private const int MaxParameters = 1000;

    /// <summary>
    /// Inserts <paramref name="rows"/> (store-generated keys left to the database). With <paramref name="conflictColumns"/>,
    /// a row whose key exists replaces the existing row's <paramref name="updateColumns"/> instead.
    /// </summary>
    public static async Task InsertAsync<T>(
        AppDbContext db, IReadOnlyList<T> rows, CancellationToken ct,
        IReadOnlyList<string>? conflictColumns = null, IReadOnlyList<string>? updateColumns = null)
        where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }

        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var properties = entity.GetProperties().Where(p => p.ValueGenerated != ValueGenerated.OnAdd && p.PropertyInfo is not null).ToList();
        var columns = properties.Select(p => p.GetColumnName(table)!).ToList();
        var head = $"INSERT INTO {Quote(table.Name)} ({string.Join(", ", columns.Select(Quote))}) VALUES ";
        var tail = conflictColumns is null
            ? ""
            : $" ON CONFLICT ({string.Join(", ", conflictColumns.Select(Quote))}) DO UPDATE SET "
              + string.Join(", ", (updateColumns ?? []).Select(c => $"{Quote(c)} = excluded.{Quote(c)}"));
        var perStatement = Math.Max(1, MaxParameters / properties.Count);
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        for (var start = 0; start < rows.Count; start += perStatement)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var sql = new StringBuilder(head);
            var end = Math.Min(rows.Count, start + perStatement);
            for (var i = start; i < end; i++)
            {
                sql.Append(i == start ? "(" : ", (");
                for (var c = 0; c < properties.Count; c++)
                {
                    var property = properties[c];
                    var name = "@p" + ((i - start) * properties.Count + c).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    var mapping = (RelationalTypeMapping)property.GetTypeMapping();
                    command.Parameters.Add(mapping.CreateParameter(command, name, property.PropertyInfo!.GetValue(rows[i]), property.IsNullable));
                    sql.Append(c == 0 ? name : ", " + name);
                }

                sql.Append(')');
            }

            command.CommandText = sql.Append(tail).ToString();
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
