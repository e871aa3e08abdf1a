using System.Net;
using CivicDesk.Web.Audit;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Accounts;

public abstract class SignInTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory
{
    [Fact]
    public async Task A_wrong_password_is_refused_with_one_message_for_unknown_and_known_addresses_and_audited()
    {
        app.EnsureAvailable();
        var user = await app.CreateUserAsync((await app.CreateUnitAsync()).Id, Role.Viewer);
        var page = BrowserSession.Anonymous(app);

        var wrong = await page.PostFormAsync("/account/login", new Dictionary<string, string> { ["Email"] = user.Email!, ["Password"] = "Wrong-Password-1" }, tokenFrom: "/account/login");
        var unknown = await page.PostFormAsync("/account/login", new Dictionary<string, string> { ["Email"] = "nobody@test.example", ["Password"] = "Wrong-Password-1" }, tokenFrom: "/account/login");

        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("Thư điện tử hoặc mật khẩu không đúng.", await wrong.Content.ReadAsStringAsync());
        Assert.Contains("Thư điện tử hoặc mật khẩu không đúng.", await unknown.Content.ReadAsStringAsync());
        var failures = await app.WithDbAsync(db => db.AuditEntries.Where(a => a.Action == AuditActions.SignInFailed && (a.ActorName == user.Email || a.ActorName == "nobody@test.example")).CountAsync());
        Assert.Equal(2, failures);
    }

