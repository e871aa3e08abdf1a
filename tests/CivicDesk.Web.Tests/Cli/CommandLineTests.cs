using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using CivicDesk.Web.Channels;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Cli;

/// <summary>
/// The operator's verbs, run as an operator runs them: the real executable in a child process, configured through the
/// environment, against a SQLite file that an in-process host then opens to check the result.
/// </summary>
public sealed class CommandLineTests
{
    private const string Email = "operator@songlam.example";
    private const string StrongPassword = "Quan-Tri-2026x";

    [Fact]
    public async Task Migrate_creates_every_table_and_applies_every_migration()
    {
        await using var app = await EmptyDatabaseAsync();

        var result = await RunAsync(app, "migrate");

        result.ExitedWith(0);
        Assert.Equal("Database is up to date.", result.LastLine);
        Assert.Empty(await app.WithDbAsync(async db => await db.Database.GetPendingMigrationsAsync()));
        Assert.Equal(await app.WithDbAsync(db => Task.FromResult(db.Database.GetMigrations().ToList())),
            await app.WithDbAsync(async db => (await db.Database.GetAppliedMigrationsAsync()).ToList()));
        var tables = await app.WithDbAsync(db => db.Database.SqlQueryRaw<string>("SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'table'").ToListAsync());
        Assert.Superset(new HashSet<string> { "AspNetUsers", "units", "memberships", "channels", "api_tokens", "job_leases", "DataProtectionKeys" }, tables.ToHashSet());
    }

    [Fact]
    public async Task Admin_create_makes_a_system_administrator_who_can_sign_in()
    {
        await using var app = await EmptyDatabaseAsync();

        var result = await RunAsync(app, "admin", "create", "--email", Email, "--password", StrongPassword);

        result.ExitedWith(0);
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var cookie = await client.SignInAsync(Email, StrongPassword);
        Assert.NotNull(cookie);
        Assert.Null(await client.SignInAsync(Email, StrongPassword + "-wrong"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetWithCookiesAsync("/units", cookie)).StatusCode);
        Assert.True(await app.WithDbAsync(db => db.Users.Where(u => u.Email == Email).Select(u => u.IsSystemAdmin).SingleAsync()));
    }

    [Theory]
    [InlineData("C.UTF-8", "Mật khẩu phải có ít nhất 10 ký tự.", "Mật khẩu phải có ít nhất một chữ số.")]
    [InlineData("en_GB.UTF-8", "The password must have at least 10 characters.", "The password must have at least one digit.")]
    public async Task Admin_create_with_a_weak_password_fails_with_the_policy_in_the_terminals_language(string locale, string tooShort, string noDigit)
    {
        await using var app = await EmptyDatabaseAsync();

        var result = await RunInLocaleAsync(app, locale, "admin", "create", "--email", Email, "--password", "weakpass");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(tooShort, result.Error);
        Assert.Contains(noDigit, result.Error);
        Assert.DoesNotContain("Identity.", result.Error);
        Assert.False(await app.WithDbAsync(db => db.Users.AnyAsync()));
    }

