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
        Fields fields;
        try
        {
            fields = Fields.Read(body);
        }
        catch (JsonException)
        {
            return (null, "Event.MalformedJson");
        }

        var name = fields.Name ?? fields.N;
        if (string.IsNullOrWhiteSpace(name) || name.Length > SiteEventColumns.Name || HasControl(name))
        {
            return (null, "Event.Name");
        }

        var urlText = fields.Url ?? fields.U;
        if (urlText is null || urlText.Length > maxUrlLength || !Uri.TryCreate(urlText, UriKind.Absolute, out var url)
            || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || HasControl(urlText)
            || url.IdnHost.Length > Site.DomainMaxLength || urlText.Contains("%00", StringComparison.Ordinal))
        {
            return (null, "Event.Url");
        }

        var domains = Domains(fields.Domain ?? fields.D);
        if (domains.Count == 0)
        {
            return (null, "Event.Domain");
        }

        var referrer = fields.Referrer ?? fields.R;
        if (referrer is { Length: > 0 } && (referrer.Length > maxUrlLength || HasControl(referrer)))
        {
            return (null, "Event.Referrer");
        }

        var (props, propsError) = Props(fields.Props ?? fields.P);
        if (propsError is not null)
        {
            return (null, propsError);
        }

        var (amount, currency, revenueError) = Revenue(fields.Revenue ?? fields.Dollar);
        if (revenueError is not null)
        {
            return (null, revenueError);
        }

        var interactive = (fields.Interactive ?? fields.I) != JsonTokenType.False;
        // The fragment stays escaped: in hash mode the path can come out longer than the URL was.
        var pathname = Uri.UnescapeDataString(url.AbsolutePath) + (fields.HashMode || fields.HIsOne ? url.Fragment : "");
        if (pathname.Length > SiteEventColumns.Pathname)
        {
            return (null, "Event.Url");
        }

        return (new Payload(name.Trim(), url, pathname, domains, string.IsNullOrEmpty(referrer) ? null : referrer, props, amount, currency, interactive), null);
    }

    /// <summary>The domains of a comma-separated list (Plausible's rollup form), lower-cased, without empty or overlong ones.</summary>
    private static List<string> Domains(string? text)
    {
        var domains = new List<string>(1);
        if (text is null)
        {
            return domains;
        }

        foreach (var range in text.AsSpan().Split(','))
        {
            var domain = text.AsSpan(range).Trim();
            if (domain.Length is > 0 and <= Site.DomainMaxLength)
            {
                domains.Add(domain.ToString().ToLowerInvariant());
            }
        }

        return domains;
    }

    /// <summary>
    /// The payload's fields, from one pass of a reader over it (a JsonDocument and a lookup for each of sixteen names
    /// took most of the parsing's time). Plausible's npm tracker sends short names (n, u, d, r, p, $, i, h); its own
    /// script and the API the long ones, which win when both are there. As with a JsonDocument's lookups, the last of
    /// a repeated name counts, and a text field that is not a string is absent. Props and revenue, which few events
    /// carry, are kept as their JSON and read by <see cref="Props"/> and <see cref="Revenue"/>.
    /// </summary>
    private sealed class Fields
    {
        public string? Name, N, Url, U, Domain, D, Referrer, R;
        public JsonElement? Props, P, Revenue, Dollar;
        public JsonTokenType? Interactive, I;
        public bool HashMode, HIsOne;

        public static Fields Read(ReadOnlyMemory<byte> body)
        {
            var fields = new Fields();
            var reader = new Utf8JsonReader(body.Span, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                // Not an object: the caller's error either way, as long as the rest is JSON too.
                throw new JsonException();
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = FieldOf(ref reader);
                reader.Read();
                switch (field)
                {
                    case "name": fields.Name = Text(ref reader); break;
                    case "n": fields.N = Text(ref reader); break;
                    case "url": fields.Url = Text(ref reader); break;
                    case "u": fields.U = Text(ref reader); break;
                    case "domain": fields.Domain = Text(ref reader); break;
                    case "d": fields.D = Text(ref reader); break;
                    case "referrer": fields.Referrer = Text(ref reader); break;
                    case "r": fields.R = Text(ref reader); break;
                    case "props": fields.Props = JsonElement.ParseValue(ref reader); break;
                    case "p": fields.P = JsonElement.ParseValue(ref reader); break;
                    case "revenue": fields.Revenue = JsonElement.ParseValue(ref reader); break;
                    case "$": fields.Dollar = JsonElement.ParseValue(ref reader); break;
                    case "interactive": fields.Interactive = Kind(ref reader); break;
                    case "i": fields.I = Kind(ref reader); break;
                    case "hashMode": fields.HashMode = reader.TokenType == JsonTokenType.True || IsOne(ref reader); break;
                    case "h": fields.HIsOne = IsOne(ref reader); break;
                    default: reader.Skip(); break;
                }
            }

            // The object's end, and nothing after it but white space.
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                throw new JsonException();
            }

            return fields;
        }

        private static string? Text(ref Utf8JsonReader reader)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                return reader.GetString();
            }

            reader.Skip();
            return null;
        }

        private static JsonTokenType Kind(ref Utf8JsonReader reader)
        {
            var kind = reader.TokenType;
            reader.Skip();
            return kind;
        }

        private static bool IsOne(ref Utf8JsonReader reader)
        {
            var one = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var n) && n == 1;
            reader.Skip();
            return one;
        }

        private static readonly string[] Names = ["name", "n", "url", "u", "domain", "d", "referrer", "r", "props", "p", "revenue", "$", "interactive", "i", "hashMode", "h"];
        private static readonly byte[][] Utf8Names = [.. Names.Select(System.Text.Encoding.UTF8.GetBytes)];

        /// <summary>The field the property at the reader names (one of <see cref="Names"/>, compared as decoded text), or null.</summary>
        private static string? FieldOf(ref Utf8JsonReader reader)
        {
            for (var i = 0; i < Utf8Names.Length; i++)
            {
                if (reader.ValueTextEquals(Utf8Names[i]))
                {
                    return Names[i];
                }
            }

            return null;
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

    private static (string Props, string? Error) Props(JsonElement? value)
    {
        if (value is not { } props)
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

    private static (decimal? Amount, string? Currency, string? Error) Revenue(JsonElement? value)
    {
        if (value is not { ValueKind: not JsonValueKind.Null } revenue)
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
