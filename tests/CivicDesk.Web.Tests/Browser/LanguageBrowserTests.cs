using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CivicDesk.Web.Tests.Browser;

[Collection(BrowserCollection.Name)]
public abstract class LanguageBrowserTests<TApp>(BrowserFixture<TApp> browser) : IClassFixture<BrowserFixture<TApp>>
    where TApp : AppFactory, new()
{
    [Fact]
    public async Task The_language_button_switches_to_English_and_the_choice_follows_the_person_across_reloads_sign_outs_and_devices()
    {
        browser.EnsureAvailable();
        var admin = await browser.App.CreateSystemAdminAsync();
        var unit = await browser.App.CreateUnitAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await page.SignInAsync(admin.Email!);
        await page.GotoAsync($"/channels?unit={unit.Id}");
        await ExpectVietnameseAsync(page);

        await page.Locator("header").GetByRole(AriaRole.Button, new() { Name = "English" }).ClickAsync();

        await ExpectEnglishAsync(page);
        Assert.EndsWith($"/channels?unit={unit.Id}", page.Url);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Channels" })).ToBeVisibleAsync();

        await page.ReloadAsync();
        await ExpectEnglishAsync(page);

        await page.SignOutAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.SignInAsync(admin.Email!);
        await ExpectEnglishAsync(page);

        // Another device, whose browser asks for Vietnamese: the account's choice wins once the person signs in.
        await using (var other = await browser.OpenAsync())
        {
            await other.Page.GotoAsync("/account/login");
            await Expect(other.Page.GetByRole(AriaRole.Heading, new() { Name = "Đăng nhập" })).ToBeVisibleAsync();
            await other.Page.SignInAsync(admin.Email!);
            await ExpectEnglishAsync(other.Page);
        }

        // And back: the other language's name is written in that language.
        await page.Locator("header").GetByRole(AriaRole.Button, new() { Name = "Tiếng Việt" }).ClickAsync();
        await ExpectVietnameseAsync(page);
        await page.ReloadAsync();
        await ExpectVietnameseAsync(page);
    }

    private static async Task ExpectEnglishAsync(IPage page)
    {
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(page.Locator("#sidebar").GetByRole(AriaRole.Link, new() { Name = "Channels" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await Expect(page.Locator("header").GetByRole(AriaRole.Button, new() { Name = "Tiếng Việt" })).ToHaveAttributeAsync("lang", "vi");
    }

    private static async Task ExpectVietnameseAsync(IPage page)
    {
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "vi");
        await Expect(page.Locator("#sidebar").GetByRole(AriaRole.Link, new() { Name = "Kênh", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Đăng xuất" })).ToBeVisibleAsync();
        await Expect(page.Locator("header").GetByRole(AriaRole.Button, new() { Name = "English" })).ToHaveAttributeAsync("lang", "en");
    }
}

public sealed class LanguageBrowserOnSqlite(BrowserFixture<SqliteApp> browser) : LanguageBrowserTests<SqliteApp>(browser);
