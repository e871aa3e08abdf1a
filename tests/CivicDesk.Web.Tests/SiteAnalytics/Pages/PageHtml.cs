using System.Text.RegularExpressions;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.SiteAnalytics.Pages;

/// <summary>One row of a breakdown card as a person reads it: the stored value, its label, its number and its link.</summary>
public sealed record CardRow(string Value, string Label, string Number, string? Link);

/// <summary>Reads the Website pages' HTML by the data attributes they carry for this purpose, as text a person reads.</summary>
public static partial class PageHtml
{
    /// <summary>A headline number as shown on its card ("3", "1,33", "33%").</summary>
    public static string Headline(string html, string metric) => Match(HeadlinePattern(), html, metric, "value");

    /// <summary>A headline's change against the previous period ("↑ 100%").</summary>
    public static string Change(string html, string metric) => Match(HeadlinePattern(), html, metric, "change");

    public static string VisitorsNow(string html) => Forms.Text(NowPattern().Match(html).Groups["n"].Value);

    public static IReadOnlyList<CardRow> Rows(string html, string card)
    {
        var section = CardPattern().Matches(html).SingleOrDefault(m => m.Groups["card"].Value == card)?.Value;
        Assert.True(section is not null, $"No card {card} on the page");
        return RowPattern().Matches(section).Select(m => new CardRow(
            Forms.Text(m.Groups["value"].Value),
            Forms.Text(m.Groups["label"].Value).Trim(),
            Forms.Text(m.Groups["n"].Value),
            m.Groups["href"].Success ? Forms.Text(m.Groups["href"].Value) : null)).ToList();
    }

    public static string Card(string html, string card) =>
        Forms.Text(CardPattern().Matches(html).Single(m => m.Groups["card"].Value == card).Value);

    /// <summary>The message beside a form field, or "" when there is none.</summary>
    public static string FieldError(string html, string field) =>
        Forms.Text(Regex.Match(html, $"data-valmsg-for=\"{field}\"[^>]*>(?<m>[^<]*)<").Groups["m"].Value);

    /// <summary>The messages about the page's parameters (a bad period or filter).</summary>
    public static IReadOnlyList<string> Problems(string html)
    {
        var block = ProblemsPattern().Match(html);
        return block.Success ? ParagraphPattern().Matches(block.Value).Select(m => Forms.Text(m.Groups["p"].Value)).ToList() : [];
    }

    /// <summary>The text of the filter chip, or null when the dashboard is not filtered.</summary>
    public static string? FilterChip(string html)
    {
        var chip = ChipPattern().Match(html);
        return chip.Success ? Regex.Replace(Forms.Text(TagPattern().Replace(chip.Groups["chip"].Value, "")), @"\s+", " ").Trim() : null;
    }

    public static string? FilterRemoveLink(string html)
    {
        var link = RemovePattern().Match(html);
        return link.Success ? Forms.Text(link.Groups["href"].Value) : null;
    }

    private static string Match(Regex pattern, string html, string metric, string group)
    {
        var match = pattern.Matches(html).SingleOrDefault(m => m.Groups["metric"].Value == metric);
        Assert.True(match is not null, $"No headline {metric} on the page");
        return Forms.Text(match.Groups[group].Value).Trim();
    }

    [GeneratedRegex("""<div class="headline" data-metric="(?<metric>[a-z_]+)">.*?<span class="value"[^>]*>(?<value>[^<]*)</span>.*?<span aria-hidden="true">(?<change>[^<]*)</span>""", RegexOptions.Singleline)]
    private static partial Regex HeadlinePattern();

    [GeneratedRegex("""data-metric="visitors_now">.*?<strong>(?<n>[^<]*)</strong>""", RegexOptions.Singleline)]
    private static partial Regex NowPattern();

    [GeneratedRegex("""<section class="panel breakdown" data-card="(?<card>[a-z]+)".*?</section>""", RegexOptions.Singleline)]
    private static partial Regex CardPattern();

    [GeneratedRegex("""<tr style="[^"]*" data-value="(?<value>[^"]*)">\s*<td>\s*(?:<a href="(?<href>[^"]*)"[^>]*>)?(?<label>[^<]*)(?:</a>)?\s*</td>\s*<td class="num">(?<n>[^<]*)</td>""", RegexOptions.Singleline)]
    private static partial Regex RowPattern();

    [GeneratedRegex("""<div class="error panel" role="alert" data-problems>.*?</div>""", RegexOptions.Singleline)]
    private static partial Regex ProblemsPattern();

    [GeneratedRegex("<p>(?<p>[^<]*)</p>")]
    private static partial Regex ParagraphPattern();

    [GeneratedRegex("""<p class="chips"[^>]*>(?<chip>.*?)</p>""", RegexOptions.Singleline)]
    private static partial Regex ChipPattern();

    [GeneratedRegex("<a href=\"(?<href>[^\"]*)\" class=\"chip-remove\"")]
    private static partial Regex RemovePattern();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex TagPattern();
}
