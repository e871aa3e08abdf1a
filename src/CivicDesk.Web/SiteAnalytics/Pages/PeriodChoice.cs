namespace CivicDesk.Web.SiteAnalytics.Pages;

/// <summary>
/// The dashboard's period picker (UX.md: today, yesterday, 7 days, 30 days, this month, last month, this year, custom)
/// read from the query string. Plausible's names (day, 7d, 30d, month, year, custom with <c>date</c>) go through
/// <see cref="Period.Parse"/>, so a dashboard link and a stats API call name periods alike; "yesterday" and
/// "lastmonth" exist only here, because the stats API keeps Plausible's set. A custom range comes from two date
/// inputs (<c>from</c>, <c>to</c>) or from Plausible's <c>date=from,to</c>.
/// </summary>
public sealed record PeriodChoice(string Name, Period Period)
{
    public const string Default = "30d";

    /// <summary>The picker's choices in the order they are offered.</summary>
    public static readonly string[] Offered = ["day", "yesterday", "7d", "30d", "month", "lastmonth", "year", "custom"];

    /// <summary>The choice, or null with the resource key of the reason when the parameters make no sense.</summary>
    public static (PeriodChoice? Choice, string? ErrorKey) Parse(string? name, string? date, string? from, string? to, DateOnly today)
    {
        name = string.IsNullOrEmpty(name) ? Default : name;
        switch (name)
        {
            case "yesterday":
                return (new PeriodChoice(name, new Period(today.AddDays(-1), today.AddDays(-1))), null);
            case "lastmonth":
                var first = new DateOnly(today.Year, today.Month, 1).AddMonths(-1);
                return (new PeriodChoice(name, new Period(first, first.AddMonths(1).AddDays(-1))), null);
            case "custom":
                var range = !string.IsNullOrEmpty(from) || !string.IsNullOrEmpty(to) ? $"{from},{to}" : date;
                var (custom, _) = Period.Parse(name, range, today);
                return custom is null ? (null, "Dashboard.BadRange") : (new PeriodChoice(name, custom), null);
            default:
                if (!Period.Names.Contains(name))
                {
                    return (null, "Dashboard.BadPeriod");
                }

                var (period, error) = Period.Parse(name, date, today);
                return period is null ? (null, error == "Stats.Date" ? "Dashboard.BadDate" : "Dashboard.BadPeriod") : (new PeriodChoice(name, period), null);
        }
    }
}
