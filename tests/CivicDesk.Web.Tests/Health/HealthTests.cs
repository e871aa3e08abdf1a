using System.Net;
using System.Net.Sockets;
using CivicDesk.Web.Data;
using CivicDesk.Web.SiteAnalytics.Ingestion;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Health;

/// <summary>
/// /health/live answers while the process runs; /health/ready only when the database answers and every migration is
/// applied. Both are anonymous: a load balancer has no account.
/// </summary>
public abstract class HealthTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory, new()
{
    [Fact]
    public async Task Live_and_ready_answer_200_to_anyone_on_a_migrated_database()
    {
        app.EnsureAvailable();
        var client = Anonymous(app);

        var live = await client.GetAsync("/health/live");
        var ready = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ready_answers_503_while_migrations_are_pending_and_200_once_they_are_applied()
    {
        app.EnsureAvailable();
        await using var empty = new TApp();
        empty.Set("Database:MigrateOnStart", "false");
        await empty.InitializeAsync();
        var client = Anonymous(empty);

        var live = await client.GetAsync("/health/live");
        var pending = await client.GetAsync("/health/ready");
        await DatabaseSetup.MigrateAsync(empty.Services, TestContext.Current.CancellationToken);
        var migrated = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, pending.StatusCode);
        Assert.Equal("Unhealthy", await pending.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, migrated.StatusCode);
    }

    [Fact]
    public async Task Ready_says_degraded_with_200_while_the_spool_refuses_writes()
    {
        app.EnsureAvailable();
        var client = Anonymous(app);
        var queue = app.Services.GetRequiredService<IngestQueue>();

        queue.Paused = true;
        HttpResponseMessage paused;
        try
        {
            paused = await client.GetAsync("/health/ready");
        }
        finally
        {
            queue.Paused = false;
        }

        var resumed = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.Equal("Degraded", await paused.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", await resumed.Content.ReadAsStringAsync());
    }

    private static HttpClient Anonymous(AppFactory factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
}

public sealed class HealthOnSqlite(SqliteApp app) : HealthTests<SqliteApp>(app);

public sealed class HealthOnPostgres(PostgresApp app) : HealthTests<PostgresApp>(app);

/// <summary>A node whose PostgreSQL cannot be reached: it still starts and says it is alive, but not ready.</summary>
public sealed class HealthWithoutDatabase(UnreachablePostgresApp app) : IClassFixture<UnreachablePostgresApp>
{
    [Fact]
    public async Task Live_answers_200_and_ready_503_when_the_database_cannot_be_reached()
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var live = await client.GetAsync("/health/live");
        var ready = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
    }
}

/// <summary>CivicDesk configured for PostgreSQL on a loopback port where nothing listens; needs no server.</summary>
public sealed class UnreachablePostgresApp : AppFactory
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    protected override Task CreateDatabaseAsync()
    {
        // A port the system just gave us and took back: nothing listens there, so connecting is refused at once.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        ConnectionString = $"Host=127.0.0.1;Port={port};Database=civicdesk;Username=civicdesk;Timeout=3";
        Set("Database:MigrateOnStart", "false");
        return Task.CompletedTask;
    }

    protected override Task DropDatabaseAsync() => Task.CompletedTask;
}
