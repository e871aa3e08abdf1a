using System.Data.Common;

namespace CivicDesk.Web.Data;

/// <summary>
/// Tells a failure of the database itself (unreachable, reset, timed out) from a bug. EF Core wraps the provider's
/// error (in its execution strategy's or its own exceptions), so the whole chain of inner exceptions is looked at.
/// </summary>
internal static class DatabaseFailure
{
    public static bool IsDatabaseError(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException or TimeoutException)
            {
                return true;
            }
        }

        return false;
    }
}
