using System.Net;
using System.Text;
using CivicDesk.Web.Shared;
using CivicDesk.Web.Tests.SiteAnalytics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Shared;

/// <summary>
/// The short way through the pipeline (<see cref="FixedPathLane"/>) takes exactly the endpoints that ask for no user on
/// a fixed path, and answers them as the usual way would; requests it does not take go the usual way.
/// </summary>
public sealed class FixedPathLaneTests(SqliteAnalyticsApp app) : IClassFixture<SqliteAnalyticsApp>
{
    [Fact]
    public void The_lane_holds_the_event_endpoint_and_its_preflight_and_nothing_with_a_route_value_or_a_user()
    {
        app.EnsureAvailable();
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints;

        var table = FixedPathLane.Table(endpoints);

        Assert.Equal(["/api/event"], table.Keys);
        Assert.Equal(["OPTIONS", "POST"], table["/API/Event"].Select(r => r.Method).Order());
        Assert.All(table["/api/event"], r => Assert.Equal("/api/event", ((RouteEndpoint)r.Endpoint).RoutePattern.RawText));
        // The counter endpoints ask for no user either, but carry the site in their path: routing finds them.
        Assert.Contains(endpoints, e => WebPlatform.IsWithoutUser(e) && ((RouteEndpoint)e).RoutePattern.Parameters.Count > 0);
    }

    [Fact]
    public void Endpoints_with_a_route_value_a_user_a_limit_of_their_own_or_a_twin_are_left_to_routing()
    {
        static Endpoint Endpoint(string pattern, string method, params object[] metadata)
        {
            var builder = new RouteEndpointBuilder(_ => Task.CompletedTask, RoutePatternFactory.Parse(pattern), 0);
            builder.Metadata.Add(new HttpMethodMetadata([method]));
            foreach (var item in metadata)
            {
                builder.Metadata.Add(item);
            }

            return builder.Build();
        }

        var free = WebPlatform.WithoutUserMetadata.Instance;
        var table = FixedPathLane.Table(
        [
            Endpoint("/a/b", "POST", free),
            Endpoint("/c/{id}", "GET", free),
            Endpoint("/d", "POST"),
            Endpoint("/e", "POST", free, new EnableRateLimitingAttribute("strict")),
            Endpoint("/f", "POST", free, new DisableRateLimitingAttribute()),
            Endpoint("/g", "POST", free),
            Endpoint("/G", "POST", free),
            Endpoint("/g", "GET", free),
        ]);

        Assert.Equal(["/a/b", "/g"], table.Keys.Order());
        Assert.Equal(["POST"], table["/A/B"].Select(r => r.Method));
        Assert.Equal(["GET"], table["/g"].Select(r => r.Method));
    }

    [Fact]
    public async Task Requests_on_the_lane_s_path_are_answered_as_routing_would_answer_them()
    {
        app.EnsureAvailable();
        var site = await Analytics.CreateSiteAsync(app);
        var client = app.CreateClient();
        var json = $$"""{"name":"pageview","url":"https://{{site.Domain}}/","domain":"{{site.Domain}}"}""";

        using var upper = await client.PostAsync("/API/Event", new StringContent(json, Encoding.UTF8, "text/plain"));
        using var preflight = await client.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/api/event"));
        using var get = await client.GetAsync("/api/event");
        using var slash = await client.PostAsync("/api/event/", new StringContent(json, Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.Accepted, upper.StatusCode);
        Assert.Equal("*", upper.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal("POST", preflight.Headers.GetValues("Access-Control-Allow-Methods").Single());
        // Not in the lane: another method goes the usual way, where an anonymous client of an endpoint that is not
        // public gets 401 as a ProblemDetails; and routing matches the path with a trailing slash.
        Assert.Equal(HttpStatusCode.Unauthorized, get.StatusCode);
        Assert.Equal("application/problem+json", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Accepted, slash.StatusCode);
    }
}
