using System.Buffers;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Localization;
using CivicDesk.Web.Shared;
using CivicDesk.Web.SiteAnalytics.Storage;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>
/// POST /api/event — Plausible's Events API (name, url, domain, referrer, props, revenue, interactive; User-Agent and,
/// from trusted proxies only, X-Forwarded-For). Checks are cheap and local; an accepted event is hashed, enriched,
/// queued, and answered 202 at once. Every refusal is a translated ProblemDetails: 400, 413, 415, or 503 with
/// Retry-After when the queue is full or the database is needed (an unknown domain, a new day's salt) and down.
/// </summary>
internal static class EventEndpoint
{
    private const int MaxProps = 30;
    private const int MaxPropKey = 300;
    private const int MaxPropValue = 2000;
    private const string EngagementEvent = "engagement";

    public static IEndpointRouteBuilder MapEventEndpoint(this IEndpointRouteBuilder app)
    {
        // Pages on the agencies' own domains send events here: any origin may, and may read the status (no cookies).
        app.MapMethods("/api/event", ["OPTIONS"], (HttpContext context) =>
        {
            AllowAnyOrigin(context);
            context.Response.Headers.AccessControlAllowMethods = "POST";
            context.Response.Headers.AccessControlAllowHeaders = "Content-Type";
            context.Response.Headers.AccessControlMaxAge = "86400";
            return Results.NoContent();
        }).WithoutUser().RateLimitedPerClient().ExcludeFromDescription();
        // The handler's services are singletons, taken from the root provider once: asked for per request, they made
        // a service scope for every event.
        var services = new Lazy<EventServices>(() => new EventServices(app.ServiceProvider));
        app.MapPost("/api/event", (HttpContext context, CancellationToken ct) =>
            {
                var s = services.Value;
                return AcceptAsync(context, s.Sites, s.Salts, s.Enricher, s.Queue, s.Options, s.Time, s.Text, s.Texts, ct);
            })
            .WithoutUser()
            .RateLimitedPerClient()
            .WithTags("Site analytics")
            .WithName("RecordEvent")
            // No Accepts metadata: routing would answer a wrong content type before the handler could explain it.
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    /// <summary>A ValueTask: an event is nearly always answered without waiting for anything, and then nothing is allocated for the answer.</summary>
    private static async ValueTask<IResult> AcceptAsync(
        HttpContext context, SiteDirectory sites, SaltStore salts, IEventEnricher enricher, IngestQueue queue,
        IOptions<AnalyticsOptions> options, TimeProvider time, Text text, TextPool texts, CancellationToken ct)
    {
        AllowAnyOrigin(context);
        var request = context.Request;
        if (!IsAcceptedMediaType(request.ContentType))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, text["Event.ContentType"]);
        }

