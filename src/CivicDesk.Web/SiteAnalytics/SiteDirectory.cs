using System.Collections.Concurrent;
using CivicDesk.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CivicDesk.Web.SiteAnalytics;

/// <summary>
/// The sites the event endpoint accepts, by domain, cached for a short time so that ingestion rarely reads the database.
/// Found sites are kept one entry per active site; domains that are not sites are kept up to a bound
/// (<see cref="AnalyticsOptions.UnknownDomainsRemembered"/>), since requests may name any number of them.
/// </summary>
public sealed class SiteDirectory(IServiceScopeFactory scopes, TimeProvider time, IOptions<AnalyticsOptions> options)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, (SiteInfo Site, DateTimeOffset Until)> _sites = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _unknown = new(StringComparer.Ordinal);
    private readonly int _unknownCapacity = options.Value.UnknownDomainsRemembered;
    private readonly Lock _unknownAdding = new();
    private DateTimeOffset _nextSweep;

    public sealed record SiteInfo(int Id, string Domain, string TimeZone);

    /// <summary>Domains cached now: sites found, and domains known not to be sites.</summary>
    internal (int Sites, int Unknown) Cached => (_sites.Count, _unknown.Count);

    /// <summary>The first of <paramref name="domains"/> that is an active site (a "www." prefix is ignored).</summary>
    public async ValueTask<SiteInfo?> FindAsync(IReadOnlyList<string> domains, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(domains);
        foreach (var raw in domains)
        {
            // A domain as the cache holds it is its own normal form (lower-case ASCII, no trailing dot, no "www."):
            // the usual event names its site exactly so, and skips the parsing.
            var domain = raw is not null && !raw.StartsWith("www.", StringComparison.Ordinal) && _sites.ContainsKey(raw) ? raw : Normalize(raw);
            if (domain is not null && await LookUpAsync(domain, ct) is { } site)
            {
                return site;
            }
        }

        return null;
    }

    /// <summary>Drops a domain from the cache at once (a site added, archived or renamed on this node).</summary>
    public void Forget(string domain)
    {
        _sites.TryRemove(domain, out _);
        _unknown.TryRemove(domain, out _);
    }

    private async ValueTask<SiteInfo?> LookUpAsync(string domain, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var isSite = _sites.TryGetValue(domain, out var found);
        if (isSite && found.Until >= now)
        {
            return found.Site;
        }

        var unknownUntil = DateTimeOffset.MinValue;
        var isUnknown = !isSite && _unknown.TryGetValue(domain, out unknownUntil);
        if (isUnknown && unknownUntil >= now)
        {
            return null;
        }

        SiteInfo? site;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            site = await db.Sites.AsNoTracking()
                .Where(s => s.Domain == domain && s.ArchivedAt == null)
                .Select(s => new SiteInfo(s.Id, s.Domain, s.TimeZone))
                .SingleOrDefaultAsync(ct);
        }
        catch (Exception e) when ((isSite || isUnknown) && DatabaseFailure.IsDatabaseError(e))
        {
            // The database is unavailable: what was true a moment ago still is, and ingestion goes on (issue 3, point 7).
            // Asked again after another lifetime, so that not every event waits for a failing query. A domain never
            // looked up has no answer to fall back on: the error reaches the endpoint, which asks the client to retry.
            site = found.Site;
        }

        Remember(domain, site, now);
        return site;
    }

    private void Remember(string domain, SiteInfo? site, DateTimeOffset now)
    {
        if (site is not null)
        {
            _sites[domain] = (site, now + Lifetime);
            _unknown.TryRemove(domain, out _);
            return;
        }

        _sites.TryRemove(domain, out _);
        lock (_unknownAdding)
        {
            if (_unknown.Count >= _unknownCapacity && !_unknown.ContainsKey(domain))
            {
                // Full: drop what has expired, at most once a lifetime so that a flood does not sweep on every request.
                // If it is still full, this domain is not remembered: it costs a query each time, never memory.
                if (now < _nextSweep)
                {
                    return;
                }

                _nextSweep = now + Lifetime;
                foreach (var (key, until) in _unknown)
                {
                    if (until < now)
                    {
                        _unknown.TryRemove(key, out _);
                    }
                }

                if (_unknown.Count >= _unknownCapacity)
                {
                    return;
                }
            }

            _unknown[domain] = now + Lifetime;
        }
    }

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
