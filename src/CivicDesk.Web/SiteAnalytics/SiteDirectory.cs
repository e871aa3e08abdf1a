using System.Collections.Concurrent;
using System.Data.Common;
using CivicDesk.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.SiteAnalytics;

/// <summary>The sites the event endpoint accepts, by domain, cached for a short time so that ingestion rarely reads the database.</summary>
public sealed class SiteDirectory(IServiceScopeFactory scopes, TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, (SiteInfo? Site, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    public sealed record SiteInfo(int Id, string Domain, string TimeZone);

    /// <summary>The first of <paramref name="domains"/> that is an active site (a "www." prefix is ignored).</summary>
    public async ValueTask<SiteInfo?> FindAsync(IReadOnlyList<string> domains, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(domains);
        foreach (var raw in domains)
        {
            var domain = Normalize(raw);
            if (domain is null)
            {
                continue;
            }

            var now = time.GetUtcNow();
            var known = _cache.TryGetValue(domain, out var entry);
            if (!known || entry.Until < now)
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                    var site = await db.Sites.AsNoTracking()
                        .Where(s => s.Domain == domain && s.ArchivedAt == null)
                        .Select(s => new SiteInfo(s.Id, s.Domain, s.TimeZone))
                        .SingleOrDefaultAsync(ct);
                    entry = (site, now + Lifetime);
                }
                catch (Exception e) when (known && (e is DbException || e.InnerException is DbException))
                {
                    // The database is unavailable (EF's execution strategy wraps the provider's error): what was true a
                    // moment ago still is, and ingestion goes on (issue 3, point 7). Asked again after another lifetime,
                    // so that not every event waits for a failing query.
                    entry = (entry.Site, now + Lifetime);
                }

                _cache[domain] = entry;
            }

            if (entry.Site is not null)
            {
                return entry.Site;
            }
        }

        return null;
    }

    /// <summary>Drops a domain from the cache at once (a site added, archived or renamed on this node).</summary>
    public void Forget(string domain) => _cache.TryRemove(domain, out _);

    /// <summary>Lower-case ASCII host without "www.", or null when it is not a host name.</summary>
    public static string? Normalize(string? domain)
    {
        var text = domain?.Trim().ToLowerInvariant();
        if (text is not null && text.Contains("://", StringComparison.Ordinal))
        {
            // A pasted address: keep its host, as long as it names the whole site.
            text = Uri.TryCreate(text, UriKind.Absolute, out var pasted) && pasted.AbsolutePath == "/" && pasted.Query.Length == 0 ? pasted.Host : null;
        }

        text = text?.TrimEnd('.');
        if (string.IsNullOrEmpty(text) || !Uri.TryCreate($"http://{text}/", UriKind.Absolute, out var uri) || uri.HostNameType != UriHostNameType.Dns
            || uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query) || uri.UserInfo.Length > 0 || !uri.IsDefaultPort)
        {
            return null;
        }

        var host = uri.IdnHost;
        return host.StartsWith("www.", StringComparison.Ordinal) ? host[4..] : host;
    }

    /// <summary>True when a page's host is the site's domain or one of its subdomains.</summary>
    public static bool HostBelongsTo(string host, string domain)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(domain);
        var h = host.TrimEnd('.').ToLowerInvariant();
        return h == domain || h.EndsWith("." + domain, StringComparison.Ordinal);
    }
}
