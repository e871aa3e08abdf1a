using CivicDesk.Web.Data;
using CivicDesk.Web.Jobs;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Accounts;

/// <summary>Deletes API tokens revoked or expired more than 90 days ago; their audit entries stay.</summary>
public sealed class RevokedTokenPurgeJob(AppDbContext db, TimeProvider time) : IJob
{
    public static readonly TimeSpan KeepFor = TimeSpan.FromDays(90);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().UtcDateTime - KeepFor;
        await db.ApiTokens.Where(t => t.RevokedAt < cutoff || t.ExpiresAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}
