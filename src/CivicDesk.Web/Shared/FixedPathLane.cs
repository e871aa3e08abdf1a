using System.Collections.Frozen;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Shared;

/// <summary>
/// The short way through the pipeline for the endpoints anyone may call that never ask who is signed in (<see
/// cref="WebPlatform.WithoutUser{TBuilder}"/>) and sit on a fixed path: POST /api/event above all, which a site's
/// every pageview calls. Such a request is matched here by method and path, exactly as routing would match it, and
/// runs behind the API's error handler and the global rate limiter only: the page pipeline's steps between them (the
/// error pages, status-code pages, static files, routing) and the user's middleware never change its answer, and on the
/// event endpoint they took about a twentieth of the processor time of each event (docs/benchmarks.md). Any other
/// request, including one on such a path with another method, and endpoints with a rate-limiting policy of their own
/// go the usual way.
/// </summary>
internal static class FixedPathLane
{
    public static IApplicationBuilder UseFixedPathLane(this WebApplication app)
    {
        var lane = ((IApplicationBuilder)app).New();
        lane.UseExceptionHandler();
        var limits = app.Services.GetRequiredService<IOptions<RateLimiterOptions>>().Value;
        lane.Use(next => context => Limited(context, limits, next));
        lane.Run(WebPlatform.RunEndpoint);
        var run = lane.Build();
        IEndpointRouteBuilder routes = app;
        // Built at the first request, when every endpoint has been mapped.
        var table = new Lazy<FrozenDictionary<string, Route[]>>(() => Table(routes.DataSources.SelectMany(d => d.Endpoints)));
        return app.Use(next => context =>
        {
            if (context.Request.Path.Value is { } path && table.Value.TryGetValue(path, out var candidates))
            {
                foreach (var (method, endpoint) in candidates)
                {
                    if (HttpMethods.Equals(method, context.Request.Method))
                    {
                        context.SetEndpoint(endpoint);
                        return run(context);
                    }
                }
            }

            return next(context);
        });
    }

    /// <summary>
    /// The app's global rate limiter, applied as the rate-limiting middleware applies it to an endpoint without a
    /// policy of its own (those are left to routing): a refused request gets the rejection status and the options'
    /// OnRejected answer. The middleware also combined each lease with one from an endpoint limiter that every request
    /// passed, under a lock, to find no policy.
    /// </summary>
    private static async Task Limited(HttpContext context, RateLimiterOptions limits, RequestDelegate next)
    {
        if (limits.GlobalLimiter is not { } limiter)
        {
            await next(context);
            return;
        }

        using var lease = limiter.AttemptAcquire(context);
        if (lease.IsAcquired)
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = limits.RejectionStatusCode;
        if (limits.OnRejected is { } onRejected)
        {
            await onRejected(new OnRejectedContext { HttpContext = context, Lease = lease }, context.RequestAborted);
        }
    }

    internal readonly record struct Route(string Method, Endpoint Endpoint);

    /// <summary>The lane's endpoints by path (compared as routing compares them, ignoring case), with their methods.</summary>
    internal static FrozenDictionary<string, Route[]> Table(IEnumerable<Endpoint> endpoints)
    {
        var routes = new List<(string Path, Route Route)>();
        foreach (var endpoint in endpoints)
        {
            if (endpoint is not RouteEndpoint { RequestDelegate: not null } route
                || !WebPlatform.IsWithoutUser(endpoint)
                || route.RoutePattern.Parameters.Count > 0
                || endpoint.Metadata.GetMetadata<EnableRateLimitingAttribute>() is not null
                || endpoint.Metadata.GetMetadata<DisableRateLimitingAttribute>() is not null
                || endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { HttpMethods.Count: > 0 } methods)
            {
                continue;
            }

            var path = "/" + string.Join('/', route.RoutePattern.PathSegments.Select(s => string.Concat(s.Parts.OfType<RoutePatternLiteralPart>().Select(p => p.Content))));
            routes.AddRange(methods.HttpMethods.Select(m => (path, new Route(m, endpoint))));
        }

        // Two endpoints on one method and path are ambiguous, and routing refuses the request: left to routing.
        return routes
            .GroupBy(r => (r.Path.ToUpperInvariant(), r.Route.Method.ToUpperInvariant()))
            .Where(g => g.Count() == 1)
            .Select(g => g.Single())
            .GroupBy(r => r.Path, StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(g => g.Key, g => g.Select(r => r.Route).ToArray(), StringComparer.OrdinalIgnoreCase);
    }
}
