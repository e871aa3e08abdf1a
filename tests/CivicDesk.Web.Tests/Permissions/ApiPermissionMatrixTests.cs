using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Permissions;

/// <summary>
/// Every /api/v1 endpoint, called by every kind of caller on an object in U (role held there) and in its sub-unit S
/// (role inherited), must answer exactly as the rules say, and a refused call must change nothing. The endpoints are
/// read from the running app, so an endpoint added without a row here fails these tests.
/// </summary>
public abstract class ApiPermissionMatrixTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory
{
    private delegate HttpStatusCode Expectation(Caller caller, Target target);

    /// <summary>One endpoint: how to call it in a scene, what each caller must get, and what to prepare first.</summary>
    private sealed record ApiCase(
        Func<PermissionScene, HttpRequestMessage> Request,
        Expectation Expected,
        Func<AppFactory, PermissionScene, Task<PermissionScene>>? Arrange = null,
        Func<PermissionScene, int>? ListedId = null,
        bool Reads = false);

    // The rules, by kind of endpoint. Objects named in the URL that the caller may not see are 404; a unit named in
    // the body that the caller may not see is a 400 on that field, worded as for a unit that does not exist.
    private static HttpStatusCode Read(Caller c, Target t) => Rules.Sees(c) ? HttpStatusCode.OK : HttpStatusCode.NotFound;

    private static HttpStatusCode ChangeUnit(Caller c, Target t) =>
        Rules.ManagesUnits(c) ? HttpStatusCode.OK : Rules.Sees(c) ? HttpStatusCode.Forbidden : HttpStatusCode.NotFound;

    private static HttpStatusCode ChangeChannel(Caller c, Target t) =>
        Rules.ManagesChannels(c) ? HttpStatusCode.OK : Rules.Sees(c) ? HttpStatusCode.Forbidden : HttpStatusCode.NotFound;

