using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CivicDesk.Web.Tests.Browser;

[Collection(BrowserCollection.Name)]
public abstract class UnitsBrowserTests<TApp>(BrowserFixture<TApp> browser) : IClassFixture<BrowserFixture<TApp>>
    where TApp : AppFactory, new()
{
    [Fact]
    public async Task An_administrator_adds_a_unit_and_a_sub_unit_and_sees_them_nested_in_the_tree()
    {
        browser.EnsureAvailable();
        var admin = await browser.App.CreateSystemAdminAsync();
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await page.SignInAsync(admin.Email!);

        await page.GotoAsync("/units");
        var form = page.Locator("form", new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Thêm đơn vị" }) });
        await form.GetByLabel("Tên", new() { Exact = true }).FillAsync("UBND tỉnh Quảng Nam");
        await form.GetByLabel("Đơn vị cấp trên").SelectOptionAsync(new SelectOptionValue { Label = "— Cấp cao nhất —" });
        await form.GetByRole(AriaRole.Button, new() { Name = "Thêm đơn vị" }).ClickAsync();
        var tree = page.GetByRole(AriaRole.Table, new() { Name = "Cây đơn vị" });
        await Expect(tree.GetByRole(AriaRole.Row, new() { Name = "UBND tỉnh Quảng Nam" })).ToBeVisibleAsync();

        await form.GetByLabel("Tên", new() { Exact = true }).FillAsync("Sở Thông tin và Truyền thông");
        await form.GetByLabel("Đơn vị cấp trên").SelectOptionAsync(new SelectOptionValue { Label = "UBND tỉnh Quảng Nam" });
        await form.GetByRole(AriaRole.Button, new() { Name = "Thêm đơn vị" }).ClickAsync();
        await Expect(tree.GetByRole(AriaRole.Row, new() { Name = "Sở Thông tin và Truyền thông" })).ToBeVisibleAsync();

        // The sub-unit comes right under its parent, indented one level deeper.
        var names = (await tree.Locator("tbody tr td:first-child").AllInnerTextsAsync()).Select(n => n.Trim()).ToList();
        var parentIndex = names.IndexOf("UBND tỉnh Quảng Nam");
        Assert.True(parentIndex >= 0, string.Join(" | ", names));
        Assert.Equal("Sở Thông tin và Truyền thông", names.ElementAtOrDefault(parentIndex + 1));
        var parentIndent = await IndentAsync(tree, "UBND tỉnh Quảng Nam");
        var childIndent = await IndentAsync(tree, "Sở Thông tin và Truyền thông");
        Assert.True(childIndent > parentIndent, $"sub-unit indent {childIndent}px, parent {parentIndent}px");

        // The new units can be picked as scope in the top bar at once.
        await Expect(page.Locator("#scope-unit option", new() { HasText = "Sở Thông tin và Truyền thông" })).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task A_second_unit_with_the_same_name_at_the_same_level_is_refused_beside_the_name_field()
    {
        browser.EnsureAvailable();
        var admin = await browser.App.CreateSystemAdminAsync();
        var parent = await browser.App.CreateUnitAsync("UBND thành phố Đà Nẵng");
        await browser.App.CreateUnitAsync("Sở Tài chính", parent.Id);
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await page.SignInAsync(admin.Email!);

        await page.GotoAsync("/units");
        var form = page.Locator("form", new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Thêm đơn vị" }) });
        await form.GetByLabel("Tên", new() { Exact = true }).FillAsync("SỞ TÀI CHÍNH");
        await form.GetByLabel("Đơn vị cấp trên").SelectOptionAsync(new SelectOptionValue { Label = "UBND thành phố Đà Nẵng" });
        await form.GetByRole(AriaRole.Button, new() { Name = "Thêm đơn vị" }).ClickAsync();

        await Expect(page.Locator("[data-valmsg-for=Name]")).ToHaveTextAsync("Đã có đơn vị “SỞ TÀI CHÍNH” cùng cấp.");
        await Expect(form.GetByLabel("Tên", new() { Exact = true })).ToHaveValueAsync("SỞ TÀI CHÍNH");
        var tree = page.GetByRole(AriaRole.Table, new() { Name = "Cây đơn vị" });
        await Expect(tree.GetByRole(AriaRole.Row, new() { Name = "Sở Tài chính" })).ToHaveCountAsync(1);
    }

    private static Task<double> IndentAsync(ILocator tree, string name) =>
        tree.GetByRole(AriaRole.Row, new() { Name = name }).Locator("td").First
            .EvaluateAsync<double>("td => parseFloat(getComputedStyle(td).paddingLeft)");
}

public sealed class UnitsBrowserOnSqlite(BrowserFixture<SqliteApp> browser) : UnitsBrowserTests<SqliteApp>(browser);
