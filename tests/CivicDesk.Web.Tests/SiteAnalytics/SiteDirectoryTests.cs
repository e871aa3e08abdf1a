using CivicDesk.Web.SiteAnalytics;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>
/// Anyone may post events naming any domain: the directory remembers at most a bounded number of domains that are not
/// sites, while the sites it found stay cached.
/// </summary>
public abstract class SiteDirectoryTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory, new()
{
    private const int Bound = 50;

    [Fact]
    public async Task A_flood_of_random_domains_stays_within_the_bound_and_known_sites_stay_cached()
    {
        app.EnsureAvailable();
        var ct = TestContext.Current.CancellationToken;
        var known = new[] { await Analytics.CreateSiteAsync(app), await Analytics.CreateSiteAsync(app) };
        var directory = new SiteDirectory(
            app.Services.GetRequiredService<IServiceScopeFactory>(), app.Time, Options.Create(new AnalyticsOptions { UnknownDomainsRemembered = Bound }));
        foreach (var site in known)
        {
            Assert.Equal(site.Id, (await directory.FindAsync([site.Domain], ct))?.Id);
        }

        var most = 0;
        for (var i = 0; i < Bound * 4; i++)
        {
            Assert.Null(await directory.FindAsync([$"r{i}-{Guid.NewGuid():N}.example"], ct));
            most = Math.Max(most, directory.Cached.Unknown);
        }

        Assert.Equal(Bound, most);
        Assert.Equal((known.Length, Bound), directory.Cached);
        // Still answered from memory: with the database gone, a site that had been evicted would need a query and fail.
        using (app.Services.GetRequiredService<DatabaseSwitch>().Down())
        {
            foreach (var site in known)
            {
                Assert.Equal(site.Id, (await directory.FindAsync([site.Domain], ct))?.Id);
            }
        }

        // Remembered unknown domains expire, and then make room for new ones.
        app.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await directory.FindAsync(["after-the-flood.example"], ct));
        Assert.Equal(1, directory.Cached.Unknown);
    }

    [Fact]
    public async Task A_site_added_after_its_domain_was_remembered_as_unknown_is_found_once_forgotten()
    {
        app.EnsureAvailable();
        var ct = TestContext.Current.CancellationToken;
        var domain = $"s{Guid.NewGuid():N}"[..12] + ".gov.vn";
        var directory = app.Services.GetRequiredService<SiteDirectory>();
        Assert.Null(await directory.FindAsync([domain], ct));

        // SiteService forgets the domain on this node when it adds the site, so the unknown entry does not hide it.
        var site = await Analytics.CreateSiteAsync(app, domain);

        Assert.Equal(site.Id, (await directory.FindAsync([domain], ct))?.Id);
    }
}

public sealed class SiteDirectoryOnSqlite(SqliteOutageApp app) : SiteDirectoryTests<SqliteOutageApp>(app);

public sealed class SiteDirectoryOnPostgres(PostgresOutageApp app) : SiteDirectoryTests<PostgresOutageApp>(app);