    private static readonly Dictionary<string, ApiCase> Matrix = new()
    {
        ["GET /api/v1/units"] = new(
            _ => Get("/api/v1/units?includeArchived=true"),
            (_, _) => HttpStatusCode.OK,
            ListedId: s => s.UnitId,
            Reads: true),
        ["GET /api/v1/units/{id:int}"] = new(s => Get($"/api/v1/units/{s.UnitId}"), Read, Reads: true),
        ["POST /api/v1/units"] = new(
            s => Send(HttpMethod.Post, "/api/v1/units", new { name = Guid.NewGuid().ToString("N"), parentId = s.UnitId }),
            (c, _) => Rules.ManagesUnits(c) ? HttpStatusCode.Created : Rules.Sees(c) ? HttpStatusCode.Forbidden : HttpStatusCode.BadRequest),
        ["PATCH /api/v1/units/{id:int}"] = new(
            s => Send(HttpMethod.Patch, $"/api/v1/units/{s.UnitId}", new { name = Guid.NewGuid().ToString("N") }),
            ChangeUnit),
        // S moves to its sibling D, inside U. U moves under its sibling X: only a system administrator manages both;
        // U's administrator cannot see X (400 on parentId), X's administrator cannot see U (404).
        ["POST /api/v1/units/{id:int}/move"] = new(
            s => Send(HttpMethod.Post, $"/api/v1/units/{s.UnitId}/move", new { parentId = s.Target == Target.InUnit ? s.X.Id : s.D.Id }),
            (c, t) => t == Target.InUnit && c == Caller.UnitAdmin ? HttpStatusCode.BadRequest : ChangeUnit(c, t)),
        ["POST /api/v1/units/{id:int}/archive"] = new(s => Send(HttpMethod.Post, $"/api/v1/units/{s.UnitId}/archive"), ChangeUnit),
        ["POST /api/v1/units/{id:int}/restore"] = new(
            s => Send(HttpMethod.Post, $"/api/v1/units/{s.UnitId}/restore"),
            ChangeUnit,
            (a, s) => s.WithUnitArchivedAsync(a)),
        // S is empty and goes; U still holds S (and its members), so even its managers get 409.
        ["DELETE /api/v1/units/{id:int}"] = new(
            s => Send(HttpMethod.Delete, $"/api/v1/units/{s.UnitId}"),
            (c, t) => ChangeUnit(c, t) == HttpStatusCode.OK ? (t == Target.InSubUnit ? HttpStatusCode.NoContent : HttpStatusCode.Conflict) : ChangeUnit(c, t)),

        ["GET /api/v1/channels"] = new(
            _ => Get("/api/v1/channels?includeArchived=true"),
            (_, _) => HttpStatusCode.OK,
            (a, s) => s.WithChannelAsync(a),
            s => s.ChannelId,
            Reads: true),
        ["GET /api/v1/channels/{id:int}"] = new(s => Get($"/api/v1/channels/{s.ChannelId}"), Read, (a, s) => s.WithChannelAsync(a), Reads: true),
        ["POST /api/v1/channels"] = new(
            s => Send(HttpMethod.Post, "/api/v1/channels", new { unitId = s.UnitId, url = $"https://www.tiktok.com/@k{Guid.NewGuid().ToString("N")[..20]}" }),
            (c, _) => Rules.ManagesChannels(c) ? HttpStatusCode.Created : Rules.Sees(c) ? HttpStatusCode.Forbidden : HttpStatusCode.BadRequest),
        ["POST /api/v1/channels/recognize"] = new(
            _ => Send(HttpMethod.Post, "/api/v1/channels/recognize", new { url = "https://www.facebook.com/ubndtinhquangnam" }),
            (_, _) => HttpStatusCode.OK,
            Reads: true),
        ["PATCH /api/v1/channels/{id:int}"] = new(
            s => Send(HttpMethod.Patch, $"/api/v1/channels/{s.ChannelId}", new { displayName = Guid.NewGuid().ToString("N") }),
            ChangeChannel,
            (a, s) => s.WithChannelAsync(a)),
        ["POST /api/v1/channels/{id:int}/archive"] = new(
            s => Send(HttpMethod.Post, $"/api/v1/channels/{s.ChannelId}/archive"),
            ChangeChannel,
            (a, s) => s.WithChannelAsync(a)),
        ["POST /api/v1/channels/{id:int}/restore"] = new(
            s => Send(HttpMethod.Post, $"/api/v1/channels/{s.ChannelId}/restore"),
            ChangeChannel,
            (a, s) => s.WithChannelAsync(a, archived: true)),

        ["GET /api/v1/sites"] = new(
            _ => Get("/api/v1/sites"),
            (_, _) => HttpStatusCode.OK,
            (a, s) => s.WithSiteAsync(a),
            s => s.SiteId,
            Reads: true),
        ["GET /api/v1/sites/{id:int}"] = new(s => Get($"/api/v1/sites/{s.SiteId}"), Read, (a, s) => s.WithSiteAsync(a), Reads: true),
        ["GET /api/v1/sites/{id:int}/stats/aggregate"] = new(
            s => Get($"/api/v1/sites/{s.SiteId}/stats/aggregate?period=30d&metrics=visitors,pageviews"), Read, (a, s) => s.WithSiteAsync(a), Reads: true),
        ["GET /api/v1/sites/{id:int}/export"] = new(
            s => Get($"/api/v1/sites/{s.SiteId}/export?period=7d"), Read, (a, s) => s.WithSiteAsync(a), Reads: true),
        ["POST /api/v1/sites"] = new(
            s => Send(HttpMethod.Post, "/api/v1/sites", new { unitId = s.UnitId, domain = $"s{Guid.NewGuid():N}.quangnam.gov.vn" }),
            (c, _) => Rules.ManagesSites(c) ? HttpStatusCode.Created : Rules.Sees(c) ? HttpStatusCode.Forbidden : HttpStatusCode.BadRequest),
    };

    public static TheoryData<Caller> AllCallers => Callers.All;

    [Fact]
    public void The_matrix_covers_every_api_endpoint_and_nothing_else()
    {
        app.EnsureAvailable();
        var endpoints = ApiEndpoints();

        Assert.NotEmpty(endpoints);
        Assert.Empty(endpoints.Except(Matrix.Keys));
        Assert.Empty(Matrix.Keys.Except(endpoints));
    }

