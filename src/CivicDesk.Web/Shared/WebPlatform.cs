using CivicDesk.Web.Data;
using CivicDesk.Web.Localization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc.Razor;

namespace CivicDesk.Web.Shared;

/// <summary>
/// The plumbing every capability relies on: time, languages, Razor Pages living in capability folders, Data
/// Protection keys in the database (so that app nodes read each other's cookies), error pages.
/// </summary>
internal static class WebPlatform
{
    public static IServiceCollection AddWebPlatform(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        // Razor escapes every non-ASCII letter as &#x…; by default: Vietnamese pages would triple in size and be
        // unreadable in their source. Allow all of Unicode; HTML-special characters are still escaped.
        services.AddWebEncoders(o => o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddCultures();
        services.AddHttpContextAccessWhereNeeded();
        var dataProtection = services.AddDataProtection()
            .SetApplicationName("CivicDesk")
            .PersistKeysToDbContext<AppDbContext>();
        // The keys sit in the database beside the platform tokens they protect: in production, encrypt them with a
        // certificate kept outside the database, so that a database dump alone reveals neither.
        if (configuration["DataProtection:CertificatePath"] is { Length: > 0 } certificatePath)
        {
            dataProtection.ProtectKeysWithCertificate(System.Security.Cryptography.X509Certificates.X509CertificateLoader
                .LoadPkcs12FromFile(certificatePath, configuration["DataProtection:CertificatePassword"]));
        }

        services.AddRazorPages(options =>
            {
                // Pages live in their capability's folder (Units/Index.cshtml answers /units), not in one Pages/ tree.
                options.RootDirectory = "/";
            })
            .AddViewLocalization(LanguageViewLocationExpanderFormat.Suffix)
            .AddDataAnnotationsLocalization(o => o.DataAnnotationLocalizerProvider = (_, factory) => factory.Create(typeof(SharedResource)));
        services.Configure<RouteOptions>(o => o.LowercaseUrls = true);
        services.Configure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost);
        return services;
    }

    /// <summary>
    /// Listens on http://localhost:5080 unless an address was given the usual ways (--urls, ASPNETCORE_URLS,
    /// ASPNETCORE_HTTP_PORTS or a Kestrel endpoint in configuration).
    /// </summary>
    public static WebApplicationBuilder UseDefaultAddress(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (configuration["urls"] is null && configuration["http_ports"] is null && configuration["https_ports"] is null
            && !configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls("http://localhost:5080");
        }

        return builder;
    }

    public static WebApplication UseWebPlatform(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseRequestLocalization();
        // The event endpoint and the like, on fixed paths: matched here and run behind the error handler and limiter only.
        app.UseFixedPathLane();
        app.UseHttpContextAccessor();
        // Programs get ProblemDetails; people get a page in their language.
        app.UseWhen(IsApi, api => api.UseExceptionHandler().UseStatusCodePages());
        app.UseWhen(c => !IsApi(c), pages => pages.UseExceptionHandler("/error/500").UseStatusCodePagesWithReExecute("/error/{0}"));
        // The tracker script is limited per client like the other public endpoints, though a static file.
        app.UseWhen(SiteAnalytics.ClientRateLimiter.IsTrackerScript, script => script.UseRateLimiter());
        app.UseStaticFiles();
        // Routing after the error handlers, not where WebApplication would put it (first): re-executing /error/{code}
        // clears the failed request's endpoint, and only a routing step downstream of the handlers finds the error page.
        app.UseRouting();
        app.UseRateLimiter();
        // An endpoint that never asks who is signed in runs here, rate-limited, without the user's middleware below.
        app.MapWhen(IsWithoutUser, anonymous => anonymous.Run(RunEndpoint));
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    /// <summary>
    /// Marks an endpoint anyone may call that never asks who is signed in (the public event and counter endpoints):
    /// the pipeline skips authentication, authorization and antiforgery for it. On POST /api/event those three took
    /// about 4 % of the processor time of each event; the answer is the same, since the endpoint is anonymous.
    /// </summary>
    public static TBuilder WithoutUser<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AllowAnonymous().DisableAntiforgery().WithMetadata(WithoutUserMetadata.Instance);

    private static bool IsWithoutUser(HttpContext context) =>
        context.GetEndpoint() is { RequestDelegate: not null } endpoint && IsWithoutUser(endpoint);

    /// <summary>Runs the endpoint already chosen for the request (by routing, or by <see cref="FixedPathLane"/>).</summary>
    internal static Task RunEndpoint(HttpContext context) => context.GetEndpoint()!.RequestDelegate!(context);

    internal static bool IsWithoutUser(Endpoint endpoint) => endpoint.Metadata.GetMetadata<WithoutUserMetadata>() is not null;

    internal sealed class WithoutUserMetadata
    {
        public static readonly WithoutUserMetadata Instance = new();
    }

    private static bool IsApi(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/health")
        || context.Request.Path.StartsWithSegments("/openapi");
}
