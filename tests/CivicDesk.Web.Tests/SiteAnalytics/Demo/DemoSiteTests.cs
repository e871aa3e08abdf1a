using System.Net;
using CivicDesk.Web.Demo;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.SiteAnalytics;
using CivicDesk.Web.SiteAnalytics.Dashboard;
using CivicDesk.Web.SiteAnalytics.Storage;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.SiteAnalytics.Demo;

/// <summary>
/// After <c>demo</c>, the demo province's portal has 90 days of traffic with the shapes a newcomer should see on the
/// dashboard, stored by the real writer so that the rollups agree with the raw visits and events.
/// </summary>
public abstract class DemoSiteTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory, IDemoApp
{
    [Fact]
    public async Task The_demo_site_has_ninety_days_with_a_weekday_rhythm_a_viral_day_and_mostly_phones()
    {
        app.EnsureAvailable();
        var site = app.Demo!.Site.Site;
        var unit = await app.WithDbAsync(db => db.Units.AsNoTracking().SingleAsync(u => u.Id == site.UnitId));
        Assert.True(site.IsDemo);
        Assert.True(unit.IsDemo);
        Assert.Null(unit.ParentId);
        Assert.Equal("UBND tỉnh Sông Lam", unit.Name);
        Assert.True(site.CounterStartTotal > 1_000_000, "The portal's counter carries on from its old counter's total.");

        await using var scope = app.Services.CreateAsyncScope();
        var queries = scope.ServiceProvider.GetRequiredService<DashboardQueries>();
        var ct = TestContext.Current.CancellationToken;
        var today = Today(site);
        var ninety = new Period(today.AddDays(-89), today);
        var days = await queries.SeriesAsync(site, ninety, null, ct);

        Assert.Equal(90, days.Count);
        Assert.All(days, d => Assert.True(d.Visitors > 0, $"{d.Start:yyyy-MM-dd} has no visitors."));
        var dayBefore = await queries.SeriesAsync(site, new Period(ninety.From.AddDays(-1), ninety.From.AddDays(-1)), null, ct);
        Assert.Equal(0, dayBefore.Sum(p => p.Visits));
        var viral = days.MaxBy(d => d.Visitors)!;
        var ordinary = days.Where(d => d != viral && DateOnly.FromDateTime(d.Start) != today).ToList();
        var median = ordinary.Select(d => d.Visitors).Order().ElementAt(ordinary.Count / 2);
        Assert.True(viral.Visitors > 5 * median, $"The viral day has {viral.Visitors} visitors, an ordinary one {median}.");
        var weekends = ordinary.Where(d => d.Start.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday).Average(d => d.Visitors);
        var weekdays = ordinary.Where(d => d.Start.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)).Average(d => d.Visitors);
        Assert.True(weekends < 0.7 * weekdays, $"Weekends average {weekends:N0} visitors, weekdays {weekdays:N0}.");

        var viralDay = DateOnly.FromDateTime(viral.Start);
        var viralSources = await queries.BreakdownAsync(site, new Period(viralDay, viralDay), Dimension.Source, null, 3, ct);
        Assert.Equal("Facebook", viralSources[0].Value);
        Assert.True(viralSources[0].Visits > viral.Visits / 2, "Most of the viral day's visits came from Facebook.");

