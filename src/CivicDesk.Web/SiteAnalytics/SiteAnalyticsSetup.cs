using CivicDesk.Web.SiteAnalytics.Export;
using CivicDesk.Web.SiteAnalytics.Ingestion;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.SiteAnalytics;

internal static class SiteAnalyticsSetup
{
    public static IServiceCollection AddSiteAnalytics(this IServiceCollection services)
    {
        services.AddOptions<AnalyticsOptions>().BindConfiguration(AnalyticsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<SiteService>();
        services.AddScoped<Dashboard.DashboardQueries>();
        services.AddSingleton<Demo.TrafficLoader>();
        services.AddScoped<Demo.DemoSite>();
        services.AddMemoryCache();
        services.AddSingleton<SiteDirectory>();
        services.AddSingleton<SaltStore>();
        services.AddSingleton(_ => new TextPool(TextPool.NodeCharacters));
        services.AddSingleton<IEventEnricher, PackageEnricher>();
        services.AddHostedService<EnrichmentWarmup>();
        services.AddSingleton(sp => new IngestQueue(sp.GetRequiredService<IOptions<AnalyticsOptions>>().Value.QueueCapacity));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AnalyticsOptions>>().Value;
            var root = sp.GetRequiredService<IHostEnvironment>().ContentRootPath;
            return new Spool(Path.GetFullPath(Path.Combine(root, options.SpoolPath)), options.SegmentBytes);
        });
        services.AddPublicRateLimits();
        services.AddSingleton<EventWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<EventWriter>());
        services.AddHealthChecks().AddCheck<SpoolHealthCheck>("spool", tags: [Health.HealthSetup.Ready]);

        // X-Forwarded-For is believed only from the proxies named in configuration; a visitor's own header is ignored.
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<AnalyticsOptions>>((forwarded, analytics) =>
        {
            forwarded.ForwardedHeaders |= ForwardedHeaders.XForwardedFor;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in analytics.Value.TrustedProxies)
            {
                forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            }
        });
        return services;
    }

    public static IEndpointRouteBuilder MapSiteAnalytics(this IEndpointRouteBuilder app)
    {
        app.MapSitesApi();
        app.MapStatsApi();
        app.MapEventEndpoint();
        app.MapCounter();
        app.MapSiteExport();
        return app;
    }
}
