using System.Globalization;
using CivicDesk.Web.Accounts;
using CivicDesk.Web.Channels;
using CivicDesk.Web.Data;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Units;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Permissions;

/// <summary>Who calls: a role held in unit U, a system administrator, the administrator of U's sibling X, or nobody.</summary>
public enum Caller
{
    UnitAdmin,
    Editor,
    Approver,
    Analyst,
    Viewer,
    SystemAdmin,
    SiblingAdmin,
    Anonymous,
    RevokedToken,
}

/// <summary>Where the object acted on lives: in U itself (role held there) or in its sub-unit S (role inherited).</summary>
public enum Target
{
    InUnit,
    InSubUnit,
}

/// <summary>
/// The rules of Permissions/Role.cs restated for the tests, independently of the code that enforces them: every role
/// in U sees U and S; Admin manages units and members, Editor manages channels; the sibling's admin sees neither.
/// </summary>
public static class Rules
{
    public static Role? RoleInUnit(Caller caller) => caller switch
    {
        Caller.UnitAdmin => Role.Admin,
        Caller.Editor => Role.Editor,
        Caller.Approver => Role.Approver,
        Caller.Analyst => Role.Analyst,
        Caller.Viewer => Role.Viewer,
        _ => null,
    };

    public static bool IsSignedIn(Caller caller) => caller is not (Caller.Anonymous or Caller.RevokedToken);

    public static bool Sees(Caller caller) => caller == Caller.SystemAdmin || RoleInUnit(caller) is not null;

    public static bool ManagesUnits(Caller caller) => caller is Caller.SystemAdmin or Caller.UnitAdmin;

    public static bool ManagesMembers(Caller caller) => caller is Caller.SystemAdmin or Caller.UnitAdmin;

    public static bool ManagesChannels(Caller caller) => caller is Caller.SystemAdmin or Caller.UnitAdmin or Caller.Editor;

    public static bool ManagesSites(Caller caller) => caller is Caller.SystemAdmin or Caller.UnitAdmin or Caller.Editor;
}

/// <summary>
/// A fresh tree for one request, so that what one request changes cannot colour the next: Root → U → {S, D} and
/// Root → X, with the caller's one role in it. <see cref="UnitId"/> is the target (U or S); the ids of a channel or
/// member acted on are filled in by the case that needs them.
/// </summary>
public sealed record PermissionScene(Unit Root, Unit U, Unit S, Unit D, Unit X, Target Target)
{
    /// <summary>An id no row has: requests for it show what "does not exist" looks like.</summary>
    public const int Ghost = 987_654_321;

    public int UnitId { get; init; } = Target == Target.InUnit ? U.Id : S.Id;
    public int ChannelId { get; init; }
    public int SiteId { get; init; }
    public string MemberId { get; init; } = "";
    public int MembershipId { get; init; }

    /// <summary>The same requests aimed at objects that do not exist.</summary>
    public PermissionScene AsGhost() => this with { UnitId = Ghost, ChannelId = Ghost, SiteId = Ghost, MemberId = "ghost-user", MembershipId = Ghost };

    public static async Task<PermissionScene> BuildAsync(AppFactory app, Target target, Caller caller, string? callerId)
    {
        ArgumentNullException.ThrowIfNull(app);
        var units = await app.WithDbAsync(async db =>
        {
            var now = app.Time.GetUtcNow().UtcDateTime;
            var root = new Unit { Name = app.Unique("Tỉnh"), CreatedAt = now };
            var u = new Unit { Name = app.Unique("Sở"), Parent = root, CreatedAt = now };
            var s = new Unit { Name = app.Unique("Phòng"), Parent = u, CreatedAt = now };
            var d = new Unit { Name = app.Unique("Trung tâm"), Parent = u, CreatedAt = now };
            var x = new Unit { Name = app.Unique("Sở khác"), Parent = root, CreatedAt = now };
            Unit[] all = [root, u, s, d, x];
            db.Units.AddRange(all);
            await db.SaveChangesAsync();
            foreach (var unit in all)
            {
                unit.Path = (unit.Parent?.Path ?? "/") + unit.Id.ToString(CultureInfo.InvariantCulture) + "/";
            }

            if (callerId is not null && (Rules.RoleInUnit(caller) is not null || caller == Caller.SiblingAdmin))
            {
                db.Memberships.Add(new Membership
                {
                    UserId = callerId,
                    UnitId = caller == Caller.SiblingAdmin ? x.Id : u.Id,
                    Role = caller == Caller.SiblingAdmin ? Role.Admin : Rules.RoleInUnit(caller)!.Value,
                    CreatedAt = now,
                });
            }

            await db.SaveChangesAsync();
            return all;
        });
        return new PermissionScene(units[0], units[1], units[2], units[3], units[4], target);
    }

