using System.Threading.RateLimiting;
using CivicDesk.Web.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.SiteAnalytics;

/// <summary>
/// The endpoints anyone on the internet may call (event, counter): rate-limited per client address, answering 429
/// with a translated ProblemDetails and Retry-After past the limit. They read nothing but what they are for.
/// </summary>
internal static class PublicEndpoints
{
    public const string Policy = "public";

    public static IServiceCollection AddPublicRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(Policy, context =>
            {
                var perMinute = context.RequestServices.GetRequiredService<IOptions<AnalyticsOptions>>().Value.RateLimitPerMinute;
                return RateLimitPartition.GetSlidingWindowLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new SlidingWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), SegmentsPerWindow = 6, QueueLimit = 0 });
            });
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
