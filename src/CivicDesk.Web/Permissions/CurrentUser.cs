using System.Security.Claims;

namespace CivicDesk.Web.Permissions;

/// <summary>
/// Who is acting in this scope: the signed-in person or API token owner for a request, or the operator account a
/// command-line verb acts for. Everything that checks permissions or writes the audit log reads it from here.
/// </summary>
public sealed class CurrentUser
{
    public string? Id { get; private set; }
    public string? Name { get; private set; }

    /// <summary>True for a command-line verb run by the server's operator: it may do what a system administrator may.</summary>
    public bool IsOperator { get; private set; }

    public bool IsAuthenticated => Id is not null || IsOperator;

    /// <summary>Acts as the server's operator (command-line verbs); audit entries name <paramref name="name"/>.</summary>
    public void ActAsOperator(string name)
    {
        IsOperator = true;
        Name = name;
    }

    public void Set(string id, string name)
    {
        Id = id;
        Name = name;
    }

    internal static CurrentUser FromPrincipal(ClaimsPrincipal? principal)
    {
        var current = new CurrentUser();
        var id = principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        if (principal?.Identity?.IsAuthenticated == true && id is not null)
        {
            current.Set(id, principal.FindFirstValue(ClaimTypes.Email) ?? principal.Identity.Name ?? id);
        }

        return current;
    }
}
