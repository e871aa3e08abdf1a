using System.Net;
using System.Text.RegularExpressions;

namespace CivicDesk.Web.Tests.Infrastructure;

/// <summary>A page's form as a browser gets it: its HTML, the antiforgery token and the cookies that came with it.</summary>
public sealed record FormPage(string Html, string AntiforgeryToken, string Cookies);

/// <summary>
/// Fills in the app's server-rendered forms without a browser. Clients for these helpers are created with
/// HandleCookies=false and AllowAutoRedirect=false, so that a test sees, keeps and moves cookies itself (say, from
/// one app node to another).
/// </summary>
public static partial class Forms
{
    public const string AuthCookie = "civicdesk.auth";

    public static async Task<FormPage> GetFormAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: expected 200, got {(int)response.StatusCode}");
        var token = AntiforgeryToken(html);
        Assert.True(token is not null, $"GET {url}: the page has no antiforgery token");
        return new FormPage(html, token, string.Join("; ", SetCookies(response)));
    }

    /// <summary>Posts <paramref name="fields"/> with the form's antiforgery token and cookies.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(this HttpClient client, string url, FormPage form, IEnumerable<KeyValuePair<string, string>> fields)
    {
        ArgumentNullException.ThrowIfNull(form);
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new FormUrlEncodedContent(fields.Append(new("__RequestVerificationToken", form.AntiforgeryToken))),
        };
        request.Headers.Add("Cookie", form.Cookies);
        return await client.SendAsync(request);
    }

    /// <summary>Signs in through /account/login; returns the authentication cookie as a Cookie header value, or null.</summary>
    public static async Task<string?> SignInAsync(this HttpClient client, string email, string password)
    {
        var form = await client.GetFormAsync("/account/login");
        var response = await client.PostFormAsync("/account/login", form, [new("Email", email), new("Password", password)]);
        var auth = SetCookies(response).Where(c => c.StartsWith(AuthCookie, StringComparison.Ordinal)).ToList();
        return response.StatusCode == HttpStatusCode.Redirect && auth.Count > 0 ? string.Join("; ", auth) : null;
    }

    /// <summary>GET <paramref name="url"/> with only <paramref name="cookies"/> (a Cookie header value).</summary>
    public static async Task<HttpResponseMessage> GetWithCookiesAsync(this HttpClient client, string url, string cookies)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Cookie", cookies);
        return await client.SendAsync(request);
    }

    /// <summary>The name=value part of each Set-Cookie header of the response.</summary>
    public static IEnumerable<string> SetCookies(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Select(v => v.Split(';')[0]) : [];
    }

    /// <summary>The page's text as a person reads it (Razor encodes Vietnamese letters as character references).</summary>
    public static string Text(string html) => WebUtility.HtmlDecode(html);

    /// <summary>The antiforgery token of the first form on the page, or null.</summary>
    public static string? AntiforgeryToken(string html)
    {
        var match = AntiforgeryInput().Match(html);
        return match.Success ? WebUtility.HtmlDecode(match.Groups["value"].Value) : null;
    }

    [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"(?<value>[^\"]*)\"", RegexOptions.CultureInvariant)]
    private static partial Regex AntiforgeryInput();
}
