using CivicDesk.Web.Audit;
using CivicDesk.Web.Data;
using CivicDesk.Web.Localization;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Shared;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Accounts;

/// <summary>
/// People and their roles. A unit administrator creates or invites people into units they administer and gives
/// them roles there; only a system administrator makes other system administrators.
/// </summary>
public sealed class UserService(
    AppDbContext db,
    UserManager<User> users,
    UnitAccess access,
    AuditLog audit,
    Text text,
    TimeProvider time)
{
    public const string EmailField = "email";
    public const string DisplayNameField = "displayName";
    public const string PasswordField = "password";
    public const string UnitField = "unitId";
    public const string RoleField = "role";

    /// <summary>The users the current person administers: members of units where they hold ManageMembers.</summary>
    public async Task<IQueryable<User>> VisibleUsersAsync(CancellationToken ct = default)
    {
        if (await access.IsSystemAdminAsync(ct))
        {
            return db.Users.AsNoTracking();
        }

        var units = (await access.UnitsAsync(Permission.ManageMembers, ct)).Select(u => u.Id);
        return db.Users.AsNoTracking().Where(u => db.Memberships.Any(m => m.UserId == u.Id && units.Contains(m.UnitId)));
    }

    public async Task<User?> FindVisibleAsync(string id, CancellationToken ct = default) =>
        await (await VisibleUsersAsync(ct)).SingleOrDefaultAsync(u => u.Id == id, ct);

    /// <summary>
    /// Creates an account with a first role. Without a password it is an invitation: the result carries a one-time
    /// link with which the person sets their own password.
    /// </summary>
    public async Task<Outcome<(User User, string? InvitationToken)>> CreateAsync(
        string? email, string? displayName, string? password, int unitId, Role role, bool isSystemAdmin = false, bool isDemo = false, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        var cleanEmail = Validate.Text(email, 256, EmailField, text, errors);
        if (cleanEmail is not null && !System.Net.Mail.MailAddress.TryCreate(cleanEmail, out _))
        {
            errors[EmailField] = [text["Identity.InvalidEmail", cleanEmail]];
        }

        var cleanName = Validate.Text(displayName, User.DisplayNameMaxLength, DisplayNameField, text, errors);
        if (!Enum.IsDefined(role))
        {
            errors[RoleField] = [text["User.UnknownRole"]];
        }

        var (unit, check) = await access.LoadAsync(unitId, Permission.ManageMembers, ct);
        if (check == UnitCheck.Forbidden)
        {
            return Outcome<(User, string?)>.Forbidden(text["User.CannotManageUnit"]);
        }

        if (unit is null)
        {
            errors[UnitField] = [text["Channel.UnitNotFound"]];
        }

        if (isSystemAdmin && !await access.IsSystemAdminAsync(ct))
        {
            return Outcome<(User, string?)>.Forbidden(text["User.OnlySystemAdmin"]);
        }

        if (errors.Count > 0)
        {
            return Outcome<(User, string?)>.Invalid(errors);
        }

        if (await users.FindByEmailAsync(cleanEmail!) is not null)
        {
            return Outcome<(User, string?)>.Conflict(EmailField, text["Identity.DuplicateEmail", cleanEmail!]);
        }

        var user = new User
        {
            UserName = cleanEmail,
            Email = cleanEmail,
            EmailConfirmed = true,
            DisplayName = cleanName!,
            IsSystemAdmin = isSystemAdmin,
            CreatedAt = time.GetUtcNow().UtcDateTime,
            IsDemo = isDemo,
        };

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var result = string.IsNullOrEmpty(password) ? await users.CreateAsync(user) : await users.CreateAsync(user, password);
        if (!result.Succeeded)
        {
            return Outcome<(User, string?)>.Invalid(IdentityErrors(result, PasswordField));
        }

        db.Memberships.Add(new Membership { UserId = user.Id, UnitId = unitId, Role = role, CreatedAt = time.GetUtcNow().UtcDateTime });
        audit.Add(string.IsNullOrEmpty(password) ? AuditActions.UserInvited : AuditActions.UserCreated, unitId, "user", user.Id,
            ("email", user.Email), ("name", user.DisplayName));
        audit.Add(AuditActions.RoleGranted, unitId, "user", user.Id, ("email", user.Email), ("role", role.ToString()), ("unit", unit!.Name));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);

        var invitation = string.IsNullOrEmpty(password) ? await users.GeneratePasswordResetTokenAsync(user) : null;
        return Outcome<(User, string?)>.Ok((user, invitation));
    }

    /// <summary>Gives a role in a unit, or changes the role already held there.</summary>
    public async Task<Outcome<Membership>> GrantAsync(string userId, int unitId, Role role, CancellationToken ct = default)
    {
        var user = await FindVisibleAsync(userId, ct);
        if (user is null)
        {
            return Outcome<Membership>.NotFound();
        }

        if (!Enum.IsDefined(role))
        {
            return Outcome<Membership>.Invalid(RoleField, text["User.UnknownRole"]);
        }

        var (unit, check) = await access.LoadAsync(unitId, Permission.ManageMembers, ct);
        if (check == UnitCheck.Forbidden)
        {
            return Outcome<Membership>.Forbidden(text["User.CannotManageUnit"]);
        }

        if (unit is null)
        {
            return Outcome<Membership>.Invalid(UnitField, text["Channel.UnitNotFound"]);
        }

        var membership = await db.Memberships.SingleOrDefaultAsync(m => m.UserId == userId && m.UnitId == unitId, ct);
        if (membership is null)
        {
            membership = new Membership { UserId = userId, UnitId = unitId, Role = role, CreatedAt = time.GetUtcNow().UtcDateTime };
            db.Memberships.Add(membership);
            audit.Add(AuditActions.RoleGranted, unitId, "user", userId, ("email", user.Email), ("role", role.ToString()), ("unit", unit.Name));
        }
        else if (membership.Role != role)
        {
            audit.Add(AuditActions.RoleChanged, unitId, "user", userId, ("email", user.Email), ("from", membership.Role.ToString()), ("role", role.ToString()), ("unit", unit.Name));
            membership.Role = role;
        }

        await db.SaveChangesAsync(ct);
        return Outcome<Membership>.Ok(membership);
    }

    public async Task<Outcome<Membership>> RevokeAsync(int membershipId, CancellationToken ct = default)
    {
        var membership = await db.Memberships.Include(m => m.Unit).Include(m => m.User).SingleOrDefaultAsync(m => m.Id == membershipId, ct);
        var check = await access.CheckAsync(membership?.Unit, Permission.ManageMembers, ct);
        if (membership is null || check == UnitCheck.NotVisible)
        {
            return Outcome<Membership>.NotFound();
        }

        if (check == UnitCheck.Forbidden)
        {
            return Outcome<Membership>.Forbidden(text["User.CannotManageUnit"]);
        }

        db.Memberships.Remove(membership);
        audit.Add(AuditActions.RoleRevoked, membership.UnitId, "user", membership.UserId,
            ("email", membership.User!.Email), ("role", membership.Role.ToString()), ("unit", membership.Unit!.Name));
        await db.SaveChangesAsync(ct);
        return Outcome<Membership>.Ok(membership);
    }

    /// <summary>Disables or re-enables an account. Only system administrators may do it, and never to themselves.</summary>
    public async Task<Outcome<User>> SetDisabledAsync(string userId, bool disabled, string? actingUserId, CancellationToken ct = default)
    {
        if (!await access.IsSystemAdminAsync(ct))
        {
            return Outcome<User>.Forbidden(text["User.OnlySystemAdmin"]);
        }

        if (userId == actingUserId)
        {
            return Outcome<User>.Invalid("", text["User.CannotDisableSelf"]);
        }

        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return Outcome<User>.NotFound();
        }

        user.DisabledAt = disabled ? time.GetUtcNow().UtcDateTime : null;
        audit.Add(disabled ? AuditActions.UserDisabled : AuditActions.UserEnabled, null, "user", user.Id, ("email", user.Email));
        await users.UpdateSecurityStampAsync(user);
        return Outcome<User>.Ok(user);
    }

    public static Dictionary<string, string[]> IdentityErrors(IdentityResult result, string field)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new Dictionary<string, string[]> { [field] = result.Errors.Select(e => e.Description).ToArray() };
    }
}
