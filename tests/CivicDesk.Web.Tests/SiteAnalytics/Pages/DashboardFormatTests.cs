using System.Globalization;
using System.Xml.Linq;
using CivicDesk.Web.Localization;
using CivicDesk.Web.SiteAnalytics;
using CivicDesk.Web.SiteAnalytics.Dashboard;
using CivicDesk.Web.SiteAnalytics.Enrichment;
using CivicDesk.Web.SiteAnalytics.Pages;
using CivicDesk.Web.SiteAnalytics.Storage;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Tests.SiteAnalytics.Pages;

/// <summary>How the dashboard writes numbers, changes, durations, dates and the values of its breakdowns, in both languages.</summary>
public sealed class DashboardFormatTests
{
    [Theory]
    [InlineData("vi", 1234L, "1.234")]
    [InlineData("en", 1234L, "1,234")]
    [InlineData("vi", 13_849L, "13,8 nghìn")]
    [InlineData("en", 13_849L, "13.8K")]
    [InlineData("vi", 1_250_000L, "1,2 triệu")]
    [InlineData("en", 999_960L, "999.9K")]
    [InlineData("en", 2_000_000_000L, "2B")]
    public void Cards_abbreviate_large_numbers_in_the_language_s_words(string language, long value, string expected)
    {
        using var _ = InCulture(language);

        Assert.Equal(expected, DashboardFormat.Abbreviated(value, TextFor()));
    }

    [Theory]
    [InlineData(0L, "00:00")]
    [InlineData(45L, "00:45")]
    [InlineData(125L, "02:05")]
    [InlineData(4503L, "75:03")]
    public void Visit_duration_reads_as_minutes_and_seconds(long seconds, string expected) =>
        Assert.Equal(expected, DashboardFormat.Duration(seconds));

    [Fact]
    public void A_change_has_an_arrow_a_percentage_and_says_whether_it_is_good_news()
    {
        using var _ = InCulture("en");
        var text = TextFor();

        var more = DashboardFormat.Compare(150, 100, higherIsBetter: true, points: false, text);
        var fewer = DashboardFormat.Compare(50, 100, higherIsBetter: true, points: false, text);
        var fromNothing = DashboardFormat.Compare(3, 0, higherIsBetter: true, points: false, text);
        var same = DashboardFormat.Compare(0, 0, higherIsBetter: true, points: false, text);
        var bouncesUp = DashboardFormat.Compare(45, 40, higherIsBetter: false, points: true, text);
        var bouncesDown = DashboardFormat.Compare(35, 40, higherIsBetter: false, points: true, text);

        Assert.Equal(("↑ 50%", "good"), (more.Shown, more.Tone));
        Assert.Equal("Up 50% from the previous period", more.Described);
        Assert.Equal(("↓ 50%", "bad"), (fewer.Shown, fewer.Tone));
        Assert.Equal(("↑ 100%", "good"), (fromNothing.Shown, fromNothing.Tone));
        Assert.Equal(("0%", "same"), (same.Shown, same.Tone));
        // A bounce rate is compared in percentage points, and a lower one is the good news.
        Assert.Equal(("↑ 5 pts", "bad"), (bouncesUp.Shown, bouncesUp.Tone));
        Assert.Equal(("↓ 5 pts", "good"), (bouncesDown.Shown, bouncesDown.Tone));
    }

    [Theory]
    [InlineData("vi", "VN", "Việt Nam")]
    [InlineData("en", "VN", "Vietnam")]
    [InlineData("vi", "US", "Hoa Kỳ")]
    [InlineData("en", "DE", "Germany")]
    [InlineData("vi", "SN", "Senegal")]
    [InlineData("en", "vi", "vi")]
    [InlineData("en", "ZZ", "ZZ")]
    public void Countries_read_by_name_in_the_interface_language(string language, string code, string expected) =>
        Assert.Equal(expected, CountryNames.Name(code, CultureInfo.GetCultureInfo(language == "en" ? "en-GB" : "vi-VN")));

    [Theory]
    [InlineData("vi", Dimension.Source, "", "Trực tiếp / Không rõ")]
    [InlineData("vi", Dimension.Source, ReferrerClassifier.Direct, "Trực tiếp / Không rõ")]
    [InlineData("en", Dimension.Source, ReferrerClassifier.Direct, "Direct / None")]
    [InlineData("vi", Dimension.Source, "Facebook", "Facebook")]
    [InlineData("vi", Dimension.UtmCampaign, "", "(không có)")]
    [InlineData("vi", Dimension.Country, "VN", "Việt Nam")]
    [InlineData("en", Dimension.Country, "", "Unknown")]
    [InlineData("vi", Dimension.Device, "Mobile", "Điện thoại")]
    [InlineData("en", Dimension.Device, "Tablet", "Tablet")]
    [InlineData("vi", Dimension.Goal, "File Download", "Tải tệp")]
    [InlineData("vi", Dimension.Goal, "Đăng ký", "Đăng ký")]
    [InlineData("en", Dimension.Browser, "Other", "Other")]
    [InlineData("vi", Dimension.Page, "/tin-tuc", "/tin-tuc")]
    public void Stored_values_read_in_words(string language, Dimension dimension, string value, string expected)
    {
        using var _ = InCulture(language);

        Assert.Equal(expected, Breakdowns.Label(dimension, value, TextFor()));
    }

