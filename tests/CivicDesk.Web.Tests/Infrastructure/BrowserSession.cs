using System.Net;
using CivicDesk.Web.Accounts;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CivicDesk.Web.Tests.Infrastructure;

/// <summary>
/// A person in a browser: cookies kept, redirects not followed, and forms posted with the antiforgery token taken
/// from a form the app rendered, the way a browser sends it.
/// </summary>
public sealed class BrowserSession : IDisposable
{
    private string? _token;

    private BrowserSession(HttpClient client) => Client = client;

    public HttpClient Client { get; }

    /// <summary>A browser that has not signed in, asking for pages in <paramref name="culture"/>.</summary>
    public static BrowserSession Anonymous(AppFactory app, string culture = "vi")
    {
        ArgumentNullException.ThrowIfNull(app);
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(culture);
        return new BrowserSession(client);
    }

    /// <summary>Signs <paramref name="user"/> in through /account/login, as a person would.</summary>
    public static Task<BrowserSession> SignInAsync(AppFactory app, User user, string password = AppFactory.Password, string culture = "vi")
    {
        ArgumentNullException.ThrowIfNull(user);
        return SignInAsync(app, user.Email!, password, culture);
    }

    public static async Task<BrowserSession> SignInAsync(AppFactory app, string email, string password = AppFactory.Password, string culture = "vi")
    {
        var session = Anonymous(app, culture);
        var response = await session.PostFormAsync("/account/login", new Dictionary<string, string>
        {
            ["Email"] = email,
            ["Password"] = password,
        }, tokenFrom: "/account/login");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Sign-in of {email} failed: {(int)response.StatusCode} {body}");
        session._token = null;
        return session;
    }

    /// <summary>
    /// Posts a form with the antiforgery token of this session (read from <paramref name="tokenFrom"/>, by default
    /// the overview page, whose layout carries a form on every page).
    /// </summary>
    public async Task<HttpResponseMessage> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, string tokenFrom = "/")
    {
        ArgumentNullException.ThrowIfNull(fields);
        _token ??= await ReadTokenAsync(tokenFrom);
        var form = fields.Append(new KeyValuePair<string, string>("__RequestVerificationToken", _token));
        return await Client.PostAsync(path, new FormUrlEncodedContent(form));
    }

    public Task<HttpResponseMessage> GetAsync(string path) => Client.GetAsync(path);

    /// <summary>GET a page that must answer 200; returns its HTML.</summary>
    public async Task<string> GetHtmlAsync(string path)
    {
        var response = await Client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {html}");
        return html;
    }

    private async Task<string> ReadTokenAsync(string path)
    {
        var response = await Client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        var token = Forms.AntiforgeryToken(html);
        Assert.True(token is not null, $"No antiforgery token on {path} ({(int)response.StatusCode}).");
        return token;
    }

    public void Dispose() => Client.Dispose();
}
