using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.Units;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Api;

/// <summary>
/// Whatever a program sends, the API answers with a translated ProblemDetails and never a 500, and a refused request
/// leaves the database as it was.
/// </summary>
public abstract class BadInputTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory
{
    private static readonly string[] Languages = ["vi", "en"];

    /// <summary>The messages a request that cannot be read may get (Problem.* resources).</summary>
    private static readonly string[] UnreadableKeys = ["Problem.MalformedJson", "Problem.UnknownField", "Problem.WrongContentType", "Problem.BadRequest"];

    [Fact]
    public async Task Every_writing_endpoint_answers_unreadable_and_invalid_requests_with_a_translated_problem_and_changes_nothing()
    {
        app.EnsureAvailable();
        var world = await World.CreateAsync(app);
        using var client = await app.ApiClientAsync(await app.CreateSystemAdminAsync());
        var failures = new List<string>();
        var before = await DatabaseSnapshot.TakeAsync(app);

        // 1. Requests that cannot be read, sent to every endpoint that writes, in both languages.
        var writing = WritingEndpoints();
        Assert.NotEmpty(writing);
        foreach (var (endpoint, acceptsJson) in writing)
        {
            var (method, template) = Split(endpoint);
            foreach (var language in Languages)
            {
                // An id that is no number matches no route; a method the route does not take is 405. Both are
                // answers for a program, not a redirect to the sign-in page.
                if (template.Contains("{id:int}", StringComparison.Ordinal))
                {
                    await CheckAsync(failures, client, language, new(method, template.Replace("{id:int}", "abc", StringComparison.Ordinal)),
                        [HttpStatusCode.NotFound], ["Problem.404"], messageKeys: null);
                }

                await CheckAsync(failures, client, language, new(HttpMethod.Put, template.Replace("{id:int}", $"{world.IdFor(endpoint)}", StringComparison.Ordinal)),
                    [HttpStatusCode.MethodNotAllowed], ["Problem.405"], messageKeys: null);
            }

            if (!acceptsJson)
            {
                // No body to get wrong: the object named in the URL is what can be missing.
                foreach (var language in Languages)
                {
                    await CheckAsync(failures, client, language, new(method, template.Replace("{id:int}", "987654321", StringComparison.Ordinal)),
                        [HttpStatusCode.NotFound], ["Problem.404"], messageKeys: null);
                }

                continue;
            }

            if (!world.ValidBodies.TryGetValue(endpoint, out var valid))
            {
                failures.Add($"{endpoint}: takes a JSON body but has no sample here; add one to World.ValidBodies.");
                continue;
            }

            var url = template.Replace("{id:int}", $"{world.IdFor(endpoint)}", StringComparison.Ordinal);
            foreach (var language in Languages)
            {
                foreach (var (what, content) in Unreadable(valid))
                {
                    var request = new HttpRequestMessage(method, url) { Content = content };
                    var problem = await CheckAsync(failures, client, language, request,
                        [HttpStatusCode.BadRequest, HttpStatusCode.UnsupportedMediaType], ["Problem.400", "Problem.415"], UnreadableKeys, $"{endpoint} with {what}");
                    if (what == "an unknown field" && problem is { } p && !p.GetProperty("detail").GetString()!.Contains("foo", StringComparison.Ordinal))
                    {
                        failures.Add($"{language} {endpoint} with {what}: the detail does not name the field: {p}");
                    }
                }
            }
        }

        // 2. Requests that can be read but break a rule: a message keyed by the field, in the language asked for.
        foreach (var (language, what, request, status, field, key, args) in world.Invalid(app))
        {
            var problem = await CheckAsync(failures, client, language, request, [status], [$"Problem.{(int)status}"], messageKeys: null, what);
            if (problem is not { } p)
            {
                continue;
            }

            var expected = app.Translate(language, key, args);
            var messages = p.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out var list)
                ? list.EnumerateArray().Select(m => m.GetString()).ToList()
                : [];
            if (!messages.Contains(expected))
            {
                failures.Add($"{language} {what}: expected errors.{field} to say “{expected}”, got {p}");
            }
        }

