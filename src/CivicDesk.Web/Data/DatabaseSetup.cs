using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Data;

internal static class DatabaseSetup
{
    /// <summary>The advisory lock key CivicDesk nodes take while migrating a PostgreSQL database.</summary>
    private const long MigrationLockKey = 7_215_045_119;

    public static IServiceCollection AddDatabase(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();

        // The options depend on configuration only: built once, not again for every request's context (that cost
        // about a tenth of the processor time of each event the public endpoint accepts).
        switch (options.Provider)
        {
            case DatabaseProvider.Postgres:
                var postgres = WithoutJit(options.ConnectionString);
                services.AddDbContext<AppDbContext, PostgresAppDbContext>(db => db.UseNpgsql(
                    postgres,
                    npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history")), optionsLifetime: ServiceLifetime.Singleton);
                break;
            default:
                var connectionString = ResolveSqlitePath(options.ConnectionString, environment.ContentRootPath);
                services.AddDbContext<AppDbContext, SqliteAppDbContext>(db => db.UseSqlite(connectionString), optionsLifetime: ServiceLifetime.Singleton);
                break;
        }

        return services;
    }

    /// <summary>
    /// Turns PostgreSQL's JIT compilation off for CivicDesk's sessions, unless the connection string's <c>Options</c> say
    /// otherwise. The planner compiles any query it costs above <c>jit_above_cost</c>, and a dashboard query whose filter
    /// it cannot estimate (a country: <c>COALESCE("Country", '') = 'VN'</c>) gets there while running for 100 ms: at
    /// 10 M events, 72 ms of a 170 ms query were compilation (docs/benchmarks.md, 2026-12-03). JIT pays off for long
    /// analytical scans, which CivicDesk does not run.
    /// </summary>
    internal static string WithoutJit(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Options?.Contains("jit", StringComparison.OrdinalIgnoreCase) != true)
        {
            builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? "-c jit=off" : builder.Options + " -c jit=off";
        }

        return builder.ToString();
    }

    /// <summary>Makes a relative SQLite file path absolute under the content root and creates its folder.</summary>
    internal static string ResolveSqlitePath(string connectionString, string contentRoot)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DataSource is { Length: > 0 } source && source != ":memory:" && !source.StartsWith("file:", StringComparison.Ordinal))
        {
            var path = Path.IsPathRooted(source) ? source : Path.GetFullPath(Path.Combine(contentRoot, source));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            builder.DataSource = path;
        }

        // Several requests write at once: wait for the lock rather than fail with "database is locked".
        builder.DefaultTimeout = Math.Max(builder.DefaultTimeout, 30);
        builder.Pooling = true;
        return builder.ToString();
    }

    /// <summary>Applies pending migrations; SQLite also gets WAL journaling so readers never wait for the writer.</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        if (db.Database.IsNpgsql())
        {
            // Nodes starting together must not apply the same migration twice: EF's own lock does not cover a run of
            // several migrations on PostgreSQL, so hold a session-level advisory lock around the whole run.
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false };
            await using var lockConnection = new Npgsql.NpgsqlConnection(builder.ConnectionString);
            await lockConnection.OpenAsync(cancellationToken);
            await using (var take = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLockKey})", lockConnection))
            {
                await take.ExecuteNonQueryAsync(cancellationToken);
            }

            await db.Database.MigrateAsync(cancellationToken);
            await using var release = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_unlock({MigrationLockKey})", lockConnection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
            return;
        }

        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    public static async Task MigrateOnStartAsync(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStart)
        {
            await MigrateAsync(app.Services, app.Lifetime.ApplicationStopping);
        }
    }
}
