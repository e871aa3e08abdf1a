using System.Globalization;
using CivicDesk.Web.Localization;
using CivicDesk.Web.SiteAnalytics.Dashboard;
using CivicDesk.Web.SiteAnalytics.Enrichment;
using CivicDesk.Web.SiteAnalytics.Storage;

namespace CivicDesk.Web.SiteAnalytics.Pages;

/// <summary>One tab of a breakdown card: the dimension it lists, named in the URL by <see cref="Breakdowns.Code"/>.</summary>
public sealed record BreakdownTab(Dimension Dimension, string TitleKey)
{
    public string Code => Breakdowns.Code(Dimension);
}

/// <summary>A breakdown card of the dashboard; <see cref="Param"/> is the query parameter that holds its tab.</summary>
public sealed record BreakdownCard(string Param, string TitleKey, IReadOnlyList<BreakdownTab> Tabs);

/// <summary>
/// The dashboard's breakdown cards (as Plausible groups them), the names dimensions have in URLs (<c>?f=source</c>),
/// and how a stored value reads in the interface: "" and "Direct / None" as direct traffic, country codes as names,
/// device kinds and the tracker's own goals translated.
/// </summary>
public static class Breakdowns
{
    public static readonly IReadOnlyList<BreakdownCard> Cards =
    [
        new("pages", "Dashboard.Pages", [
            new(Dimension.Page, "Dashboard.TopPages"), new(Dimension.EntryPage, "Dashboard.EntryPages"), new(Dimension.ExitPage, "Dashboard.ExitPages")]),
        new("sources", "Dashboard.SourcesCard", [
            new(Dimension.Source, "Dashboard.Sources"), new(Dimension.Referrer, "Dashboard.Referrers"), new(Dimension.UtmSource, "Dashboard.UtmSource"),
            new(Dimension.UtmMedium, "Dashboard.UtmMedium"), new(Dimension.UtmCampaign, "Dashboard.UtmCampaign")]),
        new("locations", "Dashboard.Locations", [new(Dimension.Country, "Dashboard.Countries")]),
        new("devices", "Dashboard.Devices", [
            new(Dimension.Browser, "Dashboard.Browsers"), new(Dimension.Os, "Dashboard.OperatingSystems"), new(Dimension.Device, "Dashboard.DeviceTypes")]),
        new("goals", "Dashboard.Goals", [new(Dimension.Goal, "Dashboard.Goals")]),
    ];

    private static readonly Dictionary<Dimension, string> Codes = new()
    {
        [Dimension.Page] = "page",
        [Dimension.EntryPage] = "entry_page",
        [Dimension.ExitPage] = "exit_page",
        [Dimension.Source] = "source",
        [Dimension.Referrer] = "referrer",
        [Dimension.UtmSource] = "utm_source",
        [Dimension.UtmMedium] = "utm_medium",
        [Dimension.UtmCampaign] = "utm_campaign",
        [Dimension.UtmTerm] = "utm_term",
        [Dimension.UtmContent] = "utm_content",
        [Dimension.Country] = "country",
        [Dimension.Browser] = "browser",
        [Dimension.Os] = "os",
        [Dimension.Device] = "device",
        [Dimension.Goal] = "goal",
    };

    /// <summary>The tracker's own custom events (wwwroot/js/script.js), named in words in both languages.</summary>
    private static readonly Dictionary<string, string> TrackerGoals = new(StringComparer.Ordinal)
    {
        ["File Download"] = "Dashboard.Goal.FileDownload",
        ["Outbound Link: Click"] = "Dashboard.Goal.OutboundLink",
    };

    /// <summary>The longest filter value accepted from a URL: no stored value is longer (pages keep 2,000 characters).</summary>
    public const int MaxFilterValueLength = 2000;

    public static string Code(Dimension dimension) => Codes[dimension];

    /// <summary>The filter named by <c>?f=&amp;v=</c>; false when the dimension is unknown or cannot filter, or the value is missing or too long.</summary>
    public static bool TryParseFilter(string? code, string? value, out DashboardFilter? filter)
    {
        filter = null;
        var dimension = Codes.Where(c => c.Value == code).Select(c => (Dimension?)c.Key).SingleOrDefault();
        if (dimension is not { } d || !DashboardFilter.Filterable.Contains(d) || value is null || value.Length > MaxFilterValueLength)
        {
            return false;
        }

        filter = new DashboardFilter(d, value);
        return true;
    }

    /// <summary>The tab a card shows: the one named in its parameter, else its first.</summary>
    public static BreakdownTab Selected(BreakdownCard card, string? code)
    {
        ArgumentNullException.ThrowIfNull(card);
        return card.Tabs.FirstOrDefault(t => t.Code == code) ?? card.Tabs[0];
    }

    /// <summary>How a stored value of <paramref name="dimension"/> reads in the interface.</summary>
    public static string Label(Dimension dimension, string value, Text text)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(text);
        return dimension switch
        {
            Dimension.Source when value.Length == 0 || value == ReferrerClassifier.Direct => text["Dashboard.Direct"],
            Dimension.Source when value == "Email" => text["Dashboard.Email"],
            Dimension.Referrer when value.Length == 0 => text["Dashboard.Direct"],
            Dimension.UtmSource or Dimension.UtmMedium or Dimension.UtmCampaign or Dimension.UtmTerm or Dimension.UtmContent when value.Length == 0 => text["Dashboard.None"],
            Dimension.Country => value.Length == 0 ? text["Dashboard.Unknown"] : CountryNames.Name(value, CultureInfo.CurrentUICulture),
            Dimension.Device when value.Length > 0 && text.Has("Device." + value) => text["Device." + value],
            Dimension.Browser or Dimension.Os when value == "Other" => text["Dashboard.Other"],
            Dimension.Goal when TrackerGoals.TryGetValue(value, out var key) => text[key],
            Dimension.GoalProperty => PropertyLabel(value),
            _ when value.Length == 0 => text["Dashboard.Unknown"],
            _ => value,
        };
    }

    /// <summary>"key: value" of a goal property row (stored as goal, key and value joined).</summary>
    private static string PropertyLabel(string value)
    {
        var parts = SiteDailyStats.Split(value);
        return parts.Length >= 3 ? $"{parts[1]}: {string.Join(SiteDailyStats.Separator, parts[2..])}" : value;
    }
}
