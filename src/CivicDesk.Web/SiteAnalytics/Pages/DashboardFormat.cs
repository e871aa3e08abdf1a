using System.Globalization;
using CivicDesk.Web.Localization;

namespace CivicDesk.Web.SiteAnalytics.Pages;

/// <summary>A change against the previous period, as a card shows it: "↑ 12%", and whether that is good news.</summary>
public sealed record Change(string Shown, string Described, string Tone);

/// <summary>
/// Numbers as the dashboard shows them (UX.md): full numbers with the language's separators in tables, abbreviated on
/// cards (13,8 nghìn · 13.8K) with the full number beside, durations as mm:ss, changes with an arrow and a colour that
/// says whether the change is good (a lower bounce rate is).
/// </summary>
public static class DashboardFormat
{
    public static string Number(long value) => value.ToString("N0", CultureInfo.CurrentCulture);

    public static string Fraction(double value) => value.ToString("0.##", CultureInfo.CurrentCulture);

    /// <summary>Full below ten thousand; then thousands, millions or billions with one decimal (1,2 triệu · 1.2M).</summary>
    public static string Abbreviated(long value, Text text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (scaled, key) = Math.Abs(value) switch
        {
            >= 1_000_000_000 => (value / 1e9, "Number.Billions"),
            >= 1_000_000 => (value / 1e6, "Number.Millions"),
            >= 10_000 => (value / 1e3, "Number.Thousands"),
            _ => (0d, null),
        };
        // Rounded down, so that 999,960 never reads as "1.000 nghìn".
        return key is null ? Number(value) : text[key, (Math.Floor(scaled * 10) / 10).ToString("0.#", CultureInfo.CurrentCulture)];
    }

    /// <summary>Seconds as mm:ss (minutes go past 59 rather than adding hours: visit durations are short).</summary>
    public static string Duration(long seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:00}:{seconds % 60:00}");

    /// <summary>
    /// The change from <paramref name="previous"/> to <paramref name="current"/> in percent, as Plausible computes it
    /// (from nothing to something is 100%); for a rate (<paramref name="points"/>) the difference in percentage points.
    /// </summary>
    public static Change Compare(double current, double previous, bool higherIsBetter, bool points, Text text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var change = points ? current - previous
            : previous == 0 ? (current > 0 ? 100 : 0)
            : (current - previous) / previous * 100;
        var rounded = (long)Math.Round(change, MidpointRounding.AwayFromZero);
        if (rounded == 0)
        {
            return new Change("0%", text["Dashboard.NoChange"], "same");
        }

        var amount = points ? text["Dashboard.Points", Math.Abs(rounded)] : Number(Math.Abs(rounded)) + "%";
        var up = rounded > 0;
        return new Change(
            (up ? "↑ " : "↓ ") + amount,
            text[up ? "Dashboard.Up" : "Dashboard.Down", amount],
            up == higherIsBetter ? "good" : "bad");
    }
}