        if (request.ContentLength > options.Value.MaxBodyBytes)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, text["Event.TooLarge", options.Value.MaxBodyBytes]);
        }

        // A pooled buffer: a fresh 8 KiB array for every event was most of the endpoint's garbage.
        var buffer = ArrayPool<byte>.Shared.Rent(options.Value.MaxBodyBytes + 1);
        Payload? payload;
        string? error;
        try
        {
            var length = await ReadBodyAsync(request, buffer.AsMemory(0, options.Value.MaxBodyBytes + 1), ct);
            if (length > options.Value.MaxBodyBytes)
            {
                return Problem(StatusCodes.Status413PayloadTooLarge, text["Event.TooLarge", options.Value.MaxBodyBytes]);
            }

            (payload, error) = Parse(buffer.AsMemory(0, length), options.Value.MaxUrlLength);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (payload is null)
        {
            return Problem(StatusCodes.Status400BadRequest, text[error!]);
        }

        SiteDirectory.SiteInfo? site;
        try
        {
            site = await sites.FindAsync(payload.Domains, ct);
        }
        catch (Exception e) when (DatabaseFailure.IsDatabaseError(e))
        {
            // A domain this node has not looked up yet, while the database is down: the client should send it again.
            return Unavailable(context, text["Event.DatabaseUnavailable"]);
        }

        if (site is null)
        {
            return Problem(StatusCodes.Status400BadRequest, text["Event.UnknownDomain"]);
        }

        if (!SiteDirectory.HostBelongsTo(payload.Url.IdnHost, site.Domain))
        {
            return Problem(StatusCodes.Status400BadRequest, text["Event.DomainMismatch"]);
        }

        // Plausible's newer trackers report engagement time and scroll depth as "engagement" events. CivicDesk does not
        // measure those yet; stored as a custom event they would count as an interaction and hide bounces.
        if (payload.Name == EngagementEvent)
        {
            return Accepted(context);
        }

        var userAgent = request.Headers.UserAgent.ToString();
        var address = context.Connection.RemoteIpAddress;
        var enrichment = enricher.Enrich(userAgent, address, payload.Referrer, payload.Url, site.Domain).Fitted();
        byte[] today;
        byte[]? yesterday;
        try
        {
            (today, yesterday) = await salts.SaltsAsync(site.TimeZone, ct);
        }
        catch (Exception e) when (DatabaseFailure.IsDatabaseError(e))
        {
            // A new day's salt must be read or created once per node, and the database is down at that moment.
            return Unavailable(context, text["Event.DatabaseUnavailable"]);
        }

        var ip = address?.ToString() ?? "";
        var now = time.GetUtcNow().UtcDateTime;
        var pending = new PendingEvent
        {
            EventId = EventIds.Version7(now, Random.Shared),
            SiteId = site.Id,
            Timestamp = now,
            // Shared texts: the request's own copies die young, and visits keep the shared ones (TextPool).
            Name = texts.Get(payload.Name),
            Hostname = texts.Get(payload.Url.IdnHost.ToLowerInvariant()),
            Pathname = texts.Get(payload.Pathname),
            VisitorId = SaltStore.VisitorId(today, site.Id, ip, userAgent),
            PreviousVisitorId = yesterday is null ? 0 : SaltStore.VisitorId(yesterday, site.Id, ip, userAgent),
            Enrichment = enrichment,
            Props = payload.Props,
            RevenueAmount = payload.RevenueAmount,
            RevenueCurrency = payload.RevenueCurrency,
            Interactive = payload.Interactive,
        };

        if (!queue.TryEnqueue(pending))
        {
            return Unavailable(context, text["Event.Busy"]);
        }

        return Accepted(context);
    }

    /// <summary>202, set directly: Results.StatusCode asks the request's services for a logger, which makes a service
    /// scope for every event.</summary>
    private static EmptyHttpResult Accepted(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        return TypedResults.Empty;
    }

    private static void AllowAnyOrigin(HttpContext context)
    {
        context.Response.Headers.AccessControlAllowOrigin = "*";
        // The tracker reads Retry-After on a 503 to send the event again; a cross-origin page may read it only if exposed.
        context.Response.Headers.AccessControlExposeHeaders = "Retry-After";
    }

    private static ProblemHttpResult Problem(int status, string detail) => TypedResults.Problem(statusCode: status, detail: detail);

    /// <summary>503 with Retry-After: the event was not taken, and the client is told to send it again (never a silent drop).</summary>
    private static ProblemHttpResult Unavailable(HttpContext context, string detail)
    {
        context.Response.Headers.RetryAfter = "5";
        return Problem(StatusCodes.Status503ServiceUnavailable, detail);
    }

    /// <summary>Reads the body into <paramref name="buffer"/> until it is full or the body ends; returns the bytes read.
    /// A full buffer, one byte longer than the limit, means the body is too long (a chunked body has no length).</summary>
    private static async ValueTask<int> ReadBodyAsync(HttpRequest request, Memory<byte> buffer, CancellationToken ct)
    {
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await request.Body.ReadAsync(buffer[read..], ct)) > 0)
        {
            read += n;
        }

        return read;
    }

    internal sealed record Payload(
        string Name, Uri Url, string Pathname, IReadOnlyList<string> Domains, string? Referrer, string Props,
        decimal? RevenueAmount, string? RevenueCurrency, bool Interactive);

    /// <summary>Validates Plausible's payload; on failure returns the resource key of the reason.</summary>
    internal static (Payload? Payload, string? Error) Parse(ReadOnlyMemory<byte> body, int maxUrlLength)
    {
        try
        {
            return ParseJson(body, maxUrlLength);
        }
        catch (InvalidOperationException)
        {
            // A string that is not text: invalid UTF-8, or half of a surrogate pair written as \uD800.
            return (null, "Event.MalformedJson");
        }
    }

    private static (Payload? Payload, string? Error) ParseJson(ReadOnlyMemory<byte> body, int maxUrlLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            return (null, "Event.MalformedJson");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, "Event.MalformedJson");
            }

            var name = String(root, "name") ?? String(root, "n");
            if (string.IsNullOrWhiteSpace(name) || name.Length > SiteEventColumns.Name || HasControl(name))
            {
                return (null, "Event.Name");
            }

            var urlText = String(root, "url") ?? String(root, "u");
            if (urlText is null || urlText.Length > maxUrlLength || !Uri.TryCreate(urlText, UriKind.Absolute, out var url)
                || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || HasControl(urlText)
                || url.IdnHost.Length > Site.DomainMaxLength || urlText.Contains("%00", StringComparison.Ordinal))
            {
                return (null, "Event.Url");
            }

            var domainText = String(root, "domain") ?? String(root, "d");
            var domains = domainText?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(d => d.ToLowerInvariant()).Where(d => d.Length is > 0 and <= Site.DomainMaxLength).ToList() ?? [];
            if (domains.Count == 0)
            {
                return (null, "Event.Domain");
            }

            var referrer = String(root, "referrer") ?? String(root, "r");
            if (referrer is { Length: > 0 } && (referrer.Length > maxUrlLength || HasControl(referrer)))
            {
                return (null, "Event.Referrer");
            }

            var (props, propsError) = Props(root);
            if (propsError is not null)
            {
                return (null, propsError);
            }

            var (amount, currency, revenueError) = Revenue(root);
            if (revenueError is not null)
            {
                return (null, revenueError);
            }

            // Plausible's npm tracker sends short names (n, u, d, r, p, $, i, h); its own script and the API the long ones.
            var interactive = !(root.TryGetProperty("interactive", out var i) || root.TryGetProperty("i", out i)) || i.ValueKind != JsonValueKind.False;
            var hash = root.TryGetProperty("hashMode", out var h) && (h.ValueKind == JsonValueKind.True || IsOne(h))
                || root.TryGetProperty("h", out var h2) && IsOne(h2);
            // The fragment stays escaped: in hash mode the path can come out longer than the URL was.
            var pathname = Uri.UnescapeDataString(url.AbsolutePath) + (hash ? url.Fragment : "");
            if (pathname.Length > SiteEventColumns.Pathname)
            {
                return (null, "Event.Url");
            }

            return (new Payload(name.Trim(), url, pathname, domains, string.IsNullOrEmpty(referrer) ? null : referrer, props, amount, currency, interactive), null);
        }
    }

    /// <summary>application/json or text/plain, with or without parameters (a charset), as Plausible's trackers send.</summary>
    private static bool IsAcceptedMediaType(string? contentType)
    {
        var type = contentType.AsSpan();
        var semicolon = type.IndexOf(';');
        type = (semicolon < 0 ? type : type[..semicolon]).Trim();
        return type.SequenceEqual("application/json") || type.SequenceEqual("text/plain");
    }

    /// <summary>Whether the text has a control character (<see cref="char.IsControl(char)"/>: U+0000–U+001F and
    /// U+007F–U+009F), searched with vector instructions; string.Any boxed an enumerator and called a delegate for
    /// every character of every URL.</summary>
    internal static bool HasControl(string text) =>
        text.AsSpan().IndexOfAnyInRange('\u0000', '\u001F') >= 0 || text.AsSpan().IndexOfAnyInRange('\u007F', '\u009F') >= 0;

    private static bool IsOne(JsonElement value) => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n == 1;

    private static string? String(JsonElement root, string property) =>
        root.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static (string Props, string? Error) Props(JsonElement root)
    {
        if (!root.TryGetProperty("props", out var props) && !root.TryGetProperty("p", out props))
        {
            return ("{}", null);
        }

        if (props.ValueKind != JsonValueKind.String)
        {
            return PropsObject(props);
        }

        // Plausible's tracker may send props as a JSON string.
        try
        {
            using var inner = JsonDocument.Parse(props.GetString()!);
            return PropsObject(inner.RootElement);
        }
        catch (JsonException)
        {
            return ("", "Event.Props");
        }
    }

    /// <summary>Props as stored: at most 30 keys, string values (numbers and booleans as text), nulls dropped.</summary>
    private static (string Props, string? Error) PropsObject(JsonElement props)
    {
        if (props.ValueKind == JsonValueKind.Null)
        {
            return ("{}", null);
        }

        if (props.ValueKind != JsonValueKind.Object)
        {
            return ("", "Event.Props");
        }

        var result = new Dictionary<string, string>();
        foreach (var p in props.EnumerateObject())
        {
            if (result.Count >= MaxProps || p.Name.Length is 0 or > MaxPropKey)
            {
                return ("", "Event.Props");
            }

            var value = p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString(),
                JsonValueKind.Number => p.Value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null,
            };
            if (value is null)
            {
                continue;
            }

            if (value.Length > MaxPropValue)
            {
                return ("", "Event.Props");
            }

            result[p.Name] = value;
        }

        // Escaping can make the stored text several times longer than the request (an emoji becomes 12 characters).
        var json = JsonSerializer.Serialize(result, PropsJson);
        return json.Length > SiteEventColumns.Props ? ("", "Event.Props") : (json, null);
    }

    private static readonly JsonSerializerOptions PropsJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static (decimal? Amount, string? Currency, string? Error) Revenue(JsonElement root)
    {
        if ((!root.TryGetProperty("revenue", out var revenue) && !root.TryGetProperty("$", out revenue)) || revenue.ValueKind == JsonValueKind.Null)
        {
            return (null, null, null);
        }

        if (revenue.ValueKind != JsonValueKind.Object
            || !revenue.TryGetProperty("currency", out var c) || c.ValueKind != JsonValueKind.String
            || c.GetString() is not { Length: 3 } currency || !currency.All(char.IsAsciiLetter)
            || !revenue.TryGetProperty("amount", out var a))
        {
            return (null, null, "Event.Revenue");
        }

        decimal amount;
        if (a.ValueKind == JsonValueKind.Number && a.TryGetDecimal(out var n))
        {
            amount = n;
        }
        else if (a.ValueKind == JsonValueKind.String && decimal.TryParse(a.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed))
        {
            amount = parsed;
        }
        else
        {
            return (null, null, "Event.Revenue");
        }

        return amount is < 0 or > 1_000_000_000_000m ? (null, null, "Event.Revenue") : (amount, currency.ToUpperInvariant(), null);
    }

    private sealed class EventServices(IServiceProvider services)
    {
        public SiteDirectory Sites { get; } = services.GetRequiredService<SiteDirectory>();
        public SaltStore Salts { get; } = services.GetRequiredService<SaltStore>();
        public IEventEnricher Enricher { get; } = services.GetRequiredService<IEventEnricher>();
        public IngestQueue Queue { get; } = services.GetRequiredService<IngestQueue>();
        public IOptions<AnalyticsOptions> Options { get; } = services.GetRequiredService<IOptions<AnalyticsOptions>>();
        public TimeProvider Time { get; } = services.GetRequiredService<TimeProvider>();
        public Text Text { get; } = services.GetRequiredService<Text>();
        public TextPool Texts { get; } = services.GetRequiredService<TextPool>();
    }
}
