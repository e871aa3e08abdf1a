using System.Security.Cryptography;
using CivicDesk.Web.SiteAnalytics.Ingestion;
using CivicDesk.Web.SiteAnalytics.Storage;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CivicDesk.Web.Tests.SiteAnalytics;

public sealed class SaltStoreTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Theory]
    [InlineData(7, "203.113.131.1", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Zalo iOS/471")]
    [InlineData(12345, "2001:ee0:4f1a::1", "Trình duyệt Cốc Cốc ✓")]
    [InlineData(1, "", "")]
    public void A_visitor_id_is_the_first_64_bits_of_sha256_of_the_salt_then_site_address_and_user_agent(int siteId, string ip, string userAgent)
    {
        // Ids stored before an upgrade must match the ids computed after it, or a visitor would count twice that day.
        var salt = RandomNumberGenerator.GetBytes(32);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(salt);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes(siteId + "\n" + ip + "\n" + userAgent));
        var expected = BitConverter.ToInt64(sha.GetHashAndReset().AsSpan(0, 8)) & long.MaxValue;

        Assert.Equal(expected, SaltStore.VisitorId(salt, siteId, ip, userAgent));
        Assert.NotEqual(expected, SaltStore.VisitorId(RandomNumberGenerator.GetBytes(32), siteId, ip, userAgent));
    }

    [Fact]
    public async Task A_missing_salt_for_a_past_day_is_remembered_so_ingestion_does_not_ask_the_database_on_every_event()
    {
        const string zone = "Asia/Tokyo";
        // 00:10 in Tokyo: yesterday's salt is wanted (a visit going on at midnight would continue under it).
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 15, 10, 0, TimeSpan.Zero));
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

    [Fact]
    public async Task Yesterdays_salt_is_given_only_in_the_first_30_minutes_of_the_day_in_the_sites_zone()
    {
        const string zone = "Asia/Ho_Chi_Minh";
        // 23:50 on 1 December in Vietnam (UTC+7).
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 16, 50, 0, TimeSpan.Zero));
        var store = new SaltStore(app.Services.GetRequiredService<IServiceScopeFactory>(), time);
        var before = await store.SaltsAsync(zone, default);

        time.Advance(TimeSpan.FromMinutes(20));
        var justAfter = await store.SaltsAsync(zone, default);
        time.Advance(TimeSpan.FromMinutes(19));
        var lastMinute = await store.SaltsAsync(zone, default);
        time.Advance(TimeSpan.FromMinutes(1));
        var after = await store.SaltsAsync(zone, default);

        // 00:10 and 00:29: yesterday's salt is the one that was today's before midnight; from 00:30 on, none.
        Assert.Equal(before.Today, justAfter.Yesterday);
        Assert.NotEqual(before.Today, justAfter.Today);
        Assert.Equal(before.Today, lastMinute.Yesterday);
        Assert.Null(after.Yesterday);
        Assert.Equal(justAfter.Today, after.Today);
    }

    [Fact]
    public async Task The_day_changes_at_the_zone_s_midnight_to_the_tick_though_salts_are_kept_for_the_minute()
    {
        // 23:59 in Nepal (UTC+5:45), where midnight is 18:15 UTC: the answer is kept per minute of UTC, and a zone's
        // midnight and the 30 minutes after it end on whole minutes.
        const string zone = "Asia/Kathmandu";
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 18, 14, 0, TimeSpan.Zero));
        var store = new SaltStore(app.Services.GetRequiredService<IServiceScopeFactory>(), time);
        var minuteStart = await store.SaltsAsync(zone, default);
        time.Advance(TimeSpan.FromSeconds(60) - TimeSpan.FromTicks(1));
        var lastTick = await store.SaltsAsync(zone, default);
        time.Advance(TimeSpan.FromTicks(1));
        var midnight = await store.SaltsAsync(zone, default);
        time.Advance(TimeSpan.FromMinutes(30) - TimeSpan.FromTicks(1));
        var windowEnd = await store.SaltsAsync(zone, default);
        time.Advance(TimeSpan.FromTicks(1));
        var afterWindow = await store.SaltsAsync(zone, default);

        Assert.Same(minuteStart.Today, lastTick.Today);
        Assert.NotEqual(lastTick.Today, midnight.Today);
        Assert.Equal(lastTick.Today, midnight.Yesterday);
        Assert.Equal(lastTick.Today, windowEnd.Yesterday);
        Assert.Null(afterWindow.Yesterday);
        Assert.Equal(midnight.Today, afterWindow.Today);
    }
}
