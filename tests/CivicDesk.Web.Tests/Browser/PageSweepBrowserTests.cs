using CivicDesk.Web.Accounts;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.SiteAnalytics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CivicDesk.Web.Tests.Browser;

/// <summary>
/// Every page a system administrator can open, with some data on it: in English no Vietnamese is left, in Vietnamese
/// no resource key shows instead of its text, and on a 360-pixel phone nothing makes the page scroll sideways.
/// The data has ASCII names, so that any Vietnamese letter on an English page is the interface's.
/// </summary>
[Collection(BrowserCollection.Name)]
public abstract class PageSweepBrowserTests<TApp>(BrowserFixture<TApp> browser) : IClassFixture<BrowserFixture<TApp>>
    where TApp : AppFactory, new()
{
    [Fact]
    public async Task Every_page_in_English_has_no_Vietnamese_text_and_fits_a_desktop_screen()
    {
        browser.EnsureAvailable();
        var data = await CreateDataAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await page.SignInAsync(data.AdminEmail);
        await SwitchToEnglishAsync(page);

        var problems = new List<string>();
        foreach (var path in data.Pages)
        {
            await OpenAsync(page, path, "en");
            problems.AddRange(PageChecks.WithVietnameseLetters(await page.ReadableTextsAsync()).Select(t => $"{path}: “{t}”"));
            await page.AssertNoSidewaysScrollingAsync();
        }

        Assert.True(problems.Count == 0, "Vietnamese text on English pages:\n" + string.Join("\n", problems));
    }

    [Fact]
    public async Task Every_page_in_Vietnamese_shows_texts_and_no_resource_keys()
    {
        browser.EnsureAvailable();
        var data = await CreateDataAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await page.SignInAsync(data.AdminEmail);

        var problems = new List<string>();
        foreach (var path in data.Pages)
        {
            await OpenAsync(page, path, "vi");
            problems.AddRange(PageChecks.WithResourceKeys(await page.ReadableTextsAsync()).Select(t => $"{path}: “{t}”"));
            await page.AssertNoSidewaysScrollingAsync();
        }

        Assert.True(problems.Count == 0, "Resource keys on Vietnamese pages:\n" + string.Join("\n", problems));
    }

    [Theory]
    [InlineData("vi")]
    [InlineData("en")]
    public async Task Every_page_fits_a_360_pixel_phone_screen_without_sideways_scrolling(string language)
    {
        browser.EnsureAvailable();
        var data = await CreateDataAsync();
        await using var session = await browser.OpenAsync(width: 360, height: 740);
        var page = session.Page;
        await page.SignInAsync(data.AdminEmail);
        if (language == "en")
        {
            await SwitchToEnglishAsync(page);
        }

        foreach (var path in data.Pages)
        {
            await OpenAsync(page, path, language);
            await page.AssertNoSidewaysScrollingAsync();
        }

        // The side bar becomes a drawer behind the menu button, and opening it does not widen the page either.
        await OpenAsync(page, "/channels", language);
        var sidebar = page.Locator("#sidebar");
        await Expect(sidebar).ToBeHiddenAsync();
        await page.Locator("[data-menu-toggle]").ClickAsync();
        await Expect(sidebar).ToBeVisibleAsync();
        await Expect(page.Locator("[data-menu-toggle]")).ToHaveAttributeAsync("aria-expanded", "true");
        await page.AssertNoSidewaysScrollingAsync();
    }

    private static async Task SwitchToEnglishAsync(IPage page)
    {
        await page.Locator("header").GetByRole(AriaRole.Button, new() { Name = "English" }).ClickAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
    }

    private static async Task OpenAsync(IPage page, string path, string language)
    {
        var response = await page.GotoAsync(path);
        Assert.True(response?.Status == 200, $"{path} answered {response?.Status}");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
        await Expect(page.Locator("main h1")).ToBeVisibleAsync();
    }

    /// <summary>
    /// A province with a department, a channel, a second user, an API token and a website with a little traffic, all
    /// with ASCII names.
    /// </summary>
    private async Task<SweepData> CreateDataAsync()
    {
        var app = browser.App;
        var province = await app.CreateUnitAsync(app.Unique("Provincial Committee"));
        var department = await app.CreateUnitAsync(app.Unique("Information Department"), province.Id);
        var adminEmail = $"admin-{Guid.NewGuid():N}@example.gov.vn";
        var admin = await app.AsOperatorAsync(async sp =>
            (await sp.GetRequiredService<UserService>().CreateAsync(adminEmail, "Sweep Admin", AppFactory.Password, province.Id, Role.Admin, isSystemAdmin: true)).Value.User);
        var viewer = await app.CreateUserAsync(department.Id, Role.Viewer);
        var client = await app.ApiClientAsync(admin);
        var channel = await (await client.PostJsonAsync("/api/v1/channels", new
        {
            unitId = department.Id,
            // A channel id address: the longest unbroken text the pages show, and the likeliest to widen a phone's page.
            url = $"https://www.youtube.com/channel/UC{Guid.NewGuid().ToString("N")[..22]}",
            displayName = "Information Department TV",
        })).ExpectAsync(System.Net.HttpStatusCode.Created);
        (await client.PostJsonAsync("/api/v1/channels", new { unitId = province.Id, url = $"https://www.{Guid.NewGuid().ToString("N")[..8]}.gov.vn/news/today" }))
            .EnsureSuccessStatusCode();

        var domain = $"www-{Guid.NewGuid():N}"[..12] + ".example.gov.vn";
        var site = await (await client.PostJsonAsync("/api/v1/sites", new { unitId = department.Id, domain }))
            .ExpectAsync(System.Net.HttpStatusCode.Created);
        var siteId = site.GetProperty("id").GetInt32();
        using (var collector = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) })
        {
            await Analytics.SendAsync(collector, domain, "/");
            await Analytics.SendAsync(collector, domain, "/news/2026/budget-report", referrer: "https://www.facebook.com/");
            await Analytics.SendAsync(collector, domain, "/news/2026/budget-report", name: "Signup", extra: "\"props\":{\"plan\":\"basic\"}");
        }

        await Eventually.HoldsAsync(
            () => app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == siteId)).ContinueWith(t => t.Result == 3),
            "the website's events are stored");

        string[] pages =
        [
            "/", "/units", $"/units/{department.Id}", "/channels", $"/channels/{channel.GetProperty("id").GetInt32()}",
            "/admin/users", "/admin/users/new", $"/admin/users/{viewer.Id}", "/admin/audit", "/admin/jobs",
            "/account/password", "/account/tokens",
            "/sites", $"/sites/{siteId}", $"/sites/{siteId}/install", $"/sites/{siteId}?period=day&devices=device&goal=Signup&details=pages",
            $"/sites/{siteId}?period=custom&from=2026-01-01&to=2026-12-31&f=page&v=%2F", $"/sites/{siteId}?period=never",
        ];
        return new SweepData(adminEmail, pages);
    }

    private sealed record SweepData(string AdminEmail, IReadOnlyList<string> Pages);
}

public sealed class PageSweepBrowserOnSqlite(BrowserFixture<SqliteApp> browser) : PageSweepBrowserTests<SqliteApp>(browser);
