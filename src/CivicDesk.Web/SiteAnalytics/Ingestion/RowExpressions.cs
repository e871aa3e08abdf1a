using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore.Storage;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>The pieces <see cref="SqliteRows"/> and <see cref="NpgsqlRows"/> compile a row's values from.</summary>
internal static class RowExpressions
{
    /// <summary>
    /// <paramref name="whenPresent"/> of the value (a nullable's Value), or <paramref name="whenNull"/> when a
    /// reference or nullable value is null; a plain value type is always present.
    /// </summary>
    public static Expression NullOr(Expression value, Expression whenNull, Func<Expression, Expression> whenPresent)
    {
        var underlying = Nullable.GetUnderlyingType(value.Type);
        if (underlying is null && value.Type.IsValueType)
        {
            return whenPresent(value);
        }

        var present = underlying is not null ? Expression.Property(value, "Value") : value;
        return Expression.Condition(Expression.Equal(value, Expression.Constant(null, value.Type)), whenNull, whenPresent(present));
    }

    /// <summary>The value as the database stores it: after the EF mapping's value converter, inlined, if it has one.</summary>
    public static Expression ToProvider(Expression value, RelationalTypeMapping mapping)
    {
        if (mapping.Converter is not { } converter)
        {
            return value;
        }

        var convert = converter.ConvertToProviderExpression;
        var input = value.Type == convert.Parameters[0].Type ? value : Expression.Convert(value, convert.Parameters[0].Type);
        return Expression.Invoke(convert, input);
    }
}
