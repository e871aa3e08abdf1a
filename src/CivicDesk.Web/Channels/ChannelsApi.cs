using CivicDesk.Web.Api;
using CivicDesk.Web.Localization;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Channels;

public sealed record ChannelDto(
    int Id, int UnitId, string UnitName, Platform Platform, string ExternalId, string? Handle, string Url,
    string DisplayName, string ConnectionState, bool Archived, DateTime CreatedAt)
{
    public static ChannelDto From(Channel c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.Id, c.UnitId, c.Unit?.Name ?? "", c.Platform, c.ExternalId, c.Handle, c.Url, c.DisplayName,
            c.ConnectionState.ToString(), c.ArchivedAt is not null, c.CreatedAt);
    }
}

public sealed record RegisterChannelRequest(int UnitId, string? Url, string? Platform, string? DisplayName);

public sealed record UpdateChannelRequest(string? DisplayName, int? UnitId);

public sealed record RecognizeRequest(string? Url, string? Platform);

public sealed record RecognizeResponse(Platform Platform, string ExternalId, string? Handle, string Url);

/// <summary>/api/v1/channels: the channel registry, with the same rules as the pages (ChannelService).</summary>
internal static class ChannelsApi
{
    public static IEndpointRouteBuilder MapChannelsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("/channels").WithTags("Channels");
        group.MapGet("/", ListAsync).WithName("ListChannels");
        group.MapGet("/{id:int}", async (int id, ChannelService channels, CancellationToken ct) =>
            await channels.FindAsync(id, ct) is { } channel
                ? TypedResults.Ok(ChannelDto.From(channel))
                : (IResult)TypedResults.Problem(statusCode: StatusCodes.Status404NotFound))
            .WithName("GetChannel").Produces<ChannelDto>();
        group.MapPost("/", RegisterAsync).WithName("RegisterChannel")
            .Produces<ChannelDto>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/recognize", Recognize).WithName("RecognizeChannelUrl").Produces<RecognizeResponse>();
        group.MapPatch("/{id:int}", async (int id, UpdateChannelRequest request, ChannelService channels, CancellationToken ct) =>
            (await channels.UpdateAsync(id, request.DisplayName, request.UnitId, ct)).ToResult(c => TypedResults.Ok(ChannelDto.From(c))))
            .WithName("UpdateChannel").Produces<ChannelDto>();
        group.MapPost("/{id:int}/archive", async (int id, ChannelService channels, CancellationToken ct) =>
            (await channels.ArchiveAsync(id, ct)).ToResult(c => TypedResults.Ok(ChannelDto.From(c))))
            .WithName("ArchiveChannel").Produces<ChannelDto>();
        group.MapPost("/{id:int}/restore", async (int id, ChannelService channels, CancellationToken ct) =>
            (await channels.RestoreAsync(id, ct)).ToResult(c => TypedResults.Ok(ChannelDto.From(c))))
            .WithName("RestoreChannel").Produces<ChannelDto>();
        return app;
    }

    private static async Task<IResult> ListAsync(
        ChannelService channels, Text text, int? unitId, string? platform, bool? includeArchived, CancellationToken ct)
    {
        Platform? filter = null;
        if (platform is not null)
        {
            if (!Platforms.TryParse(platform, out var p))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["platform"] = [text["Channel.UnknownPlatform"]] });
            }

            filter = p;
        }

        var query = await channels.QueryAsync(unitId, filter, includeArchived == true, ct);
        var list = await query.Include(c => c.Unit).OrderBy(c => c.Unit!.Path).ThenBy(c => c.Platform).ThenBy(c => c.DisplayName).ToListAsync(ct);
        return TypedResults.Ok(list.Select(ChannelDto.From).ToList());
    }

    private static async Task<IResult> RegisterAsync(RegisterChannelRequest request, ChannelService channels, Text text, CancellationToken ct)
    {
        if (!TryPlatform(request.Platform, out var platform))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["platform"] = [text["Channel.UnknownPlatform"]] });
        }

        var outcome = await channels.RegisterAsync(request.UnitId, request.Url, platform, request.DisplayName, ct: ct);
        return outcome.ToResult(c => TypedResults.Created($"/api/v1/channels/{c.Id}", ChannelDto.From(c)));
    }

    private static IResult Recognize(RecognizeRequest request, Text text)
    {
        if (!TryPlatform(request.Platform, out var platform))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["platform"] = [text["Channel.UnknownPlatform"]] });
        }

        var result = ChannelAddressParser.Parse(request.Url, platform);
        return result.Address is { } a
            ? TypedResults.Ok(new RecognizeResponse(a.Platform, a.ExternalId, a.Handle, a.Url))
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["url"] = [text[result.ErrorKey!]] });
    }

    private static bool TryPlatform(string? code, out Platform? platform)
    {
        platform = null;
        if (string.IsNullOrWhiteSpace(code))
        {
            return true;
        }

        if (Platforms.TryParse(code, out var p))
        {
            platform = p;
            return true;
        }

        return false;
    }
}
