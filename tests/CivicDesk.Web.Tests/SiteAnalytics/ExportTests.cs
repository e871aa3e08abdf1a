using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.SiteAnalytics;
using CivicDesk.Web.SiteAnalytics.Export;
using CivicDesk.Web.Tests.Infrastructure;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>
/// The export of a site's data as Plausible's CSV files: real events go in through /api/event on a clock the test
/// moves (so visits have durations and fall on known days), the zip comes out of the API and the web app, and every
/// file is unzipped and parsed.
/// </summary>
public abstract class ExportTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory
{
    private const string Iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
    private const string Firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";

    // DB-IP places these in Viet Nam and the United States (see Enrichment/CountryLookupTests); TEST-NET has no country.
    private const string Hanoi = "14.160.0.1";
    private const string Danang = "113.160.0.1";
    private const string Usa = "8.8.8.8";
    private const string Nowhere = "203.0.113.9";

    /// <summary>
    /// The files and their header lines exactly as Plausible writes them: Plausible.Exports.export_queries/2 and the
    /// examples of Plausible's "Import stats using CSV files" guide (docs/site-analytics-export.md says which versions).
    /// </summary>
    private static readonly Dictionary<string, string> PlausibleHeaders = new()
    {
        ["imported_browsers"] = "\"date\",\"browser\",\"browser_version\",\"visitors\",\"visits\",\"visit_duration\",\"bounces\",\"pageviews\"",
        ["imported_custom_events"] = "\"date\",\"name\",\"link_url\",\"path\",\"visitors\",\"events\"",
        ["imported_devices"] = "\"date\",\"device\",\"visitors\",\"visits\",\"visit_duration\",\"bounces\",\"pageviews\"",
        ["imported_entry_pages"] = "\"date\",\"entry_page\",\"visitors\",\"entrances\",\"visit_duration\",\"bounces\",\"pageviews\"",
        ["imported_exit_pages"] = "\"date\",\"exit_page\",\"visitors\",\"visit_duration\",\"exits\",\"bounces\",\"pageviews\"",
        ["imported_locations"] = "\"date\",\"country\",\"region\",\"city\",\"visitors\",\"visits\",\"visit_duration\",\"bounces\",\"pageviews\"",
        ["imported_operating_systems"] = "\"date\",\"operating_system\",\"operating_system_version\",\"visitors\",\"visits\",\"visit_duration\",\"bounces\",\"pageviews\"",
        ["imported_pages"] = "\"date\",\"hostname\",\"page\",\"visits\",\"visitors\",\"pageviews\",\"total_scroll_depth\",\"total_scroll_depth_visits\",\"total_time_on_page\",\"total_time_on_page_visits\"",
        ["imported_sources"] = "\"date\",\"source\",\"referrer\",\"utm_source\",\"utm_medium\",\"utm_campaign\",\"utm_content\",\"utm_term\",\"pageviews\",\"visitors\",\"visits\",\"visit_duration\",\"bounces\"",
        ["imported_visitors"] = "\"date\",\"visitors\",\"pageviews\",\"bounces\",\"visits\",\"visit_duration\"",
    };

    private static readonly TimeZoneInfo Vietnam = TimeZoneInfo.FindSystemTimeZoneById(Site.DefaultTimeZone);

    private int? _site;
    private int _sent;

