using System.Globalization;
using System.Text.RegularExpressions;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Tests.SiteAnalytics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CivicDesk.Web.Tests.Browser;

/// <summary>
/// The Website journey: an Editor adds the unit's site, copies the snippet, traffic arrives through POST /api/event,
/// and the dashboard shows it: the numbers, the chart's values on hover and from the keyboard, a source row that filters
/// the page, another period; on a desktop and on a 360-pixel phone.
/// </summary>
[Collection(BrowserCollection.Name)]
public abstract class SitesBrowserTests<TApp>(BrowserFixture<TApp> browser) : IClassFixture<BrowserFixture<TApp>>
    where TApp : AppFactory, new()
{
    [Fact]
    public async Task An_editor_adds_a_site_sees_the_snippet_and_reads_and_filters_its_dashboard()
    {
        browser.EnsureAvailable();
        var app = browser.App;
        var unit = await app.CreateUnitAsync("Sở Thông tin và Truyền thông tỉnh Quảng Nam");
        var editor = await app.CreateUserAsync(unit.Id, Role.Editor);
        var domain = $"stttt{Guid.NewGuid():N}"[..13] + ".quangnam.gov.vn";
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await page.SignInAsync(editor.Email!);

        await page.Locator("#sidebar").GetByRole(AriaRole.Link, new() { Name = "Website", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/sites$"));
        await Expect(page.GetByText("Chưa có website nào trong phạm vi này.")).ToBeVisibleAsync();
        var form = page.Locator("form", new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Thêm website" }) });
        await form.GetByLabel("Tên miền").FillAsync("https://" + domain);
        await Expect(form.GetByLabel("Múi giờ")).ToHaveValueAsync("Asia/Ho_Chi_Minh");
        await form.GetByRole(AriaRole.Button, new() { Name = "Thêm website" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex(@"/sites/\d+/install$"));
        await Expect(page.Locator(".flash")).ToContainTextAsync($"Đã thêm website {domain}.");
        await Expect(page.Locator("[data-snippet=script]")).ToHaveTextAsync($"<script defer data-domain=\"{domain}\" src=\"{browser.BaseUrl}/js/script.js\"></script>");
        await Expect(page.Locator("[data-snippet=counter]")).ToContainTextAsync($"{browser.BaseUrl}/counter/{domain}?culture=vi");
        await Expect(page.Locator("[data-install=waiting]")).ToBeVisibleAsync();

        await SendTrafficAsync(domain);
        await page.GetByRole(AriaRole.Link, new() { Name = "Kiểm tra lại" }).ClickAsync();
        await Expect(page.Locator("[data-install=received]")).ToContainTextAsync("Mã theo dõi đang hoạt động.");
        await page.GetByRole(AriaRole.Link, new() { Name = "Xem thống kê" }).ClickAsync();

        // 30 days by default: three visitors today, two of them from Facebook.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = domain })).ToBeVisibleAsync();
        await Expect(Headline(page, "visitors")).ToHaveTextAsync("3");
        await Expect(Headline(page, "pageviews")).ToHaveTextAsync("4");
        await Expect(page.Locator("[data-metric=visitors_now] strong")).ToHaveTextAsync("3");

        // Hovering today's point shows its date and values; the arrow keys move to yesterday's.
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(TimeProvider.System.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById("Asia/Ho_Chi_Minh")).DateTime);
        var tip = page.Locator(".chart-tip");
        await page.Locator(".chart .band").Last.HoverAsync();
        await Expect(tip).ToBeVisibleAsync();
        await Expect(tip).ToContainTextAsync(Date(today));
        await Expect(tip).ToContainTextAsync("Khách truy cập: 3");
        await page.Locator(".chart-plot").FocusAsync();
        await page.Keyboard.PressAsync("ArrowLeft");
        await Expect(tip).ToContainTextAsync(Date(today.AddDays(-1)));
        await Expect(tip).ToContainTextAsync("Khách truy cập: 0");
        // The same numbers as a table, one click away.
        await page.GetByText("Xem bảng số liệu").ClickAsync();
        await Expect(page.Locator(".chart-table tr", new() { HasText = Date(today) })).ToContainTextAsync("3");

        var sources = page.Locator("[data-card=sources]");
        await Expect(sources.Locator("tbody tr")).ToHaveCountAsync(2);
        await sources.GetByRole(AriaRole.Link, new() { Name = "Facebook", Exact = true }).ClickAsync();
        await Expect(page.Locator(".chips")).ToContainTextAsync("Nguồn truy cập: Facebook");
        await Expect(Headline(page, "visitors")).ToHaveTextAsync("2");
        await Expect(sources.Locator("tbody tr")).ToHaveCountAsync(1);

        // Another period keeps the filter.
        await page.Locator(".period-picker").GetByRole(AriaRole.Link, new() { Name = "7 ngày" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("period=7d"));
        await Expect(page.Locator(".period-picker a[aria-current=true]")).ToHaveTextAsync("7 ngày");
        await Expect(page.Locator(".chips")).ToContainTextAsync("Facebook");
        await Expect(Headline(page, "visitors")).ToHaveTextAsync("2");
        await page.Locator(".period-picker").GetByRole(AriaRole.Link, new() { Name = "Hôm qua" }).ClickAsync();
        await Expect(Headline(page, "visitors")).ToHaveTextAsync("0");

        await page.GetByRole(AriaRole.Link, new() { Name = "Bỏ lọc" }).ClickAsync();
        await Expect(page.Locator(".chips")).ToHaveCountAsync(0);
        await page.Locator("#range-from").FillAsync(Iso(today.AddDays(-2)));
        await page.Locator("#range-to").FillAsync(Iso(today));
        await page.GetByRole(AriaRole.Button, new() { Name = "Áp dụng" }).ClickAsync();
        await Expect(page.Locator(".custom-label")).ToHaveAttributeAsync("aria-current", "true");
        await Expect(Headline(page, "visitors")).ToHaveTextAsync("3");
        await Expect(page.Locator(".chart .band")).ToHaveCountAsync(3);
        await page.AssertNoSidewaysScrollingAsync();
    }

    [Fact]
    public async Task The_website_pages_fit_a_phone_and_a_desktop_screen()
    {
        browser.EnsureAvailable();
        var app = browser.App;
        var unit = await app.CreateUnitAsync("Ủy ban nhân dân thành phố Hội An");
        var admin = await app.CreateUserAsync(unit.Id, Role.Admin);
        var site = await Analytics.CreateSiteAsync(app, $"hoian{Guid.NewGuid():N}"[..12] + ".quangnam.gov.vn", unit.Id);
        await SendTrafficAsync(site.Domain);

        Directory.CreateDirectory(BrowserFixture<TApp>.ScreenshotFolder);
        foreach (var width in new[] { 360, 1280 })
        {
            await using var session = await browser.OpenAsync(width, width == 360 ? 740 : 900);
            var page = session.Page;
            await page.SignInAsync(admin.Email!);
            foreach (var (name, path) in new[]
            {
                ("sites", "/sites"),
                ("install", $"/sites/{site.Id}/install"),
                ("dashboard", $"/sites/{site.Id}?period=7d"),
                ("filtered", $"/sites/{site.Id}?period=7d&f=page&v=%2Fthong-bao%2Flich-tiep-cong-dan-thang-12-cua-chu-tich-uy-ban-nhan-dan-thanh-pho&details=pages"),
            })
            {
                await page.GotoAsync(path);
                await Expect(page.Locator("main h1")).ToBeVisibleAsync();
                await page.AssertNoSidewaysScrollingAsync();
                var file = Path.Combine(BrowserFixture<TApp>.ScreenshotFolder, $"website-{name}-{width}.png");
                await page.ScreenshotAsync(new() { Path = file, FullPage = true });
                Assert.True(new FileInfo(file).Length > 0);
            }

            // On a phone the chart still answers a tap with its values.
            await page.GotoAsync($"/sites/{site.Id}?period=day");
            await page.Locator(".chart .band").Last.ClickAsync();
            await Expect(page.Locator(".chart-tip")).ToBeVisibleAsync();
        }
    }

    /// <summary>Three visitors today: two from Facebook (one reads a long page, one bounces), one direct with a goal.</summary>
    private async Task SendTrafficAsync(string domain)
    {
        using var client = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        await Analytics.SendAsync(client, domain, "/", ip: "14.160.0.1", referrer: "https://l.facebook.com/");
        await Analytics.SendAsync(client, domain, "/thong-bao/lich-tiep-cong-dan-thang-12-cua-chu-tich-uy-ban-nhan-dan-thanh-pho", ip: "14.160.0.1");
        await Analytics.SendAsync(client, domain, "/", ip: "14.160.0.2", referrer: "https://www.facebook.com/");
        await Analytics.SendAsync(client, domain, "/van-ban", ip: "8.8.8.8");
        await Analytics.SendAsync(client, domain, "/van-ban", name: "File Download", ip: "8.8.8.8", extra: "\"props\":{\"url\":\"https://x.gov.vn/qd-12.pdf\"}");
        await Eventually.HoldsAsync(
            () => browser.App.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.Hostname == domain)).ContinueWith(t => t.Result == 5),
            "the five events are stored");
    }

    private static ILocator Headline(IPage page, string metric) => page.Locator($"[data-metric={metric}] .value");

    private static string Date(DateOnly date) => date.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

public sealed class SitesBrowserOnSqlite(BrowserFixture<SqliteAnalyticsApp> browser) : SitesBrowserTests<SqliteAnalyticsApp>(browser);
