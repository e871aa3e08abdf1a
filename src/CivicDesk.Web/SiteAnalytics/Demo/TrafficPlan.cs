namespace CivicDesk.Web.SiteAnalytics.Demo;

/// <summary>
/// What <see cref="TrafficGenerator"/> makes: <paramref name="Days"/> local days of one site's traffic from
/// <paramref name="FirstDay"/>, about <paramref name="TargetEvents"/> events in all.
/// </summary>
/// <param name="Hostname">The site's host, as the tracker reports it in each event.</param>
/// <param name="Zone">The site's time zone: days, the hour rhythm and the daily visitor ids are local.</param>
public sealed record TrafficPlan(int SiteId, string Hostname, TimeZoneInfo Zone, DateOnly FirstDay, int Days, long TargetEvents)
{
    /// <summary>The same seed gives the same events, down to their ids.</summary>
    public int Seed { get; init; } = 2026;

    /// <summary>No event at or after this instant (UTC): a plan that ends today stops at now.</summary>
    public DateTime? Until { get; init; }

    /// <summary>The day (counted from <see cref="FirstDay"/>) that goes viral on Facebook; by default a Tuesday to
    /// Thursday about two thirds of the way through.</summary>
    public int? ViralDay { get; init; }
}