    [Fact]
    public async Task The_zip_has_plausible_s_files_and_columns_with_the_numbers_of_the_events_sent()
    {
        app.EnsureAvailable();
        var unit = await app.CreateUnitAsync();
        var site = await Analytics.CreateSiteAsync(app, unitId: unit.Id);
        var day1 = await MorningAsync();
        // A (Hanoi, Chrome on Windows, from Facebook): /, /tin-tuc, / over 3 minutes. B (Da Nang, iPhone): / and gone.
        // C (USA, Chrome, a Zalo campaign): /tin-tuc, then a file download a minute later. D (no country, Firefox on
        // Linux): /lien-he, a 404 event with its path, then a custom goal with a url, 3 minutes in all.
        await SendAsync(site, "/", Hanoi, referrer: "https://l.facebook.com/");
        await SendAsync(site, "/", Danang, userAgent: Iphone);
        await SendAsync(site, "/tin-tuc?utm_source=zalo&utm_medium=social&utm_campaign=tet", Usa);
        await SendAsync(site, "/lien-he", Nowhere, userAgent: Firefox);
        await AdvanceAsync(TimeSpan.FromMinutes(1));
        await SendAsync(site, "/tin-tuc", Hanoi);
        await SendAsync(site, "/tin-tuc", Usa, name: "File Download", extra: "\"props\":{\"url\":\"https://x.gov.vn/a.pdf\"}");
        await AdvanceAsync(TimeSpan.FromMinutes(1));
        await SendAsync(site, "/lien-he", Nowhere, userAgent: Firefox, name: "404", extra: "\"props\":{\"path\":\"/khong-co\"}");
        await AdvanceAsync(TimeSpan.FromMinutes(1));
        await SendAsync(site, "/", Hanoi);
        await SendAsync(site, "/lien-he", Nowhere, userAgent: Firefox, name: "Tải văn bản", extra: "\"props\":{\"url\":\"https://x.gov.vn/b.pdf\"}");
        // The next day A comes back (a new daily visitor id) for one page.
        var day2 = await MorningAsync();
        await SendAsync(site, "/", Hanoi);
        await WaitForEventsAsync(site.Id, 10);
        using var client = await app.ApiClientAsync(await app.CreateUserAsync(unit.Id, Role.Viewer));

        using var response = await client.GetAsync($"/api/v1/sites/{site.Id}/export?period=custom&date={D(day1)},{D(day2)}", HttpCompletionOption.ResponseHeadersRead);
        var length = response.Content.Headers.ContentLength;
        var files = await UnzipAsync(response);
        var empty = await UnzipAsync(await client.GetAsync($"/api/v1/sites/{site.Id}/export?period=custom&date=2020-01-01,2020-01-31"));
        var byDefault = await UnzipAsync(await client.GetAsync($"/api/v1/sites/{site.Id}/export"));

        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"{site.Domain.Replace('.', '_')}_{day2:yyyyMMdd}.zip", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Null(length); // streamed as it is written, not buffered first
        Assert.Equal(PlausibleHeaders.Keys.Select(t => $"{t}_{day1:yyyyMMdd}_{day2:yyyyMMdd}.csv").Order(), files.Keys.Order());
        Assert.Equal(PlausibleHeaders.Keys.Select(t => $"{t}_20200101_20200131.csv").Order(), empty.Keys.Order());
        Assert.Equal(PlausibleHeaders.Keys.Select(t => $"{t}_{day2.AddDays(-29):yyyyMMdd}_{day2:yyyyMMdd}.csv").Order(), byDefault.Keys.Order());
        foreach (var (name, file) in files)
        {
            Assert.Equal(PlausibleHeaders[name[..^22]], file.HeaderLine);
            Assert.All(file.Rows, row => Assert.Equal(file.Header.Length, row.Length));
            Assert.Equal(file.Rows.Select(r => r[0]).Order(StringComparer.Ordinal), file.Rows.Select(r => r[0]));
        }

        Assert.All(empty.Values, file => Assert.Empty(file.Rows));
        Assert.Equal(PlausibleHeaders["imported_visitors"], empty["imported_visitors_20200101_20200131.csv"].HeaderLine);

        string Day(DateOnly day, params object[] rest) => string.Join("|", [D(day), .. rest.Select(r => Convert.ToString(r, CultureInfo.InvariantCulture))]);
        AssertRows(files, "imported_visitors", [Day(day1, 4, 6, 1, 4, 420), Day(day2, 1, 1, 1, 1, 0)]);
        AssertRows(files, "imported_sources",
        [
            Day(day1, "Facebook", "l.facebook.com", "", "", "", "", "", 3, 1, 1, 180, 0),
            Day(day1, "", "", "", "", "", "", "", 2, 2, 2, 180, 1),
            Day(day1, "Zalo", "", "zalo", "social", "tet", "", "", 1, 1, 1, 60, 0),
            Day(day2, "", "", "", "", "", "", "", 1, 1, 1, 0, 1),
        ]);
        AssertRows(files, "imported_pages",
        [
            Day(day1, site.Domain, "/", 2, 2, 3, 0, 0, 0, 0),
            Day(day1, site.Domain, "/tin-tuc", 2, 2, 2, 0, 0, 0, 0),
            Day(day1, site.Domain, "/lien-he", 1, 1, 1, 0, 0, 0, 0),
            Day(day2, site.Domain, "/", 1, 1, 1, 0, 0, 0, 0),
        ]);
        AssertRows(files, "imported_entry_pages",
        [
            Day(day1, "/", 2, 2, 180, 1, 4), Day(day1, "/tin-tuc", 1, 1, 60, 0, 1), Day(day1, "/lien-he", 1, 1, 180, 0, 1), Day(day2, "/", 1, 1, 0, 1, 1),
        ]);
        // A went on to /tin-tuc and back to /: only C's exit stays on /tin-tuc.
        AssertRows(files, "imported_exit_pages",
        [
            Day(day1, "/", 2, 180, 2, 1, 4), Day(day1, "/tin-tuc", 1, 60, 1, 0, 1), Day(day1, "/lien-he", 1, 180, 1, 0, 1), Day(day2, "/", 1, 0, 1, 1, 1),
        ]);
        // Plausible keeps the url of file downloads and the path of 404s; any other goal is one row, whatever its props.
        AssertRows(files, "imported_custom_events",
        [
            Day(day1, "File Download", "https://x.gov.vn/a.pdf", "", 1, 1), Day(day1, "404", "", "/khong-co", 1, 1), Day(day1, "Tải văn bản", "", "", 1, 1),
        ]);
        AssertRows(files, "imported_locations", [Day(day1, "VN", "", 0, 2, 2, 180, 1, 4), Day(day1, "US", "", 0, 1, 1, 60, 0, 1), Day(day2, "VN", "", 0, 1, 1, 0, 1, 1)]);
        AssertRows(files, "imported_devices", [Day(day1, "Desktop", 3, 3, 420, 0, 5), Day(day1, "Mobile", 1, 1, 0, 1, 1), Day(day2, "Desktop", 1, 1, 0, 1, 1)]);
        AssertRows(files, "imported_browsers",
        [
            Day(day1, "Chrome", "120.0", 2, 2, 240, 0, 4), Day(day1, "Safari", "17.1", 1, 1, 0, 1, 1), Day(day1, "Firefox", "121.0", 1, 1, 180, 0, 1),
            Day(day2, "Chrome", "120.0", 1, 1, 0, 1, 1),
        ]);
        AssertRows(files, "imported_operating_systems",
        [
            Day(day1, "Windows", "10", 2, 2, 240, 0, 4), Day(day1, "iOS", "17.1", 1, 1, 0, 1, 1), Day(day1, "GNU/Linux", "", 1, 1, 180, 0, 1),
            Day(day2, "Windows", "10", 1, 1, 0, 1, 1),
        ]);
    }

