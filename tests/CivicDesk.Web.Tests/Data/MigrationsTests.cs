using CivicDesk.Web.Data;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;

namespace CivicDesk.Web.Tests.Data;

/// <summary>One model, migrations for both providers (STYLE.md, habit 6): neither set may drift from the model.</summary>
public sealed class MigrationsMatchTheModel
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public void The_model_has_no_change_that_a_migration_does_not_hold(DatabaseProvider provider)
    {
        // The context as the app configures it; the PostgreSQL one needs no server to compare model and snapshot.
        using var services = AppServices(provider);
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();

        Assert.Equal(provider == DatabaseProvider.Postgres ? typeof(PostgresAppDbContext) : typeof(SqliteAppDbContext), db.GetType());
        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(),
            $"The {provider} migrations do not match the model: add a migration for each provider (dotnet ef migrations add … --context {db.GetType().Name}).");
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "Sqlite")]
    [InlineData(DatabaseProvider.Postgres, "Postgres")]
    public void Each_provider_sees_only_its_own_migrations(DatabaseProvider provider, string folder)
    {
        using var services = AppServices(provider);
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var migrations = db.GetService<IMigrationsAssembly>();

        Assert.NotEmpty(migrations.Migrations);
        Assert.All(migrations.Migrations.Values, type => Assert.Equal($"CivicDesk.Web.Data.Migrations.{folder}", type.Namespace));
        Assert.Equal($"CivicDesk.Web.Data.Migrations.{folder}", migrations.ModelSnapshot?.GetType().Namespace);
    }

    private static ServiceProvider AppServices(DatabaseProvider provider)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider.ToString(),
            ["Database:ConnectionString"] = provider == DatabaseProvider.Postgres
                ? "Host=127.0.0.1;Port=1;Database=never_opened;Username=nobody"
                : $"Data Source={Path.Combine(Path.GetTempPath(), $"civicdesk-never-opened-{Guid.NewGuid():N}.db")}",
        }).Build();
        var environment = new HostingEnvironment { ContentRootPath = Path.GetTempPath(), EnvironmentName = "Testing" };
        return new ServiceCollection().AddLogging().AddDatabase(configuration, environment).BuildServiceProvider();
    }
}

/// <summary>Migrating an empty database, as the first start and the <c>migrate</c> verb do.</summary>
public abstract class MigrationsTests<TApp>
    where TApp : AppFactory, new()
{
    [Fact]
    public async Task Migrating_an_empty_database_applies_every_migration()
    {
        await using var app = new TApp();
        app.EnsureAvailable();
        app.Set("Database:MigrateOnStart", "false");
        await app.InitializeAsync();

        var all = await app.WithDbAsync(db => Task.FromResult(db.Database.GetMigrations().ToList()));
        var pendingBefore = await app.WithDbAsync(async db => (await db.Database.GetPendingMigrationsAsync()).ToList());
        await DatabaseSetup.MigrateAsync(app.Services, TestContext.Current.CancellationToken);
        var pendingAfter = await app.WithDbAsync(async db => (await db.Database.GetPendingMigrationsAsync()).ToList());
        var applied = await app.WithDbAsync(async db => (await db.Database.GetAppliedMigrationsAsync()).ToList());

        Assert.NotEmpty(all);
        Assert.Equal(all, pendingBefore);
        Assert.Empty(pendingAfter);
        Assert.Equal(all, applied);
        // The tables are there and usable.
        Assert.Equal(0, await app.WithDbAsync(db => db.JobLeases.CountAsync()));
        Assert.Equal(0, await app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task Migrating_an_up_to_date_database_again_changes_nothing()
    {
        await using var app = new TApp();
        app.EnsureAvailable();
        await app.InitializeAsync();
        var unit = await app.CreateUnitAsync();

        await DatabaseSetup.MigrateAsync(app.Services, TestContext.Current.CancellationToken);

        Assert.Empty(await app.WithDbAsync(async db => (await db.Database.GetPendingMigrationsAsync()).ToList()));
        Assert.Equal(unit.Name, await app.WithDbAsync(db => db.Units.Where(u => u.Id == unit.Id).Select(u => u.Name).SingleAsync()));
    }

    [Fact]
    public async Task Two_nodes_starting_at_once_on_an_empty_database_migrate_it_once_and_both_start()
    {
        await using var app = new TApp();
        app.EnsureAvailable();
        app.Set("Database:MigrateOnStart", "false");
        await app.InitializeAsync();
        await using var nodeA = app.WithWebHostBuilder(h => h.UseSetting("Database:MigrateOnStart", "true"));
        await using var nodeB = app.WithWebHostBuilder(h => h.UseSetting("Database:MigrateOnStart", "true"));

        await Task.WhenAll(Task.Run(() => nodeA.Services), Task.Run(() => nodeB.Services));

        var applied = await app.WithDbAsync(async db => (await db.Database.GetAppliedMigrationsAsync()).ToList());
        Assert.Equal(await app.WithDbAsync(db => Task.FromResult(db.Database.GetMigrations().ToList())), applied);
    }
}

public sealed class MigrationsOnSqlite : MigrationsTests<SqliteApp>;

public sealed class MigrationsOnPostgres : MigrationsTests<PostgresApp>;
