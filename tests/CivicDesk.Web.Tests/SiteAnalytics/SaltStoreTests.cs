using System.Security.Cryptography;
using CivicDesk.Web.SiteAnalytics.Ingestion;
using CivicDesk.Web.SiteAnalytics.Storage;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CivicDesk.Web.Tests.SiteAnalytics;

public sealed class SaltStoreTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task A_missing_salt_for_a_past_day_is_remembered_so_ingestion_does_not_ask_the_database_on_every_event()
    {
        const string zone = "Asia/Tokyo";
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 3, 0, 0, TimeSpan.Zero));
        var store = new SaltStore(app.Services.GetRequiredService<IServiceScopeFactory>(), time);
        var first = await store.SaltsAsync(zone, default);
        Assert.Null(first.Yesterday);

        // A past day's salt is only made on that day, so once missing it stays missing: even a row written later (a node
        // whose clock was behind) is not asked for again. A fresh install's first day and a database outage depend on it.
        var yesterday = RandomNumberGenerator.GetBytes(32);
        await app.WithDbAsync(async db =>
        {
            db.Add(new AnalyticsSalt { TimeZone = zone, Day = new DateOnly(2026, 11, 28), Salt = yesterday, CreatedAt = time.GetUtcNow().UtcDateTime });
            await db.SaveChangesAsync();
            return 0;
        });
        var soon = await store.SaltsAsync(zone, default);
        time.Advance(TimeSpan.FromMinutes(6));
        var later = await store.SaltsAsync(zone, default);

        Assert.Null(soon.Yesterday);
        Assert.Null(later.Yesterday);
        Assert.Equal(first.Today, later.Today);
    }
}
