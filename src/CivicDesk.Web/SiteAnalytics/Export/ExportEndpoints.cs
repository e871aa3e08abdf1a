using CivicDesk.Web.Api;
using CivicDesk.Web.Data;
using CivicDesk.Web.Localization;

namespace CivicDesk.Web.SiteAnalytics.Export;

/// <summary>
/// A site's data for a period as a zip of CSV files in Plausible's export layout: GET /api/v1/sites/{id}/export for
/// programs (API token) and GET /sites/{id}/export for a signed-in person (the dashboard links to it). Both take the
/// stats API's period parameters (period=…, date=…; 30d by default) and answer 404 for a site the caller cannot see.
/// </summary>
internal static class ExportEndpoints
{
    public static IEndpointRouteBuilder MapSiteExport(this IEndpointRouteBuilder app)
    {
        app.MapApiGroup("/sites").WithTags("Sites")
            .MapGet("/{id:int}/export", (int id, string? period, string? date, SiteService sites, AppDbContext db, Text text, TimeProvider time, CancellationToken ct) =>
                ExportAsync(id, period, date, sites, db, text, time, TypedResults.Problem(statusCode: StatusCodes.Status404NotFound), ct))
            .WithName("ExportSite")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip")
            .ProducesProblem(StatusCodes.Status404NotFound);

        // The web app's download (sign-in cookie, by the fallback policy). A site the person cannot see gets the
        // translated 404 page; a period that makes no sense gets the same ProblemDetails as the API.
        app.MapGet("/sites/{id:int}/export", (int id, string? period, string? date, SiteService sites, AppDbContext db, Text text, TimeProvider time, CancellationToken ct) =>
                ExportAsync(id, period, date, sites, db, text, time, TypedResults.NotFound(), ct))
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ExportAsync(
        int id, string? period, string? date, SiteService sites, AppDbContext db, Text text, TimeProvider time, IResult notFound, CancellationToken ct)
    {
        var site = await sites.FindAsync(id, ct);
        if (site is null)
        {
            return notFound;
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).DateTime);
        var (range, error) = Period.Parse(period, date, today);
        if (range is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [error == "Stats.Period" ? "period" : "date"] = [text[error!]] });
        }

        var export = new SiteExport(db, site, range, zone);
        return TypedResults.Stream(body => export.WriteAsync(body, ct), "application/zip", PlausibleCsv.ArchiveName(site.Domain, today));
    }
}