    [Fact]
    public async Task Token_create_prints_the_token_alone_on_the_last_line_and_the_api_accepts_it()
    {
        await using var app = await EmptyDatabaseAsync();
        (await RunAsync(app, "admin", "create", "--email", Email, "--password", StrongPassword)).ExitedWith(0);

        var result = await RunAsync(app, "token", "create", "--email", Email, "--name", "Báo cáo hằng tuần");

        result.ExitedWith(0);
        var token = result.LastLine;
        Assert.StartsWith("cdk_", token);
        Assert.DoesNotContain(' ', token);
        Assert.True(result.Lines.Length > 1, "Only the last line is the token; a sentence says what it is.");
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/units")).StatusCode);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token[..^1] + (token[^1] == 'A' ? 'B' : 'A'));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/units")).StatusCode);
        Assert.Equal("Báo cáo hằng tuần", await app.WithDbAsync(db => db.ApiTokens.Select(t => t.Name).SingleAsync()));
    }

    [Fact]
    public async Task Token_create_for_an_unknown_address_fails()
    {
        await using var app = await EmptyDatabaseAsync();
        (await RunAsync(app, "migrate")).ExitedWith(0);

        var result = await RunAsync(app, "token", "create", "--email", "nobody@songlam.example", "--name", "x");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("nobody@songlam.example", result.Error);
        Assert.DoesNotContain("cdk_", result.Output);
    }

    [Fact]
    public async Task Version_prints_the_version_of_the_build()
    {
        await using var app = await EmptyDatabaseAsync();
        var built = typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

        var result = await RunAsync(app, "version");

        result.ExitedWith(0);
        Assert.Equal($"CivicDesk {built}", result.LastLine);
        Assert.Matches(@"^\d+\.\d+\.\d+", built);
    }

    [Fact]
    public async Task Demo_fills_an_empty_database_with_demo_records_and_refuses_a_second_time()
    {
        await using var app = await EmptyDatabaseAsync();

        var first = await RunAsync(app, "demo");
        var counts = await CountsAsync(app);
        var second = await RunAsync(app, "demo");

        first.ExitedWith(0);
        Assert.True(counts.Units > 0);
        Assert.True(await app.WithDbAsync(db => db.Units.AllAsync(u => u.IsDemo)));
        Assert.True(await app.WithDbAsync(db => db.Users.AllAsync(u => u.IsDemo)));
        Assert.True(await app.WithDbAsync(db => db.Channels.AllAsync(c => c.IsDemo)));
        Assert.True(await app.WithDbAsync(db => db.Sites.AnyAsync()));
        Assert.True(await app.WithDbAsync(db => db.Sites.AllAsync(s => s.IsDemo)));
        Assert.Equal(Enum.GetValues<Role>().Order(), (await app.WithDbAsync(db => db.Memberships.Select(m => m.Role).Distinct().ToListAsync())).Order());
        Assert.Equal(Enum.GetValues<Platform>().Order(), (await app.WithDbAsync(db => db.Channels.Select(c => c.Platform).Distinct().ToListAsync())).Order());
        // The password printed for the demo accounts works.
        var password = first.Lines.Single(l => l.StartsWith("Password: ", StringComparison.Ordinal))["Password: ".Length..];
        var demoUser = await app.WithDbAsync(db => db.Users.Select(u => u.Email!).FirstAsync());
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        Assert.NotNull(await client.SignInAsync(demoUser, password));

        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains("empty database", second.Error);
        Assert.Equal(counts, await CountsAsync(app));
    }

    /// <summary>A SQLite file that nothing has touched: the host opened on it later does not migrate by itself.</summary>
    private static async Task<SqliteApp> EmptyDatabaseAsync()
    {
        var app = new SqliteApp();
        app.Set("Database:MigrateOnStart", "false");
        await app.InitializeAsync();
        return app;
    }

    private static Task<(int Units, int Users, int Channels)> CountsAsync(AppFactory app) =>
        app.WithDbAsync(async db => (await db.Units.CountAsync(), await db.Users.CountAsync(), await db.Channels.CountAsync()));

    /// <summary>Runs the verb in a C locale, the usual one on servers and in containers.</summary>
    private static Task<CliResult> RunAsync(AppFactory app, params string[] args) => RunInLocaleAsync(app, "C.UTF-8", args);

    /// <summary>Runs <c>dotnet CivicDesk.Web.dll …</c> from this test's output, where the web project's build lands.</summary>
    private static async Task<CliResult> RunInLocaleAsync(AppFactory app, string locale, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CivicDesk.Web.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        start.Environment["Database__Provider"] = "Sqlite";
        start.Environment["Database__ConnectionString"] = app.ConnectionString;
        start.Environment["LANG"] = locale;
        start.Environment["LC_ALL"] = locale;

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        // `demo` stores 90 days of generated site traffic through the analytics writer: allow it a few minutes.
        timeout.CancelAfter(TimeSpan.FromMinutes(args[0] == "demo" ? 5 : 1));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new CliResult(string.Join(' ', args), process.ExitCode, await output, await error);
    }
}

internal sealed record CliResult(string Command, int ExitCode, string Output, string Error)
{
    public string[] Lines { get; } = Output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');

    public string LastLine => Lines[^1];

    public void ExitedWith(int code) =>
        Assert.True(ExitCode == code, $"`{Command}` exited with {ExitCode}, not {code}.\nOutput:\n{Output}\nErrors:\n{Error}");
}
