using System.Net;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>
/// The two moments the event endpoint itself needs the database (ADR 0008): a domain this node has not looked up yet,
/// and a new day's salt. If the database is down just then, the event is refused with 503 and Retry-After in the
/// client's language — never a 500 — and the same event sent again once the database is back is accepted.
/// (<see cref="DatabaseOutageTests"/> covers the outage of the writer behind the endpoint.)
/// </summary>
public abstract class EventOutageTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory, new()
{
    [Fact]
    public async Task A_domain_not_looked_up_before_the_outage_is_answered_503_with_Retry_After_and_accepted_when_sent_again()
    {
        app.EnsureAvailable();
        var site = await Analytics.CreateSiteAsync(app);

        await AssertRefusedDuringOutageThenAcceptedAsync(app.CreateClient(), site.Domain, "/first-event", "vi");
    }

    [Fact]
    public async Task The_first_event_after_midnight_needs_the_new_salt_and_is_answered_503_while_the_database_is_down()
    {
        app.EnsureAvailable();
        var site = await Analytics.CreateSiteAsync(app);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        // The site and today's salt are cached on this node: the outage starts after they were read.
        Assert.Equal(HttpStatusCode.Accepted, (await Analytics.SendAsync(client, site.Domain, "/before-midnight")).StatusCode);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone);
        var local = TimeZoneInfo.ConvertTime(app.Time.GetUtcNow(), zone);
        app.Time.Advance(local.Date.AddDays(1) - local.DateTime + TimeSpan.FromMinutes(1));

        await AssertRefusedDuringOutageThenAcceptedAsync(client, site.Domain, "/after-midnight", "en");
    }

    /// <summary>
    /// Sends an event while the database is down, and the same event again once it is back: the first is refused with
    /// 503 in <paramref name="language"/>, readable by a browser on the agency's site (CORS) and saying when to send
    /// again; the second is accepted.
    /// </summary>
    private async Task AssertRefusedDuringOutageThenAcceptedAsync(HttpClient client, string domain, string path, string language)
    {
        HttpResponseMessage during;
        using (app.Services.GetRequiredService<DatabaseSwitch>().Down())
        {
            during = await Analytics.SendAsync(client, domain, path);
        }

        var again = await Analytics.SendAsync(client, domain, path);

        var problem = await during.ExpectAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(app.Translate(language, "Event.DatabaseUnavailable"), problem.GetProperty("detail").GetString());
        Assert.True(during.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"Retry-After: {during.Headers.RetryAfter}");
        Assert.Equal("*", during.Headers.GetValues("Access-Control-Allow-Origin").Single());
        // The tracker on the agency's page (another origin) may read Retry-After only if it is exposed.
        Assert.Equal("Retry-After", during.Headers.GetValues("Access-Control-Expose-Headers").Single());
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
    }
}

/// <summary>SQLite app behind a trusted proxy, on a clock the test moves, with a switch to take its database away.</summary>
public sealed class SqliteOutageApp : SqliteApp
{
    public SqliteOutageApp()
    {
        Analytics.BehindTrustedProxy(this);
        DatabaseSwitch.AddTo(this);
    }

    protected override bool UseFakeTime => true;
}

/// <summary>PostgreSQL app behind a trusted proxy, on a clock the test moves, with a switch to take its database away.</summary>
public sealed class PostgresOutageApp : PostgresApp
{
    public PostgresOutageApp()
    {
        Analytics.BehindTrustedProxy(this);
        DatabaseSwitch.AddTo(this);
    }

    protected override bool UseFakeTime => true;
}

public sealed class EventOutageOnSqlite(SqliteOutageApp app) : EventOutageTests<SqliteOutageApp>(app);

public sealed class EventOutageOnPostgres(PostgresOutageApp app) : EventOutageTests<PostgresOutageApp>(app);
