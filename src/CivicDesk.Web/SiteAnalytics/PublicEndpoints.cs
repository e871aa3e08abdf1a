using System.Threading.RateLimiting;
using CivicDesk.Web.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace CivicDesk.Web.SiteAnalytics;

/// <summary>
/// The endpoints anyone on the internet may call (event, counter): rate-limited per client address, answering 429
/// with a translated ProblemDetails and Retry-After past the limit. They read nothing but what they are for.
/// </summary>
internal static class PublicEndpoints
{
    /// <summary>Limits the endpoint per client address (<see cref="ClientRateLimiter"/>, the app's global limiter).</summary>
    public static TBuilder RateLimitedPerClient<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(ClientRateLimiter.Limited.Instance);

    public static IServiceCollection AddPublicRateLimits(this IServiceCollection services)
    {
        services.AddSingleton<ClientRateLimiter>();
        services.AddOptions<RateLimiterOptions>().Configure<ClientRateLimiter>((limiter, perClient) => limiter.GlobalLimiter = perClient);
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                http.Response.Headers.RetryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry)
                    ? ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : "10";
                var text = http.RequestServices.GetRequiredService<Text>();
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = new ProblemDetails { Status = StatusCodes.Status429TooManyRequests, Detail = text["Event.TooMany"] },
                });
            };
        });
        return services;
    }
}
