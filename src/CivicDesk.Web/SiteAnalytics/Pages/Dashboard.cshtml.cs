using System.Globalization;
using CivicDesk.Web.Data;
using CivicDesk.Web.Localization;
using CivicDesk.Web.SiteAnalytics.Dashboard;
using CivicDesk.Web.SiteAnalytics.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Primitives;

namespace CivicDesk.Web.SiteAnalytics.Pages;

/// <summary>A headline number: its value as shown (maybe abbreviated), in full, and its change against the previous period.</summary>
public sealed record Headline(string Metric, string LabelKey, string Shown, string Full, Change Change);

/// <summary>A breakdown card as shown: the tab picked, its rows (one more was asked for to know whether there are more).</summary>
public sealed record CardView(BreakdownCard Card, BreakdownTab Tab, IReadOnlyList<BreakdownRow> Rows, bool HasMore, bool Expanded)
{
    /// <summary>The goal whose properties the goals card lists instead of the goals, or null.</summary>
    public string? Goal { get; init; }

    /// <summary>True when a goal was asked for but its properties cannot be listed under the dashboard's filter.</summary>
    public bool GoalUnderFilter { get; init; }

    public Dimension Dimension => Goal is null ? Tab.Dimension : Dimension.GoalProperty;

    /// <summary>The number each row is ranked and drawn by: exits for exit pages, visitors otherwise.</summary>
    public long Measure(BreakdownRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return Dimension == Dimension.ExitPage ? row.Visits : row.Visitors;
    }

    public long Largest => Rows.Count == 0 ? 0 : Rows.Max(Measure);
}

/// <summary>
/// A site's dashboard, in the spirit of Plausible's, rendered on the server from <see cref="DashboardQueries"/>: the
/// period and one filter come from the query string (so a link shows a colleague the same view), headline numbers
/// with their change against the previous period, a visitors chart with its table, and breakdown cards whose rows
/// filter the whole page. Parameters that make no sense are named in a message and the page shows the default instead.
/// </summary>
public sealed class DashboardModel(SiteService sites, DashboardQueries queries, AppDbContext db, Text text, TimeProvider time) : PageModel
{
    public const int CardRows = 9;
    public const int DetailRows = 100;

    public Site Site { get; private set; } = null!;
    public string UnitName { get; private set; } = "";
    public PeriodChoice Choice { get; private set; } = null!;
    public DashboardFilter? Filter { get; private set; }
    public IReadOnlyList<string> Problems { get; private set; } = [];
    public IReadOnlyList<Headline> Headlines { get; private set; } = [];
    public int VisitorsNow { get; private set; }
    public Interval Interval { get; private set; }
    public SeriesChart Chart { get; private set; } = null!;
    public IReadOnlyList<CardView> Cards { get; private set; } = [];
    public long BotsDropped { get; private set; }
    public bool HasData { get; private set; }