    [Fact]
    public async Task After_the_retention_job_removed_the_raw_events_the_export_has_the_same_numbers()
    {
        app.EnsureAvailable();
        var unit = await app.CreateUnitAsync();
        var site = await Analytics.CreateSiteAsync(app, unitId: unit.Id);
        var day = await MorningAsync();
        await SendAsync(site, "/", Hanoi, referrer: "https://www.google.com/");
        await SendAsync(site, "/", Usa, userAgent: Iphone);
        await AdvanceAsync(TimeSpan.FromMinutes(2));
        await SendAsync(site, "/gioi-thieu", Hanoi);
        await SendAsync(site, "/gioi-thieu", Usa, userAgent: Iphone, name: "File Download", extra: "\"props\":{\"url\":\"https://x.gov.vn/c.pdf\"}");
        await WaitForEventsAsync(site.Id, 4);
        using var client = await app.ApiClientAsync(await app.CreateUserAsync(unit.Id, Role.Viewer));
        var url = $"/api/v1/sites/{site.Id}/export?period=custom&date={D(day)},{D(day)}";
        var before = await UnzipAsync(await client.GetAsync(url));

        await app.WithDbAsync(db => db.Sites.Where(s => s.Id == site.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.RetentionMonths, 1)));
        await AdvanceAsync(TimeSpan.FromDays(45));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await ActivatorUtilities.CreateInstance<RetentionJob>(scope.ServiceProvider).RunAsync(CancellationToken.None);
        }

        var after = await UnzipAsync(await client.GetAsync(url));

        Assert.Equal(0, await app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == site.Id)));
        Assert.Equal(0, await app.WithDbAsync(db => db.SiteSessions.CountAsync(s => s.SiteId == site.Id)));
        AssertRows(before, "imported_visitors", [$"{D(day)}|2|3|0|2|240"]);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (name, file) in before)
        {
            Assert.Equal(file.Rows.Select(r => string.Join("|", r)), after[name].Rows.Select(r => string.Join("|", r)));
        }

        Assert.NotEmpty(Rows(after, "imported_custom_events"));
    }

    [Fact]
    public async Task Only_those_who_see_the_site_get_it_each_way_in_with_its_own_credentials()
    {
        app.EnsureAvailable();
        var unit = await app.CreateUnitAsync();
        var site = await Analytics.CreateSiteAsync(app, unitId: unit.Id);
        var viewer = await app.CreateUserAsync(unit.Id, Role.Viewer);
        var outsider = await app.CreateUserAsync((await app.CreateUnitAsync()).Id, Role.Admin);
        using var viewerApi = await app.ApiClientAsync(viewer);
        using var outsiderApi = await app.ApiClientAsync(outsider);
        using var viewerWeb = await BrowserSession.SignInAsync(app, viewer);
        using var outsiderWeb = await BrowserSession.SignInAsync(app, outsider);
        using var anonymous = BrowserSession.Anonymous(app);
        var api = $"/api/v1/sites/{site.Id}/export";
        var web = $"/sites/{site.Id}/export";

        using var viewerByApi = await viewerApi.GetAsync(api);
        using var viewerOnWeb = await viewerWeb.GetAsync(web);
        var outsiderByApi = await (await outsiderApi.GetAsync(api)).ExpectAsync(HttpStatusCode.NotFound);
        var missingByApi = await (await outsiderApi.GetAsync("/api/v1/sites/999999/export")).ExpectAsync(HttpStatusCode.NotFound);
        using var outsiderOnWeb = await outsiderWeb.GetAsync(web);
        using var tokenOnWeb = await viewerApi.GetAsync(web);
        using var cookieOnApi = await viewerWeb.GetAsync(api);
        using var anonymousOnApi = await anonymous.GetAsync(api);
        using var anonymousOnWeb = await anonymous.GetAsync(web);

        Assert.Equal(HttpStatusCode.OK, viewerByApi.StatusCode);
        Assert.Equal(10, (await UnzipAsync(viewerByApi)).Count);
        Assert.Equal(HttpStatusCode.OK, viewerOnWeb.StatusCode);
        Assert.Equal(10, (await UnzipAsync(viewerOnWeb)).Count);
        // A site in another unit looks exactly like one that does not exist.
        Assert.Equal(Problem(missingByApi), Problem(outsiderByApi));
        Assert.Equal(HttpStatusCode.NotFound, outsiderOnWeb.StatusCode);
        Assert.NotEqual("application/zip", outsiderOnWeb.Content.Headers.ContentType?.MediaType);
        // An API token opens the API only, the sign-in cookie the web app only.
        Assert.Equal(HttpStatusCode.Redirect, tokenOnWeb.StatusCode);
        Assert.Contains("/account/login", tokenOnWeb.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, cookieOnApi.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousOnApi.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, anonymousOnWeb.StatusCode);
    }

    [Theory]
    [InlineData("vi")]
    [InlineData("en")]
    public async Task A_period_that_makes_no_sense_is_a_translated_400(string language)
    {
        app.EnsureAvailable();
        var unit = await app.CreateUnitAsync();
        var site = await Analytics.CreateSiteAsync(app, unitId: unit.Id);
        var viewer = await app.CreateUserAsync(unit.Id, Role.Viewer);
        using var client = await app.ApiClientAsync(viewer);
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        using var web = await BrowserSession.SignInAsync(app, viewer, culture: language);

        var unknown = await (await client.GetAsync($"/api/v1/sites/{site.Id}/export?period=week")).ExpectAsync(HttpStatusCode.BadRequest);
        var impossible = await (await client.GetAsync($"/api/v1/sites/{site.Id}/export?period=custom&date=2026-02-30,2026-03-01")).ExpectAsync(HttpStatusCode.BadRequest);
        var badDate = await (await client.GetAsync($"/api/v1/sites/{site.Id}/export?period=month&date=01/02/2026")).ExpectAsync(HttpStatusCode.BadRequest);
        var onWeb = await (await web.GetAsync($"/sites/{site.Id}/export?period=week")).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Equal($"period: {app.Translate(language, "Stats.Period")}", unknown.Messages());
        Assert.Equal($"date: {app.Translate(language, "Stats.CustomDate")}", impossible.Messages());
        Assert.Equal($"date: {app.Translate(language, "Stats.Date")}", badDate.Messages());
        Assert.Equal(app.Translate(language, "Problem.400"), unknown.GetProperty("title").GetString());
        Assert.Equal(unknown.Messages(), onWeb.Messages());
    }

    /// <summary>Moves the app's clock to 09:00 of the site's next day and returns that day.</summary>
    private async Task<DateOnly> MorningAsync()
    {
        var local = TimeZoneInfo.ConvertTime(app.Time.GetUtcNow(), Vietnam);
        var next = new DateTimeOffset(local.Date.AddDays(1).AddHours(9), local.Offset);
        await AdvanceAsync(next - local);
        return DateOnly.FromDateTime(next.DateTime);
    }

    /// <summary>
    /// Moves the clock once the events sent so far are stored: the writer ends visits by the clock, so events still
    /// waiting in its spool when the clock jumps would start new visits.
    /// </summary>
    private async Task AdvanceAsync(TimeSpan by)
    {
        if (_site is { } siteId)
        {
            await WaitForEventsAsync(siteId, _sent);
        }

        app.Time.Advance(by);
    }

    private async Task SendAsync(Site site, string path, string ip, string userAgent = Analytics.Chrome, string? referrer = null, string name = "pageview", string? extra = null)
    {
        using var response = await Analytics.SendAsync(app.CreateClient(), site.Domain, path, name, ip, userAgent, referrer, extra);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        (_site, _sent) = (site.Id, _sent + 1);
    }

    private Task WaitForEventsAsync(int siteId, int count) =>
        Eventually.HoldsAsync(() => app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == siteId)).ContinueWith(t => t.Result == count), $"{count} events are stored");

    private static string Problem(System.Text.Json.JsonElement problem) =>
        $"{problem.GetProperty("status")} {problem.GetProperty("title")} {(problem.TryGetProperty("detail", out var detail) ? detail.ToString() : "")}";

    private static string D(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The file has exactly these rows, in any order within a day (the order of values is the database's).</summary>
    private static void AssertRows(Dictionary<string, CsvFile> files, string table, string[] expected) =>
        Assert.Equal(expected.Order(StringComparer.Ordinal), Rows(files, table).Order(StringComparer.Ordinal));

    /// <summary>A file's rows as "field|field|…", in the file's order.</summary>
    private static List<string> Rows(Dictionary<string, CsvFile> files, string table) =>
        files.Single(f => f.Key.StartsWith(table + "_", StringComparison.Ordinal) && f.Key.Length == table.Length + 22).Value.Rows.Select(r => string.Join("|", r)).ToList();

    private sealed record CsvFile(string HeaderLine, string[] Header, List<string[]> Rows);

    /// <summary>Unzips the answer and parses every CSV file in it.</summary>
    private static async Task<Dictionary<string, CsvFile>> UnzipAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {Encoding.UTF8.GetString(bytes)}");
        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        var files = new Dictionary<string, CsvFile>();
        foreach (var entry in zip.Entries)
        {
            using var content = new MemoryStream();
            await using (var stream = await entry.OpenAsync())
            {
                await stream.CopyToAsync(content);
            }

            var text = Encoding.UTF8.GetString(content.ToArray());
            using var reader = CsvReader.Create(content.ToArray(), CsvReaderOptions.Default with { Separator = ',' });
            var rows = new List<string[]>();
            while (reader.Read())
            {
                rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetString(i) ?? "")]);
            }

            files.Add(entry.FullName, new CsvFile(text.Split('\n')[0], [.. reader.Headers], rows));
        }

        return files;
    }
}

