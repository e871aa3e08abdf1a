using System.Net.Http.Headers;
using CivicDesk.Web.Accounts;
using CivicDesk.Web.Data;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Units;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace CivicDesk.Web.Tests.Infrastructure;

/// <summary>
/// CivicDesk in-process on a real database of its own: a fresh SQLite file, or a fresh PostgreSQL database created
/// on the server named by CIVICDESK_TEST_POSTGRES. Test classes share one per class (xunit class fixture) and keep
/// out of each other's way by creating their own units and users.
/// </summary>
public abstract class AppFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string Password = "Test-Password-123";

    private readonly Dictionary<string, string?> _settings = [];
    private readonly List<Action<IServiceCollection>> _testServices = [];
    private readonly System.Collections.Concurrent.ConcurrentBag<string> _spools = [];
    private int _sequence;

    public abstract DatabaseProvider Provider { get; }

    /// <summary>Why this factory cannot run here (no PostgreSQL configured), or null.</summary>
    public virtual string? UnavailableReason => null;

    /// <summary>Time as the app sees it; tests move it.</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 29, 3, 0, 0, TimeSpan.Zero));

    /// <summary>Set before the host starts to replace the clock with <see cref="Time"/>.</summary>
    protected virtual bool UseFakeTime => false;

    public string ConnectionString { get; protected set; } = "";

    /// <summary>Skips (or, in CI, fails) the calling test when the database is not available here.</summary>
    public void EnsureAvailable()
    {
        if (UnavailableReason is { } reason)
        {
            TestEnvironment.Unavailable(reason);
        }
    }

    public void Set(string key, string? value) => _settings[key] = value;

    /// <summary>Adds service registrations after the app's own (test doubles at the boundary, startup filters).</summary>
    public void ConfigureTestServices(Action<IServiceCollection> configure) => _testServices.Add(configure);

    public virtual async ValueTask InitializeAsync()
    {
        if (UnavailableReason is null)
        {
            await CreateDatabaseAsync();
        }
    }

    protected abstract Task CreateDatabaseAsync();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", Provider.ToString());
        builder.UseSetting("Database:ConnectionString", ConnectionString);
        builder.UseSetting("Jobs:Enabled", "false");
        // Every host gets a spool folder of its own, as every node has, unless a test names one (restarts).
        var spool = Path.Combine(Path.GetTempPath(), $"civicdesk-spool-{Guid.NewGuid():N}");
        _spools.Add(spool);
        builder.UseSetting("SiteAnalytics:SpoolPath", spool);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        foreach (var configure in _testServices)
        {
            builder.ConfigureServices(configure);
        }

        if (UseFakeTime)
        {
            builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Time));
        }
    }

    /// <summary>A name no other test in this database uses.</summary>
    public string Unique(string prefix) => $"{prefix} {Interlocked.Increment(ref _sequence)}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>Runs <paramref name="work"/> in a scope acting as the operator (all permissions).</summary>
    public async Task<T> AsOperatorAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsOperator("test");
        return await work(scope.ServiceProvider);
    }

    public Task<Unit> CreateUnitAsync(string? name = null, int? parentId = null) =>
        AsOperatorAsync(async sp =>
        {
            var outcome = await sp.GetRequiredService<UnitService>().CreateAsync(name ?? Unique("Đơn vị"), parentId);
            return outcome.Value ?? throw new InvalidOperationException(string.Join("; ", outcome.Errors.SelectMany(e => e.Value)));
        });

    /// <summary>A user with <paramref name="role"/> in <paramref name="unitId"/> (or a system admin when unitId is null).</summary>
    public Task<User> CreateUserAsync(int? unitId, Role role = Role.Viewer, string? email = null) =>
        AsOperatorAsync(async sp =>
        {
            var mail = email ?? $"user{Interlocked.Increment(ref _sequence)}-{Guid.NewGuid().ToString("N")[..6]}@test.example";
            var targetUnit = unitId ?? (await CreateUnitAsync()).Id;
            var outcome = await sp.GetRequiredService<UserService>().CreateAsync(mail, mail, Password, targetUnit, role, isSystemAdmin: unitId is null);
            return outcome.Value.User ?? throw new InvalidOperationException(string.Join("; ", outcome.Errors.SelectMany(e => e.Value)));
        });

    public Task<User> CreateSystemAdminAsync() => CreateUserAsync(null, Role.Admin);

    public async Task<string> CreateTokenAsync(User user)
    {
        await using var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().Set(user.Id, user.Email!);
        var outcome = await scope.ServiceProvider.GetRequiredService<ApiTokenService>().CreateAsync(user, "test");
        return outcome.Value.Secret;
    }

    /// <summary>An HTTP client that calls the API as <paramref name="user"/> with a fresh personal token.</summary>
    public async Task<HttpClient> ApiClientAsync(User user)
    {
        // ClientOptions.BaseAddress is the in-memory server's, or Kestrel's real address when a browser test started it.
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = ClientOptions.BaseAddress });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await CreateTokenAsync(user));
        return client;
    }

    public async Task<T> WithDbAsync<T>(Func<AppDbContext, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await DropDatabaseAsync();
        foreach (var spool in _spools.Where(Directory.Exists))
        {
            Directory.Delete(spool, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    protected abstract Task DropDatabaseAsync();
}

/// <summary>CivicDesk on a fresh SQLite file.</summary>
public class SqliteApp : AppFactory
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"civicdesk-test-{Guid.NewGuid():N}.db");

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override Task CreateDatabaseAsync()
    {
        ConnectionString = $"Data Source={_path}";
        return Task.CompletedTask;
    }

    protected override Task DropDatabaseAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(_path + suffix);
        }

        return Task.CompletedTask;
    }
}

/// <summary>CivicDesk on a fresh PostgreSQL database, created on the server of CIVICDESK_TEST_POSTGRES.</summary>
public class PostgresApp : AppFactory
{
    private readonly string _database = $"civicdesk_test_{Guid.NewGuid():N}";

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public override string? UnavailableReason => TestEnvironment.PostgresConnectionString is null
        ? "PostgreSQL is not configured: set CIVICDESK_TEST_POSTGRES to a connection string (the suite ran on SQLite only)."
        : null;

    protected override async Task CreateDatabaseAsync()
    {
        var server = new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresConnectionString);
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        server.Database = _database;
        ConnectionString = server.ConnectionString;
    }

    protected override async Task DropDatabaseAsync()
    {
        if (UnavailableReason is not null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        var server = new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresConnectionString);
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
