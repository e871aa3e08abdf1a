using System.IO.Compression;
using CivicDesk.Web.Tests.Infrastructure;

namespace CivicDesk.Web.Tests.SiteAnalytics.Tracker;

/// <summary>The promise to the agencies: the tracker they paste stays under 2 KB gzipped.</summary>
public abstract class TrackerSizeTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory, new()
{
    [Fact]
    public async Task The_served_tracker_script_is_javascript_under_2_KB_gzipped()
    {
        app.EnsureAvailable();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/js/script.js");
        var script = await response.Content.ReadAsByteArrayAsync();

        response.EnsureSuccessStatusCode();
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        using var gzipped = new MemoryStream();
        await using (var gzip = new GZipStream(gzipped, CompressionLevel.Optimal, leaveOpen: true))
        {
            await gzip.WriteAsync(script);
        }

        Assert.InRange(script.Length, 1_000, int.MaxValue);
        Assert.InRange(gzipped.Length, 1, 2047);
    }
}

public sealed class TrackerSizeOnSqlite(SqliteApp app) : TrackerSizeTests<SqliteApp>(app);
