using CivicDesk.Web.SiteAnalytics;
using CivicDesk.Web.SiteAnalytics.Pages;

namespace CivicDesk.Web.Tests.SiteAnalytics.Pages;

/// <summary>The dashboard's period picker: Plausible's names, yesterday and last month, and a custom range.</summary>
public sealed class PeriodChoiceTests
{
    private static readonly DateOnly Today = new(2026, 1, 15);

    [Theory]
    [InlineData(null, "2025-12-17", "2026-01-15")]
    [InlineData("day", "2026-01-15", "2026-01-15")]
    [InlineData("yesterday", "2026-01-14", "2026-01-14")]
    [InlineData("7d", "2026-01-09", "2026-01-15")]
    [InlineData("30d", "2025-12-17", "2026-01-15")]
    [InlineData("month", "2026-01-01", "2026-01-31")]
    [InlineData("lastmonth", "2025-12-01", "2025-12-31")]
    [InlineData("year", "2026-01-01", "2026-12-31")]
    public void Each_offered_period_covers_the_site_s_local_days_it_names(string? name, string from, string to)
    {
        var (choice, error) = PeriodChoice.Parse(name, null, null, null, Today);

        Assert.Null(error);
        Assert.Equal((DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture)), (choice!.Period.From, choice.Period.To));
        Assert.Equal(name ?? PeriodChoice.Default, choice.Name);
    }

    [Fact]
    public void Last_month_of_a_leap_february_and_yesterday_on_the_first_of_january_cross_their_boundaries()
    {
        var march = PeriodChoice.Parse("lastmonth", null, null, null, new DateOnly(2028, 3, 1)).Choice!.Period;
        var newYear = PeriodChoice.Parse("yesterday", null, null, null, new DateOnly(2027, 1, 1)).Choice!.Period;

        Assert.Equal(new Period(new DateOnly(2028, 2, 1), new DateOnly(2028, 2, 29)), march);
        Assert.Equal(new Period(new DateOnly(2026, 12, 31), new DateOnly(2026, 12, 31)), newYear);
        // The comparison period is the same number of days just before.
        Assert.Equal(new Period(new DateOnly(2028, 1, 3), new DateOnly(2028, 1, 31)), march.Previous);
    }

    [Fact]
    public void A_custom_range_comes_from_the_two_date_inputs_or_from_plausible_s_date_parameter()
    {
        var fromInputs = PeriodChoice.Parse("custom", null, "2025-11-01", "2025-11-30", Today).Choice!.Period;
        var fromDate = PeriodChoice.Parse("custom", "2025-11-01,2025-11-30", null, null, Today).Choice!.Period;
        var day = PeriodChoice.Parse("day", "2025-11-20", null, null, Today).Choice!.Period;

        Assert.Equal(new Period(new DateOnly(2025, 11, 1), new DateOnly(2025, 11, 30)), fromInputs);
        Assert.Equal(fromInputs, fromDate);
        Assert.Equal(new Period(new DateOnly(2025, 11, 20), new DateOnly(2025, 11, 20)), day);
    }

    [Theory]
    [InlineData("forever", null, null, null, "Dashboard.BadPeriod")]
    [InlineData("DAY", null, null, null, "Dashboard.BadPeriod")]
    [InlineData("day", "15/01/2026", null, null, "Dashboard.BadDate")]
    [InlineData("custom", null, "2026-02-30", "2026-03-01", "Dashboard.BadRange")]
    [InlineData("custom", null, "2026-01-10", "2026-01-01", "Dashboard.BadRange")]
    [InlineData("custom", null, "2026-01-10", null, "Dashboard.BadRange")]
    [InlineData("custom", null, null, null, "Dashboard.BadRange")]
    public void Parameters_that_make_no_sense_give_the_reason_and_no_period(string name, string? date, string? from, string? to, string expected)
    {
        var (choice, error) = PeriodChoice.Parse(name, date, from, to, Today);

        Assert.Null(choice);
        Assert.Equal(expected, error);
    }
}