    [Fact]
    public async Task Five_failures_lock_the_account_even_for_the_right_password()
    {
        app.EnsureAvailable();
        var user = await app.CreateUserAsync((await app.CreateUnitAsync()).Id, Role.Viewer);
        var page = BrowserSession.Anonymous(app);

        for (var i = 0; i < 5; i++)
        {
            await page.PostFormAsync("/account/login", new Dictionary<string, string> { ["Email"] = user.Email!, ["Password"] = "Wrong-Password-1" }, tokenFrom: "/account/login");
        }

        var right = await page.PostFormAsync("/account/login", new Dictionary<string, string> { ["Email"] = user.Email!, ["Password"] = AppFactory.Password }, tokenFrom: "/account/login");

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("tạm bị khóa 15 phút", await right.Content.ReadAsStringAsync());
        Assert.True(await app.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == AuditActions.LockedOut && a.ActorId == user.Id)));
    }

    [Fact]
    public async Task Signing_in_is_audited_and_opens_the_pages_signing_out_closes_them()
    {
        app.EnsureAvailable();
        var user = await app.CreateUserAsync((await app.CreateUnitAsync()).Id, Role.Viewer);

        var page = await BrowserSession.SignInAsync(app, user.Email!);
        var units = await page.GetAsync("/units");
        var logout = await page.PostFormAsync("/account/logout", []);
        var after = await page.GetAsync("/units");

        Assert.Equal(HttpStatusCode.OK, units.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/account/login", after.Headers.Location!.PathAndQuery);
        var actions = await app.WithDbAsync(db => db.AuditEntries.Where(a => a.ActorId == user.Id).Select(a => a.Action).ToListAsync());
        Assert.Contains(AuditActions.SignedIn, actions);
        Assert.Contains(AuditActions.SignedOut, actions);
    }

    [Fact]
    public async Task Changing_the_password_checks_the_current_one_and_the_policy()
    {
        app.EnsureAvailable();
        var user = await app.CreateUserAsync((await app.CreateUnitAsync()).Id, Role.Viewer);
        var page = await BrowserSession.SignInAsync(app, user.Email!);

        var wrongCurrent = await page.PostFormAsync("/account/password", new Dictionary<string, string> { ["Current"] = "Not-It-12345", ["New"] = "New-Password-456" });
        var weak = await page.PostFormAsync("/account/password", new Dictionary<string, string> { ["Current"] = AppFactory.Password, ["New"] = "short" });
        var ok = await page.PostFormAsync("/account/password", new Dictionary<string, string> { ["Current"] = AppFactory.Password, ["New"] = "New-Password-456" });

        Assert.Contains("Mật khẩu hiện tại không đúng.", await wrongCurrent.Content.ReadAsStringAsync());
        var weakHtml = await weak.Content.ReadAsStringAsync();
        Assert.Contains("ít nhất 10 ký tự", weakHtml);
        Assert.Contains("chữ số", weakHtml);
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        await BrowserSession.SignInAsync(app, user.Email!, "New-Password-456");
    }

    [Fact]
    public async Task An_invited_person_sets_a_password_with_the_link_once()
    {
        app.EnsureAvailable();
        var unit = await app.CreateUnitAsync();
        var admin = await app.CreateUserAsync(unit.Id, Role.Admin);
        var page = await BrowserSession.SignInAsync(app, admin.Email!);
        var email = $"moi{Guid.NewGuid().ToString("N")[..6]}@test.example";

        var created = await page.PostFormAsync("/admin/users/new", new Dictionary<string, string>
        {
            ["DisplayName"] = "Người được mời",
            ["Email"] = email,
            ["UnitId"] = unit.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Role"] = "Editor",
        });
        var html = await created.Content.ReadAsStringAsync();
        var link = System.Text.RegularExpressions.Regex.Match(html, "data-testid=\"invitation-link\">([^<]+)<").Groups[1].Value;
        var path = new Uri(WebUtility.HtmlDecode(link)).PathAndQuery;
        var invitee = BrowserSession.Anonymous(app);
        var set = await invitee.PostFormAsync(path, new Dictionary<string, string> { ["Password"] = "Invited-Pass-789" }, tokenFrom: path);
        var again = await invitee.PostFormAsync(path, new Dictionary<string, string> { ["Password"] = "Another-Pass-789" }, tokenFrom: path);

        Assert.Contains("Đã đặt mật khẩu", await set.Content.ReadAsStringAsync());
        Assert.Contains("Liên kết không hợp lệ hoặc đã hết hạn.", await again.Content.ReadAsStringAsync());
        await BrowserSession.SignInAsync(app, email, "Invited-Pass-789");
        var role = await app.WithDbAsync(db => db.Memberships.Where(m => m.User!.Email == email).Select(m => new { m.UnitId, m.Role }).SingleAsync());
        Assert.Equal(unit.Id, role.UnitId);
        Assert.Equal(Role.Editor, role.Role);
    }

    [Fact]
    public async Task A_disabled_account_can_neither_sign_in_nor_use_its_api_token()
    {
        app.EnsureAvailable();
        var unit = await app.CreateUnitAsync();
        var user = await app.CreateUserAsync(unit.Id, Role.Editor);
        var api = await app.ApiClientAsync(user);
        var sysadmin = await BrowserSession.SignInAsync(app, (await app.CreateSystemAdminAsync()).Email!);
        await (await api.GetAsync("/api/v1/units")).ExpectAsync(HttpStatusCode.OK);

        var disable = await sysadmin.PostFormAsync($"/admin/users/{user.Id}?handler=Disable", new Dictionary<string, string> { ["disabled"] = "true" });
        var signIn = await BrowserSession.Anonymous(app).PostFormAsync("/account/login", new Dictionary<string, string> { ["Email"] = user.Email!, ["Password"] = AppFactory.Password }, tokenFrom: "/account/login");

        Assert.Equal(HttpStatusCode.Redirect, disable.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.Contains("Thư điện tử hoặc mật khẩu không đúng.", await signIn.Content.ReadAsStringAsync());
        await (await api.GetAsync("/api/v1/units")).ExpectAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_revoked_token_stops_working_at_once()
    {
        app.EnsureAvailable();
        var user = await app.CreateUserAsync((await app.CreateUnitAsync()).Id, Role.Viewer);
        var api = await app.ApiClientAsync(user);
        await (await api.GetAsync("/api/v1/units")).ExpectAsync(HttpStatusCode.OK);
        var page = await BrowserSession.SignInAsync(app, user.Email!);
        var tokenId = await app.WithDbAsync(db => db.ApiTokens.Where(t => t.UserId == user.Id).Select(t => t.Id).SingleAsync());

        var revoke = await page.PostFormAsync($"/account/tokens?handler=Revoke&id={tokenId}", []);

        Assert.Equal(HttpStatusCode.Redirect, revoke.StatusCode);
        await (await api.GetAsync("/api/v1/units")).ExpectAsync(HttpStatusCode.Unauthorized);
    }
}

public sealed class SignInOnSqlite(SqliteApp app) : SignInTests<SqliteApp>(app);

public sealed class SignInOnPostgres(PostgresApp app) : SignInTests<PostgresApp>(app);
