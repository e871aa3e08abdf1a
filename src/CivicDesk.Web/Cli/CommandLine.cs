using System.CommandLine;
using System.Globalization;
using System.Reflection;
using CivicDesk.Web.Accounts;
using CivicDesk.Web.Data;
using CivicDesk.Web.Demo;
using CivicDesk.Web.Localization;
using CivicDesk.Web.Permissions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Cli;

/// <summary>
/// Operator verbs of the same executable: <c>migrate</c>, <c>admin create</c>, <c>token create</c>, <c>version</c>,
/// <c>demo</c>. They run against the configured database without starting the web server.
/// </summary>
internal static class CommandLine
{
    private static readonly string[] Verbs = ["migrate", "admin", "token", "version", "demo"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        UseTerminalLanguage();
        var root = new RootCommand("CivicDesk — trung tâm truyền thông cho cơ quan nhà nước / communications hub for public agencies");

        var migrate = new Command("migrate", "Apply database migrations / Áp dụng các bản cập nhật cơ sở dữ liệu");
        migrate.SetAction(async (_, ct) =>
        {
            await DatabaseSetup.MigrateAsync(app.Services, ct);
            Console.WriteLine("Database is up to date.");
            return 0;
        });
        root.Subcommands.Add(migrate);

        var email = new Option<string>("--email") { Description = "E-mail address", Required = true };
        var password = new Option<string>("--password") { Description = "Password", Required = true };
        var adminCreate = new Command("create", "Create a system administrator");
        adminCreate.Options.Add(email);
        adminCreate.Options.Add(password);
        adminCreate.SetAction((result, ct) => CreateAdminAsync(app.Services, result.GetValue(email)!, result.GetValue(password)!, ct));
        var admin = new Command("admin", "Manage administrators");
        admin.Subcommands.Add(adminCreate);
        root.Subcommands.Add(admin);

        var tokenEmail = new Option<string>("--email") { Description = "Owner's e-mail address", Required = true };
        var tokenName = new Option<string>("--name") { Description = "What the token is for", Required = true };
        var tokenCreate = new Command("create", "Create a personal API token; the token is printed alone on the last line");
        tokenCreate.Options.Add(tokenEmail);
        tokenCreate.Options.Add(tokenName);
        tokenCreate.SetAction((result, ct) => CreateTokenAsync(app.Services, result.GetValue(tokenEmail)!, result.GetValue(tokenName)!, ct));
        var token = new Command("token", "Manage API tokens");
        token.Subcommands.Add(tokenCreate);
        root.Subcommands.Add(token);

        var version = new Command("version", "Print the version");
        version.SetAction(_ =>
        {
            Console.WriteLine($"CivicDesk {Version}");
            return 0;
        });
        root.Subcommands.Add(version);

        var demo = new Command("demo", "Fill an empty database with a fictional province, every record marked as demo");
        demo.SetAction((_, ct) => RunDemoAsync(app.Services, ct));
        root.Subcommands.Add(demo);

        return await root.Parse(args).InvokeAsync();
    }

    /// <summary>
    /// Messages from the shared resources (password policy, validation) come in the terminal's language: English for
    /// an English locale, else Vietnamese, the product's default. Without this, a C or POSIX locale (the usual one
    /// on servers and in containers) finds no resource and prints bare keys such as "Identity.PasswordTooShort".
    /// </summary>
    private static void UseTerminalLanguage()
    {
        var culture = Cultures.ForCode(Cultures.CodeOf(CultureInfo.CurrentUICulture));
        CultureInfo.CurrentCulture = culture;
        CultureInfo.CurrentUICulture = culture;
    }

    public static string Version =>
        typeof(CommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private static async Task<int> CreateAdminAsync(IServiceProvider services, string email, string password, CancellationToken ct)
    {
        await DatabaseSetup.MigrateAsync(services, ct);
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsOperator("cli");
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var audit = scope.ServiceProvider.GetRequiredService<Audit.AuditLog>();
        var time = scope.ServiceProvider.GetRequiredService<TimeProvider>();
        if (await users.FindByEmailAsync(email) is not null)
        {
            await Console.Error.WriteLineAsync($"A user with e-mail {email} already exists.");
            return 1;
        }

        var user = new User
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = email,
            IsSystemAdmin = true,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        if (!System.Net.Mail.MailAddress.TryCreate(email, out _))
        {
            await Console.Error.WriteLineAsync($"'{email}' is not a valid e-mail address.");
            return 1;
        }

        audit.Add(Audit.AuditActions.UserCreated, null, "user", null, ("email", email), ("name", email));
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                await Console.Error.WriteLineAsync(error.Description);
            }

            return 1;
        }

        scope.ServiceProvider.GetRequiredService<FirstRunSetup>().Complete();
        Console.WriteLine($"System administrator {email} created.");
        return 0;
    }

    private static async Task<int> CreateTokenAsync(IServiceProvider services, string email, string name, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<User>>().FindByEmailAsync(email);
        if (user is null)
        {
            await Console.Error.WriteLineAsync($"No user with e-mail {email}.");
            return 1;
        }

        scope.ServiceProvider.GetRequiredService<CurrentUser>().Set(user.Id, user.Email ?? email);
        var outcome = await scope.ServiceProvider.GetRequiredService<ApiTokenService>().CreateAsync(user, name, ct);
        if (!outcome.Succeeded)
        {
            await Console.Error.WriteLineAsync(string.Join(Environment.NewLine, outcome.Errors.SelectMany(e => e.Value)));
            return 1;
        }

        Console.WriteLine($"API token '{name}' created for {email}. It is shown only once:");
        Console.WriteLine(outcome.Value.Secret);
        return 0;
    }

    private static async Task<int> RunDemoAsync(IServiceProvider services, CancellationToken ct)
    {
        await DatabaseSetup.MigrateAsync(services, ct);
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsOperator("demo");
        var seeder = ActivatorUtilities.CreateInstance<DemoSeeder>(scope.ServiceProvider);
        var result = await seeder.SeedAsync(ct);
        if (result is null)
        {
            await Console.Error.WriteLineAsync("The database already holds units: the demo fills only an empty database.");
            return 1;
        }

        Console.WriteLine($"Demo province created: {result.Units} units, {result.Channels} channels, {result.Users.Count} users.");
        Console.WriteLine("Demo accounts (password shown once):");
        foreach (var (mail, role) in result.Users)
        {
            Console.WriteLine($"    {mail,-32} {role}");
        }

        Console.WriteLine($"Password: {result.Password}");
        return 0;
    }
}
