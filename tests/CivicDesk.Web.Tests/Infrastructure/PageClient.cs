using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CivicDesk.Web.Tests.Infrastructure;

/// <summary>A browser-like client for the server-rendered pages: cookies, antiforgery tokens, form posts.</summary>
public sealed partial class PageClient(HttpClient client)
{
    public HttpClient Http { get; } = client;

    public static PageClient Anonymous(AppFactory app, string culture = "vi")
    {
        ArgumentNullException.ThrowIfNull(app);
        var http = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        http.DefaultRequestHeaders.AcceptLanguage.ParseAdd(culture);
        return new PageClient(http);
    }

    /// <summary>Signs in through /account/login, as a person would.</summary>
    public static async Task<PageClient> SignedInAsync(AppFactory app, string email, string password = AppFactory.Password, string culture = "vi")
    {
        var page = Anonymous(app, culture);
        var response = await page.PostFormAsync("/account/login", new() { ["Email"] = email, ["Password"] = password });
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Sign-in of {email} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return page;
    }

    public Task<HttpResponseMessage> GetAsync(string url) => Http.GetAsync(url);

    public async Task<string> GetHtmlAsync(string url)
    {
        var response = await Http.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {html}");
        return html;
    }

    /// <summary>Loads <paramref name="pageUrl"/> for its antiforgery token, then posts the form to <paramref name="postUrl"/>.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string pageUrl, Dictionary<string, string> fields, string? postUrl = null)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var html = await (await Http.GetAsync(pageUrl)).Content.ReadAsStringAsync();
        var token = AntiforgeryToken().Match(html);
        Assert.True(token.Success, $"No antiforgery token on {pageUrl}");
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value) };
        return await Http.PostAsync(postUrl ?? pageUrl, new FormUrlEncodedContent(form));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