    [Theory]
    [MemberData(nameof(AllCallers))]
    public async Task Every_api_endpoint_answers_the_caller_exactly_as_the_rules_say(Caller caller)
    {
        app.EnsureAvailable();
        var user = await Callers.CreateAsync(app, caller);
        using var client = await Callers.ApiClientAsync(app, caller, user);
        var failures = new List<string>();
        var scenes = new SceneSupply(app, caller, user?.Id);

        foreach (var target in Enum.GetValues<Target>())
        {
            foreach (var endpoint in ApiEndpoints().Order(StringComparer.Ordinal))
            {
                if (!Matrix.TryGetValue(endpoint, out var @case))
                {
                    if (target == Target.InUnit)
                    {
                        failures.Add($"{endpoint}: not in the permission matrix; add the rule it follows.");
                    }

                    continue;
                }

                var (scene, before) = await scenes.GetAsync(target, @case.Arrange);
                var expected = Rules.IsSignedIn(caller) ? @case.Expected(caller, target) : HttpStatusCode.Unauthorized;
                using var response = await client.SendAsync(@case.Request(scene));
                var body = await response.Content.ReadAsStringAsync();
                var where = $"{caller} → {endpoint} on an object {(target == Target.InUnit ? "in U" : "in S")}";

                // What the caller may not see must look exactly like what does not exist.
                if (caller == Caller.SiblingAdmin && expected is HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
                {
                    using var ghost = await client.SendAsync(@case.Request(scene.AsGhost()));
                    var ghostBody = await ghost.Content.ReadAsStringAsync();
                    if (ghost.StatusCode != response.StatusCode || Errors(ghostBody) != Errors(body))
                    {
                        failures.Add($"{where}: differs from a missing object: {(int)response.StatusCode} {body} vs {(int)ghost.StatusCode} {ghostBody}");
                    }
                }

                var changes = await scenes.ChangesAsync(scene, before, prepared: @case.Arrange is not null);
                if (response.StatusCode != expected)
                {
                    failures.Add($"{where}: expected {(int)expected}, got {(int)response.StatusCode} {body}");
                    continue;
                }

                var succeeded = (int)response.StatusCode < 300;
                if (!succeeded && CheckProblem(response, body) is { } problem)
                {
                    failures.Add($"{where}: {problem}");
                }

                if ((!succeeded || @case.Reads) && changes.Length > 0)
                {
                    failures.Add($"{where}: answered {(int)expected} but the database changed: {changes}");
                }

                if (succeeded && !@case.Reads && changes.Length == 0)
                {
                    failures.Add($"{where}: answered {(int)expected} but changed nothing");
                }

                if (succeeded && @case.ListedId is { } listedId)
                {
                    var listed = JsonDocument.Parse(body).RootElement.EnumerateArray().Any(e => e.GetProperty("id").GetInt32() == listedId(scene));
                    if (listed != Rules.Sees(caller))
                    {
                        failures.Add($"{where}: the list {(listed ? "shows" : "hides")} the object");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} answers broke the rules:\n" + string.Join("\n", failures));
    }

    /// <summary>"METHOD /api/v1/…" for every API endpoint the running app maps.</summary>
    private HashSet<string> ApiEndpoints() =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["ANY"])
                .Select(m => $"{m} {e.RoutePattern.RawText!.TrimEnd('/')}"))
            .ToHashSet();

    private static string? CheckProblem(HttpResponseMessage response, string body)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"error without ProblemDetails ({response.Content.Headers.ContentType}): {body}";
        }

        var problem = JsonDocument.Parse(body).RootElement;
        return problem.TryGetProperty("status", out var status) && status.GetInt32() == (int)response.StatusCode
            && problem.TryGetProperty("title", out var title) && !string.IsNullOrWhiteSpace(title.GetString())
            ? null
            : $"malformed ProblemDetails: {body}";
    }

    private static string Errors(string body)
    {
        if (body.Length == 0)
        {
            return "";
        }

        var problem = JsonDocument.Parse(body).RootElement;
        return $"{(problem.TryGetProperty("detail", out var d) ? d.ToString() : "")} {(problem.TryGetProperty("errors", out var e) ? e.ToString() : "")}";
    }

    private static HttpRequestMessage Get(string url) => new(HttpMethod.Get, url);

    private static HttpRequestMessage Send(HttpMethod method, string url, object? body = null) =>
        new(method, url) { Content = body is null ? null : JsonContent.Create(body, options: HttpAssertions.Json) };
}

public sealed class ApiPermissionMatrixOnSqlite(SqliteApp app) : ApiPermissionMatrixTests<SqliteApp>(app);

public sealed class ApiPermissionMatrixOnPostgres(PostgresApp app) : ApiPermissionMatrixTests<PostgresApp>(app);
