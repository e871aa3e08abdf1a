using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CivicDesk.Web.Shared;

/// <summary>
/// The request's <see cref="IHttpContextAccessor"/>, set by the pipeline for the requests that may read it rather than
/// by the server for every request. Identity's sign-in manager and <see cref="Permissions.CurrentUser"/> need the
/// accessor; once registered, it made ASP.NET Core's context factory store every request in an async-local and give up
/// Kestrel's reuse of one HttpContext per connection: a new context, request, response, connection info and features,
/// and a new execution context, for each request — about a sixth of the event endpoint's garbage (docs/benchmarks.md).
/// The factory is now built without the accessor, so contexts are reused, and <see cref="UseHttpContextAccessor"/> sets
/// it after the fixed-path lane (<see cref="FixedPathLane"/>), whose endpoints never ask who is signed in, and clears
/// it when the request ends, as the factory did.
/// </summary>
internal static class HttpContextAccess
{
    public static IServiceCollection AddHttpContextAccessWhereNeeded(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.Replace(ServiceDescriptor.Singleton<IHttpContextFactory>(sp => new DefaultHttpContextFactory(new WithoutAccessor(sp))));
        return services;
    }

    public static IApplicationBuilder UseHttpContextAccessor(this IApplicationBuilder app)
    {
        var accessor = app.ApplicationServices.GetRequiredService<IHttpContextAccessor>();
        return app.Use(next => async context =>
        {
            accessor.HttpContext = context;
            try
            {
                await next(context);
            }
            finally
            {
                // Code that captured the accessor's context in a flow that outlives the request then reads null, not
                // the next request's context (the factory's own behaviour).
                accessor.HttpContext = null;
            }
        });
    }

    /// <summary>The app's services, less the accessor: what the context factory is built from.</summary>
    private sealed class WithoutAccessor(IServiceProvider services) : IServiceProvider
    {
        public object? GetService(Type serviceType) =>
            serviceType == typeof(IHttpContextAccessor) ? null : services.GetService(serviceType);
    }
}
