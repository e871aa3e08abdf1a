namespace CivicDesk.Web.Permissions;

/// <summary>A person's role in a unit; it applies to the unit and all its sub-units.</summary>
public enum Role
{
    Viewer = 1,
    Analyst = 2,
    Approver = 3,
    Editor = 4,
    Admin = 5,
}

/// <summary>What a request may do in a unit. Each capability asks for one of these, never for a role.</summary>
public enum Permission
{
    /// <summary>See the unit, its channels and numbers.</summary>
    View,

    /// <summary>Register, edit and archive the unit's channels.</summary>
    ManageChannels,

    /// <summary>Create sub-units, rename, move, archive and delete units.</summary>
    ManageUnits,

    /// <summary>Give and take roles in the unit.</summary>
    ManageMembers,

    /// <summary>Read the audit log of the unit.</summary>
    ReadAudit,

    /// <summary>Add, edit and archive the unit's websites in site analytics.</summary>
    ManageSites,
}

public static class RolePermissions
{
    private static readonly Dictionary<Role, Permission[]> Table = new()
    {
        [Role.Viewer] = [Permission.View],
        [Role.Analyst] = [Permission.View],
        [Role.Approver] = [Permission.View],
        [Role.Editor] = [Permission.View, Permission.ManageChannels, Permission.ManageSites],
        [Role.Admin] = Enum.GetValues<Permission>(),
    };

    public static bool Allows(Role role, Permission permission) => Table[role].Contains(permission);

    /// <summary>The roles that carry <paramref name="permission"/>.</summary>
    public static IReadOnlyList<Role> RolesWith(Permission permission) =>
        Table.Where(g => g.Value.Contains(permission)).Select(g => g.Key).ToArray();
}