    /// <summary>The custom range's inputs as typed (kept on an error, so that the person can correct them).</summary>
    public string? From { get; private set; }
    public string? To { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct)
    {
        if (await sites.FindAsync(id, ct) is not { } site)
        {
            return NotFound();
        }

        Site = site;
        UnitName = await db.Units.Where(u => u.Id == site.UnitId).Select(u => u.Name).SingleAsync(ct);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).DateTime);
        var problems = new List<string>();

        From = Query("from");
        To = Query("to");
        var (choice, periodError) = PeriodChoice.Parse(Query("period"), Query("date"), From, To, today);
        if (choice is null)
        {
            problems.Add(text[periodError!]);
            choice = PeriodChoice.Parse(PeriodChoice.Default, null, null, null, today).Choice!;
        }

        Choice = choice;
        if (choice.Name == "custom")
        {
            From ??= Iso(choice.Period.From);
            To ??= Iso(choice.Period.To);
        }

        if (Request.Query.ContainsKey("f"))
        {
            if (Breakdowns.TryParseFilter(Query("f"), Request.Query.TryGetValue("v", out var v) ? v.ToString() : null, out var filter))
            {
                Filter = filter;
            }
            else
            {
                problems.Add(text["Dashboard.BadFilter"]);
            }
        }

        Problems = problems;
        var period = choice.Period;
        var top = await queries.TopStatsAsync(site, period, Filter, ct);
        var previous = await queries.TopStatsAsync(site, period.Previous, Filter, ct);
        Headlines = HeadlinesOf(top, previous);
        VisitorsNow = await queries.VisitorsNowAsync(site, ct);
        Interval = DashboardQueries.IntervalFor(period);
        Chart = SeriesChart.Build(await queries.SeriesAsync(site, period, Filter, ct), Interval);
        Cards = await CardsAsync(site, period, ct);

        var (start, end) = period.Utc(zone);
        BotsDropped = await db.SiteHourlyStats.AsNoTracking().Where(h => h.SiteId == id && h.Hour >= start && h.Hour < end).SumAsync(h => (long?)h.BotsDropped, ct) ?? 0;
        HasData = await db.SiteHourlyStats.AsNoTracking().AnyAsync(h => h.SiteId == id, ct);
        return Page();
    }

    /// <summary>This page's address with some query parameters changed (null removes one), the others kept.</summary>
    public string Link(params (string Key, string? Value)[] changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var query = Request.Query.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                query.Remove(key);
            }
            else
            {
                query[key] = value;
            }
        }

        return $"/sites/{Site.Id}" + QueryString.Create(query.Select(p => new KeyValuePair<string, StringValues>(p.Key, p.Value)));
    }

    /// <summary>The link that filters the dashboard by a row, or null when its dimension cannot filter.</summary>
    public string? FilterLink(Dimension dimension, string value) =>
        DashboardFilter.Filterable.Contains(dimension)
            ? Link(("f", Breakdowns.Code(dimension)), ("v", value), ("goal", null), ("details", null))
            : null;

    /// <summary>The export of the period shown, as exact days (period=custom), which any reader of Plausible's parameters understands.</summary>
    public string ExportLink => $"/sites/{Site.Id}/export?period=custom&date={Iso(Choice.Period.From)},{Iso(Choice.Period.To)}";

    /// <summary>"01/11/2026 – 30/11/2026", or one date.</summary>
    public string Range(Period period)
    {
        ArgumentNullException.ThrowIfNull(period);
        var from = period.From.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
        return period.Days == 1 ? from : $"{from} – {period.To.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)}";
    }

    public string Label(Dimension dimension, string value) => Breakdowns.Label(dimension, value, text);

    private IReadOnlyList<Headline> HeadlinesOf(TopStats top, TopStats previous) =>
    [
        Count("visitors", "Dashboard.Visitors", top.Visitors, previous.Visitors),
        Count("visits", "Dashboard.Visits", top.Visits, previous.Visits),
        Count("pageviews", "Dashboard.Pageviews", top.Pageviews, previous.Pageviews),
        new("views_per_visit", "Dashboard.ViewsPerVisit", DashboardFormat.Fraction(top.ViewsPerVisit), DashboardFormat.Fraction(top.ViewsPerVisit),
            DashboardFormat.Compare(top.ViewsPerVisit, previous.ViewsPerVisit, higherIsBetter: true, points: false, text)),
        new("bounce_rate", "Dashboard.BounceRate", $"{top.BounceRate}%", $"{top.BounceRate}%",
            DashboardFormat.Compare(top.BounceRate, previous.BounceRate, higherIsBetter: false, points: true, text)),
        new("visit_duration", "Dashboard.VisitDuration", DashboardFormat.Duration(top.VisitDuration), DashboardFormat.Duration(top.VisitDuration),
            DashboardFormat.Compare(top.VisitDuration, previous.VisitDuration, higherIsBetter: true, points: false, text)),
    ];

    private Headline Count(string metric, string labelKey, long value, long before) =>
        new(metric, labelKey, DashboardFormat.Abbreviated(value, text), DashboardFormat.Number(value),
            DashboardFormat.Compare(value, before, higherIsBetter: true, points: false, text));

    private async Task<IReadOnlyList<CardView>> CardsAsync(Site site, Period period, CancellationToken ct)
    {
        var cards = new List<CardView>();
        var goal = Query("goal");
        foreach (var card in Breakdowns.Cards)
        {
            var tab = Breakdowns.Selected(card, Query(card.Param));
            var expanded = Query("details") == card.Param;
            var limit = expanded ? DetailRows : CardRows;
            var view = new CardView(card, tab, [], false, expanded);
            if (tab.Dimension == Dimension.Goal && !string.IsNullOrEmpty(goal))
            {
                // Properties are kept per goal in the rollups, which hold no other dimension: they can be listed
                // unfiltered, or under a filter by the same goal (whose events are exactly that goal's).
                var sameGoal = Filter is null || (Filter.Dimension == Dimension.Goal && Filter.Value == goal);
                view = view with { Goal = goal, GoalUnderFilter = !sameGoal };
                if (!sameGoal)
                {
                    cards.Add(view);
                    continue;
                }
            }

            var rows = view.Goal is not null
                ? await queries.BreakdownAsync(site, period, Dimension.GoalProperty, Filter, limit + 1, ct, goal: view.Goal)
                : await queries.BreakdownAsync(site, period, tab.Dimension, Filter, limit + 1, ct);
            cards.Add(view with { Rows = [.. rows.Take(limit)], HasMore = rows.Count > limit });
        }

        return cards;
    }

    private string? Query(string key) => Request.Query.TryGetValue(key, out var value) && !StringValues.IsNullOrEmpty(value) ? value.ToString() : null;

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
