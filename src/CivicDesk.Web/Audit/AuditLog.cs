using System.Text.Json;
using CivicDesk.Web.Data;
using CivicDesk.Web.Permissions;

namespace CivicDesk.Web.Audit;

/// <summary>
/// Adds audit entries to the current DbContext, so that an entry is saved in the same transaction as the change it
/// describes: a change without its entry, or an entry without its change, cannot happen.
/// </summary>
public sealed class AuditLog(AppDbContext db, CurrentUser currentUser, TimeProvider time)
{
    /// <summary>Details keep Vietnamese letters as they are, so the table reads well in any database client.</summary>
    private static readonly JsonSerializerOptions DetailsJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public void Add(string action, int? unitId, string? entityType, object? entityId, params (string Key, string? Value)[] details) =>
        Add(action, unitId, entityType, entityId, currentUser.Id, currentUser.Name ?? "system", details);

    public void Add(string action, int? unitId, string? entityType, object? entityId, string? actorId, string actorName, params (string Key, string? Value)[] details)
    {
        db.AuditEntries.Add(new AuditEntry
        {
            At = time.GetUtcNow().UtcDateTime,
            ActorId = actorId,
            ActorName = actorName,
            Action = action,
            UnitId = unitId,
            EntityType = entityType,
            EntityId = Convert.ToString(entityId, System.Globalization.CultureInfo.InvariantCulture),
            Details = JsonSerializer.Serialize(details.ToDictionary(d => d.Key, d => d.Value ?? ""), DetailsJson),
        });
    }
}

/// <summary>The action codes written to the audit log; each has a message "Audit.&lt;code&gt;" in the resources.</summary>
public static class AuditActions
{
    public const string SignedIn = "account.signed_in";
    public const string SignInFailed = "account.sign_in_failed";
    public const string LockedOut = "account.locked_out";
    public const string SignedOut = "account.signed_out";
    public const string PasswordChanged = "account.password_changed";
    public const string TokenCreated = "account.token_created";
    public const string TokenRevoked = "account.token_revoked";
    public const string UserCreated = "user.created";
    public const string UserInvited = "user.invited";
    public const string UserUpdated = "user.updated";
    public const string UserDisabled = "user.disabled";
    public const string UserEnabled = "user.enabled";
    public const string RoleGranted = "role.granted";
    public const string RoleChanged = "role.changed";
    public const string RoleRevoked = "role.revoked";
    public const string UnitCreated = "unit.created";
    public const string UnitRenamed = "unit.renamed";
    public const string UnitMoved = "unit.moved";
    public const string UnitArchived = "unit.archived";
    public const string UnitRestored = "unit.restored";
    public const string UnitDeleted = "unit.deleted";
    public const string ChannelCreated = "channel.created";
    public const string ChannelUpdated = "channel.updated";
    public const string ChannelArchived = "channel.archived";
    public const string ChannelRestored = "channel.restored";
    public const string SiteCreated = "site.created";

    public static IReadOnlyList<string> All { get; } = typeof(AuditActions)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();
}
