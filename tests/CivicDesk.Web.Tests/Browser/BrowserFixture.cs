using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CivicDesk.Web.Tests.Browser;

/// <summary>
/// Browser journeys run one class at a time: each class starts its own app and its own Chromium, and two of them at
/// once on a small CI machine only make each other's timeouts flaky.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}

/// <summary>
/// CivicDesk on real Kestrel at a loopback port, on a database of its own, with one Chromium for the test class.
/// Each test opens a <see cref="BrowserSession"/>: a fresh browser context (no cookies, no storage) and a page.
/// </summary>
public sealed class BrowserFixture<TApp> : IAsyncLifetime
    where TApp : AppFactory, new()
{
    /// <summary>
    /// Debian's Chromium is used as installed (Playwright's own browser downloads are not reachable here). Without the
    /// background-networking switches it keeps calling Google's services, which a closed network answers slowly.
    /// </summary>
    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public TApp App { get; } = new();

    /// <summary>The app's own address, e.g. http://127.0.0.1:41234.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>Where screenshots go: beside the test assembly, so that CI can keep them as artifacts.</summary>
    public static string ScreenshotFolder => Path.Combine(AppContext.BaseDirectory, "screenshots");

    private static string? UnavailableReason => TestEnvironment.ChromiumPath is null
        ? "Chromium is not installed: install Debian's chromium package or set CIVICDESK_CHROMIUM to a Chromium executable."
        : null;

    public async ValueTask InitializeAsync()
    {
        if (UnavailableReason is not null || App.UnavailableReason is not null)
        {
            return;
        }

        await App.InitializeAsync();
        // Port 0: the system picks a free port, so that several test runs on one machine never collide.
        App.UseKestrel(0);
        App.StartServer();
        BaseUrl = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?
            .Addresses.FirstOrDefault()?.TrimEnd('/') ?? throw new InvalidOperationException("Kestrel reported no address.");

        // Expectations wait as long as actions do (the context's default below): this machine is shared and its
        // slowest moments are seconds long.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = TestEnvironment.ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// <summary>Skips (or, in CI, fails) the calling test when Chromium or the app's database is missing here.</summary>
    public void EnsureAvailable()
    {
        if (UnavailableReason is { } reason)
        {
            TestEnvironment.Unavailable(reason);
        }

        App.EnsureAvailable();
    }

    /// <summary>
    /// A new browser context, as a person on a new device: a Vietnamese browser (Accept-Language vi-VN) unless
    /// <paramref name="locale"/> says otherwise, at the given window size.
    /// </summary>
    public async Task<BrowserSession> OpenAsync(int width = 1280, int height = 900, string locale = "vi-VN")
    {
        EnsureAvailable();
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = locale,
            TimezoneId = "Asia/Ho_Chi_Minh",
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        return new BrowserSession(context, page);
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await App.DisposeAsync();
    }
}

/// <summary>One test's browser context and its page; disposing it closes the context.</summary>
public sealed class BrowserSession(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IBrowserContext Context { get; } = context;

    public IPage Page { get; } = page;

    public ValueTask DisposeAsync() => Context.DisposeAsync();
}
