using CivicDesk.Web.Audit;
using CivicDesk.Web.Data;
using CivicDesk.Web.Localization;
using CivicDesk.Web.Shared;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Accounts;

/// <summary>Creates and revokes personal API tokens. A person manages only their own.</summary>
public sealed class ApiTokenService(AppDbContext db, AuditLog audit, Text text, TimeProvider time)
{
    public const string NameField = "name";

    /// <summary>Creates a token; the secret in the result is shown once and never stored.</summary>
    public async Task<Outcome<(ApiToken Token, string Secret)>> CreateAsync(User owner, string? name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var errors = new Dictionary<string, string[]>();
        var cleanName = Validate.Text(name, ApiToken.NameMaxLength, NameField, text, errors);
        if (errors.Count > 0)
        {
            return Outcome<(ApiToken, string)>.Invalid(errors);
        }

        var secret = ApiToken.NewSecret();
        var token = new ApiToken
        {
            UserId = owner.Id,
            Name = cleanName!,
            TokenHash = ApiToken.Hash(secret),
            Hint = secret[..(ApiToken.Prefix.Length + 4)],
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.ApiTokens.Add(token);
        audit.Add(AuditActions.TokenCreated, null, "token", null, owner.Id, owner.Email ?? owner.Id, ("name", token.Name), ("user", owner.Email));
        await db.SaveChangesAsync(ct);
        return Outcome<(ApiToken, string)>.Ok((token, secret));
    }

    public async Task<bool> RevokeAsync(User owner, int tokenId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == tokenId && t.UserId == owner.Id && t.RevokedAt == null, ct);
        if (token is null)
        {
            return false;
        }

        token.RevokedAt = time.GetUtcNow().UtcDateTime;
        audit.Add(AuditActions.TokenRevoked, null, "token", token.Id, owner.Id, owner.Email ?? owner.Id, ("name", token.Name), ("user", owner.Email));
        await db.SaveChangesAsync(ct);
        return true;
    }
}
