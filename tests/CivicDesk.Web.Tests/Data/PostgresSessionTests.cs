using CivicDesk.Web.Data;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CivicDesk.Web.Tests.Data;

/// <summary>The settings CivicDesk gives its PostgreSQL sessions.</summary>
public sealed class PostgresSessionTests(PostgresApp app) : IClassFixture<PostgresApp>
{
    [Fact]
    public async Task Queries_run_without_jit_compilation()
    {
        app.EnsureAvailable();
        var jit = await app.WithDbAsync(db => db.Database.SqlQueryRaw<string>("SELECT current_setting('jit') AS \"Value\"").SingleAsync(TestContext.Current.CancellationToken));
        Assert.Equal("off", jit);
    }

    [Theory]
    [InlineData("Host=db;Database=civicdesk", "-c jit=off")]
    [InlineData("Host=db;Database=civicdesk;Options=-c statement_timeout=5000", "-c statement_timeout=5000 -c jit=off")]
    [InlineData("Host=db;Database=civicdesk;Options=-c jit=on", "-c jit=on")]
    public void An_operator_setting_for_jit_is_kept(string connectionString, string options)
    {
        var builder = new NpgsqlConnectionStringBuilder(DatabaseSetup.WithoutJit(connectionString));
        Assert.Equal(options, builder.Options);
        Assert.Equal("civicdesk", builder.Database);
    }
}
