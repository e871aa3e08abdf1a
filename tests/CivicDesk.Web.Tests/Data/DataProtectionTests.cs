using System.Net;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.Data;

/// <summary>
/// App nodes keep no state of their own (DESIGN.md §4): the Data Protection key ring lives in the database, so a
/// cookie issued by one node is read by any other.
/// </summary>
public abstract class DataProtectionTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory, new()
{
    [Fact]
    public async Task A_person_signed_in_on_one_node_is_signed_in_on_another()
    {
        app.EnsureAvailable();
        var user = await app.CreateUserAsync(unitId: null);
        await using var nodeA = Node("node-a");
        await using var nodeB = Node("node-b");
        var clientA = Client(nodeA);
        var clientB = Client(nodeB);

        var cookie = await clientA.SignInAsync(user.Email!, AppFactory.Password);
        Assert.NotNull(cookie);
        var anonymous = await clientB.GetAsync("/units");
        var signedIn = await clientB.GetWithCookiesAsync("/units", cookie);

        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/account/login", anonymous.Headers.Location?.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Contains(user.Email!, Forms.Text(await signedIn.Content.ReadAsStringAsync()));
        var keys = await app.WithDbAsync(db => db.DataProtectionKeys.AsNoTracking().ToListAsync());
        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.StartsWith("<key id=", k.Xml));
    }

    [Fact]
    public async Task Nodes_that_start_together_on_an_empty_key_ring_read_each_others_cookies()
    {
        app.EnsureAvailable();
        await using var fresh = new TApp();
        await fresh.InitializeAsync();
        await using var nodeA = Node("node-a", fresh);
        await using var nodeB = Node("node-b", fresh);

        // Each node loads the key ring as it starts and creates a key when there is none: both find none.
        await Task.WhenAll(Task.Run(() => nodeA.Services), Task.Run(() => nodeB.Services));
        var user = await fresh.CreateUserAsync(unitId: null);
        var clientA = Client(nodeA);
        var clientB = Client(nodeB);
        var fromA = await clientA.SignInAsync(user.Email!, AppFactory.Password);
        var fromB = await clientB.SignInAsync(user.Email!, AppFactory.Password);

        Assert.NotNull(fromA);
        Assert.NotNull(fromB);
        Assert.Equal(HttpStatusCode.OK, (await clientB.GetWithCookiesAsync("/units", fromA)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await clientA.GetWithCookiesAsync("/units", fromB)).StatusCode);
        var keys = await fresh.WithDbAsync(db => db.DataProtectionKeys.CountAsync());
        Assert.True(keys >= 1);
        TestContext.Current.TestOutputHelper?.WriteLine($"{keys} key(s) in the ring: {(keys > 1 ? "both nodes created one" : "one node created it")}.");
    }

    private WebApplicationFactory<Program> Node(string name, AppFactory? on = null) =>
        (on ?? app).WithWebHostBuilder(host => host.UseSetting("Jobs:NodeName", name));

    private static HttpClient Client(WebApplicationFactory<Program> node) =>
        node.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
}

public sealed class DataProtectionOnSqlite(SqliteApp app) : DataProtectionTests<SqliteApp>(app);

public sealed class DataProtectionOnPostgres(PostgresApp app) : DataProtectionTests<PostgresApp>(app);
