using System.Security.Cryptography;
using CivicDesk.Web.Data;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Accounts;

/// <summary>
/// The first-run promise: when the database has no user yet, the app prints a one-time setup link on start. Opening
/// it lets a person create the first system administrator; the link dies when that happens or the app stops.
/// </summary>
public sealed class FirstRunSetup
{
    private readonly Lock _gate = new();
    private string? _token;
    private bool _inUse;

    public bool IsPending
    {
        get
        {
            lock (_gate)
            {
                return _token is not null;
            }
        }
    }

    /// <summary>The current one-time token, for the test host and the console message.</summary>
    public string? Token
    {
        get
        {
            lock (_gate)
            {
                return _token;
            }
        }
    }

    public string Issue()
    {
        lock (_gate)
        {
            return _token ??= Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        }
    }

    public bool Matches(string? token)
    {
        lock (_gate)
        {
            return _token is not null && token is not null &&
                CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(_token), System.Text.Encoding.UTF8.GetBytes(token));
        }
    }

    /// <summary>
    /// Takes the token for one attempt at creating the administrator, so that two requests carrying it (a double
    /// click, a replay) cannot both create one. Ends with <see cref="Complete"/> or <see cref="Release"/>.
    /// </summary>
    public bool TryUse(string? token)
    {
        lock (_gate)
        {
            if (_inUse || !Matches(token))
            {
                return false;
            }

            _inUse = true;
            return true;
        }
    }

    /// <summary>The attempt failed (say, a weak password): the link works again.</summary>
    public void Release()
    {
        lock (_gate)
        {
            _inUse = false;
        }
    }

    public void Complete()
    {
        lock (_gate)
        {
            _token = null;
            _inUse = false;
        }
    }

    /// <summary>Issues a setup token when nobody can sign in yet, and prints the link once Kestrel listens.</summary>
    internal static async Task AnnounceIfNeededAsync(WebApplication app)
    {
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            try
            {
                if (await db.Users.AnyAsync(app.Lifetime.ApplicationStopping))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Unreachable, or not migrated yet (Database:MigrateOnStart=false): the node still starts and
                // /health/ready says why it is not ready. The first administrator then comes from `admin create`.
                app.Services.GetRequiredService<ILogger<FirstRunSetup>>().LogWarning(ex,
                    "Could not check the database for users, so no setup link was issued. Create the first administrator with `admin create` once the database is ready.");
                return;
            }
        }

        var setup = app.Services.GetRequiredService<FirstRunSetup>();
        var token = setup.Issue();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
            var baseUrl = addresses?.FirstOrDefault()?.Replace("://[::]", "://localhost", StringComparison.Ordinal)
                .Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)
                .Replace("://+", "://localhost", StringComparison.Ordinal)
                .Replace("://*", "://localhost", StringComparison.Ordinal) ?? "http://localhost:5080";
            var console = Console.Out;
            console.WriteLine();
            console.WriteLine("CivicDesk chưa có tài khoản nào. Mở liên kết sau để tạo tài khoản quản trị đầu tiên:");
            console.WriteLine("CivicDesk has no account yet. Open this one-time link to create the first administrator:");
            console.WriteLine($"    {baseUrl.TrimEnd('/')}/setup?token={token}");
            console.WriteLine();
        });
    }
}
