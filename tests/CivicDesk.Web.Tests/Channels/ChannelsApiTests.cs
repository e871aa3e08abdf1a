using System.Net;
using System.Text;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Units;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Channels;

/// <summary>
/// The channel registry through /api/v1/channels, as a unit's editor uses it: register from a pasted URL, find,
/// rename, hand to another unit, archive and restore, and be stopped from registering a channel twice.
/// </summary>
public abstract class ChannelsApiTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory
{
    [Fact]
    public async Task One_channel_per_platform_registers_from_its_url_alone_and_the_platform_is_detected()
    {
        app.EnsureAvailable();
        var (unit, _, client) = await EditorAsync();
        var tag = Tag();
        (string Url, string Platform)[] channels =
        [
            ($"https://www.facebook.com/ubnd.{tag}", "facebook"),
            ($"https://www.youtube.com/@truyenhinh{tag}", "youtube"),
            ($"https://www.tiktok.com/@congan.{tag}", "tiktok"),
            ($"https://zalo.me/{Digits()}", "zalo"),
            ($"https://{tag}.danang.gov.vn/", "website"),
        ];

        foreach (var (url, platform) in channels)
        {
            // The exact body a script sends: the unit and the URL, nothing else.
            var body = $$"""{"unitId": {{unit.Id}}, "url": "{{url}}"}""";
            var response = await client.PostAsync("/api/v1/channels", new StringContent(body, Encoding.UTF8, "application/json"));
            var created = await response.ExpectAsync(HttpStatusCode.Created);

            var id = created.GetProperty("id").GetInt32();
            Assert.True(id > 0);
            Assert.Equal(platform, created.GetProperty("platform").GetString());
            Assert.Equal(unit.Id, created.GetProperty("unitId").GetInt32());
            Assert.Equal($"/api/v1/channels/{id}", response.Headers.Location?.OriginalString);
            var fetched = await (await client.GetAsync($"/api/v1/channels/{id}")).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(platform, fetched.GetProperty("platform").GetString());
            Assert.False(string.IsNullOrWhiteSpace(fetched.GetProperty("displayName").GetString()));
        }

        var stored = await app.WithDbAsync(db => db.Channels.Where(c => c.UnitId == unit.Id).Select(c => c.Platform).ToListAsync());
        Assert.Equal(5, stored.Distinct().Count());
    }

    [Fact]
    public async Task The_list_filters_by_unit_with_its_sub_units_and_by_platform()
    {
        app.EnsureAvailable();
        var (unit, sub, client) = await EditorAsync();
        var other = await app.CreateUnitAsync();
        using var system = await app.ApiClientAsync(await app.CreateSystemAdminAsync());
        var tag = Tag();
        var inUnit = await RegisterAsync(client, unit.Id, $"https://www.facebook.com/ubnd.{tag}");
        var inSub = await RegisterAsync(client, sub.Id, $"https://www.tiktok.com/@phong.{tag}");
        var inSubToo = await RegisterAsync(client, sub.Id, $"https://www.facebook.com/phong.{tag}");
        var elsewhere = await RegisterAsync(system, other.Id, $"https://www.facebook.com/khac.{tag}");

        var byUnit = await ListAsync(client, $"?unitId={unit.Id}");
        var bySub = await ListAsync(client, $"?unitId={sub.Id}");
        var facebook = await ListAsync(client, "?platform=facebook");
        var tiktokInUnit = await ListAsync(client, $"?unitId={unit.Id}&platform=TikTok");
        var everything = await ListAsync(system, $"?platform=facebook");

        Assert.Equal([inUnit, inSub, inSubToo], byUnit.Select(c => c.Id).Order());
        Assert.Equal([inSub, inSubToo], bySub.Select(c => c.Id).Order());
        Assert.Equal([inUnit, inSubToo], facebook.Select(c => c.Id).Order());
        Assert.All(facebook, c => Assert.Equal("facebook", c.Platform));
        Assert.Equal([inSub], tiktokInUnit.Select(c => c.Id));
        // The editor's lists never show another unit's channel, which a system administrator does see.
        Assert.Contains(elsewhere, everything.Select(c => c.Id));
        Assert.DoesNotContain(elsewhere, facebook.Select(c => c.Id));
    }

