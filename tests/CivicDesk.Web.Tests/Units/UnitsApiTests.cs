using System.Net;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Units;

public abstract class UnitsApiTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory
{
    [Fact]
    public async Task System_admin_creates_a_top_level_unit_and_a_sub_unit()
    {
        app.EnsureAvailable();
        var client = await app.ApiClientAsync(await app.CreateSystemAdminAsync());
        var name = app.Unique("UBND tỉnh");

        var created = await (await client.PostJsonAsync("/api/v1/units", new { name, parentId = (int?)null })).ExpectAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt32();
        var child = await (await client.PostJsonAsync("/api/v1/units", new { name = "Sở Thông tin và Truyền thông", parentId = id })).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal(name, created.GetProperty("name").GetString());
        Assert.Equal(id, child.GetProperty("parentId").GetInt32());
        Assert.Equal([id, child.GetProperty("id").GetInt32()], child.GetProperty("path").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public async Task Moving_a_unit_under_its_own_sub_unit_is_refused_and_nothing_changes()
    {
        app.EnsureAvailable();
        var client = await app.ApiClientAsync(await app.CreateSystemAdminAsync());
        var root = await app.CreateUnitAsync();
        var child = await app.CreateUnitAsync(parentId: root.Id);
        var grandchild = await app.CreateUnitAsync(parentId: child.Id);

        var problem = await (await client.PostJsonAsync($"/api/v1/units/{root.Id}/move", new { parentId = grandchild.Id })).ExpectAsync(HttpStatusCode.BadRequest);
        var self = await (await client.PostJsonAsync($"/api/v1/units/{root.Id}/move", new { parentId = root.Id })).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Contains("đơn vị trực thuộc", problem.Messages());
        Assert.Contains("parentId", self.Messages());
        var stored = await app.WithDbAsync(db => db.Units.AsNoTracking().SingleAsync(u => u.Id == root.Id));
        Assert.Null(stored.ParentId);
        Assert.Equal($"/{root.Id}/", stored.Path);
    }

    [Fact]
    public async Task Moving_a_unit_moves_its_whole_subtree_and_inherited_roles_follow()
    {
        app.EnsureAvailable();
        var admin = await app.CreateSystemAdminAsync();
        var client = await app.ApiClientAsync(admin);
        var a = await app.CreateUnitAsync();
        var b = await app.CreateUnitAsync();
        var child = await app.CreateUnitAsync(parentId: a.Id);
        var grandchild = await app.CreateUnitAsync(parentId: child.Id);
        var viewerOfB = await app.CreateUserAsync(b.Id, Role.Viewer);
        var viewerClient = await app.ApiClientAsync(viewerOfB);
        await (await viewerClient.GetAsync($"/api/v1/units/{grandchild.Id}")).ExpectAsync(HttpStatusCode.NotFound);

        await (await client.PostJsonAsync($"/api/v1/units/{child.Id}/move", new { parentId = b.Id })).ExpectAsync(HttpStatusCode.OK);

        var moved = await app.WithDbAsync(db => db.Units.AsNoTracking().SingleAsync(u => u.Id == grandchild.Id));
        Assert.Equal($"/{b.Id}/{child.Id}/{grandchild.Id}/", moved.Path);
        await (await viewerClient.GetAsync($"/api/v1/units/{grandchild.Id}")).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_unit_with_channels_users_or_sub_units_cannot_be_deleted_and_the_answer_says_why()
    {
        app.EnsureAvailable();
        var client = await app.ApiClientAsync(await app.CreateSystemAdminAsync());
        var unit = await app.CreateUnitAsync();
        await app.CreateUnitAsync(parentId: unit.Id);
        await app.CreateUserAsync(unit.Id, Role.Editor);
        await (await client.PostJsonAsync("/api/v1/channels", new { unitId = unit.Id, url = $"https://www.tiktok.com/@del{Guid.NewGuid().ToString("N")[..8]}" })).ExpectAsync(HttpStatusCode.Created);

        var problem = await (await client.DeleteAsync($"/api/v1/units/{unit.Id}")).ExpectAsync(HttpStatusCode.Conflict);

        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("1 đơn vị trực thuộc", detail);
        Assert.Contains("1 kênh", detail);
        Assert.Contains("1 người dùng", detail);
        Assert.True(await app.WithDbAsync(db => db.Units.AnyAsync(u => u.Id == unit.Id)));
    }

    [Fact]
    public async Task An_empty_unit_is_deleted()
    {
        app.EnsureAvailable();
        var client = await app.ApiClientAsync(await app.CreateSystemAdminAsync());
        var unit = await app.CreateUnitAsync();

        await (await client.DeleteAsync($"/api/v1/units/{unit.Id}")).ExpectAsync(HttpStatusCode.NoContent);

        Assert.False(await app.WithDbAsync(db => db.Units.AnyAsync(u => u.Id == unit.Id)));
    }

    [Fact]
    public async Task Archiving_hides_the_subtree_from_lists_and_restoring_brings_it_back()
    {
        app.EnsureAvailable();
        var client = await app.ApiClientAsync(await app.CreateSystemAdminAsync());
        var unit = await app.CreateUnitAsync();
        var child = await app.CreateUnitAsync(parentId: unit.Id);

        await (await client.PostAsync($"/api/v1/units/{unit.Id}/archive", null)).ExpectAsync(HttpStatusCode.OK);
        var active = await (await client.GetAsync("/api/v1/units")).ExpectAsync(HttpStatusCode.OK);
        var all = await (await client.GetAsync("/api/v1/units?includeArchived=true")).ExpectAsync(HttpStatusCode.OK);
        var refused = await (await client.PostJsonAsync("/api/v1/units", new { name = "Mới", parentId = child.Id })).ExpectAsync(HttpStatusCode.BadRequest);
        await (await client.PostAsync($"/api/v1/units/{unit.Id}/restore", null)).ExpectAsync(HttpStatusCode.OK);
        var restored = await (await client.GetAsync("/api/v1/units")).ExpectAsync(HttpStatusCode.OK);

        Assert.DoesNotContain(active.EnumerateArray(), u => u.GetProperty("id").GetInt32() == child.Id);
        Assert.Contains(all.EnumerateArray(), u => u.GetProperty("id").GetInt32() == child.Id && u.GetProperty("archived").GetBoolean());
        Assert.Contains("lưu trữ", refused.Messages());
        Assert.Contains(restored.EnumerateArray(), u => u.GetProperty("id").GetInt32() == child.Id);
    }

    [Fact]
    public async Task Renaming_checks_the_name_and_refuses_a_sibling_duplicate_whatever_its_case_or_unicode_form()
    {
        app.EnsureAvailable();
        var client = await app.ApiClientAsync(await app.CreateSystemAdminAsync());
        var parent = await app.CreateUnitAsync();
        await app.CreateUnitAsync("Xã Tam Thành", parent.Id);
        var other = await app.CreateUnitAsync("Xã Tam Xuân", parent.Id);

        // "XÃ TAM THÀNH" in decomposed form (NFD), as some keyboards send it.
        var duplicate = await (await client.PatchJsonAsync($"/api/v1/units/{other.Id}", new { name = "XÃ TAM THÀNH".Normalize(System.Text.NormalizationForm.FormD) })).ExpectAsync(HttpStatusCode.Conflict);
        var empty = await (await client.PatchJsonAsync($"/api/v1/units/{other.Id}", new { name = "   " })).ExpectAsync(HttpStatusCode.BadRequest);
        var tooLong = await (await client.PatchJsonAsync($"/api/v1/units/{other.Id}", new { name = new string('a', 201) })).ExpectAsync(HttpStatusCode.BadRequest);
        await (await client.PatchJsonAsync($"/api/v1/units/{other.Id}", new { name = "Xã Tam Hòa" })).ExpectAsync(HttpStatusCode.OK);

        Assert.Contains("Xã Tam Thành", duplicate.Messages(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Hãy nhập Tên", empty.Messages());
        Assert.Contains("200", tooLong.Messages());
        Assert.Contains("201", tooLong.Messages());
        Assert.Equal("Xã Tam Hòa", await app.WithDbAsync(db => db.Units.Where(u => u.Id == other.Id).Select(u => u.Name).SingleAsync()));
    }

    [Fact]
    public async Task Errors_are_in_English_when_the_client_asks_for_it()
    {
        app.EnsureAvailable();
        var client = await app.ApiClientAsync(await app.CreateSystemAdminAsync());
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-GB");

        var problem = await (await client.PostJsonAsync("/api/v1/units", new { name = "" })).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Contains("Name is required.", problem.Messages());
        Assert.Equal("Bad request", problem.GetProperty("title").GetString());
    }
}

public sealed class UnitsApiOnSqlite(SqliteApp app) : UnitsApiTests<SqliteApp>(app);

public sealed class UnitsApiOnPostgres(PostgresApp app) : UnitsApiTests<PostgresApp>(app);
