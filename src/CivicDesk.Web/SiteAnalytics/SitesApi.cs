using CivicDesk.Web.Api;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.SiteAnalytics;

public sealed record SiteDto(int Id, int UnitId, string Domain, string TimeZone, bool Archived, string Snippet);

public sealed record CreateSiteRequest(int UnitId, string? Domain, string? TimeZone);

/// <summary>/api/v1/sites: the units' websites, with the tracker snippet to paste.</summary>
internal static class SitesApi
{
    public static IEndpointRouteBuilder MapSitesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("/sites").WithTags("Sites");
        group.MapGet("/", async (SiteService sites, HttpContext context, CancellationToken ct) =>
            TypedResults.Ok((await (await sites.QueryAsync(ct)).OrderBy(s => s.Domain).ToListAsync(ct)).Select(s => Dto(s, context.Request)).ToList()))
            .WithName("ListSites");
        group.MapGet("/{id:int}", async (int id, SiteService sites, HttpContext context, CancellationToken ct) =>
            await sites.FindAsync(id, ct) is { } site
                ? TypedResults.Ok(Dto(site, context.Request))
                : (IResult)TypedResults.Problem(statusCode: StatusCodes.Status404NotFound))
            .WithName("GetSite").Produces<SiteDto>();
        group.MapPost("/", async (CreateSiteRequest request, SiteService sites, HttpContext context, CancellationToken ct) =>
            (await sites.CreateAsync(request.UnitId, request.Domain, request.TimeZone, ct: ct))
                .ToResult(s => TypedResults.Created($"/api/v1/sites/{s.Id}", Dto(s, context.Request))))
            .WithName("CreateSite").Produces<SiteDto>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    /// <summary>The line a web administrator pastes into the site's pages.</summary>
    public static string Snippet(Site site, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(request);
        return $"<script defer data-domain=\"{site.Domain}\" src=\"{request.Scheme}://{request.Host}/js/script.js\"></script>";
    }

    private static SiteDto Dto(Site s, HttpRequest request) => new(s.Id, s.UnitId, s.Domain, s.TimeZone, s.ArchivedAt is not null, Snippet(s, request));
}
