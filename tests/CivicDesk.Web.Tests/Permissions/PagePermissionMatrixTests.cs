using System.Net;
using System.Reflection;
using CivicDesk.Web.Accounts;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CivicDesk.Web.Tests.Permissions;

/// <summary>How a page answers a form post, as a person sees it.</summary>
public enum PageOutcome
{
    /// <summary>Saved: redirected to the next page.</summary>
    Done,

    /// <summary>Sent to the access-denied page (the page's 403).</summary>
    Denied,

    /// <summary>404: the object does not exist for this person.</summary>
    NotFound,

    /// <summary>The form again, with the reason beside a field or above the form.</summary>
    Refused,

    /// <summary>Sent to the sign-in page.</summary>
    SignIn,
}

/// <summary>
/// The same rules as the API, through the pages that change data: each POST handler, posted by a signed-in person
/// with a valid antiforgery token, on an object in U and in S, must answer as the rules say and a refused post must
/// change nothing.
/// </summary>
public abstract class PagePermissionMatrixTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory
{
    private delegate PageOutcome Expectation(Caller caller, Target target);

    private sealed record PageCase(
        Func<PermissionScene, (string Path, Dictionary<string, string> Form)> Request,
        Expectation Expected,
        Func<AppFactory, PermissionScene, Task<PermissionScene>>? Arrange = null);

    /// <summary>The pages in this matrix, with their page model.</summary>
    private static readonly (string Route, Type Model)[] UnitScopedPages =
    [
        ("/units", typeof(Web.Units.IndexModel)),
        ("/units/{id:int}", typeof(Web.Units.EditModel)),
        ("/channels", typeof(Web.Channels.IndexModel)),
        ("/channels/{id:int}", typeof(Web.Channels.EditModel)),
        ("/sites", typeof(Web.SiteAnalytics.Pages.SitesModel)),
        ("/admin/users/new", typeof(UserNewModel)),
        ("/admin/users/{id}", typeof(UserEditModel)),
    ];

    /// <summary>Pages that post but act on no unit: the person's own account, sign-in, or system-wide jobs.</summary>
    private static readonly Type[] NotUnitScoped =
    [
        typeof(LoginModel), typeof(LogoutModel), typeof(PasswordModel), typeof(TokensModel), typeof(ActivateModel),
        typeof(SetupModel), typeof(Web.Jobs.IndexModel),
    ];

    private static PageOutcome ChangeUnit(Caller c, Target t) =>
        Rules.ManagesUnits(c) ? PageOutcome.Done : Rules.Sees(c) ? PageOutcome.Denied : PageOutcome.NotFound;

    private static PageOutcome ChangeChannel(Caller c, Target t) =>
        Rules.ManagesChannels(c) ? PageOutcome.Done : Rules.Sees(c) ? PageOutcome.Denied : PageOutcome.NotFound;

    private static Dictionary<string, string> Form(params (string Key, object Value)[] fields) =>
        fields.ToDictionary(f => f.Key, f => Convert.ToString(f.Value, System.Globalization.CultureInfo.InvariantCulture)!);

