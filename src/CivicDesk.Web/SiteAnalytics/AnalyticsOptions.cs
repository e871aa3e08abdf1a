using System.ComponentModel.DataAnnotations;

namespace CivicDesk.Web.SiteAnalytics;

/// <summary>Section <c>SiteAnalytics</c>: ingestion limits, the local spool, and which proxies to trust.</summary>
public sealed class AnalyticsOptions
{
    public const string Section = "SiteAnalytics";

    /// <summary>The folder of this node's append-only spool; relative paths are under the content root.</summary>
    [Required]
    public string SpoolPath { get; set; } = "data/spool";

    /// <summary>Events accepted but not yet in the spool; past this the endpoint answers 503 with Retry-After.</summary>
    [Range(1, 10_000_000)]
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>
    /// Events written to the database in one transaction. A batch upserts one daily rollup row per page, source,
    /// browser… it touches, and a site has a few thousand of those a day, so larger batches write fewer rollup rows per
    /// event: 0.43 at 6,000 against 0.89 at 2,000 under the ingestion benchmark (ADR 0008, addendum of 2026-12-04,
    /// evening). Under load a batch waits at most <see cref="FlushInterval"/>.
    /// </summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 6_000;

    /// <summary>The longest an accepted event waits before the writer tries to store it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A partial batch is stored once no event has come for this long, without waiting for <see cref="FlushInterval"/>:
    /// a burst's last events, or a quiet site's single ones, are stored at once. Under steady traffic events keep
    /// coming and batches fill up.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan QuietFlush { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// While the writer is behind (batches over half full), a visit's row is written when the visit begins, when it
    /// ends, and otherwise at most this often; its counts stay exact in memory and in the hourly counters. A smaller
    /// batch writes all its visits, and the writer writes the rest as soon as it finds no events waiting. Rewriting each
    /// open visit in every batch was most of the writer's work under load (ADR 0008, addendum of 2026-12-03). Zero
    /// writes every visit with every batch.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan VisitWriteInterval { get; set; } = TimeSpan.FromSeconds(10);

    [Range(256, 1_048_576)]
    public int MaxBodyBytes { get; set; } = 8 * 1024;

    [Range(16, 16_384)]
    public int MaxUrlLength { get; set; } = 2_000;

    /// <summary>Proxies whose X-Forwarded-For is believed (exact addresses). Others' headers are ignored.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>Requests a minute one client (address) may make to the public endpoints together (event, tracker script, counter).</summary>
    [Range(1, 1_000_000)]
    public int RateLimitPerMinute { get; set; } = 600;

    /// <summary>
    /// Domains that are not sites, remembered for a short while so that a misconfigured page costs no query per event.
    /// Anyone can name any number of them, so at most this many are kept; past it, each costs a query and no memory.
    /// </summary>
    [Range(0, 1_000_000)]
    public int UnknownDomainsRemembered { get; set; } = 10_000;

    /// <summary>A spool segment is closed and a new one started past this size.</summary>
    [Range(4_096, 4_294_967_296)]
    public long SegmentBytes { get; set; } = 64L * 1024 * 1024;
}
