using CivicDesk.Web.Accounts;
using CivicDesk.Web.Audit;
using CivicDesk.Web.Channels;
using CivicDesk.Web.Jobs;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.SiteAnalytics;
using CivicDesk.Web.SiteAnalytics.Storage;
using CivicDesk.Web.Units;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CivicDesk.Web.Data;

/// <summary>
/// The one DbContext of CivicDesk. Provider-specific subclasses (<see cref="SqliteAppDbContext"/>,
/// <see cref="PostgresAppDbContext"/>) exist only so that each provider keeps its own migrations; every other
/// piece of code asks for <see cref="AppDbContext"/>.
/// </summary>
public abstract class AppDbContext(DbContextOptions options)
    : IdentityUserContext<User>(options), IDataProtectionKeyContext
{
    public DbSet<Unit> Units => Set<Unit>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<Channel> Channels => Set<Channel>();
    public DbSet<Site> Sites => Set<Site>();
    public DbSet<SiteEvent> SiteEvents => Set<SiteEvent>();
    public DbSet<SiteSession> SiteSessions => Set<SiteSession>();
    public DbSet<SiteHourlyStats> SiteHourlyStats => Set<SiteHourlyStats>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<JobLease> JobLeases => Set<JobLease>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        // Instants are UTC everywhere (STYLE.md, habit 6). SQLite hands DateTime back as Unspecified; mark it UTC on
        // the way out so that time-zone conversion for display is always right.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<NullableUtcDateTimeConverter>();
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        GuardAuditLog();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        GuardAuditLog();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>The audit log is append-only: no code path may change or remove an entry.</summary>
    private void GuardAuditLog()
    {
        foreach (var entry in ChangeTracker.Entries<AuditEntry>())
        {
            if (entry.State is EntityState.Modified or EntityState.Deleted)
            {
                throw new InvalidOperationException("Audit entries are append-only.");
            }
        }
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private sealed class NullableUtcDateTimeConverter() : ValueConverter<DateTime?, DateTime?>(
        v => v == null ? v : v.Value.Kind == DateTimeKind.Utc ? v : v.Value.ToUniversalTime(),
        v => v == null ? v : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));
}

/// <summary>The context whose migrations live in Data/Migrations/Sqlite.</summary>
public sealed class SqliteAppDbContext(DbContextOptions<SqliteAppDbContext> options) : AppDbContext(options);

/// <summary>The context whose migrations live in Data/Migrations/Postgres.</summary>
public sealed class PostgresAppDbContext(DbContextOptions<PostgresAppDbContext> options) : AppDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        // The rows ingestion updates batch after batch (open visits, today's counters) leave a fifth of each page
        // free, so that PostgreSQL can write the new version beside the old one (a heap-only update) instead of adding
        // an entry to every index of the table for each update.
        foreach (var updatedOften in new[] { typeof(SiteSession), typeof(SiteDailyStats), typeof(SiteHourlyStats) })
        {
            builder.Entity(updatedOften).HasStorageParameter("fillfactor", 80);
        }
    }
}