    private static readonly Dictionary<string, PageCase> Matrix = new()
    {
        // A unit picked in a form that the person cannot see is refused beside the field, as for one that does not exist.
        ["POST /units"] = new(
            s => ("/units", Form(("Name", Guid.NewGuid().ToString("N")), ("ParentId", s.UnitId))),
            (c, _) => Rules.ManagesUnits(c) ? PageOutcome.Done : Rules.Sees(c) ? PageOutcome.Denied : PageOutcome.Refused),
        ["POST /units/{id:int}?handler=Rename"] = new(
            s => ($"/units/{s.UnitId}?handler=Rename", Form(("Name", Guid.NewGuid().ToString("N")))),
            ChangeUnit),
        ["POST /units/{id:int}?handler=Move"] = new(
            s => ($"/units/{s.UnitId}?handler=Move", Form(("ParentId", s.Target == Target.InUnit ? s.X.Id : s.D.Id))),
            (c, t) => t == Target.InUnit && c == Caller.UnitAdmin ? PageOutcome.Refused : ChangeUnit(c, t)),
        ["POST /units/{id:int}?handler=Archive"] = new(s => ($"/units/{s.UnitId}?handler=Archive", Form()), ChangeUnit),
        ["POST /units/{id:int}?handler=Restore"] = new(
            s => ($"/units/{s.UnitId}?handler=Restore", Form()),
            ChangeUnit,
            (a, s) => s.WithUnitArchivedAsync(a)),
        ["POST /units/{id:int}?handler=Delete"] = new(
            s => ($"/units/{s.UnitId}?handler=Delete", Form()),
            (c, t) => ChangeUnit(c, t) == PageOutcome.Done && t == Target.InUnit ? PageOutcome.Refused : ChangeUnit(c, t)),

        ["POST /channels"] = new(
            s => ("/channels", Form(("Address", $"https://kenh-{Guid.NewGuid():N}.danang.gov.vn"), ("Platform", ""), ("UnitId", s.UnitId), ("DisplayName", ""))),
            (c, _) => Rules.ManagesChannels(c) ? PageOutcome.Done : Rules.Sees(c) ? PageOutcome.Denied : PageOutcome.Refused),
        ["POST /channels/{id:int}?handler=Save"] = new(
            s => ($"/channels/{s.ChannelId}?handler=Save", Form(("DisplayName", Guid.NewGuid().ToString("N")), ("UnitId", s.UnitId))),
            ChangeChannel,
            (a, s) => s.WithChannelAsync(a)),
        ["POST /channels/{id:int}?handler=Archive"] = new(
            s => ($"/channels/{s.ChannelId}?handler=Archive", Form()),
            ChangeChannel,
            (a, s) => s.WithChannelAsync(a)),
        ["POST /channels/{id:int}?handler=Restore"] = new(
            s => ($"/channels/{s.ChannelId}?handler=Restore", Form()),
            ChangeChannel,
            (a, s) => s.WithChannelAsync(a, archived: true)),

        // Adding a website: as for channels, a unit the person cannot see is refused beside the field.
        ["POST /sites"] = new(
            s => ("/sites", Form(("Domain", $"site-{Guid.NewGuid():N}.danang.gov.vn"), ("UnitId", s.UnitId), ("TimeZone", "Asia/Ho_Chi_Minh"))),
            (c, _) => Rules.ManagesSites(c) ? PageOutcome.Done : Rules.Sees(c) ? PageOutcome.Denied : PageOutcome.Refused),

        ["POST /admin/users/new"] = new(
            s => ("/admin/users/new", Form(
                ("DisplayName", "Cán bộ mới"), ("Email", $"new-{Guid.NewGuid():N}@test.example"), ("UnitId", s.UnitId),
                ("Role", "Viewer"), ("Password", AppFactory.Password))),
            (c, _) => Rules.ManagesMembers(c) ? PageOutcome.Done : Rules.Sees(c) ? PageOutcome.Denied : PageOutcome.Refused),
        // Only the administrators of a unit see its members as people they can edit; to everyone else they do not exist.
        ["POST /admin/users/{id}?handler=Grant"] = new(
            s => ($"/admin/users/{s.MemberId}?handler=Grant", Form(("UnitId", s.UnitId), ("Role", "Editor"))),
            (c, _) => Rules.ManagesMembers(c) ? PageOutcome.Done : PageOutcome.NotFound,
            (a, s) => s.WithMemberAsync(a)),
        ["POST /admin/users/{id}?handler=Revoke"] = new(
            s => ($"/admin/users/{s.MemberId}?handler=Revoke", Form(("membershipId", s.MembershipId))),
            (c, _) => Rules.ManagesMembers(c) ? PageOutcome.Done : Rules.Sees(c) ? PageOutcome.Denied : PageOutcome.NotFound,
            (a, s) => s.WithMemberAsync(a)),
        // Disabling an account is for system administrators alone, whoever the account is.
        ["POST /admin/users/{id}?handler=Disable"] = new(
            s => ($"/admin/users/{s.MemberId}?handler=Disable", Form(("disabled", "true"))),
            (c, _) => c == Caller.SystemAdmin ? PageOutcome.Done : PageOutcome.Denied,
            (a, s) => s.WithMemberAsync(a)),
    };

    public static TheoryData<Caller> PageCallers => new(Enum.GetValues<Caller>().Where(c => c != Caller.RevokedToken));