    /// <summary>Registers a website channel in the target unit, archived if asked.</summary>
    public Task<PermissionScene> WithChannelAsync(AppFactory app, bool archived = false)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.WithDbAsync(async db =>
        {
            var host = $"kenh-{Guid.NewGuid():N}.danang.gov.vn";
            var channel = new Channel
            {
                UnitId = UnitId,
                Platform = Platform.Website,
                ExternalId = host,
                Url = $"https://{host}/",
                DisplayName = host,
                CreatedAt = app.Time.GetUtcNow().UtcDateTime,
                ArchivedAt = archived ? app.Time.GetUtcNow().UtcDateTime : null,
            };
            db.Channels.Add(channel);
            await db.SaveChangesAsync();
            return this with { ChannelId = channel.Id };
        });
    }

    /// <summary>Adds a website of the target unit to site analytics.</summary>
    public Task<PermissionScene> WithSiteAsync(AppFactory app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.WithDbAsync(async db =>
        {
            var site = new CivicDesk.Web.SiteAnalytics.Site { UnitId = UnitId, Domain = $"site-{Guid.NewGuid():N}.danang.gov.vn", CreatedAt = app.Time.GetUtcNow().UtcDateTime };
            db.Sites.Add(site);
            await db.SaveChangesAsync();
            return this with { SiteId = site.Id };
        });
    }

    /// <summary>Archives the target unit (with its sub-units), as its administrator would.</summary>
    public async Task<PermissionScene> WithUnitArchivedAsync(AppFactory app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var outcome = await app.AsOperatorAsync(sp => sp.GetRequiredService<UnitService>().ArchiveAsync(UnitId));
        Assert.True(outcome.Succeeded);
        return this;
    }

    /// <summary>Adds a person (invited, no password) with the Viewer role in the target unit.</summary>
    public async Task<PermissionScene> WithMemberAsync(AppFactory app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var email = $"member-{Guid.NewGuid():N}@test.example";
        var outcome = await app.AsOperatorAsync(sp => sp.GetRequiredService<UserService>().CreateAsync(email, "Thành viên", null, UnitId, Role.Viewer));
        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.SelectMany(e => e.Value)));
        var userId = outcome.Value.User.Id;
        var membershipId = await app.WithDbAsync(db => db.Memberships.Where(m => m.UserId == userId && m.UnitId == UnitId).Select(m => m.Id).SingleAsync());
        return this with { MemberId = userId, MembershipId = membershipId };
    }
}

/// <summary>
/// Scenes for one caller's run through a matrix. A refused request changes nothing (each case asserts it), so its
/// scene is as good as new: the next case on the same target that needs nothing prepared reuses it, with the
/// snapshot taken after the request as its "before". Building any scene changes the tables' counts, so it retires
/// the kept one; scenes that were prepared or changed are never kept.
/// </summary>
public sealed class SceneSupply(AppFactory app, Caller caller, string? callerId)
{
    private (PermissionScene Scene, DatabaseSnapshot Snapshot)? _kept;

    public async Task<(PermissionScene Scene, DatabaseSnapshot Before)> GetAsync(
        Target target, Func<AppFactory, PermissionScene, Task<PermissionScene>>? arrange)
    {
        if (arrange is null && _kept is { } kept && kept.Scene.Target == target)
        {
            return kept;
        }

        _kept = null;
        var scene = await PermissionScene.BuildAsync(app, target, caller, callerId);
        if (arrange is not null)
        {
            scene = await arrange(app, scene);
        }

        return (scene, await DatabaseSnapshot.TakeAsync(app, scene.Root.Path));
    }

    /// <summary>What changed in the scene since <paramref name="before"/>; an unchanged, unprepared scene is kept.</summary>
    public async Task<string> ChangesAsync(PermissionScene scene, DatabaseSnapshot before, bool prepared)
    {
        ArgumentNullException.ThrowIfNull(scene);
        var after = await DatabaseSnapshot.TakeAsync(app, scene.Root.Path);
        var changes = after.DifferencesFrom(before);
        _kept = !prepared && changes.Length == 0 ? (scene, after) : null;
        return changes;
    }
}

/// <summary>The people who call, made once per test: each caller's account, with no role yet (a scene gives it one).</summary>
public static class Callers
{
    public static TheoryData<Caller> All => new(Enum.GetValues<Caller>());

    /// <summary>
    /// An account for <paramref name="caller"/> with no role anywhere in the scenes, or null for nobody. A system
    /// administrator is one by flag; the others get their role from each scene.
    /// </summary>
    public static async Task<User?> CreateAsync(AppFactory app, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(app);
        switch (caller)
        {
            case Caller.Anonymous:
                return null;
            case Caller.SystemAdmin or Caller.RevokedToken:
                return await app.CreateSystemAdminAsync();
            default:
                // Users are created with a first role; this one is in a unit of its own, outside every scene.
                return await app.CreateUserAsync((await app.CreateUnitAsync()).Id, Role.Viewer);
        }
    }

    /// <summary>An API client for <paramref name="caller"/>: a token, a revoked token, or none.</summary>
    public static async Task<HttpClient> ApiClientAsync(AppFactory app, Caller caller, User? user)
    {
        ArgumentNullException.ThrowIfNull(app);
        switch (caller)
        {
            case Caller.Anonymous:
                return app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            case Caller.RevokedToken:
                var client = await app.ApiClientAsync(user!);
                await using (var scope = app.Services.CreateAsyncScope())
                {
                    var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                    var tokenId = await db.ApiTokens.Where(t => t.UserId == user!.Id).Select(t => t.Id).SingleAsync();
                    Assert.True(await scope.ServiceProvider.GetRequiredService<ApiTokenService>().RevokeAsync(user!, tokenId));
                }

                return client;
            default:
                return await app.ApiClientAsync(user!);
        }
    }
}
