using System.Net;
using CivicDesk.Web.Audit;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Audit;

public abstract class AuditLogTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory
{
    [Fact]
    public async Task Every_change_to_units_channels_users_and_roles_is_recorded_with_who_and_what()
    {
        app.EnsureAvailable();
        var admin = await app.CreateSystemAdminAsync();
        var client = await app.ApiClientAsync(admin);
        var name = app.Unique("Huyện Phú Ninh");
        var unitId = (await (await client.PostJsonAsync("/api/v1/units", new { name, parentId = (int?)null })).ExpectAsync(HttpStatusCode.Created)).GetProperty("id").GetInt32();
        await (await client.PatchJsonAsync($"/api/v1/units/{unitId}", new { name = name + " (mới)" })).ExpectAsync(HttpStatusCode.OK);
        var channelId = (await (await client.PostJsonAsync("/api/v1/channels", new { unitId, url = $"https://www.youtube.com/@audit{Guid.NewGuid().ToString("N")[..8]}" })).ExpectAsync(HttpStatusCode.Created)).GetProperty("id").GetInt32();
        await (await client.PostAsync($"/api/v1/channels/{channelId}/archive", null)).ExpectAsync(HttpStatusCode.OK);
        var editor = await app.CreateUserAsync(unitId, Role.Editor);
        await (await client.PostAsync($"/api/v1/units/{unitId}/archive", null)).ExpectAsync(HttpStatusCode.OK);

        var entries = await app.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.UnitId == unitId).OrderBy(a => a.Id).ToListAsync());

        Assert.Equal(
            [AuditActions.UnitCreated, AuditActions.UnitRenamed, AuditActions.ChannelCreated, AuditActions.ChannelArchived, AuditActions.UserCreated, AuditActions.RoleGranted, AuditActions.UnitArchived],
            entries.Select(e => e.Action));
        Assert.All(entries.Where(e => e.Action != AuditActions.UserCreated && e.Action != AuditActions.RoleGranted), e => Assert.Equal(admin.Id, e.ActorId));
        Assert.Contains(name + " (mới)", entries.Single(e => e.Action == AuditActions.UnitRenamed).Details);
        Assert.Contains(editor.Email!, entries.Single(e => e.Action == AuditActions.RoleGranted).Details);
    }

    [Fact]
    public async Task Entries_cannot_be_changed_or_deleted_through_the_application()
    {
        app.EnsureAvailable();
        await app.CreateUnitAsync();

        var update = await Assert.ThrowsAsync<InvalidOperationException>(() => app.WithDbAsync(async db =>
        {
            var entry = await db.AuditEntries.OrderBy(a => a.Id).FirstAsync();
            entry.Action = "tampered";
            return await db.SaveChangesAsync();
        }));
        var delete = await Assert.ThrowsAsync<InvalidOperationException>(() => app.WithDbAsync(async db =>
        {
            db.AuditEntries.Remove(await db.AuditEntries.OrderBy(a => a.Id).FirstAsync());
            return await db.SaveChangesAsync();
        }));

        Assert.Contains("append-only", update.Message);
        Assert.Contains("append-only", delete.Message);
        Assert.False(await app.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == "tampered")));
    }

    [Fact]
    public async Task A_unit_admin_reads_the_entries_of_their_units_only_and_others_may_not_read_at_all()
    {
        app.EnsureAvailable();
        var mine = await app.CreateUnitAsync(app.Unique("Sở Y tế"));
        var theirs = await app.CreateUnitAsync(app.Unique("Sở Tài chính"));
        var admin = await app.CreateUserAsync(mine.Id, Role.Admin);
        var editor = await app.CreateUserAsync(mine.Id, Role.Editor);

        var adminPage = await BrowserSession.SignInAsync(app, admin.Email!);
        var html = await adminPage.GetHtmlAsync("/admin/audit");
        var editorPage = await BrowserSession.SignInAsync(app, editor.Email!);
        var denied = await editorPage.GetAsync("/admin/audit");

        Assert.Contains(mine.Name, html);
        Assert.DoesNotContain(theirs.Name, html);
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/account/denied", denied.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task The_log_reads_in_the_reader_s_language()
    {
        app.EnsureAvailable();
        var unit = await app.CreateUnitAsync(app.Unique("Phường Hòa Cường"));
        var sysadmin = await app.CreateSystemAdminAsync();

        var vi = await (await BrowserSession.SignInAsync(app, sysadmin.Email!)).GetHtmlAsync("/admin/audit");
        var en = await (await BrowserSession.SignInAsync(app, sysadmin.Email!, culture: "en")).GetHtmlAsync("/admin/audit?culture=en");

        Assert.True(vi.Contains($"Tạo đơn vị “{unit.Name}”", StringComparison.Ordinal), vi);
        Assert.Contains($"Created unit “{unit.Name}”", en);
    }
}

public sealed class AuditLogOnSqlite(SqliteApp app) : AuditLogTests<SqliteApp>(app);

public sealed class AuditLogOnPostgres(PostgresApp app) : AuditLogTests<PostgresApp>(app);
