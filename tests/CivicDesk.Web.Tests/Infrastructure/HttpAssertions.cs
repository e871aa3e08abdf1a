using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CivicDesk.Web.Tests.Infrastructure;

public static class HttpAssertions
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Asserts the status and, for an error, that the body is ProblemDetails; returns the parsed body.</summary>
    public static async Task<JsonElement> ExpectAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        if (body.Length == 0)
        {
            return default;
        }

        var json = JsonDocument.Parse(body).RootElement.Clone();
        if ((int)status >= 400)
        {
            Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.ToString());
            Assert.Equal((int)status, json.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("title").GetString()));
        }

        return json;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body, Json);

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string url, object body) =>
        client.PatchAsJsonAsync(url, body, Json);

    /// <summary>All messages of a validation or conflict problem, for assertions on their wording.</summary>
    public static string Messages(this JsonElement problem) =>
        problem.TryGetProperty("errors", out var errors)
            ? string.Join(" | ", errors.EnumerateObject().SelectMany(p => p.Value.EnumerateArray().Select(v => $"{p.Name}: {v.GetString()}")))
            : problem.TryGetProperty("detail", out var detail) ? detail.GetString() ?? "" : "";
}
