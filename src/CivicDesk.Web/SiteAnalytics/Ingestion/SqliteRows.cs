using System.Data.Common;
using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using SQLitePCL;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>
/// The SQLite side of <see cref="BulkSql"/>: one statement prepared once per call, each row's values bound to it by
/// position and the statement stepped and reset, through SQLite's own API on the connection EF Core holds.
/// Microsoft.Data.Sqlite's command made a parameter object and a binder for every value of every row, and a UTF-8 copy
/// of every text; at 20 values a row that was 40 % of the bytes ingestion allocated. Values are stored exactly as
/// Microsoft.Data.Sqlite stores what EF Core hands it (the same texts for dates, times, identifiers and decimals), which
/// a test compares column by column with rows saved through EF Core.
/// </summary>
internal static class SqliteRows
{
    /// <summary>Runs <paramref name="sql"/> (positional parameters ?1…?n) once per row, inside the open transaction.</summary>
    public static void Insert<T>(SqliteConnection connection, DbTransaction? transaction, Func<sqlite3_stmt, T, int> bind, string sql, IReadOnlyList<T> rows)
    {
        // Outside a transaction each row would commit on its own, and a busy database would fail the statement at
        // once instead of waiting as Microsoft.Data.Sqlite's commands do; the writer's callers always hold one.
        if (transaction is null || connection.Handle is not { } db)
        {
            throw new InvalidOperationException("SQLite rows are written inside a transaction of an open connection.");
        }

        Check(raw.sqlite3_prepare_v2(db, sql, out var statement), db);
        using (statement)
        {
            foreach (var row in rows)
            {
                Check(bind(statement, row), db);
                var rc = raw.sqlite3_step(statement);
                if (rc != raw.SQLITE_DONE)
                {
                    raw.sqlite3_reset(statement);
                    Check(rc, db);
                }

                Check(raw.sqlite3_reset(statement), db);
            }
        }
    }

    /// <summary>
    /// Compiles a method that binds a row's <paramref name="properties"/> to parameters 1…n and answers SQLite's
    /// result codes or-ed together (0 when every value was bound): typed property reads, EF Core's value converters
    /// inlined, no boxing and no copies of texts.
    /// </summary>
    public static Func<sqlite3_stmt, T, int> CompileBinder<T>(IReadOnlyList<IProperty> properties, IReadOnlyList<RelationalTypeMapping> mappings)
    {
        var statement = Expression.Parameter(typeof(sqlite3_stmt), "statement");
        var row = Expression.Parameter(typeof(T), "row");
        var rc = Expression.Variable(typeof(int), "rc");
        var body = new List<Expression> { Expression.Assign(rc, Expression.Constant(0)) };
        using var probe = new SqliteCommand();
        for (var c = 0; c < properties.Count; c++)
        {
            var property = properties[c];
            var mapping = mappings[c];
            var storeType = ((SqliteParameter)mapping.CreateParameter(probe, "p", null, nullable: true)).SqliteType;
            var index = Expression.Constant(c + 1);
            Expression value = Expression.Property(row, property.PropertyInfo!);
            var bindValue = RowExpressions.NullOr(
                value,
                Expression.Call(Method(nameof(BindNull)), statement, index),
                present => Bind(statement, index, RowExpressions.ToProvider(present, mapping), storeType, property));
            body.Add(Expression.OrAssign(rc, bindValue));
        }

        body.Add(rc);
        return Expression.Lambda<Func<sqlite3_stmt, T, int>>(Expression.Block([rc], body), statement, row).Compile();
    }

