using System.Globalization;
using CivicDesk.Web.SiteAnalytics.Dashboard;

namespace CivicDesk.Web.SiteAnalytics.Pages;

/// <summary>One bucket of the chart: its band on the x axis, the line's height there, and its label (date or hour).</summary>
public sealed record ChartPoint(double X, double Left, double Width, double Y, string Label, SeriesPoint Values);

/// <summary>
/// The visitors chart drawn on the server as SVG: a line and the area under it in a fixed 800×200 box that the page
/// stretches to its width (the line keeps its thickness), a hover band per bucket, and a y axis rounded up to a
/// readable number. Labels read day first in both languages: 29/11/2026, 29/11/2026 14:00, 11/2026.
/// </summary>
public sealed class SeriesChart
{
    public const double Width = 800;
    public const double Height = 200;

    private SeriesChart(IReadOnlyList<ChartPoint> points, long max)
    {
        Points = points;
        Max = max;
    }

    public IReadOnlyList<ChartPoint> Points { get; }

    /// <summary>The top of the y axis: at least the largest value, rounded up to 1, 2 or 5 times a power of ten.</summary>
    public long Max { get; }

    public string Line => string.Join(' ', Points.Select(p => Coordinates(p.X, p.Y)));

    public string Area => Points.Count == 0 ? "" :
        $"M{Coordinates(Points[0].X, Height)} L{string.Join(" L", Points.Select(p => Coordinates(p.X, p.Y)))} L{Coordinates(Points[^1].X, Height)} Z";

    public static SeriesChart Build(IReadOnlyList<SeriesPoint> series, Interval interval)
    {
        ArgumentNullException.ThrowIfNull(series);
        var max = NiceCeiling(series.Count == 0 ? 0 : series.Max(p => p.Visitors));
        var band = series.Count == 0 ? Width : Width / series.Count;
        var points = series.Select((p, i) => new ChartPoint(
            X: (i + 0.5) * band,
            Left: i * band,
            Width: band,
            Y: Height - (Height * p.Visitors / max),
            Label: Label(p.Start, interval),
            Values: p)).ToList();
        return new SeriesChart(points, max);
    }

    public static string Label(DateTime start, Interval interval) => interval switch
    {
        Interval.Hour => start.ToString("dd/MM/yyyy HH:mm", CultureInfo.InvariantCulture),
        Interval.Day => start.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture),
        _ => start.ToString("MM/yyyy", CultureInfo.InvariantCulture),
    };

    public static string Number(double value) => Math.Round(value, 1).ToString("0.#", CultureInfo.InvariantCulture);

    private static string Coordinates(double x, double y) => $"{Number(x)},{Number(y)}";

    private static long NiceCeiling(long value)
    {
        if (value <= 1)
        {
            return 1;
        }

        var power = (long)Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new[] { 1, 2, 5, 10 })
        {
            if (step * power >= value)
            {
                return step * power;
            }
        }

        return 10 * power;
    }
}
