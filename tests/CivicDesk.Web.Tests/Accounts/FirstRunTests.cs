using System.Net;
using CivicDesk.Web.Accounts;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CivicDesk.Web.Tests.Accounts;

/// <summary>
/// The first-run promise: on a database without users the app issues a one-time setup link, which creates exactly
/// one system administrator. Each test starts on a database of its own.
/// </summary>
public abstract class FirstRunTests<TApp>
    where TApp : AppFactory, new()
{
    private const string InvalidLink = "Liên kết thiết lập không hợp lệ hoặc đã được dùng.";

    [Fact]
    public async Task A_fresh_database_gets_a_setup_token_that_creates_the_first_administrator_once()
    {
        await using var app = await FreshAsync();
        var setup = app.Services.GetRequiredService<FirstRunSetup>();
        Assert.True(setup.IsPending);
        var token = setup.Token!;
        var client = Client(app);

        var form = await client.GetFormAsync($"/setup?token={token}");
        var created = await client.PostFormAsync("/setup", form, Fields(token, "first@songlam.example"));
        var again = await client.GetAsync($"/setup?token={token}");
        var secondForm = await client.GetFormAsync("/account/login");
        var replayed = await client.PostFormAsync("/setup", secondForm, Fields(token, "second@songlam.example"));

        Assert.Contains("name=\"Password\"", form.Html);
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal("/units", created.Headers.Location?.OriginalString);
        Assert.Contains(Forms.SetCookies(created), c => c.StartsWith(Forms.AuthCookie, StringComparison.Ordinal));
        Assert.False(setup.IsPending);
        Assert.Null(setup.Token);
        var againHtml = Forms.Text(await again.Content.ReadAsStringAsync());
        Assert.Contains(InvalidLink, againHtml);
        Assert.DoesNotContain("name=\"Password\"", againHtml);
        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Contains(InvalidLink, Forms.Text(await replayed.Content.ReadAsStringAsync()));
        var users = await app.WithDbAsync(db => db.Users.AsNoTracking().ToListAsync());
        var admin = Assert.Single(users);
        Assert.Equal("first@songlam.example", admin.Email);
        Assert.True(admin.IsSystemAdmin);
    }

    [Fact]
    public async Task A_wrong_token_is_refused_and_a_refused_attempt_leaves_the_link_usable()
    {
        await using var app = await FreshAsync();
        var setup = app.Services.GetRequiredService<FirstRunSetup>();
        var token = setup.Token!;
        var client = Client(app);

        var wrong = await client.GetAsync($"/setup?token={new string('0', token.Length)}");
        var form = await client.GetFormAsync($"/setup?token={token}");
        var weak = await client.PostFormAsync("/setup", form, [.. Fields(token, "first@songlam.example").Where(f => f.Key != "Password"), new("Password", "short")]);
        var retried = await client.PostFormAsync("/setup", form, Fields(token, "first@songlam.example"));

        Assert.Contains(InvalidLink, Forms.Text(await wrong.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.OK, weak.StatusCode);
        Assert.Contains("Mật khẩu phải có ít nhất 10 ký tự.", Forms.Text(await weak.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.Redirect, retried.StatusCode);
        Assert.Equal(1, await app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task The_same_token_posted_many_times_at_once_creates_one_administrator()
    {
        await using var app = await FreshAsync();
        var token = app.Services.GetRequiredService<FirstRunSetup>().Token!;
        var client = Client(app);
        var forms = new List<FormPage>();
        for (var i = 0; i < 6; i++)
        {
            forms.Add(await client.GetFormAsync($"/setup?token={token}"));
        }

        var responses = await Task.WhenAll(forms.Select((form, i) => Task.Run(() => client.PostFormAsync("/setup", form, Fields(token, $"admin{i}@songlam.example")))));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Redirect);
        Assert.Equal(1, await app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task A_database_with_a_user_gets_no_setup_token()
    {
        await using var app = await FreshAsync();
        await app.CreateUserAsync(unitId: null);
        // A restart: another host on the same database.
        await using var restarted = app.WithWebHostBuilder(host => host.UseSetting("Jobs:NodeName", "restarted"));
        var setup = restarted.Services.GetRequiredService<FirstRunSetup>();
        var client = restarted.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

        var login = Forms.Text(await (await client.GetAsync("/account/login")).Content.ReadAsStringAsync());
        var page = await client.GetAsync("/setup?token=");

        Assert.False(setup.IsPending);
        Assert.Null(setup.Token);
        Assert.DoesNotContain("CivicDesk chưa có tài khoản nào", login);
        Assert.Contains(InvalidLink, Forms.Text(await page.Content.ReadAsStringAsync()));
    }

    private static async Task<TApp> FreshAsync()
    {
        var app = new TApp();
        app.EnsureAvailable();
        await app.InitializeAsync();
        return app;
    }

    private static HttpClient Client(AppFactory app) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    private static KeyValuePair<string, string>[] Fields(string token, string email) =>
        [new("Token", token), new("DisplayName", "Quản trị viên"), new("Email", email), new("Password", AppFactory.Password)];
}

public sealed class FirstRunOnSqlite : FirstRunTests<SqliteApp>;

public sealed class FirstRunOnPostgres : FirstRunTests<PostgresApp>;
