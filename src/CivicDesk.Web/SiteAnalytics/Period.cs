using System.Globalization;

namespace CivicDesk.Web.SiteAnalytics;

/// <summary>
/// A reporting period in a site's calendar, as Plausible names them: day, 7d, 30d, month, year, custom (with
/// date=YYYY-MM-DD,YYYY-MM-DD). Days are the site's local days; the period ends on <c>date</c> (default today).
/// </summary>
public sealed record Period(DateOnly From, DateOnly To)
{
    public static readonly string[] Names = ["day", "7d", "30d", "month", "6mo", "12mo", "year", "custom"];

    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>The same number of days just before, for comparisons.</summary>
    public Period Previous => new(From.AddDays(-Days), From.AddDays(-1));

    /// <summary>The UTC instants that bound the period in <paramref name="zone"/>: [start, end).</summary>
    public (DateTime Start, DateTime End) Utc(TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var start = TimeZoneInfo.ConvertTimeToUtc(From.ToDateTime(TimeOnly.MinValue), zone);
        var end = TimeZoneInfo.ConvertTimeToUtc(To.AddDays(1).ToDateTime(TimeOnly.MinValue), zone);
        return (start, end);
    }

    /// <summary>Parses Plausible's period parameters; null with the reason's resource key when they make no sense.</summary>
    public static (Period? Period, string? Error) Parse(string? period, string? date, DateOnly today)
    {
        var name = string.IsNullOrEmpty(period) ? "30d" : period;
        if (name == "custom")
        {
            var parts = date?.Split(',') ?? [];
            return parts.Length == 2 && TryDate(parts[0], out var from) && TryDate(parts[1], out var to) && from <= to && to.DayNumber - from.DayNumber < 3700
                ? (new Period(from, to), null)
                : (null, "Stats.CustomDate");
        }

        var end = today;
        if (!string.IsNullOrEmpty(date) && !TryDate(date, out end))
        {
            return (null, "Stats.Date");
        }

        return name switch
        {
            "day" => (new Period(end, end), null),
            "7d" => (new Period(end.AddDays(-6), end), null),
            "30d" => (new Period(end.AddDays(-29), end), null),
            "month" => (new Period(new DateOnly(end.Year, end.Month, 1), new DateOnly(end.Year, end.Month, 1).AddMonths(1).AddDays(-1)), null),
            "6mo" => (new Period(new DateOnly(end.Year, end.Month, 1).AddMonths(-5), new DateOnly(end.Year, end.Month, 1).AddMonths(1).AddDays(-1)), null),
            "12mo" => (new Period(new DateOnly(end.Year, end.Month, 1).AddMonths(-11), new DateOnly(end.Year, end.Month, 1).AddMonths(1).AddDays(-1)), null),
            "year" => (new Period(new DateOnly(end.Year, 1, 1), new DateOnly(end.Year, 12, 31)), null),
            _ => (null, "Stats.Period"),
        };
    }

    private static bool TryDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}