/// <summary>SQLite app behind a trusted proxy, on a clock the test moves.</summary>
public sealed class SqliteExportApp : SqliteApp
{
    public SqliteExportApp() => Analytics.BehindTrustedProxy(this);

    protected override bool UseFakeTime => true;
}

/// <summary>PostgreSQL app behind a trusted proxy, on a clock the test moves.</summary>
public sealed class PostgresExportApp : PostgresApp
{
    public PostgresExportApp() => Analytics.BehindTrustedProxy(this);

    protected override bool UseFakeTime => true;
}

public sealed class ExportOnSqlite(SqliteExportApp app) : ExportTests<SqliteExportApp>(app);

public sealed class ExportOnPostgres(PostgresExportApp app) : ExportTests<PostgresExportApp>(app);

/// <summary>Our names for devices, browsers, systems and sources as Plausible writes them.</summary>
public sealed class PlausibleNameTests
{
    [Theory]
    [InlineData("Desktop", "Desktop")]
    [InlineData("Mobile", "Mobile")]
    [InlineData("Tablet", "Tablet")]
    [InlineData("Other", "")]
    [InlineData("Bot", "")]
    public void Devices(string ours, string plausible) => Assert.Equal(plausible, PlausibleCsv.Device(ours));

    [Theory]
    [InlineData("Mobile Safari", "Safari")]
    [InlineData("Chrome Mobile", "Chrome")]
    [InlineData("Edge", "Microsoft Edge")]
    [InlineData("Samsung Internet", "Samsung Browser")]
    [InlineData("Coc Coc", "Coc Coc")]
    [InlineData("Other", "")]
    public void Browsers(string ours, string plausible) => Assert.Equal(plausible, PlausibleCsv.Browser(ours));

    [Theory]
    [InlineData("Mac OS X", "Mac")]
    [InlineData("Linux", "GNU/Linux")]
    [InlineData("Windows", "Windows")]
    [InlineData("Other", "")]
    public void Systems(string ours, string plausible) => Assert.Equal(plausible, PlausibleCsv.Os(ours));

    [Fact]
    public void Direct_traffic_has_no_source() => Assert.Equal("", PlausibleCsv.SourceName("Direct / None"));

    [Fact]
    public void The_archive_is_named_as_plausible_names_it() =>
        Assert.Equal("quangnam_gov_vn_20261129.zip", PlausibleCsv.ArchiveName("quangnam.gov.vn", new DateOnly(2026, 11, 29)));

    [Fact]
    public void Files_are_named_as_plausible_s_importer_reads_them() =>
        Assert.Equal("imported_devices_20230209_20240123.csv", PlausibleCsv.FileName("imported_devices", new Period(new DateOnly(2023, 2, 9), new DateOnly(2024, 1, 23))));
}
