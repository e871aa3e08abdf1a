using System.Data.Common;
using System.Net.Sockets;
using CivicDesk.Web.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CivicDesk.Web.Tests.Infrastructure;

/// <summary>
/// Takes the app's database away and gives it back, on SQLite and PostgreSQL alike: while it is down, every connection
/// the app opens fails with the provider's own error, as when the server is stopped or the file cannot be opened. For
/// tests that need an outage at an exact moment; <see cref="TcpProxy"/> is the real network outage on PostgreSQL.
/// </summary>
public sealed class DatabaseSwitch : DbConnectionInterceptor
{
    private volatile bool _down;

    /// <summary>Puts a switch on <paramref name="app"/>'s database (before it starts); tests find it in app.Services.</summary>
    public static void AddTo(AppFactory app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var databaseSwitch = new DatabaseSwitch();
        app.ConfigureTestServices(services => databaseSwitch.AttachTo(services, app.Provider));
    }

    /// <summary>Puts this switch on the database of the host whose services these are (one node of several).</summary>
    public void AttachTo(IServiceCollection services, DatabaseProvider provider)
    {
        services.AddSingleton(this);
        if (provider == DatabaseProvider.Postgres)
        {
            services.ConfigureDbContext<PostgresAppDbContext>(o => o.AddInterceptors(this));
        }
        else
        {
            services.ConfigureDbContext<SqliteAppDbContext>(o => o.AddInterceptors(this));
        }
    }

    /// <summary>The database is gone until the returned handle is disposed.</summary>
    public IDisposable Down()
    {
        _down = true;
        return new Restore(this);
    }

    public override InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        ThrowIfDown(connection);
        return result;
    }

    public override ValueTask<InterceptionResult> ConnectionOpeningAsync(
        DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        ThrowIfDown(connection);
        return ValueTask.FromResult(result);
    }

    private void ThrowIfDown(DbConnection connection)
    {
        if (_down)
        {
            throw connection is NpgsqlConnection
                ? new NpgsqlException("Failed to connect (the test took the database down)", new SocketException((int)SocketError.ConnectionRefused))
                : new SqliteException("unable to open database file (the test took the database down)", 14);
        }
    }

    private sealed class Restore(DatabaseSwitch databaseSwitch) : IDisposable
    {
        public void Dispose() => databaseSwitch._down = false;
    }
}
