using CivicDesk.Web.Accounts;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CivicDesk.Web.Tests.Browser;

/// <summary>The first minutes of an installation: a database without users and the one-time setup link.</summary>
[Collection(BrowserCollection.Name)]
public abstract class FirstSignInBrowserTests<TApp>(BrowserFixture<TApp> browser) : IClassFixture<BrowserFixture<TApp>>
    where TApp : AppFactory, new()
{
    private const string Email = "quantri@quangnam.gov.vn";
    private const string Password = "Mat-khau-2026";

    [Fact]
    public async Task The_setup_link_creates_the_first_administrator_who_can_then_sign_out_and_in_again()
    {
        browser.EnsureAvailable();
        var token = browser.App.Services.GetRequiredService<FirstRunSetup>().Token;
        Assert.NotNull(token);
        await using var session = await browser.OpenAsync();
        var page = session.Page;

        await page.GotoAsync($"/setup?token={token}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thiết lập CivicDesk" })).ToBeVisibleAsync();
        await page.GetByLabel("Tên hiển thị").FillAsync("Nguyễn Văn An");
        await page.GetByLabel("Thư điện tử").FillAsync(Email);
        await page.GetByLabel("Mật khẩu").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Tạo tài khoản quản trị" }).ClickAsync();

        // Signed in, on the unit page, which invites the administrator to add the first unit.
        await page.ArrivesAtAsync("/units");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Đơn vị", Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator("#sidebar")).ToContainTextAsync("Nguyễn Văn An");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Đăng xuất" })).ToBeVisibleAsync();
        Assert.Null(browser.App.Services.GetRequiredService<FirstRunSetup>().Token);

        await page.GetByRole(AriaRole.Button, new() { Name = "Đăng xuất" }).ClickAsync();
        await page.ArrivesAtAsync("/account/login");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Đăng nhập" })).ToBeVisibleAsync();
        await Expect(page.Locator("#sidebar")).ToHaveCountAsync(0);

        // A bookmarked page asks for signing in first, and opens once the person has signed in.
        await page.GotoAsync("/channels");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Đăng nhập" })).ToBeVisibleAsync();
        await page.GetByLabel("Thư điện tử").FillAsync(Email);
        await page.GetByLabel("Mật khẩu").FillAsync("Mat-khau-sai-2026");
        await page.GetByRole(AriaRole.Button, new() { Name = "Đăng nhập" }).ClickAsync();
        var error = page.Locator("main form [role=alert]");
        await Expect(error).ToHaveTextAsync("Thư điện tử hoặc mật khẩu không đúng.");
        await Expect(page.Locator("#sidebar")).ToHaveCountAsync(0);

        await page.GetByLabel("Mật khẩu").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Đăng nhập" }).ClickAsync();
        await page.ArrivesAtAsync("/channels");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Kênh", Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator("#sidebar")).ToContainTextAsync("Nguyễn Văn An");

        // The link worked once.
        await page.GotoAsync($"/setup?token={token}");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Liên kết thiết lập không hợp lệ hoặc đã được dùng.");
        await Expect(page.GetByLabel("Mật khẩu")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_setup_link_with_a_wrong_token_offers_no_form()
    {
        browser.EnsureAvailable();
        await using var session = await browser.OpenAsync();
        var page = session.Page;

        await page.GotoAsync("/setup?token=0123456789abcdef0123456789abcdef");

        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Liên kết thiết lập không hợp lệ hoặc đã được dùng.");
        await Expect(page.GetByLabel("Mật khẩu")).ToHaveCountAsync(0);
    }
}

/// <summary>Browser journeys run on SQLite only: the pages are the same on both databases, and the API tests cover both.</summary>
public sealed class FirstSignInBrowserOnSqlite(BrowserFixture<SqliteApp> browser) : FirstSignInBrowserTests<SqliteApp>(browser);