        var changes = (await DatabaseSnapshot.TakeAsync(app)).DifferencesFrom(before);
        Assert.True(failures.Count == 0, $"{failures.Count} answers were wrong:\n" + string.Join("\n", failures));
        Assert.Equal("", changes);
        // The batch was not empty: the checks above had something to check.
        Assert.True(world.Checked > 0);
    }

    [Fact]
    public async Task The_unit_form_shows_why_a_name_is_refused_beside_the_field_and_stores_nothing()
    {
        app.EnsureAvailable();
        var admin = await app.CreateSystemAdminAsync();
        var parent = await app.CreateUnitAsync();
        using var browser = await BrowserSession.SignInAsync(app, admin);
        var before = await DatabaseSnapshot.TakeAsync(app);

        var empty = await browser.PostFormAsync("/units", new Dictionary<string, string> { ["Name"] = "  ", ["ParentId"] = $"{parent.Id}" });
        var tooLong = await browser.PostFormAsync("/units", new Dictionary<string, string> { ["Name"] = new string('Đ', 201), ["ParentId"] = $"{parent.Id}" });

        Assert.Equal(app.Translate("vi", "Validation.Required", app.Translate("vi", "Field.name")), await FieldMessageAsync(empty, "Name"));
        var limit = await FieldMessageAsync(tooLong, "Name");
        Assert.Equal(app.Translate("vi", "Validation.TooLong", app.Translate("vi", "Field.name"), 200, 201), limit);
        Assert.Contains("200", limit);
        Assert.Equal("", (await DatabaseSnapshot.TakeAsync(app)).DifferencesFrom(before));
    }

    /// <summary>Sends the request in <paramref name="language"/> and checks the problem it must get; returns it.</summary>
    private async Task<JsonElement?> CheckAsync(
        List<string> failures, HttpClient client, string language, HttpRequestMessage request,
        HttpStatusCode[] statuses, string[] titleKeys, string[]? messageKeys, string? what = null)
    {
        what ??= $"{request.Method} {request.RequestUri}";
        // Vietnamese is what a request without Accept-Language gets; English is asked for as plain "en".
        if (language == "en")
        {
            request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue("en"));
        }

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var label = $"{language} {what}";
        if (!statuses.Contains(response.StatusCode))
        {
            failures.Add($"{label}: expected {string.Join(" or ", statuses.Select(s => (int)s))}, got {(int)response.StatusCode} {body}");
            return null;
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            failures.Add($"{label}: not ProblemDetails ({response.Content.Headers.ContentType}): {body}");
            return null;
        }

        var problem = JsonDocument.Parse(body).RootElement.Clone();
        var title = problem.GetProperty("title").GetString();
        var titles = titleKeys.Select(k => app.Translate(language, k)).ToList();
        if (!titles.Contains(title ?? "") || title != app.Translate(language, $"Problem.{(int)response.StatusCode}"))
        {
            failures.Add($"{label}: title “{title}” is not the {language} title for {(int)response.StatusCode}");
        }

        var detail = problem.TryGetProperty("detail", out var d) ? d.GetString() : null;
        if (messageKeys is not null && !messageKeys.Any(k => app.Pattern(language, k).IsMatch(detail ?? "")))
        {
            failures.Add($"{label}: detail “{detail}” is none of the {language} messages for an unreadable request");
        }

        return problem;
    }

    /// <summary>A valid body made unreadable in every way a client gets it wrong.</summary>
    private static IEnumerable<(string What, HttpContent? Content)> Unreadable(JsonObject valid)
    {
        var json = valid.ToJsonString();
        yield return ("truncated JSON", Json(json[..^1]));
        yield return ("a JSON array", Json($"[{json}]"));
        yield return ("an empty JSON array", Json("[]"));
        yield return ("a JSON string", Json("\"name\""));
        yield return ("JSON null", Json("null"));
        yield return ("not JSON", Json("name=x"));
        yield return ("an unknown field", Json(json[..^1] + ",\"foo\":1}"));
        foreach (var (name, value) in valid)
        {
            var wrong = valid.DeepClone().AsObject();
            wrong[name] = value?.GetValueKind() == JsonValueKind.Number ? JsonValue.Create("abc") : JsonValue.Create(123);
            yield return ($"\"{name}\" of the wrong type", Json(wrong.ToJsonString()));
        }

        if (valid.FirstOrDefault(p => p.Value?.GetValueKind() == JsonValueKind.String) is { Key: { } text, Value: { } original })
        {
            yield return ($"\"{text}\" holding half a surrogate pair", Json(json.Replace(original.ToJsonString(), "\"\\ud800\"", StringComparison.Ordinal)));
        }

        var overflow = valid.DeepClone().AsObject();
        if (overflow.FirstOrDefault(p => p.Value?.GetValueKind() == JsonValueKind.Number).Key is { } number)
        {
            overflow[number] = JsonValue.Create(99_999_999_999L);
            yield return ($"\"{number}\" too large for a number", Json(overflow.ToJsonString()));
        }

        yield return ("text/plain", new StringContent(json, Encoding.UTF8, "text/plain"));
        yield return ("a form", new FormUrlEncodedContent([new("name", "x")]));
        yield return ("no body", null);
        yield return ("an empty JSON body", Json(""));
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    /// <summary>Every writing /api/v1 endpoint ("METHOD /path") and whether it reads a JSON body.</summary>
    private List<(string Endpoint, bool AcceptsJson)> WritingEndpoints() =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Where(m => m != "GET")
                .Select(m => ($"{m} {e.RoutePattern.RawText!.TrimEnd('/')}",
                    e.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes.Contains("application/json") == true)))
            .Distinct()
            .ToList();

    private static (HttpMethod Method, string Template) Split(string endpoint) =>
        (new HttpMethod(endpoint[..endpoint.IndexOf(' ', StringComparison.Ordinal)]), endpoint[(endpoint.IndexOf(' ', StringComparison.Ordinal) + 1)..]);

    private static async Task<string> FieldMessageAsync(HttpResponseMessage response, string field)
    {
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var span = Regex.Match(html, $"""<span[^>]*data-valmsg-for="{field}"[^>]*>(?<message>[^<]*)</span>""");
        Assert.True(span.Success, $"No validation span for {field}");
        return WebUtility.HtmlDecode(span.Groups["message"].Value);
    }

    /// <summary>The units and channels the bad requests aim at, and the requests that break a rule.</summary>
    private sealed class World
    {
        private World()
        {
        }

        public required Unit Parent { get; init; }
        public required Unit Child { get; init; }
        public required Unit Grandchild { get; init; }
        public required Unit Sibling { get; init; }
        public required int ChannelId { get; init; }
        public required string ChannelHandle { get; init; }
        public required string ArchivedHandle { get; init; }
        public int Checked { get; private set; }

        public Dictionary<string, JsonObject> ValidBodies => new()
        {
            ["POST /api/v1/units"] = new() { ["name"] = "Phòng mới", ["parentId"] = Parent.Id },
            ["PATCH /api/v1/units/{id:int}"] = new() { ["name"] = "Tên mới" },
            ["POST /api/v1/units/{id:int}/move"] = new() { ["parentId"] = Sibling.Id },
            ["POST /api/v1/channels"] = new() { ["unitId"] = Parent.Id, ["url"] = "https://www.tiktok.com/@kenhmoi", ["platform"] = "tiktok", ["displayName"] = "Kênh mới" },
            ["POST /api/v1/channels/recognize"] = new() { ["url"] = "https://www.tiktok.com/@kenhmoi", ["platform"] = "tiktok" },
            ["PATCH /api/v1/channels/{id:int}"] = new() { ["displayName"] = "Tên kênh mới", ["unitId"] = Child.Id },
            ["POST /api/v1/sites"] = new() { ["unitId"] = Parent.Id, ["domain"] = "moi.quangnam.gov.vn", ["timeZone"] = "Asia/Ho_Chi_Minh" },
        };

        public int IdFor(string endpoint) => endpoint.Contains("/channels/", StringComparison.Ordinal) ? ChannelId : Child.Id;

        public static async Task<World> CreateAsync(AppFactory app)
        {
            var parent = await app.CreateUnitAsync(app.Unique("UBND huyện"));
            var child = await app.CreateUnitAsync(app.Unique("Phòng Văn hóa"), parent.Id);
            var grandchild = await app.CreateUnitAsync(app.Unique("Tổ"), child.Id);
            var sibling = await app.CreateUnitAsync(app.Unique("Xã"), parent.Id);
            var handle = $"kenh{Guid.NewGuid():N}"[..24];
            var archived = $"luu{Guid.NewGuid():N}"[..24];
            using var client = await app.ApiClientAsync(await app.CreateSystemAdminAsync());
            var channel = await (await client.PostJsonAsync("/api/v1/channels", new { unitId = parent.Id, url = $"https://www.facebook.com/{handle}" })).ExpectAsync(HttpStatusCode.Created);
            var old = await (await client.PostJsonAsync("/api/v1/channels", new { unitId = parent.Id, url = $"https://www.facebook.com/{archived}" })).ExpectAsync(HttpStatusCode.Created);
            await (await client.PostAsync($"/api/v1/channels/{old.GetProperty("id").GetInt32()}/archive", null)).ExpectAsync(HttpStatusCode.OK);
            return new World
            {
                Parent = parent, Child = child, Grandchild = grandchild, Sibling = sibling,
                ChannelId = channel.GetProperty("id").GetInt32(), ChannelHandle = handle, ArchivedHandle = archived,
            };
        }

        /// <summary>Readable requests that break a rule: language, label, request, status, field, message key and arguments.</summary>
        public IEnumerable<(string Language, string What, HttpRequestMessage Request, HttpStatusCode Status, string Field, string Key, object[] Args)> Invalid(AppFactory app)
        {
            foreach (var language in Languages)
            {
                var name = app.Translate(language, "Field.name");
                var displayName = app.Translate(language, "Field.displayName");
                var longName = new string('x', 201);
                var bad = new List<(string, HttpRequestMessage, HttpStatusCode, string, string, object[])>
                {
                    ("create a unit with an empty name", Send(HttpMethod.Post, "/api/v1/units", new { name = "", parentId = Parent.Id }), HttpStatusCode.BadRequest, "name", "Validation.Required", [name]),
                    ("create a unit with a blank name", Send(HttpMethod.Post, "/api/v1/units", new { name = "   ", parentId = Parent.Id }), HttpStatusCode.BadRequest, "name", "Validation.Required", [name]),
                    ("create a unit with no name", Send(HttpMethod.Post, "/api/v1/units", new { parentId = Parent.Id }), HttpStatusCode.BadRequest, "name", "Validation.Required", [name]),
                    ("create a unit with a 201-character name", Send(HttpMethod.Post, "/api/v1/units", new { name = longName, parentId = Parent.Id }), HttpStatusCode.BadRequest, "name", "Validation.TooLong", [name, 200, 201]),
                    ("create a unit under a unit that does not exist", Send(HttpMethod.Post, "/api/v1/units", new { name = "Mới", parentId = 987654321 }), HttpStatusCode.BadRequest, "parentId", "Unit.ParentNotFound", []),
                    ("create a unit with the name of a sibling", Send(HttpMethod.Post, "/api/v1/units", new { name = Child.Name.ToUpperInvariant(), parentId = Parent.Id }), HttpStatusCode.Conflict, "name", "Unit.DuplicateName", [Child.Name.ToUpperInvariant()]),
                    ("rename a unit to nothing", Send(HttpMethod.Patch, $"/api/v1/units/{Child.Id}", new { name = " " }), HttpStatusCode.BadRequest, "name", "Validation.Required", [name]),
                    ("rename a unit to 201 characters", Send(HttpMethod.Patch, $"/api/v1/units/{Child.Id}", new { name = longName }), HttpStatusCode.BadRequest, "name", "Validation.TooLong", [name, 200, 201]),
                    ("rename a unit to its sibling's name", Send(HttpMethod.Patch, $"/api/v1/units/{Child.Id}", new { name = Sibling.Name }), HttpStatusCode.Conflict, "name", "Unit.DuplicateName", [Sibling.Name]),
                    ("move a unit under its own grandchild", Send(HttpMethod.Post, $"/api/v1/units/{Parent.Id}/move", new { parentId = Grandchild.Id }), HttpStatusCode.BadRequest, "parentId", "Unit.MoveCycle", []),
                    ("move a unit under itself", Send(HttpMethod.Post, $"/api/v1/units/{Child.Id}/move", new { parentId = Child.Id }), HttpStatusCode.BadRequest, "parentId", "Unit.MoveCycle", []),
                    ("register a channel with no URL", Send(HttpMethod.Post, "/api/v1/channels", new { unitId = Parent.Id, url = "" }), HttpStatusCode.BadRequest, "url", "Channel.Url.Empty", []),
                    ("register a channel at a malformed URL", Send(HttpMethod.Post, "/api/v1/channels", new { unitId = Parent.Id, url = "http://" }), HttpStatusCode.BadRequest, "url", "Channel.Url.Malformed", []),
                    ("register a channel on localhost", Send(HttpMethod.Post, "/api/v1/channels", new { unitId = Parent.Id, url = "http://localhost:5080/" }), HttpStatusCode.BadRequest, "url", "Channel.Url.Malformed", []),
                    ("register a channel at an ftp URL", Send(HttpMethod.Post, "/api/v1/channels", new { unitId = Parent.Id, url = "ftp://danang.gov.vn/" }), HttpStatusCode.BadRequest, "url", "Channel.Url.Malformed", []),
                    ("register a channel at a 2,049-character URL", Send(HttpMethod.Post, "/api/v1/channels", new { unitId = Parent.Id, url = "https://danang.gov.vn/" + new string('a', 2027) }), HttpStatusCode.BadRequest, "url", "Channel.Url.TooLong", []),
                    ("register a website with a 400-character path", Send(HttpMethod.Post, "/api/v1/channels", new { unitId = Parent.Id, url = "https://danang.gov.vn/" + new string('a', 400) }), HttpStatusCode.BadRequest, "url", "Channel.Url.WebsiteTooLong", []),
                    ("register a channel on an unknown platform", Send(HttpMethod.Post, "/api/v1/channels", new { unitId = Parent.Id, url = "https://www.tiktok.com/@kenhmoi", platform = "myspace" }), HttpStatusCode.BadRequest, "platform", "Channel.UnknownPlatform", []),
                    ("register a channel of a platform CivicDesk does not keep", Send(HttpMethod.Post, "/api/v1/channels", new { unitId = Parent.Id, url = "https://www.instagram.com/danang" }), HttpStatusCode.BadRequest, "url", "Channel.Url.UnknownPlatform", []),
                    ("register a channel whose URL disagrees with its platform", Send(HttpMethod.Post, "/api/v1/channels", new { unitId = Parent.Id, url = "https://www.tiktok.com/@kenhmoi", platform = "youtube" }), HttpStatusCode.BadRequest, "url", "Channel.Url.PlatformMismatch", []),
                    ("register a channel with a 201-character name", Send(HttpMethod.Post, "/api/v1/channels", new { unitId = Parent.Id, url = "https://www.tiktok.com/@kenhmoi", displayName = longName }), HttpStatusCode.BadRequest, "displayName", "Validation.TooLong", [displayName, 200, 201]),
                    ("register a channel in a unit that does not exist", Send(HttpMethod.Post, "/api/v1/channels", new { unitId = 987654321, url = "https://www.tiktok.com/@kenhmoi" }), HttpStatusCode.BadRequest, "unitId", "Channel.UnitNotFound", []),
                    ("register a channel twice (mobile address)", Send(HttpMethod.Post, "/api/v1/channels", new { unitId = Child.Id, url = $"https://m.facebook.com/{ChannelHandle}/?ref=bookmarks" }), HttpStatusCode.Conflict, "url", "Channel.Duplicate", [Parent.Name]),
                    ("register an archived channel again", Send(HttpMethod.Post, "/api/v1/channels", new { unitId = Parent.Id, url = $"facebook.com/{ArchivedHandle}/" }), HttpStatusCode.Conflict, "url", "Channel.DuplicateArchived", [Parent.Name]),
                    ("recognise an unknown platform", Send(HttpMethod.Post, "/api/v1/channels/recognize", new { url = "https://www.tiktok.com/@kenhmoi", platform = "myspace" }), HttpStatusCode.BadRequest, "platform", "Channel.UnknownPlatform", []),
                    ("recognise an IP address", Send(HttpMethod.Post, "/api/v1/channels/recognize", new { url = "http://127.0.0.1/" }), HttpStatusCode.BadRequest, "url", "Channel.Url.Malformed", []),
                    ("list channels of an unknown platform", new HttpRequestMessage(HttpMethod.Get, "/api/v1/channels?platform=myspace"), HttpStatusCode.BadRequest, "platform", "Channel.UnknownPlatform", []),
                    ("rename a channel to nothing", Send(HttpMethod.Patch, $"/api/v1/channels/{ChannelId}", new { displayName = "  " }), HttpStatusCode.BadRequest, "displayName", "Validation.Required", [displayName]),
                    ("rename a channel to 201 characters", Send(HttpMethod.Patch, $"/api/v1/channels/{ChannelId}", new { displayName = longName }), HttpStatusCode.BadRequest, "displayName", "Validation.TooLong", [displayName, 200, 201]),
                    ("move a channel to a unit that does not exist", Send(HttpMethod.Patch, $"/api/v1/channels/{ChannelId}", new { unitId = 987654321 }), HttpStatusCode.BadRequest, "unitId", "Channel.UnitNotFound", []),
                };
                foreach (var (what, request, status, field, key, args) in bad)
                {
                    Checked++;
                    yield return (language, what, request, status, field, key, args);
                }
            }
        }

        private static HttpRequestMessage Send(HttpMethod method, string url, object body) =>
            new(method, url) { Content = System.Net.Http.Json.JsonContent.Create(body, options: HttpAssertions.Json) };
    }
}

public sealed class BadInputOnSqlite(SqliteApp app) : BadInputTests<SqliteApp>(app);

public sealed class BadInputOnPostgres(PostgresApp app) : BadInputTests<PostgresApp>(app);
