using System.Net;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.Api;

public sealed class OpenApiTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task The_document_describes_every_units_and_channels_endpoint_without_signing_in()
    {
        var client = app.CreateClient();

        var document = await (await client.GetAsync("/openapi/v1.json")).ExpectAsync(HttpStatusCode.OK);

        var paths = document.GetProperty("paths");
        Assert.Equal("CivicDesk API", document.GetProperty("info").GetProperty("title").GetString());
        foreach (var (path, method) in new[]
        {
            ("/api/v1/units", "get"), ("/api/v1/units", "post"), ("/api/v1/units/{id}", "get"), ("/api/v1/units/{id}", "patch"),
            ("/api/v1/units/{id}", "delete"), ("/api/v1/units/{id}/move", "post"), ("/api/v1/units/{id}/archive", "post"),
            ("/api/v1/units/{id}/restore", "post"), ("/api/v1/channels", "get"), ("/api/v1/channels", "post"),
            ("/api/v1/channels/{id}", "get"), ("/api/v1/channels/{id}", "patch"), ("/api/v1/channels/{id}/archive", "post"),
            ("/api/v1/channels/{id}/restore", "post"), ("/api/v1/channels/recognize", "post"),
        })
        {
            Assert.True(paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out _), $"{method.ToUpperInvariant()} {path} is not in the document");
        }
    }
}
