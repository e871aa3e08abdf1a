using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CivicDesk.Web.Tests.Browser;

[Collection(BrowserCollection.Name)]
public abstract class ChannelsBrowserTests<TApp>(BrowserFixture<TApp> browser) : IClassFixture<BrowserFixture<TApp>>
    where TApp : AppFactory, new()
{
    [Fact]
    public async Task Pasting_the_address_of_each_platform_registers_five_channels_with_the_platform_detected()
    {
        browser.EnsureAvailable();
        var admin = await browser.App.CreateSystemAdminAsync();
        var unit = await browser.App.CreateUnitAsync("Công an tỉnh Quảng Nam");
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await page.SignInAsync(admin.Email!);
        await page.GotoAsync($"/channels?unit={unit.Id}");
        await Expect(page.GetByText("Chưa có kênh nào. Thêm kênh đầu tiên bằng cách dán đường dẫn trang.")).ToBeVisibleAsync();

        (string Url, string Shown, string Platform)[] channels =
        [
            ("https://www.facebook.com/congan.quangnam", "congan.quangnam", "Trang Facebook"),
            ("youtube.com/@CongAnQuangNam", "@CongAnQuangNam", "Kênh YouTube"),
            ("https://www.tiktok.com/@conganquangnam", "@conganquangnam", "Tài khoản TikTok"),
            ("https://zalo.me/2840471237548962712", "2840471237548962712", "Zalo OA"),
            ("https://congan.quangnam.gov.vn", "congan.quangnam.gov.vn", "Website"),
        ];
        foreach (var (url, shown, platform) in channels)
        {
            await RegisterAsync(page, url);
            await Expect(page.Locator(".flash")).ToHaveTextAsync($"Đã thêm kênh “{shown}” ({platform}).");
        }

        var table = page.GetByRole(AriaRole.Table, new() { Name = "5 kênh" });
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(5);
        foreach (var (_, shown, platform) in channels)
        {
            var row = table.Locator("tbody tr", new() { Has = page.GetByRole(AriaRole.Link, new() { Name = shown, Exact = true }) });
            await Expect(row.Locator("td").Nth(1)).ToHaveTextAsync(platform);
            await Expect(row.Locator("td").Nth(2)).ToHaveTextAsync("Công an tỉnh Quảng Nam");
        }

        // The audit log tells of the registration in words, naming the platform as the interface does.
        await page.GotoAsync("/admin/audit");
        await Expect(page.Locator("tr[data-action='channel.created']", new() { HasText = "“congan.quangnam”" }))
            .ToContainTextAsync("Thêm kênh “congan.quangnam” (Trang Facebook) cho Công an tỉnh Quảng Nam: https://www.facebook.com/congan.quangnam");
    }

    [Fact]
    public async Task Renaming_a_channel_on_its_page_shows_the_new_name_and_the_audit_log_names_the_field_changed()
    {
        browser.EnsureAvailable();
        var admin = await browser.App.CreateSystemAdminAsync();
        var unit = await browser.App.CreateUnitAsync("UBND thị xã Điện Bàn");
        var client = await browser.App.ApiClientAsync(admin);
        var channel = await (await client.PostJsonAsync("/api/v1/channels", new { unitId = unit.Id, url = "https://www.youtube.com/@DienBanTV" }))
            .ExpectAsync(System.Net.HttpStatusCode.Created);
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await page.SignInAsync(admin.Email!);

        await page.GotoAsync($"/channels/{channel.GetProperty("id").GetInt32()}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "@DienBanTV" })).ToBeVisibleAsync();
        await page.GetByLabel("Tên hiển thị").FillAsync("Truyền hình Điện Bàn");
        await page.GetByRole(AriaRole.Button, new() { Name = "Lưu", Exact = true }).ClickAsync();

        await Expect(page.Locator(".flash")).ToHaveTextAsync("Đã lưu thay đổi.");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Truyền hình Điện Bàn" })).ToBeVisibleAsync();
        await page.GotoAsync("/admin/audit");
        await Expect(page.Locator("tr[data-action='channel.updated']", new() { HasText = "“@DienBanTV”" }))
            .ToContainTextAsync("Sửa kênh “@DienBanTV”: Tên hiển thị → Truyền hình Điện Bàn");
    }

    [Fact]
    public async Task A_channel_registered_twice_or_a_bad_address_is_refused_beside_the_address_field_and_nothing_is_added()
    {
        browser.EnsureAvailable();
        var admin = await browser.App.CreateSystemAdminAsync();
        var unit = await browser.App.CreateUnitAsync("UBND huyện Duy Xuyên");
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await page.SignInAsync(admin.Email!);
        await page.GotoAsync($"/channels?unit={unit.Id}");
        await RegisterAsync(page, "https://www.facebook.com/duyxuyen.gov");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "1 kênh" })).ToBeVisibleAsync();

        // The same Page with another spelling of its address.
        await RegisterAsync(page, "fb.com/DuyXuyen.Gov/");
        var error = page.Locator("[data-valmsg-for=Address]");
        await Expect(error).ToHaveTextAsync("Kênh này đã được đăng ký cho đơn vị “UBND huyện Duy Xuyên”.");
        await Expect(page.Locator(".flash")).ToHaveCountAsync(0);
        await Expect(AddressField(page)).ToHaveValueAsync("fb.com/DuyXuyen.Gov/");

        await RegisterAsync(page, "trang chủ huyện");
        await Expect(error).ToHaveTextAsync("Đường dẫn không hợp lệ. Ví dụ: https://www.facebook.com/tentrang hoặc https://tinh.gov.vn");
        await Expect(page.Locator(".flash")).ToHaveCountAsync(0);

        await page.GotoAsync($"/channels?unit={unit.Id}");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "1 kênh" }).Locator("tbody tr")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task The_channel_list_fits_a_phone_and_a_desktop_screen()
    {
        browser.EnsureAvailable();
        var admin = await browser.App.CreateSystemAdminAsync();
        var province = await browser.App.CreateUnitAsync("Ủy ban nhân dân tỉnh Quảng Nam");
        var department = await browser.App.CreateUnitAsync("Sở Thông tin và Truyền thông tỉnh Quảng Nam", province.Id);
        var client = await browser.App.ApiClientAsync(admin);
        foreach (var url in new[]
        {
            "https://www.facebook.com/sotttquangnam", "https://www.youtube.com/@thongtinquangnam",
            "https://www.tiktok.com/@quangnam.tttt", "https://zalo.me/1962431870652239041", "https://stttt.quangnam.gov.vn/vi/trang-chu",
        })
        {
            (await client.PostJsonAsync("/api/v1/channels", new { unitId = department.Id, url })).EnsureSuccessStatusCode();
        }

        Directory.CreateDirectory(BrowserFixture<TApp>.ScreenshotFolder);
        foreach (var width in new[] { 360, 1280 })
        {
            await using var session = await browser.OpenAsync(width, width == 360 ? 740 : 900);
            var page = session.Page;
            await page.SignInAsync(admin.Email!);
            await page.GotoAsync($"/channels?unit={province.Id}");
            await Expect(page.GetByRole(AriaRole.Table, new() { Name = "5 kênh" })).ToBeVisibleAsync();

            await page.AssertNoSidewaysScrollingAsync();
            var path = Path.Combine(BrowserFixture<TApp>.ScreenshotFolder, $"channels-{width}.png");
            await page.ScreenshotAsync(new() { Path = path, FullPage = true });
            Assert.True(new FileInfo(path).Length > 0);
        }
    }

    private static ILocator AddressField(IPage page) => page.Locator("#Address");

    private static async Task RegisterAsync(IPage page, string url)
    {
        var form = page.Locator("form", new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Thêm kênh" }) });
        await form.GetByLabel("Đường dẫn hoặc tên tài khoản").FillAsync(url);
        await form.GetByRole(AriaRole.Button, new() { Name = "Thêm kênh" }).ClickAsync();
    }
}

public sealed class ChannelsBrowserOnSqlite(BrowserFixture<SqliteApp> browser) : ChannelsBrowserTests<SqliteApp>(browser);
