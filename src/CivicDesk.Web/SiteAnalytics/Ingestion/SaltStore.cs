using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CivicDesk.Web.Data;
using CivicDesk.Web.SiteAnalytics.Storage;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>
/// Daily random salts per time zone, shared by all nodes through the database and cached in memory. A visitor id is
/// SHA-256(salt ‖ site ‖ IP ‖ user agent) cut to 64 bits: stable for a day, unlinkable across days, and impossible to
/// recompute once the salt is deleted (48 hours, by <see cref="SaltRotationJob"/>).
/// </summary>
public sealed class SaltStore(IServiceScopeFactory scopes, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string TimeZone, DateOnly Day), byte[]?> _cache = new();

    /// <summary>
    /// Each zone's answer for the current minute of UTC. A zone's midnight, and the end of the 30 minutes after it,
    /// fall on whole minutes of UTC (offsets are whole quarter hours), so the answer holds for the whole minute; finding
    /// the zone and converting the time twice for every event took about 2 % of the endpoint's processor time.
    /// </summary>
    private readonly ConcurrentDictionary<string, (long Minute, byte[] Today, byte[]? Yesterday)> _current = new();

    /// <summary>
    /// Today's salt in <paramref name="timeZone"/>, created when it is missing, and, in the first 30 minutes of the day
    /// only, yesterday's. Yesterday's visitor id serves to continue a visit that was going on at midnight; once a visit's
    /// timeout has passed since midnight none can be, and hashing every event a second time for the rest of the day
    /// was wasted work.
    /// </summary>
    public async ValueTask<(byte[] Today, byte[]? Yesterday)> SaltsAsync(string timeZone, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var minute = now.UtcTicks / TimeSpan.TicksPerMinute;
        if (_current.TryGetValue(timeZone, out var known) && known.Minute == minute)
        {
            return (known.Today, known.Yesterday);
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var current = await GetAsync(timeZone, today, create: true, ct);
        // Both ends in the zone's own calendar, so that a change of clocks at midnight cannot shorten the window.
        var justAfterMidnight = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now - EventWriter.VisitTimeout, zone).DateTime) < today;
        var previous = justAfterMidnight ? await GetAsync(timeZone, today.AddDays(-1), create: false, ct) : null;
        _current[timeZone] = (minute, current!, previous);
        return (current!, previous);
    }

    public static long VisitorId(byte[] salt, int siteId, string ip, string userAgent)
    {
        ArgumentNullException.ThrowIfNull(salt);
        // SHA-256 of the salt followed by "site\nip\nuser agent" in UTF-8, written straight into a pooled buffer and
        // hashed in one call (an incremental hash allocated a native context for every event, the text a string).
        var buffer = ArrayPool<byte>.Shared.Rent(salt.Length + 13 + Encoding.UTF8.GetMaxByteCount(ip.Length + userAgent.Length));
        try
        {
            var span = buffer.AsSpan();
            salt.CopyTo(span);
            var length = salt.Length;
            siteId.TryFormat(span[length..], out var written, provider: CultureInfo.InvariantCulture);
            length += written;
            span[length++] = (byte)'\n';
            length += Encoding.UTF8.GetBytes(ip, span[length..]);
            span[length++] = (byte)'\n';
            length += Encoding.UTF8.GetBytes(userAgent, span[length..]);
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(span[..length], hash);
            return BitConverter.ToInt64(hash[..8]) & long.MaxValue;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Forgets cached salts (after deletion, so that a deleted salt is never used again).</summary>
    public void Evict(DateOnly olderThan)
    {
        foreach (var key in _cache.Keys.Where(k => k.Day < olderThan))
        {
            _cache.TryRemove(key, out _);
        }

        _current.Clear();
    }

    private async ValueTask<byte[]?> GetAsync(string timeZone, DateOnly day, bool create, CancellationToken ct)
    {
        if (_cache.TryGetValue((timeZone, day), out var cached))
        {
            return cached;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var salt = await db.Set<AnalyticsSalt>().Where(s => s.TimeZone == timeZone && s.Day == day).Select(s => s.Salt).SingleOrDefaultAsync(ct);
        if (salt is null && create)
        {
            db.Add(new AnalyticsSalt { TimeZone = timeZone, Day = day, Salt = RandomNumberGenerator.GetBytes(32), CreatedAt = time.GetUtcNow().UtcDateTime });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another node created today's salt first: use theirs.
            }

            db.ChangeTracker.Clear();
            salt = await db.Set<AnalyticsSalt>().Where(s => s.TimeZone == timeZone && s.Day == day).Select(s => s.Salt).SingleAsync(ct);
        }

        // A past day's salt is only ever made on that day: once it is missing it stays missing, so remember that too.
        // Otherwise every event of a site's first day asks the database again, and fails while the database is down.
        if (salt is not null || !create)
        {
            _cache[(timeZone, day)] = salt;
        }

        return salt;
    }
}

/// <summary>Deletes salts older than 48 hours, so that no visitor id can be recomputed from an IP address after that.</summary>
public sealed class SaltRotationJob(AppDbContext db, SaltStore salts, TimeProvider time) : Jobs.IJob
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().UtcDateTime.AddHours(-48);
        await db.Set<AnalyticsSalt>().Where(s => s.CreatedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        // Days are in each zone's calendar; two days back covers every zone.
        salts.Evict(DateOnly.FromDateTime(cutoff).AddDays(-1));
    }
}
