using System.Net;
using CivicDesk.Web.Accounts;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Shared;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Permissions;

/// <summary>
/// What the administrator of one unit can never do, whatever they post: give roles outside their subtree, create
/// units at the top level, or make anyone (themselves included) a system administrator.
/// </summary>
public abstract class UnitAdminLimitsTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory
{
    [Fact]
    public async Task A_unit_admin_cannot_grant_a_role_in_a_unit_they_do_not_administer()
    {
        app.EnsureAvailable();
        var admin = await Callers.CreateAsync(app, Caller.UnitAdmin);
        var scene = await (await PermissionScene.BuildAsync(app, Target.InUnit, Caller.UnitAdmin, admin!.Id)).WithMemberAsync(app);
        using var browser = await BrowserSession.SignInAsync(app, admin);
        var grantPath = $"/admin/users/{scene.MemberId}?handler=Grant";

        // The sibling and the root are outside the admin's tree: to them they do not exist.
        var before = await DatabaseSnapshot.TakeAsync(app);
        var toSibling = await browser.PostFormAsync(grantPath, Form(scene.X.Id, "Admin"));
        var toRoot = await browser.PostFormAsync(grantPath, Form(scene.Root.Id, "Admin"));
        var unchanged = (await DatabaseSnapshot.TakeAsync(app)).DifferencesFrom(before);

        // Once the admin may see the sibling (as a viewer), the answer becomes "not allowed".
        await AddRoleAsync(admin.Id, scene.X.Id, Role.Viewer);
        var beforeVisible = await DatabaseSnapshot.TakeAsync(app);
        var toVisibleSibling = await browser.PostFormAsync(grantPath, Form(scene.X.Id, "Editor"));
        var viaService = await ActingAsAsync(admin, sp => sp.GetRequiredService<UserService>().GrantAsync(scene.MemberId, scene.X.Id, Role.Editor));
        var unchangedVisible = (await DatabaseSnapshot.TakeAsync(app)).DifferencesFrom(beforeVisible);

        // Inside the admin's tree the same form works, so the refusals above are about the unit, not the form.
        var toSubUnit = await browser.PostFormAsync(grantPath, Form(scene.S.Id, "Editor"));

        await ExpectRefusedBesideAsync(toSibling, "UnitId");
        await ExpectRefusedBesideAsync(toRoot, "UnitId");
        Assert.Equal("", unchanged);
        Assert.Contains("/account/denied", toVisibleSibling.Headers.Location?.OriginalString);
        Assert.Equal(Failure.Forbidden, viaService.Failure);
        Assert.Equal("", unchangedVisible);
        Assert.Equal(HttpStatusCode.Redirect, toSubUnit.StatusCode);
        Assert.DoesNotContain("/account/denied", toSubUnit.Headers.Location?.OriginalString);
        var roles = await app.WithDbAsync(db => db.Memberships.Where(m => m.UserId == scene.MemberId).Select(m => new { m.UnitId, m.Role }).ToListAsync());
        Assert.Equal([(scene.U.Id, Role.Viewer), (scene.S.Id, Role.Editor)], roles.Select(r => (r.UnitId, r.Role)).OrderBy(r => r.Item1));
    }

    [Fact]
    public async Task A_unit_admin_cannot_create_or_move_units_at_the_top_level()
    {
        app.EnsureAvailable();
        var admin = await Callers.CreateAsync(app, Caller.UnitAdmin);
        var scene = await PermissionScene.BuildAsync(app, Target.InUnit, Caller.UnitAdmin, admin!.Id);
        using var api = await app.ApiClientAsync(admin);
        using var browser = await BrowserSession.SignInAsync(app, admin);
        var name = app.Unique("Sở tự lập");

        var before = await DatabaseSnapshot.TakeAsync(app);
        var created = await (await api.PostJsonAsync("/api/v1/units", new { name, parentId = (int?)null })).ExpectAsync(HttpStatusCode.Forbidden);
        var moved = await (await api.PostJsonAsync($"/api/v1/units/{scene.S.Id}/move", new { parentId = (int?)null })).ExpectAsync(HttpStatusCode.Forbidden);
        var page = await browser.PostFormAsync("/units", new Dictionary<string, string> { ["Name"] = name, ["ParentId"] = "" });
        var pageMove = await browser.PostFormAsync($"/units/{scene.S.Id}?handler=Move", new Dictionary<string, string> { ["ParentId"] = "" });
        var changes = (await DatabaseSnapshot.TakeAsync(app)).DifferencesFrom(before);

        // A system administrator may: the refusals are about who asks.
        using var system = await app.ApiClientAsync(await app.CreateSystemAdminAsync());
        await (await system.PostJsonAsync("/api/v1/units", new { name, parentId = (int?)null })).ExpectAsync(HttpStatusCode.Created);

        Assert.Contains("quản trị hệ thống", created.Messages());
        Assert.Contains("quản trị hệ thống", moved.Messages());
        Assert.Contains("/account/denied", page.Headers.Location?.OriginalString);
        Assert.Contains("/account/denied", pageMove.Headers.Location?.OriginalString);
        Assert.Equal("", changes);
    }

