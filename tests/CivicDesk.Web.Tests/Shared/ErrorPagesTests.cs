using System.Collections.Concurrent;
using System.Net;
using CivicDesk.Web.Localization;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Tests.Infrastructure;
using CivicDesk.Web.SiteAnalytics.Ingestion;
using CivicDesk.Web.Tests.SiteAnalytics;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CivicDesk.Web.Tests.Shared;

/// <summary>
/// People get an error page in their language with the right status; programs (/api) keep getting ProblemDetails.
/// A page and an API endpoint are made to throw in tests only (<see cref="ErrorEndpoints"/>), so that both exception
/// paths are exercised.
/// </summary>
public abstract class ErrorPagesTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory, new()
{
    private ErrorEndpoints.LogCollector Logs => app.Services.GetRequiredService<ErrorEndpoints.LogCollector>();

    [Fact]
    public async Task An_unknown_path_shows_the_translated_404_page_in_Vietnamese_by_default_and_in_English_with_the_culture_cookie()
    {
        app.EnsureAvailable();
        var unit = await app.CreateUnitAsync();
        using var vietnamese = await BrowserSession.SignInAsync(app, await app.CreateUserAsync(unit.Id));
        using var english = await BrowserSession.SignInAsync(app, await app.CreateUserAsync(unit.Id));
        // The browser still asks for Vietnamese: the English comes from the remembered choice (the culture cookie).
        var switched = await english.PostFormAsync("/culture", new Dictionary<string, string> { ["culture"] = "en", ["returnUrl"] = "/" });
        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);

        await AssertPageAsync(await vietnamese.GetAsync("/no-such-page/at-all"), HttpStatusCode.NotFound, app.Translate("vi", "Error.404.Title"), app.Translate("vi", "Error.404.Text"));
        await AssertPageAsync(await english.GetAsync("/no-such-page/at-all"), HttpStatusCode.NotFound, app.Translate("en", "Error.404.Title"), app.Translate("en", "Error.404.Text"));
    }

    [Fact]
    public async Task A_page_that_answers_404_shows_the_translated_404_page()
    {
        app.EnsureAvailable();
        var unit = await app.CreateUnitAsync();
        using var session = await BrowserSession.SignInAsync(app, await app.CreateUserAsync(unit.Id, Role.Admin));

        var missing = await session.GetAsync("/sites/999999");

        await AssertPageAsync(missing, HttpStatusCode.NotFound, app.Translate("vi", "Error.404.Title"), app.Translate("vi", "Error.404.Text"));
    }

    [Theory]
    [InlineData("/error/404", HttpStatusCode.NotFound, "Error.404")]
    [InlineData("/error/403", HttpStatusCode.Forbidden, "Error.403")]
    [InlineData("/error/400", HttpStatusCode.BadRequest, "Error.400")]
    [InlineData("/error/500", HttpStatusCode.InternalServerError, "Error.500")]
    [InlineData("/error/200", HttpStatusCode.NotFound, "Error.404")]
    [InlineData("/error/999", HttpStatusCode.NotFound, "Error.404")]
    public async Task An_error_page_asked_for_directly_answers_with_the_status_it_describes(string path, HttpStatusCode status, string key)
    {
        app.EnsureAvailable();

        var response = await Client().GetAsync(path);

        await AssertPageAsync(response, status, app.Translate("vi", key + ".Title"), app.Translate("vi", key + ".Text"));
    }

    [Fact]
    public async Task A_page_that_throws_shows_the_translated_500_page_and_the_exception_is_logged_once()
    {
        app.EnsureAvailable();

        var vietnamese = await Client().GetAsync(ErrorEndpoints.PageThatThrows);
        var english = await Client("en").GetAsync(ErrorEndpoints.PageThatThrows);

        await AssertPageAsync(vietnamese, HttpStatusCode.InternalServerError, app.Translate("vi", "Error.500.Title"), app.Translate("vi", "Error.500.Text"));
        await AssertPageAsync(english, HttpStatusCode.InternalServerError, app.Translate("en", "Error.500.Title"), app.Translate("en", "Error.500.Text"));
        Assert.Equal(2, Logs.Errors(ErrorEndpoints.Failure + " in a page"));
    }

    [Fact]
    public async Task Api_routes_keep_answering_ProblemDetails_for_an_unknown_path_and_for_an_exception()
    {
        app.EnsureAvailable();
        var api = await app.ApiClientAsync(await app.CreateSystemAdminAsync());
        api.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        var site = await Analytics.CreateSiteAsync(app);

        var unknown = await api.GetAsync("/api/v1/no-such-thing");
        var thrown = await Analytics.SendAsync(Client("en"), site.Domain, "/?" + ErrorEndpoints.FailQuery + "=1");

        var notFound = await unknown.ExpectAsync(HttpStatusCode.NotFound);
        var failed = await thrown.ExpectAsync(HttpStatusCode.InternalServerError);
        Assert.Equal(app.Translate("en", "Problem.404"), notFound.GetProperty("title").GetString());
        Assert.Equal(app.Translate("en", "Problem.500"), failed.GetProperty("title").GetString());
        Assert.DoesNotContain(ErrorEndpoints.Failure, await thrown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, Logs.Errors(ErrorEndpoints.Failure + " in an API"));
    }

    private HttpClient Client(string? culture = null)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        if (culture is not null)
        {
            client.DefaultRequestHeaders.Add("Cookie", $"{CookieRequestCultureProvider.DefaultCookieName}={Uri.EscapeDataString(Cultures.CookieValue(culture))}");
        }

        return client;
    }

    private static async Task AssertPageAsync(HttpResponseMessage response, HttpStatusCode status, string title, string text)
    {
        var body = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"<h1>{title}</h1>", body, StringComparison.Ordinal);
        Assert.Contains(text, body, StringComparison.Ordinal);
        // The layout came with it: the page is a whole page of the app, not a bare fragment.
        Assert.Contains("</html>", body, StringComparison.Ordinal);
    }
}