    /// <summary>A non-null value of the provider's type, bound as Microsoft.Data.Sqlite's SqliteValueBinder binds it.</summary>
    private static MethodCallExpression Bind(Expression statement, Expression index, Expression value, SqliteType storeType, IProperty property)
    {
        var type = Nullable.GetUnderlyingType(value.Type) ?? value.Type;
        if (type != value.Type)
        {
            value = Expression.Convert(value, type);
        }

        if (type.IsEnum)
        {
            type = Enum.GetUnderlyingType(type);
            value = Expression.Convert(value, type);
        }

        if (type == typeof(bool))
        {
            return Expression.Call(Method(nameof(BindInt64)), statement, index, Expression.Condition(value, Expression.Constant(1L), Expression.Constant(0L)));
        }

        if (type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(byte)
            || type == typeof(sbyte) || type == typeof(ushort) || type == typeof(uint))
        {
            return Expression.Call(Method(nameof(BindInt64)), statement, index, Expression.Convert(value, typeof(long)));
        }

        if ((type == typeof(double) || type == typeof(float)) && storeType is SqliteType.Real)
        {
            return Expression.Call(Method(nameof(BindDouble)), statement, index, Expression.Convert(value, typeof(double)));
        }

        MethodInfo? text = type switch
        {
            _ when type == typeof(string) && storeType is SqliteType.Text => Method(nameof(BindText)),
            _ when type == typeof(DateTime) && storeType is SqliteType.Text => Method(nameof(BindDateTime)),
            _ when type == typeof(DateOnly) && storeType is SqliteType.Text => Method(nameof(BindDateOnly)),
            _ when type == typeof(Guid) && storeType is SqliteType.Text => Method(nameof(BindGuid)),
            _ when type == typeof(decimal) && storeType is SqliteType.Text => Method(nameof(BindDecimal)),
            _ => null,
        };
        return text is not null
            ? Expression.Call(text, statement, index, value)
            : throw new NotSupportedException($"{property.DeclaringType.DisplayName()}.{property.Name}: {type.Name} stored as {storeType} is not written by the SQLite bulk writer.");
    }

    private static MethodInfo Method(string name) => typeof(SqliteRows).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!;

    private static int BindNull(sqlite3_stmt statement, int index) => raw.sqlite3_bind_null(statement, index);

    private static int BindInt64(sqlite3_stmt statement, int index, long value) => raw.sqlite3_bind_int64(statement, index, value);

    private static int BindDouble(sqlite3_stmt statement, int index, double value) =>
        double.IsNaN(value) ? raw.SQLITE_MISMATCH : raw.sqlite3_bind_double(statement, index, value);

    private static int BindText(sqlite3_stmt statement, int index, string value) => raw.sqlite3_bind_text16(statement, index, value.AsSpan());

    // The formats below are Microsoft.Data.Sqlite's (SqliteValueBinder), so that EF Core's queries compare like texts.
    private static int BindDateTime(sqlite3_stmt statement, int index, DateTime value)
    {
        Span<char> text = stackalloc char[32];
        return value.TryFormat(text, out var length, @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture)
            ? raw.sqlite3_bind_text16(statement, index, text[..length])
            : raw.SQLITE_TOOBIG;
    }

    private static int BindDateOnly(sqlite3_stmt statement, int index, DateOnly value)
    {
        Span<char> text = stackalloc char[16];
        return value.TryFormat(text, out var length, @"yyyy\-MM\-dd", CultureInfo.InvariantCulture)
            ? raw.sqlite3_bind_text16(statement, index, text[..length])
            : raw.SQLITE_TOOBIG;
    }

    private static int BindGuid(sqlite3_stmt statement, int index, Guid value)
    {
        Span<char> text = stackalloc char[36];
        value.TryFormat(text, out var length);
        for (var i = 0; i < length; i++)
        {
            text[i] = char.ToUpperInvariant(text[i]);
        }

        return raw.sqlite3_bind_text16(statement, index, text[..length]);
    }

    private static int BindDecimal(sqlite3_stmt statement, int index, decimal value)
    {
        Span<char> text = stackalloc char[64];
        return value.TryFormat(text, out var length, "0.0###########################", CultureInfo.InvariantCulture)
            ? raw.sqlite3_bind_text16(statement, index, text[..length])
            : raw.SQLITE_TOOBIG;
    }

    private static void Check(int rc, sqlite3 db)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }
}
