namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>
/// Ids for new visits (site_sessions.SessionId, unique per site), in the order they are created: the milliseconds
/// since 2020 in the high 43 bits (enough until the 2270s) and 20 random bits below, never repeating or going back
/// on one node. Ordered ids keep the writer's index work at the end of site_sessions' (site, visit) index, which the
/// open visits share; random ids spread every batch over the whole index, so that each batch read and rewrote pages
/// all over it (ADR 0009, "Ordered visit ids"). site_events has no index by visit: its events are inserted beside
/// their visit's earlier ones, wherever they are (ADR 0008, "Events not indexed by visit").
/// </summary>
/// <remarks>
/// Two nodes writing one site could draw the same id only for visits begun in the same millisecond with the same
/// 20 random bits (one chance in about a million for such a pair).
/// </remarks>
internal sealed class VisitIds(TimeProvider time)
{
    private static readonly DateTimeOffset Epoch = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private const int RandomBits = 20;
    private long _last;

    public long Next()
    {
        var milliseconds = Math.Max(0, (long)(time.GetUtcNow() - Epoch).TotalMilliseconds);
        var id = (milliseconds << RandomBits) | Random.Shared.NextInt64(1, 1L << RandomBits);
        _last = id > _last ? id : _last + 1;
        return _last;
    }
}
