using System.Net;
using System.Text;
using CivicDesk.Web.SiteAnalytics;
using CivicDesk.Web.SiteAnalytics.Ingestion;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>
/// Test helpers for site analytics: a registered site, and events sent as a browser on the site would send them,
/// through a reverse proxy that the app trusts (so each test chooses the visitor's address).
/// </summary>
public static class Analytics
{
    public const string Proxy = "127.0.0.1";
    public const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

    /// <summary>Lets requests arrive from <see cref="Proxy"/> (the test server has no connection address of its own).</summary>
    public static void BehindTrustedProxy(AppFactory app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Set("SiteAnalytics:TrustedProxies:0", Proxy);
        app.ConfigureTestServices(services => services.AddTransient<IStartupFilter, FromProxy>());
    }

    public static Task<Site> CreateSiteAsync(AppFactory app, string? domain = null, int? unitId = null) =>
        app.AsOperatorAsync(async sp =>
        {
            var unit = unitId ?? (await app.CreateUnitAsync()).Id;
            var outcome = await sp.GetRequiredService<SiteService>().CreateAsync(unit, domain ?? $"s{Guid.NewGuid():N}"[..12] + ".gov.vn", null);
            return outcome.Value ?? throw new InvalidOperationException(string.Join("; ", outcome.Errors.SelectMany(e => e.Value)));
        });

    public static async Task<HttpResponseMessage> SendAsync(
        HttpClient client, string domain, string path = "/", string name = "pageview", string ip = "203.0.113.10",
        string userAgent = Chrome, string? referrer = null, string? extra = null, string contentType = "text/plain")
    {
        ArgumentNullException.ThrowIfNull(client);
        var json = $"{{\"name\":\"{name}\",\"url\":\"https://{domain}{path}\",\"domain\":\"{domain}\"" +
            (referrer is null ? "" : $",\"referrer\":\"{referrer}\"") + (extra is null ? "" : "," + extra) + "}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/event") { Content = new StringContent(json, Encoding.UTF8, contentType) };
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", ip);
        return await client.SendAsync(request);
    }

    /// <summary>A writer of the test's own on <paramref name="spool"/>, driven batch by batch with WriteBatchAsync.</summary>
    public static EventWriter Writer(AppFactory app, Spool spool, AnalyticsOptions options, IngestQueue? queue = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        return new(queue ?? new IngestQueue(1), spool, new TextPool(TextPool.NodeCharacters), app.Services.GetRequiredService<IServiceScopeFactory>(),
            Options.Create(options), TimeProvider.System, NullLogger<EventWriter>.Instance);
    }

    /// <summary>A pageview as the endpoint would queue it, from a desktop Chrome in Vietnam, without a referrer.</summary>
    public static PendingEvent Pageview(Site site, long visitor, DateTime at, string path)
    {
        ArgumentNullException.ThrowIfNull(site);
        return new()
        {
            EventId = Guid.CreateVersion7(new DateTimeOffset(at)),
            SiteId = site.Id,
            Timestamp = at,
            Name = "pageview",
            Hostname = site.Domain,
            Pathname = path,
            VisitorId = visitor,
            Enrichment = new EventEnrichment { Browser = "Chrome", Os = "Windows", Device = "Desktop", Country = "VN", Source = "Direct / None" },
        };
    }

    private sealed class FromProxy : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress ??= IPAddress.Parse(Proxy);
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

/// <summary>SQLite app behind a trusted proxy.</summary>
public sealed class SqliteAnalyticsApp : SqliteApp
{
    public SqliteAnalyticsApp() => Analytics.BehindTrustedProxy(this);
}

/// <summary>PostgreSQL app behind a trusted proxy.</summary>
public sealed class PostgresAnalyticsApp : PostgresApp
{
    public PostgresAnalyticsApp() => Analytics.BehindTrustedProxy(this);
}
