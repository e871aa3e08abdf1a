using System.Net;
using CivicDesk.Web.Localization;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.Localization;

public sealed class CultureTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Theory]
    [InlineData("en", "Bad request")]
    [InlineData("en-US,en;q=0.9", "Bad request")]
    [InlineData("fr-FR, en;q=0.5", "Bad request")]
    [InlineData("vi-VN", "Yêu cầu không hợp lệ")]
    [InlineData("fr-FR", "Yêu cầu không hợp lệ")]
    [InlineData("", "Yêu cầu không hợp lệ")]
    public async Task Any_English_the_client_asks_for_gives_English_and_anything_else_Vietnamese(string acceptLanguage, string title)
    {
        var client = await app.ApiClientAsync(await app.CreateSystemAdminAsync());
        if (acceptLanguage.Length > 0)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        }

        var problem = await (await client.PostJsonAsync("/api/v1/units", new { name = "" })).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Equal(title, problem.GetProperty("title").GetString());
    }

    [Fact]
    public void Dates_read_day_first_and_numbers_follow_the_language()
    {
        var utc = new DateTime(2026, 11, 29, 7, 5, 0, DateTimeKind.Utc);

        Assert.Equal("1.234.567", 1234567.ToString("N0", Cultures.ViVn));
        Assert.Equal("1,234,567", 1234567.ToString("N0", Cultures.EnGb));
        Assert.Equal("29/11/2026", utc.ToString("d", Cultures.ViVn));
        Assert.Equal("29/11/2026", utc.ToString("d", Cultures.EnGb));
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = Cultures.ViVn;
            Assert.Equal("29/11/2026 14:05", Cultures.LocalTime(utc));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }
}
