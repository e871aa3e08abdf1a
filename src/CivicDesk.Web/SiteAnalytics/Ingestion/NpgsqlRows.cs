using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>
/// The PostgreSQL side of <see cref="BulkSql"/>'s binary COPY: a row's values written to Npgsql's importer with their
/// own types. Written as objects, every number, date and identifier was boxed and its converter looked up again by
/// the value's type, for each of about twenty columns of each event, visit and rollup row.
/// </summary>
internal static class NpgsqlRows
{
    /// <summary>
    /// Compiles, for each of <paramref name="properties"/>, a method that writes the row's value to the importer:
    /// typed property reads, EF Core's value converters inlined, null written as NULL, and each value written with the
    /// PostgreSQL type EF Core's mapping gives a parameter (as <see cref="NpgsqlParameter.NpgsqlDbType"/>).
    /// </summary>
    public static Func<NpgsqlBinaryImporter, T, CancellationToken, Task>[] CompileWriters<T>(
        IReadOnlyList<IProperty> properties, IReadOnlyList<RelationalTypeMapping> mappings)
    {
        var importer = Expression.Parameter(typeof(NpgsqlBinaryImporter), "importer");
        var row = Expression.Parameter(typeof(T), "row");
        var ct = Expression.Parameter(typeof(CancellationToken), "ct");
        using var probe = new NpgsqlCommand();
        var writers = new Func<NpgsqlBinaryImporter, T, CancellationToken, Task>[properties.Count];
        for (var c = 0; c < properties.Count; c++)
        {
            var mapping = mappings[c];
            var type = ((NpgsqlParameter)mapping.CreateParameter(probe, "p", null, nullable: true)).NpgsqlDbType;
            var write = RowExpressions.NullOr(
                Expression.Property(row, properties[c].PropertyInfo!),
                Expression.Call(importer, WriteNull, ct),
                present => Write(importer, RowExpressions.ToProvider(present, mapping), type, ct));
            writers[c] = Expression.Lambda<Func<NpgsqlBinaryImporter, T, CancellationToken, Task>>(write, importer, row, ct).Compile();
        }

        return writers;
    }

    private static readonly System.Reflection.MethodInfo WriteNull =
        typeof(NpgsqlBinaryImporter).GetMethod(nameof(NpgsqlBinaryImporter.WriteNullAsync), [typeof(CancellationToken)])!;

    private static readonly System.Reflection.MethodInfo WriteTyped = typeof(NpgsqlBinaryImporter).GetMethods()
        .Single(m => m.Name == nameof(NpgsqlBinaryImporter.WriteAsync) && m.IsGenericMethodDefinition
            && m.GetParameters() is [_, { ParameterType: var t }, { ParameterType: var c }] && t == typeof(NpgsqlDbType) && c == typeof(CancellationToken));

    /// <summary>A non-null value of the provider's type, written as that type (an enum as its number, as Npgsql writes a boxed one).</summary>
    private static MethodCallExpression Write(Expression importer, Expression value, NpgsqlDbType type, Expression ct)
    {
        var clr = Nullable.GetUnderlyingType(value.Type) ?? value.Type;
        if (clr.IsEnum)
        {
            clr = Enum.GetUnderlyingType(clr);
        }

        if (clr != value.Type)
        {
            value = Expression.Convert(value, clr);
        }

        return Expression.Call(importer, WriteTyped.MakeGenericMethod(clr), value, Expression.Constant(type), ct);
    }
}