    [Fact]
    public void The_matrix_covers_every_post_handler_of_the_pages_that_change_units_channels_and_roles()
    {
        var handlers = UnitScopedPages
            .SelectMany(p => PostHandlers(p.Model).Select(h => $"POST {p.Route}{(h.Length == 0 ? "" : "?handler=" + h)}"))
            .ToHashSet();
        var posting = typeof(Program).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(PageModel)) && PostHandlers(t).Any())
            .ToHashSet();

        Assert.Empty(handlers.Except(Matrix.Keys));
        Assert.Empty(Matrix.Keys.Except(handlers));
        // A new page that changes data must join the matrix or say why it acts on no unit.
        Assert.Empty(posting.Except(UnitScopedPages.Select(p => p.Model)).Except(NotUnitScoped).Select(t => t.FullName));
    }

    [Theory]
    [MemberData(nameof(PageCallers))]
    public async Task Every_page_post_answers_the_person_exactly_as_the_rules_say(Caller caller)
    {
        app.EnsureAvailable();
        var user = await Callers.CreateAsync(app, caller);
        using var browser = user is null ? BrowserSession.Anonymous(app) : await BrowserSession.SignInAsync(app, user);
        var failures = new List<string>();
        var scenes = new SceneSupply(app, caller, user?.Id);

        foreach (var target in Enum.GetValues<Target>())
        {
            foreach (var (key, @case) in Matrix)
            {
                var (scene, before) = await scenes.GetAsync(target, @case.Arrange);
                var expected = Rules.IsSignedIn(caller) ? @case.Expected(caller, target) : PageOutcome.SignIn;
                var (path, form) = @case.Request(scene);
                using var response = await browser.PostFormAsync(path, form, tokenFrom: user is null ? "/account/login" : "/");
                var html = await response.Content.ReadAsStringAsync();
                var changes = await scenes.ChangesAsync(scene, before, prepared: @case.Arrange is not null);
                var outcome = OutcomeOf(response, html);
                var where = $"{caller} → {key} on an object {(target == Target.InUnit ? "in U" : "in S")}";

                if (outcome != expected)
                {
                    failures.Add($"{where}: expected {expected}, got {outcome?.ToString() ?? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)} {response.Headers.Location}");
                }
                else if (expected == PageOutcome.Done && changes.Length == 0)
                {
                    failures.Add($"{where}: said it saved but changed nothing");
                }
                else if (expected != PageOutcome.Done && changes.Length > 0)
                {
                    failures.Add($"{where}: answered {expected} but the database changed: {changes}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} answers broke the rules:\n" + string.Join("\n", failures));
    }

    private static PageOutcome? OutcomeOf(HttpResponseMessage response, string html)
    {
        var location = response.Headers.Location?.OriginalString ?? "";
        return response.StatusCode switch
        {
            HttpStatusCode.Redirect or HttpStatusCode.SeeOther when location.Contains("/account/login", StringComparison.OrdinalIgnoreCase) => PageOutcome.SignIn,
            HttpStatusCode.Redirect or HttpStatusCode.SeeOther when location.Contains("/account/denied", StringComparison.OrdinalIgnoreCase) => PageOutcome.Denied,
            HttpStatusCode.Redirect or HttpStatusCode.SeeOther => PageOutcome.Done,
            HttpStatusCode.NotFound => PageOutcome.NotFound,
            HttpStatusCode.OK when html.Contains("field-validation-error", StringComparison.Ordinal)
                || html.Contains("validation-summary-errors", StringComparison.Ordinal) => PageOutcome.Refused,
            _ => null,
        };
    }

    /// <summary>The handler names of a page model's POST methods ("" for OnPost itself).</summary>
    private static IEnumerable<string> PostHandlers(Type model) =>
        model.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Select(m => m.Name)
            .Where(n => n.StartsWith("OnPost", StringComparison.Ordinal))
            .Select(n => n["OnPost".Length..] is var h && h.EndsWith("Async", StringComparison.Ordinal) ? h[..^"Async".Length] : n["OnPost".Length..])
            .Distinct();
}

public sealed class PagePermissionMatrixOnSqlite(SqliteApp app) : PagePermissionMatrixTests<SqliteApp>(app);

public sealed class PagePermissionMatrixOnPostgres(PostgresApp app) : PagePermissionMatrixTests<PostgresApp>(app);