/// <summary>
/// Test-only failures: the sign-in page throws when asked with <see cref="FailQuery"/> (a page filter, as a bug in a page
/// would), and the event endpoint's enricher throws for a page address with it (a bug under /api); and a collector of the app's error logs.
/// </summary>
public static class ErrorEndpoints
{
    public const string FailQuery = "fail-for-test";
    public const string PageThatThrows = "/account/login?" + FailQuery + "=1";
    public const string Failure = "Test failure";

    public static void Add(AppFactory app) => app.ConfigureTestServices(services =>
    {
        services.AddSingleton<LogCollector>();
        services.AddSingleton<ILoggerProvider>(sp => sp.GetRequiredService<LogCollector>());
        services.Configure<RazorPagesOptions>(o => o.Conventions.AddPageApplicationModelConvention("/Accounts/Login", m => m.Filters.Add(new FailingFilter())));
        services.AddSingleton<IEventEnricher, FailingEnricher>();
    });

    private sealed class FailingFilter : IPageFilter
    {
        public void OnPageHandlerSelected(PageHandlerSelectedContext context)
        {
        }

        public void OnPageHandlerExecuting(PageHandlerExecutingContext context)
        {
            if (context.HttpContext.Request.Query.ContainsKey(FailQuery))
            {
                throw new InvalidOperationException(Failure + " in a page");
            }
        }

        public void OnPageHandlerExecuted(PageHandlerExecutedContext context)
        {
        }
    }

    private sealed class FailingEnricher : IEventEnricher
    {
        public EventEnrichment Enrich(string? userAgent, IPAddress? address, string? referrer, Uri page, string siteDomain) =>
            page.Query.Contains(FailQuery, StringComparison.Ordinal) ? throw new InvalidOperationException(Failure + " in an API") : new EventEnrichment();
    }

    /// <summary>Keeps the app's error log entries, to count how often one failure was reported.</summary>
    public sealed class LogCollector : ILoggerProvider
    {
        private readonly ConcurrentQueue<(LogLevel Level, Exception? Exception)> _entries = new();

        public int Errors(string message) => _entries.Count(e => e.Level >= LogLevel.Error && e.Exception?.Message == message);

        public ILogger CreateLogger(string categoryName) => new Logger(_entries);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<(LogLevel, Exception?)> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue((logLevel, exception));
        }
    }
}

public sealed class ErrorPagesSqliteApp : SqliteApp
{
    public ErrorPagesSqliteApp() => ErrorEndpoints.Add(this);
}

public sealed class ErrorPagesPostgresApp : PostgresApp
{
    public ErrorPagesPostgresApp() => ErrorEndpoints.Add(this);
}

public sealed class ErrorPagesOnSqlite(ErrorPagesSqliteApp app) : ErrorPagesTests<ErrorPagesSqliteApp>(app);

public sealed class ErrorPagesOnPostgres(ErrorPagesPostgresApp app) : ErrorPagesTests<ErrorPagesPostgresApp>(app);