    [Fact]
    public async Task A_unit_admin_cannot_make_anyone_a_system_admin()
    {
        app.EnsureAvailable();
        var admin = await Callers.CreateAsync(app, Caller.UnitAdmin);
        var scene = await (await PermissionScene.BuildAsync(app, Target.InUnit, Caller.UnitAdmin, admin!.Id)).WithMemberAsync(app);
        using var browser = await BrowserSession.SignInAsync(app, admin);
        var email = $"new-{Guid.NewGuid():N}@test.example";

        // The forms have no such field; one added by hand is ignored, for a new account, a member and oneself.
        var createdPage = await browser.PostFormAsync("/admin/users/new", new Dictionary<string, string>
        {
            ["DisplayName"] = "Cán bộ mới", ["Email"] = email, ["UnitId"] = $"{scene.U.Id}", ["Role"] = "Admin",
            ["Password"] = AppFactory.Password, ["IsSystemAdmin"] = "true", ["isSystemAdmin"] = "true",
        });
        await browser.PostFormAsync($"/admin/users/{scene.MemberId}?handler=Grant", new Dictionary<string, string>
        {
            ["UnitId"] = $"{scene.U.Id}", ["Role"] = "Admin", ["IsSystemAdmin"] = "true", ["Target.IsSystemAdmin"] = "true",
        });
        await browser.PostFormAsync($"/admin/users/{admin.Id}?handler=Grant", new Dictionary<string, string>
        {
            ["UnitId"] = $"{scene.U.Id}", ["Role"] = "Admin", ["IsSystemAdmin"] = "true", ["Target.IsSystemAdmin"] = "true",
        });

        // Asked of the service directly, the answer is no and nothing is created.
        var before = await DatabaseSnapshot.TakeAsync(app);
        var viaService = await ActingAsAsync(admin, sp => sp.GetRequiredService<UserService>()
            .CreateAsync($"sys-{Guid.NewGuid():N}@test.example", "Quản trị", AppFactory.Password, scene.U.Id, Role.Admin, isSystemAdmin: true));
        var changes = (await DatabaseSnapshot.TakeAsync(app)).DifferencesFrom(before);

        Assert.Equal(HttpStatusCode.Redirect, createdPage.StatusCode);
        var flags = await app.WithDbAsync(db => db.Users.Where(u => u.Email == email || u.Id == scene.MemberId || u.Id == admin.Id)
            .Select(u => new { u.Email, u.IsSystemAdmin }).ToListAsync());
        Assert.Equal(3, flags.Count);
        Assert.All(flags, f => Assert.False(f.IsSystemAdmin, $"{f.Email} became a system administrator"));
        Assert.Equal(Failure.Forbidden, viaService.Failure);
        Assert.Equal("", changes);
    }

    private static Dictionary<string, string> Form(int unitId, string role) => new() { ["UnitId"] = $"{unitId}", ["Role"] = role };

    private Task AddRoleAsync(string userId, int unitId, Role role) =>
        app.WithDbAsync(async db =>
        {
            db.Memberships.Add(new Membership { UserId = userId, UnitId = unitId, Role = role, CreatedAt = app.Time.GetUtcNow().UtcDateTime });
            return await db.SaveChangesAsync();
        });

    private async Task<T> ActingAsAsync<T>(User user, Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().Set(user.Id, user.Email!);
        return await work(scope.ServiceProvider);
    }

    private static async Task ExpectRefusedBesideAsync(HttpResponseMessage response, string field)
    {
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected the form again, got {(int)response.StatusCode} {response.Headers.Location}");
        Assert.Matches($"""<span[^>]*class="[^"]*field-validation-error[^"]*"[^>]*data-valmsg-for="{field}"[^>]*>[^<]+</span>""", html);
    }
}

public sealed class UnitAdminLimitsOnSqlite(SqliteApp app) : UnitAdminLimitsTests<SqliteApp>(app);

public sealed class UnitAdminLimitsOnPostgres(PostgresApp app) : UnitAdminLimitsTests<PostgresApp>(app);
