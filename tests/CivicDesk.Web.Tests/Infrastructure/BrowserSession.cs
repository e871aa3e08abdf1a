using System.Net;
using System.Text.RegularExpressions;
using CivicDesk.Web.Accounts;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CivicDesk.Web.Tests.Infrastructure;

/// <summary>
/// A person in a browser: cookies kept, redirects not followed, and forms posted with the antiforgery token taken
/// from a form the app rendered, the way a browser sends it.
/// </summary>
public sealed partial class BrowserSession : IDisposable
{
    private string? _token;

    private BrowserSession(HttpClient client) => Client = client;

    public HttpClient Client { get; }

    /// <summary>A browser that has not signed in; it still carries a valid antiforgery token for posts.</summary>
    public static BrowserSession Anonymous(AppFactory app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return new BrowserSession(app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));
    }

    /// <summary>Signs <paramref name="user"/> in through /account/login, as a person would.</summary>
    public static async Task<BrowserSession> SignInAsync(AppFactory app, User user, string password = AppFactory.Password)
    {
        ArgumentNullException.ThrowIfNull(user);
        var session = Anonymous(app);
        var response = await session.PostFormAsync("/account/login", new Dictionary<string, string>
        {
            ["Email"] = user.Email!,
            ["Password"] = password,
        }, tokenFrom: "/account/login");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Sign-in of {user.Email} failed: {(int)response.StatusCode} {body}");
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

    private async Task<string> ReadTokenAsync(string path)
    {
        var response = await Client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        var match = TokenInput().Match(html);
        Assert.True(match.Success, $"No antiforgery token on {path} ({(int)response.StatusCode}).");
        return WebUtility.HtmlDecode(match.Groups["token"].Value);
    }

    public void Dispose() => Client.Dispose();

    [GeneratedRegex(@"<input[^>]*name=""__RequestVerificationToken""[^>]*value=""(?<token>[^""]+)""")]
    private static partial Regex TokenInput();
}
