using System.Text.Json;
using System.Text.Json.Serialization;
using CivicDesk.Web.Accounts;
using CivicDesk.Web.Localization;
using CivicDesk.Web.Shared;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace CivicDesk.Web.Api;

/// <summary>
/// What every /api/v1 endpoint shares: strict JSON (unknown fields are refused), ProblemDetails with translated
/// titles for every error, the OpenAPI document, and the token-only authorization policy.
/// </summary>
internal static class ApiSetup
{
    public static IServiceCollection AddApi(this IServiceCollection services)
    {
        services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(options =>
        {
            options.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        });
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var text = context.HttpContext.RequestServices.GetRequiredService<Text>();
            if (context.ProblemDetails.Status is { } status && text.Has($"Problem.{status}"))
            {
                context.ProblemDetails.Title = text[$"Problem.{status}"];
            }

            // Routing answers a body of the wrong type with a bare 415: explain it as the body reader would.
            if (context.ProblemDetails is { Status: StatusCodes.Status415UnsupportedMediaType, Detail: null })
            {
                context.ProblemDetails.Detail = text["Problem.WrongContentType"];
            }

            context.ProblemDetails.Type ??= $"https://httpstatuses.io/{context.ProblemDetails.Status}";
        });
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddOpenApi("v1", options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "CivicDesk API";
            document.Info.Version = "v1";
            document.Info.Description = "Units and channels of CivicDesk. Authenticate with a personal API token: Authorization: Bearer cdk_…";
            return Task.CompletedTask;
        }));
        return services;
    }

    /// <summary>The /api/v1 group: every endpoint in it requires a personal API token.</summary>
    public static RouteGroupBuilder MapApiGroup(this IEndpointRouteBuilder app, string prefix) =>
        app.MapGroup("/api/v1" + prefix)
            .RequireAuthorization(AccountsSetup.ApiPolicy)
            .DisableAntiforgery()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

    /// <summary>The outcome of a change as an HTTP answer: the value on success, ProblemDetails otherwise.</summary>
    public static IResult ToResult<T>(this Outcome<T> outcome, Func<T, IResult> onSuccess)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(onSuccess);
        return outcome.Failure switch
        {
            Failure.None => onSuccess(outcome.Value!),
            Failure.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound),
            Failure.Forbidden => TypedResults.Problem(detail: Detail(outcome), statusCode: StatusCodes.Status403Forbidden),
            Failure.Conflict => TypedResults.Problem(detail: Detail(outcome), statusCode: StatusCodes.Status409Conflict,
                extensions: new Dictionary<string, object?> { ["errors"] = outcome.Errors }),
            _ => TypedResults.ValidationProblem(outcome.Errors, detail: Detail(outcome)),
        };
    }

    private static string Detail<T>(Outcome<T> outcome) => string.Join(" ", outcome.Errors.SelectMany(e => e.Value));

    /// <summary>
    /// Malformed JSON, unknown fields, a wrong content type or an oversized body arrive here as
    /// <see cref="BadHttpRequestException"/>: answer with its status (400, 413, 415) and a translated explanation.
    /// </summary>
    private sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not BadHttpRequestException bad)
            {
                return false;
            }

            var text = httpContext.RequestServices.GetRequiredService<Text>();
            var status = bad.StatusCode;
            var detail = status switch
            {
                StatusCodes.Status415UnsupportedMediaType => text["Problem.WrongContentType"],
                StatusCodes.Status413PayloadTooLarge => text["Problem.TooLarge"],
                _ when bad.InnerException is JsonException json && json.Message.Contains("could not be mapped", StringComparison.Ordinal)
                    => text["Problem.UnknownField", json.Path ?? ""],
                _ when bad.InnerException is JsonException json => text["Problem.MalformedJson", json.Path ?? "$"],
                _ => text["Problem.BadRequest"],
            };
            httpContext.Response.StatusCode = status;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                Exception = exception,
                ProblemDetails = new ProblemDetails { Status = status, Detail = detail },
            });
        }
    }
}