    [Fact]
    public void A_goal_property_reads_as_key_and_value()
    {
        using var _ = InCulture("vi");

        Assert.Equal("url: https://x.gov.vn/a.pdf", Breakdowns.Label(Dimension.GoalProperty, SiteDailyStats.Join("File Download", "url", "https://x.gov.vn/a.pdf"), TextFor()));
    }

    [Theory]
    [InlineData("source", "Facebook", true)]
    [InlineData("source", "", true)]
    [InlineData("entry_page", "/", true)]
    [InlineData("goal", "Đăng ký", true)]
    [InlineData("source", null, false)]
    [InlineData("nonsense", "x", false)]
    [InlineData("Source", "x", false)]
    [InlineData(null, "x", false)]
    public void Only_filterable_dimensions_with_a_value_make_a_filter(string? code, string? value, bool valid)
    {
        Assert.Equal(valid, Breakdowns.TryParseFilter(code, value, out var filter));
        Assert.Equal(valid, filter is not null);
        Assert.False(Breakdowns.TryParseFilter("source", new string('a', Breakdowns.MaxFilterValueLength + 1), out _));
    }

    [Fact]
    public void Every_filterable_dimension_has_a_code_and_every_code_reads_back_as_its_dimension()
    {
        foreach (var dimension in DashboardFilter.Filterable)
        {
            Assert.True(Breakdowns.TryParseFilter(Breakdowns.Code(dimension), "x", out var filter));
            Assert.Equal(dimension, filter!.Dimension);
        }
    }

    [Fact]
    public void The_chart_scales_to_a_round_maximum_and_labels_buckets_day_first()
    {
        var day = new DateTime(2026, 11, 29, 0, 0, 0, DateTimeKind.Unspecified);
        SeriesPoint[] series = [new(day, 3, 3, 4), new(day.AddDays(1), 7, 8, 9), new(day.AddDays(2), 0, 0, 0), new(day.AddDays(3), 12, 12, 30)];

        var chart = SeriesChart.Build(series, Interval.Day);
        var hourly = SeriesChart.Build([new(day.AddHours(14), 1, 1, 1)], Interval.Hour);
        var empty = SeriesChart.Build([new(day, 0, 0, 0)], Interval.Month);

        Assert.Equal(20, chart.Max);
        Assert.Equal(["29/11/2026", "30/11/2026", "01/12/2026", "02/12/2026"], chart.Points.Select(p => p.Label));
        Assert.Equal([100d, 300d, 500d, 700d], chart.Points.Select(p => p.X));
        Assert.Equal([170d, 130d, 200d, 80d], chart.Points.Select(p => p.Y));
        Assert.Equal("100,170 300,130 500,200 700,80", chart.Line);
        Assert.Equal("29/11/2026 14:00", hourly.Points.Single().Label);
        Assert.Equal(1, empty.Max);
        Assert.Equal("11/2026", empty.Points.Single().Label);
    }

    [Fact]
    public void Every_key_the_dashboard_builds_at_run_time_exists_in_both_languages()
    {
        var keys = Breakdowns.Cards.SelectMany(c => c.Tabs.Select(t => t.TitleKey).Append(c.TitleKey))
            .Concat(PeriodChoice.Offered.Concat(Period.Names).Select(n => "Period." + n))
            .Concat(DashboardFilter.Filterable.Select(d => "Dimension." + Breakdowns.Code(d)))
            .Concat(Enum.GetNames<DeviceType>().Select(d => "Device." + d))
            .Concat(Enum.GetNames<Interval>().Select(i => "Dashboard.ChartTitle." + i))
            .Distinct()
            .ToList();

        foreach (var language in new[] { "vi", "en" })
        {
            var defined = Resource(language);
            var missing = keys.Except(defined).ToList();
            Assert.Empty(missing);
        }
    }

    private static HashSet<string> Resource(string language)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "CivicDesk.slnx")))
        {
            dir = dir.Parent;
        }

        var path = Path.Combine(dir.FullName, "src", "CivicDesk.Web", "Localization", $"SharedResource.{language}.resx");
        return XDocument.Load(path).Root!.Elements("data").Select(d => d.Attribute("name")!.Value).ToHashSet();
    }

    private static Text TextFor()
    {
        var factory = new ResourceManagerStringLocalizerFactory(Options.Create(new LocalizationOptions()), NullLoggerFactory.Instance);
        return new Text(new StringLocalizer<SharedResource>(factory));
    }

    private static CultureScope InCulture(string language) => new(CultureInfo.GetCultureInfo(language == "en" ? "en-GB" : "vi-VN"));

    private sealed class CultureScope : IDisposable
    {
        private readonly (CultureInfo, CultureInfo) _before = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);

        public CultureScope(CultureInfo culture) => CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = culture;

        public void Dispose() => (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = _before;
    }
}
