using System.Collections.Concurrent;
using CivicDesk.Web.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Shared;

/// <summary>
/// The request's accessor is set by the pipeline (<see cref="HttpContextAccess"/>), not by the context factory: on a
/// real Kestrel node, the requests behind the middleware read their own context through it, code that outlives a
/// request reads null, and Kestrel hands the same context object to the next request of a connection, which it does only
/// while the factory knows no accessor.
/// </summary>
public sealed class HttpContextAccessTests
{
    /// <summary>What one request saw: its context, and whether the accessor gave exactly that context.</summary>
    private sealed record Seen(HttpContext Context, bool AccessorHadIt);

    [Fact]
    public void The_context_factory_leaves_the_accessor_alone()
    {
        var services = new ServiceCollection();
        services.AddOptions();
        services.AddSingleton<IHttpContextFactory, DefaultHttpContextFactory>();
        services.AddHttpContextAccessWhereNeeded();
        using var provider = services.BuildServiceProvider();
        var accessor = provider.GetRequiredService<IHttpContextAccessor>();

        var context = provider.GetRequiredService<IHttpContextFactory>().Create(new FeatureCollection());

        Assert.IsType<DefaultHttpContextFactory>(provider.GetRequiredService<IHttpContextFactory>());
        Assert.NotNull(context);
        Assert.Null(accessor.HttpContext);
    }

    [Fact]
    public async Task Requests_read_their_own_context_through_the_accessor_and_one_connection_s_requests_share_one_context()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Services.AddHttpContextAccessWhereNeeded();
        await using var web = builder.Build();
        var accessor = web.Services.GetRequiredService<IHttpContextAccessor>();
        var seen = new ConcurrentQueue<Seen>();
        var afterwards = new ConcurrentQueue<Task<HttpContext?>>();
        web.UseHttpContextAccessor();
        web.MapGet("/", (HttpContext context) =>
        {
            seen.Enqueue(new Seen(context, ReferenceEquals(accessor.HttpContext, context)));
            // Work that outlives the request, in the request's execution context.
            afterwards.Enqueue(Task.Run(async () =>
            {
                await Task.Delay(200);
                return accessor.HttpContext;
            }));
            return "ok";
        });
        await web.StartAsync(TestContext.Current.CancellationToken);
        var address = web.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = new Uri(address) };

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("ok", await client.GetStringAsync("/", TestContext.Current.CancellationToken));
        }

        var contexts = seen.ToArray();
        Assert.Equal(3, contexts.Length);
        Assert.All(contexts, s => Assert.True(s.AccessorHadIt));
        Assert.All(contexts, s => Assert.Same(contexts[0].Context, s.Context));
        Assert.All(await Task.WhenAll(afterwards), Assert.Null);
        await web.StopAsync(TestContext.Current.CancellationToken);
    }
}