        var devices = await queries.BreakdownAsync(site, ninety, Dimension.Device, null, 10, ct);
        var mobile = devices.Single(d => d.Value == "Mobile").Visits;
        Assert.True(mobile > 0.6 * devices.Sum(d => d.Visits), $"{mobile} of {devices.Sum(d => d.Visits)} visits are on phones.");
        var sources = (await queries.BreakdownAsync(site, ninety, Dimension.Source, null, 10, ct)).Select(s => s.Value).ToList();
        Assert.Superset(new HashSet<string> { "Google", "Facebook", "Zalo", "Cốc Cốc", "Direct / None" }, sources.ToHashSet());
        var top = await queries.TopStatsAsync(site, ninety, null, ct);
        Assert.InRange(top.BounceRate, 45, 65);
        var goals = (await queries.BreakdownAsync(site, ninety, Dimension.Goal, null, 10, ct)).Select(g => g.Value).ToList();
        Assert.Contains("File Download", goals);
        Assert.Contains("Outbound Link: Click", goals);
    }

    [Fact]
    public async Task The_stats_api_agrees_with_the_stored_visits_and_events_over_30_days()
    {
        app.EnsureAvailable();
        var site = app.Demo!.Site.Site;
        var client = await app.ApiClientAsync(await app.CreateUserAsync(site.UnitId, Role.Viewer));
        var today = Today(site);
        var (start, end) = new Period(today.AddDays(-29), today).Utc(TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone));

        var stats = await (await client.GetAsync($"/api/v1/sites/{site.Id}/stats/aggregate?period=30d&metrics=visitors,visits,pageviews,events,bounce_rate",
            TestContext.Current.CancellationToken)).ExpectAsync(HttpStatusCode.OK);
        var raw = await app.WithDbAsync(async db =>
        {
            var visits = db.SiteSessions.Where(s => s.SiteId == site.Id && s.StartedAt >= start && s.StartedAt < end);
            var events = db.SiteEvents.Where(e => e.SiteId == site.Id && e.Timestamp >= start && e.Timestamp < end);
            return (
                Visitors: await visits.Select(s => s.VisitorId).Distinct().LongCountAsync(),
                Visits: await visits.LongCountAsync(),
                Bounces: await visits.LongCountAsync(s => s.Pageviews <= 1 && s.InteractiveEvents == 0),
                Pageviews: await events.LongCountAsync(e => e.Name == "pageview"),
                Events: await events.LongCountAsync(e => e.Name != "pageview"));
        });

        Assert.True(raw.Visits > 8_000, $"30 days of the demo hold {raw.Visits} visits.");
        Assert.Equal(raw.Visitors, stats.GetProperty("visitors").GetInt64());
        Assert.Equal(raw.Visits, stats.GetProperty("visits").GetInt64());
        Assert.Equal(raw.Pageviews, stats.GetProperty("pageviews").GetInt64());
        Assert.Equal(raw.Events, stats.GetProperty("events").GetInt64());
        Assert.Equal((long)Math.Round(100.0 * raw.Bounces / raw.Visits), stats.GetProperty("bounce_rate").GetInt64());
    }

    private DateOnly Today(Site site) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(app.Time.GetUtcNow().UtcDateTime, TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone)));
}

/// <summary>A fresh database that <c>demo</c> filled at the factory's fixed time (10:00 in Vietnam).</summary>
public interface IDemoApp
{
    DemoResult? Demo { get; }
}

public sealed class SqliteDemoApp : SqliteApp, IDemoApp
{
    public DemoResult? Demo { get; private set; }

    protected override bool UseFakeTime => true;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Demo = await DemoRun.SeedAsync(this);
    }
}

public sealed class PostgresDemoApp : PostgresApp, IDemoApp
{
    public DemoResult? Demo { get; private set; }

    protected override bool UseFakeTime => true;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Demo = await DemoRun.SeedAsync(this);
    }
}

internal static class DemoRun
{
    /// <summary>Runs the <c>demo</c> verb's seeder in the app, as the verb does (acting as the operator).</summary>
    public static async Task<DemoResult?> SeedAsync(AppFactory app) =>
        app.UnavailableReason is not null ? null
        : await app.AsOperatorAsync(sp => ActivatorUtilities.CreateInstance<DemoSeeder>(sp).SeedAsync());
}

public sealed class DemoSiteOnSqlite(SqliteDemoApp app) : DemoSiteTests<SqliteDemoApp>(app);

public sealed class DemoSiteOnPostgres(PostgresDemoApp app) : DemoSiteTests<PostgresDemoApp>(app);
