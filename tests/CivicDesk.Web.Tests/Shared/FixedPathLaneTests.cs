using System.Net;
using System.Text;
using CivicDesk.Web.Shared;
using CivicDesk.Web.Tests.SiteAnalytics;
using Microsoft.AspNetCore.Routing;
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
