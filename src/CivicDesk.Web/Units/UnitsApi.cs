using CivicDesk.Web.Api;
using CivicDesk.Web.Permissions;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Units;

public sealed record UnitDto(int Id, string Name, int? ParentId, IReadOnlyList<int> Path, bool Archived, DateTime CreatedAt)
{
    public static UnitDto From(Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return new(unit.Id, unit.Name, unit.ParentId, unit.PathIds, unit.IsArchived, unit.CreatedAt);
    }
}

public sealed record CreateUnitRequest(string? Name, int? ParentId);

public sealed record RenameUnitRequest(string? Name);

public sealed record MoveUnitRequest(int? ParentId);

/// <summary>/api/v1/units: the unit tree, with the same rules as the pages (UnitService).</summary>
internal static class UnitsApi
{
    public static IEndpointRouteBuilder MapUnitsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("/units").WithTags("Units");
        group.MapGet("/", ListAsync).WithName("ListUnits");
        group.MapGet("/{id:int}", GetAsync).WithName("GetUnit").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateAsync).WithName("CreateUnit").Produces<UnitDto>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPatch("/{id:int}", async (int id, RenameUnitRequest request, UnitService units, CancellationToken ct) =>
            (await units.RenameAsync(id, request.Name, ct)).ToResult(u => TypedResults.Ok(UnitDto.From(u))))
            .WithName("RenameUnit").Produces<UnitDto>();
        group.MapPost("/{id:int}/move", async (int id, MoveUnitRequest request, UnitService units, CancellationToken ct) =>
            (await units.MoveAsync(id, request.ParentId, ct)).ToResult(u => TypedResults.Ok(UnitDto.From(u))))
            .WithName("MoveUnit").Produces<UnitDto>();
        group.MapPost("/{id:int}/archive", async (int id, UnitService units, CancellationToken ct) =>
            (await units.ArchiveAsync(id, ct)).ToResult(u => TypedResults.Ok(UnitDto.From(u))))
            .WithName("ArchiveUnit").Produces<UnitDto>();
        group.MapPost("/{id:int}/restore", async (int id, UnitService units, CancellationToken ct) =>
            (await units.RestoreAsync(id, ct)).ToResult(u => TypedResults.Ok(UnitDto.From(u))))
            .WithName("RestoreUnit").Produces<UnitDto>();
        group.MapDelete("/{id:int}", async (int id, UnitService units, CancellationToken ct) =>
            (await units.DeleteAsync(id, ct)).ToResult(_ => TypedResults.NoContent()))
            .WithName("DeleteUnit").ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> ListAsync(UnitAccess access, bool? includeArchived, CancellationToken ct)
    {
        var query = await access.UnitsAsync(Permission.View, ct);
        if (includeArchived != true)
        {
            query = query.Where(u => u.ArchivedAt == null);
        }

        var units = await query.AsNoTracking().OrderBy(u => u.Path).ToListAsync(ct);
        return TypedResults.Ok(units.Select(UnitDto.From).ToList());
    }

    private static async Task<IResult> GetAsync(int id, UnitAccess access, CancellationToken ct)
    {
        var unit = await (await access.UnitsAsync(Permission.View, ct)).AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, ct);
        return unit is null ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound) : TypedResults.Ok(UnitDto.From(unit));
    }

    private static async Task<IResult> CreateAsync(CreateUnitRequest request, UnitService units, CancellationToken ct)
    {
        var outcome = await units.CreateAsync(request.Name, request.ParentId, ct: ct);
        return outcome.ToResult(u => TypedResults.Created($"/api/v1/units/{u.Id}", UnitDto.From(u)));
    }
}
