using System.Security.Claims;
using System.Text.Encodings.Web;
using CivicDesk.Web.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Accounts;

/// <summary>
/// Authenticates <c>Authorization: Bearer cdk_…</c> with a personal API token. The request then acts as the token's
/// owner, so every permission rule of the pages applies unchanged. The database context is taken only when a token is
/// presented: anonymous public endpoints (POST /api/event) pass through this handler on every request.
/// </summary>
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";
    private static readonly TimeSpan LastUsedPrecision = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var secret = header["Bearer ".Length..].Trim();
        if (!secret.StartsWith(ApiToken.Prefix, StringComparison.Ordinal) || secret.Length > 100)
        {
            return AuthenticateResult.Fail("Malformed token.");
        }

        var db = Context.RequestServices.GetRequiredService<AppDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var hash = ApiToken.Hash(secret);
        var token = await db.ApiTokens.Include(t => t.User)
            .SingleOrDefaultAsync(t => t.TokenHash == hash && t.RevokedAt == null, Context.RequestAborted);
        if (token?.User is not { DisabledAt: null } user || (token.ExpiresAt is { } expires && expires <= now))
        {
            return AuthenticateResult.Fail("Unknown, revoked or expired token.");
        }

        if (token.LastUsedAt is null || now - token.LastUsedAt > LastUsedPrecision)
        {
            await db.ApiTokens.Where(t => t.Id == token.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, user.Id),
                new Claim(ClaimTypes.Email, user.Email ?? user.Id),
                new Claim(ClaimTypes.Name, user.UserName ?? user.Id),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