    [Fact]
    public async Task The_display_name_is_edited()
    {
        app.EnsureAvailable();
        var (unit, _, client) = await EditorAsync();
        var id = await RegisterAsync(client, unit.Id, $"https://www.youtube.com/@kenh{Tag()}");

        var edited = await (await client.PatchJsonAsync($"/api/v1/channels/{id}", new { displayName = "  Kênh Truyền hình Đà Nẵng  " })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("Kênh Truyền hình Đà Nẵng", edited.GetProperty("displayName").GetString());
        Assert.Equal(unit.Id, edited.GetProperty("unitId").GetInt32());
        Assert.Equal("Kênh Truyền hình Đà Nẵng", await app.WithDbAsync(db => db.Channels.Where(c => c.Id == id).Select(c => c.DisplayName).SingleAsync()));
    }

    [Fact]
    public async Task A_channel_moves_to_another_unit_the_caller_manages_and_nowhere_else()
    {
        app.EnsureAvailable();
        var (unit, sub, client) = await EditorAsync();
        var visibleOnly = await app.CreateUnitAsync();
        var unseen = await app.CreateUnitAsync();
        var editorId = await app.WithDbAsync(db => db.Memberships.Where(m => m.UnitId == unit.Id).Select(m => m.UserId).SingleAsync());
        await app.WithDbAsync(async db =>
        {
            db.Memberships.Add(new Membership { UserId = editorId, UnitId = visibleOnly.Id, Role = Role.Viewer, CreatedAt = app.Time.GetUtcNow().UtcDateTime });
            return await db.SaveChangesAsync();
        });
        var id = await RegisterAsync(client, unit.Id, $"https://www.tiktok.com/@kenh.{Tag()}");

        var moved = await (await client.PatchJsonAsync($"/api/v1/channels/{id}", new { unitId = sub.Id })).ExpectAsync(HttpStatusCode.OK);
        var toViewOnly = await (await client.PatchJsonAsync($"/api/v1/channels/{id}", new { unitId = visibleOnly.Id })).ExpectAsync(HttpStatusCode.Forbidden);
        var toUnseen = await (await client.PatchJsonAsync($"/api/v1/channels/{id}", new { unitId = unseen.Id })).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Equal(sub.Id, moved.GetProperty("unitId").GetInt32());
        Assert.Equal(sub.Name, moved.GetProperty("unitName").GetString());
        Assert.Contains("kênh", toViewOnly.Messages());
        Assert.Contains("unitId", toUnseen.Messages());
        Assert.Equal(sub.Id, await app.WithDbAsync(db => db.Channels.Where(c => c.Id == id).Select(c => c.UnitId).SingleAsync()));
    }

    [Fact]
    public async Task An_archived_channel_leaves_the_list_and_comes_back_when_restored()
    {
        app.EnsureAvailable();
        var (unit, _, client) = await EditorAsync();
        var id = await RegisterAsync(client, unit.Id, $"https://zalo.me/{Digits()}");

        var archived = await (await client.PostAsync($"/api/v1/channels/{id}/archive", null)).ExpectAsync(HttpStatusCode.OK);
        var active = await ListAsync(client, $"?unitId={unit.Id}");
        var all = await ListAsync(client, $"?unitId={unit.Id}&includeArchived=true");
        var restored = await (await client.PostAsync($"/api/v1/channels/{id}/restore", null)).ExpectAsync(HttpStatusCode.OK);
        var back = await ListAsync(client, $"?unitId={unit.Id}");

        Assert.True(archived.GetProperty("archived").GetBoolean());
        Assert.DoesNotContain(id, active.Select(c => c.Id));
        Assert.Contains(all, c => c.Id == id && c.Archived);
        Assert.False(restored.GetProperty("archived").GetBoolean());
        Assert.Contains(id, back.Select(c => c.Id));
    }

    [Fact]
    public async Task The_same_page_pasted_again_in_another_form_is_refused_naming_the_unit_that_has_it()
    {
        app.EnsureAvailable();
        var (unit, sub, client) = await EditorAsync();
        var page = $"ubnd.{Tag()}";
        await RegisterAsync(client, unit.Id, $"https://www.facebook.com/{page}");
        string[] variants =
        [
            $"https://m.facebook.com/{page}",
            $"https://www.facebook.com/{page}/",
            $"https://www.facebook.com/{page}?ref=embed_page",
            $"facebook.com/{page.ToUpperInvariant()}",
        ];

        var before = await DatabaseSnapshot.TakeAsync(app);
        foreach (var variant in variants)
        {
            var problem = await (await client.PostJsonAsync("/api/v1/channels", new { unitId = sub.Id, url = variant })).ExpectAsync(HttpStatusCode.Conflict);
            var message = problem.GetProperty("errors").GetProperty("url")[0].GetString();
            Assert.Equal($"Kênh này đã được đăng ký cho đơn vị “{unit.Name}”.", message);
        }

        Assert.Equal("", (await DatabaseSnapshot.TakeAsync(app)).DifferencesFrom(before));
    }

    [Fact]
    public async Task An_archived_duplicate_is_refused_with_advice_to_restore_it()
    {
        app.EnsureAvailable();
        var (unit, _, client) = await EditorAsync();
        var handle = $"kenh.{Tag()}";
        var id = await RegisterAsync(client, unit.Id, $"https://www.tiktok.com/@{handle}");
        await (await client.PostAsync($"/api/v1/channels/{id}/archive", null)).ExpectAsync(HttpStatusCode.OK);
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");

        var problem = await (await client.PostJsonAsync("/api/v1/channels", new { unitId = unit.Id, url = $"https://www.tiktok.com/@{handle}/video/7301234567890123456" })).ExpectAsync(HttpStatusCode.Conflict);

        var message = problem.GetProperty("errors").GetProperty("url")[0].GetString();
        Assert.Contains(unit.Name, message);
        Assert.Contains("Restore it", message);
        Assert.Equal(1, await app.WithDbAsync(db => db.Channels.CountAsync(c => c.ExternalId == handle)));
    }

    [Fact]
    public async Task A_channel_of_a_unit_the_caller_cannot_see_is_a_duplicate_without_naming_that_unit()
    {
        app.EnsureAvailable();
        var (unit, _, client) = await EditorAsync();
        var hidden = await app.CreateUnitAsync(app.Unique("Đơn vị kín"));
        using var system = await app.ApiClientAsync(await app.CreateSystemAdminAsync());
        var page = $"https://www.facebook.com/kin.{Tag()}";
        await RegisterAsync(system, hidden.Id, page);

        var problem = await (await client.PostJsonAsync("/api/v1/channels", new { unitId = unit.Id, url = page })).ExpectAsync(HttpStatusCode.Conflict);

        Assert.DoesNotContain(hidden.Name, problem.ToString());
        Assert.Contains("đơn vị khác", problem.Messages());
    }

    [Fact]
    public async Task A_zalo_phone_number_is_refused_as_a_personal_account()
    {
        app.EnsureAvailable();
        var (unit, _, client) = await EditorAsync();
        var before = await DatabaseSnapshot.TakeAsync(app);

        var problem = await (await client.PostJsonAsync("/api/v1/channels", new { unitId = unit.Id, url = "https://zalo.me/0912345678" })).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Contains("cá nhân", problem.GetProperty("errors").GetProperty("url")[0].GetString());
        Assert.Equal("", (await DatabaseSnapshot.TakeAsync(app)).DifferencesFrom(before));
    }

    [Fact]
    public async Task A_website_with_a_long_address_registers_with_a_display_name_that_fits()
    {
        app.EnsureAvailable();
        var (unit, _, client) = await EditorAsync();
        var url = $"https://{Tag()}.danang.gov.vn/" + string.Join("/", Enumerable.Repeat("thong-tin-tuyen-truyen", 11));

        var created = await (await client.PostJsonAsync("/api/v1/channels", new { unitId = unit.Id, url })).ExpectAsync(HttpStatusCode.Created);

        var name = created.GetProperty("displayName").GetString()!;
        Assert.True(created.GetProperty("externalId").GetString()!.Length > 200);
        Assert.InRange(name.Length, 1, 200);
        Assert.Equal(name, await app.WithDbAsync(db => db.Channels.Where(c => c.Id == created.GetProperty("id").GetInt32()).Select(c => c.DisplayName).SingleAsync()));
    }

    /// <summary>A unit U with a sub-unit, and an API client of an Editor of U (an editor may manage channels only).</summary>
    private async Task<(Unit Unit, Unit Sub, HttpClient Client)> EditorAsync()
    {
        var unit = await app.CreateUnitAsync(app.Unique("Sở Văn hóa"));
        var sub = await app.CreateUnitAsync(app.Unique("Trung tâm Văn hóa"), unit.Id);
        var editor = await app.CreateUserAsync(unit.Id, Role.Editor);
        return (unit, sub, await app.ApiClientAsync(editor));
    }

    private static async Task<int> RegisterAsync(HttpClient client, int unitId, string url) =>
        (await (await client.PostJsonAsync("/api/v1/channels", new { unitId, url })).ExpectAsync(HttpStatusCode.Created)).GetProperty("id").GetInt32();

    private sealed record Listed(int Id, int UnitId, string Platform, bool Archived);

    private static async Task<List<Listed>> ListAsync(HttpClient client, string query)
    {
        var list = await (await client.GetAsync("/api/v1/channels" + query)).ExpectAsync(HttpStatusCode.OK);
        return list.EnumerateArray()
            .Select(c => new Listed(c.GetProperty("id").GetInt32(), c.GetProperty("unitId").GetInt32(), c.GetProperty("platform").GetString()!, c.GetProperty("archived").GetBoolean()))
            .ToList();
    }

    private static string Tag() => Guid.NewGuid().ToString("N")[..12];

    private static string Digits() => "4" + string.Concat(Guid.NewGuid().ToByteArray().Take(9).Select(b => (b % 10).ToString(System.Globalization.CultureInfo.InvariantCulture))) + "123456789";
}

public sealed class ChannelsApiOnSqlite(SqliteApp app) : ChannelsApiTests<SqliteApp>(app);

public sealed class ChannelsApiOnPostgres(PostgresApp app) : ChannelsApiTests<PostgresApp>(app);
