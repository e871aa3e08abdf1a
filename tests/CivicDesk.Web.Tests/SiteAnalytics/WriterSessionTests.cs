using CivicDesk.Web.SiteAnalytics;
using CivicDesk.Web.SiteAnalytics.Ingestion;
using CivicDesk.Web.SiteAnalytics.Storage;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>
/// On PostgreSQL the writer keeps one session open from batch to batch, so that the temporary tables its upserts go
/// through are created once, not for every batch (ADR 0008, "The writer's own session"). A session the server ends
/// fails one batch; the next opens a new session and stores the events exactly once.
/// </summary>
public sealed class WriterSessionTests(PostgresApp app) : IClassFixture<PostgresApp>
{
    private const int PerBatch = 60;

    [Fact]
    public async Task The_writer_keeps_its_session_between_batches_and_opens_a_new_one_when_the_server_ends_it()
    {
        app.EnsureAvailable();
        var site = await Analytics.CreateSiteAsync(app);
        var folder = Path.Combine(Path.GetTempPath(), $"civicdesk-session-{Guid.NewGuid():N}");
        using var spool = new Spool(folder, 1 << 20);
        using var writer = Analytics.Writer(app, spool, new AnalyticsOptions { BatchSize = PerBatch });
        // Batches of 60 visits and pages each: enough rows for the upserts to go through the temporary tables.
        var start = TimeProvider.System.GetUtcNow().UtcDateTime.AddMinutes(-30);
        for (var batch = 0; batch < 4; batch++)
        {
            spool.Append([.. Enumerable.Range(batch * PerBatch, PerBatch).Select(i => Analytics.Pageview(site, i + 1, start.AddSeconds(i), $"/page/{i}"))]);
        }

        var ct = TestContext.Current.CancellationToken;
        try
        {
            Assert.Equal(PerBatch, await writer.WriteBatchAsync(ct));
            var first = writer.SessionProcessId;
            Assert.NotNull(first);
            Assert.Equal(PerBatch, await writer.WriteBatchAsync(ct));
            Assert.Equal(first, writer.SessionProcessId);

            // The server ends the writer's session between two batches (an administrator, a restart of PostgreSQL).
            await using (var admin = new NpgsqlConnection(app.ConnectionString))
            {
                await admin.OpenAsync(ct);
                await using var terminate = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", admin);
                terminate.Parameters.AddWithValue("pid", first!.Value);
                Assert.True((bool)(await terminate.ExecuteScalarAsync(ct))!);
            }

            await Assert.ThrowsAnyAsync<NpgsqlException>(() => writer.WriteBatchAsync(ct));
            Assert.Equal(PerBatch, await writer.WriteBatchAsync(ct));
            var second = writer.SessionProcessId;
            Assert.NotNull(second);
            Assert.NotEqual(first, second);
            Assert.Equal(PerBatch, await writer.WriteBatchAsync(ct));
            Assert.Equal(second, writer.SessionProcessId);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        var stored = await app.WithDbAsync(db => db.SiteEvents.AsNoTracking().Where(e => e.SiteId == site.Id).Select(e => e.Pathname).ToListAsync());
        Assert.Equal(4 * PerBatch, stored.Count);
        Assert.Equal(4 * PerBatch, stored.Distinct().Count());
        Assert.Equal(4 * PerBatch, await app.WithDbAsync(db => db.SiteSessions.CountAsync(s => s.SiteId == site.Id)));
        var pages = await app.WithDbAsync(db => db.Set<SiteDailyStats>().AsNoTracking()
            .Where(s => s.SiteId == site.Id && s.Dimension == Dimension.Page).ToListAsync());
        Assert.Equal(4 * PerBatch, pages.Count);
        Assert.All(pages, p => Assert.Equal((1L, 1L), (p.Pageviews, p.Visits)));
    }
}
