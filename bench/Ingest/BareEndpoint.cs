namespace CivicDesk.Bench.Ingest;

/// <summary>
/// The baseline: Kestrel answering 202 to POST /api/event once it has read the body, and doing nothing else (no
/// middleware, no logging). It runs as a child process of this tool, like the app, so that its memory and CPU are
/// measured the same way and the load generator's are not mixed in.
/// </summary>
internal static class BareEndpoint
{
    public const string Mode = "bare-endpoint";

    public static async Task<int> RunAsync(string url)
    {
        await using var app = Build(url);
        await app.RunAsync();
        return 0;
    }

    public static WebApplication Build(string url)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        app.MapPost("/api/event", async (HttpContext context) =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            context.Response.StatusCode = StatusCodes.Status202Accepted;
        });
        app.MapGet("/health/ready", () => Results.Ok());
        return app;
    }
}
