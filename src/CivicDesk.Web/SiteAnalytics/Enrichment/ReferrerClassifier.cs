using System.Collections.Concurrent;
using System.Globalization;

namespace CivicDesk.Web.SiteAnalytics.Enrichment;

/// <summary>Where a visit came from: the source shown on the dashboard, the referrer's host, and the UTM values.</summary>
/// <param name="Source">"Google", "Facebook", "Email", a referrer host without "www.", a utm_source value, or
/// <see cref="ReferrerClassifier.Direct"/>.</param>
/// <param name="ReferrerHost">The referrer's host in lower case Unicode (IDN decoded), or null.</param>
/// <param name="Channel">A coarse channel: Direct, Search, Social, Email, Referral or Campaign (a UTM source that
/// names no known site).</param>
internal sealed record TrafficSource(
    string Source,
    string? ReferrerHost,
    string Channel,
    string? UtmSource,
    string? UtmMedium,
    string? UtmCampaign,
    string? UtmTerm,
    string? UtmContent);

/// <summary>
/// Names the source of a visit the way Plausible does: a <c>utm_source</c> (or <c>source</c> / <c>ref</c>) in the page
/// URL wins, then the referrer's host; well-known hosts and aliases get one name ("Facebook" for facebook.com,
/// m./l./lm./web.facebook.com and fb.me; "X" for twitter.com, x.com and t.co; "Email" for webmail); other hosts are
/// shown without "www."; no referrer and no UTM, or a referral from the site itself, is "Direct / None".
/// Pure and total: malformed URLs give a direct visit, never an exception.
/// </summary>
internal static class ReferrerClassifier
{
    public const string Direct = "Direct / None";

    private const int MaxValueLength = 200;

    /// <summary>Host (or host suffix after a dot) → (source, channel). Hosts are matched on whole labels.</summary>
    private static readonly (string Host, string Source, string Channel)[] KnownHosts =
    [
        ("google", "Google", "Search"), ("bing.com", "Bing", "Search"), ("coccoc.com", "Cốc Cốc", "Search"),
        ("duckduckgo.com", "DuckDuckGo", "Search"), ("yahoo.com", "Yahoo!", "Search"), ("yandex", "Yandex", "Search"),
        ("baidu.com", "Baidu", "Search"), ("ecosia.org", "Ecosia", "Search"), ("naver.com", "Naver", "Search"),
        ("search.brave.com", "Brave", "Search"), ("qwant.com", "Qwant", "Search"), ("startpage.com", "Startpage", "Search"),
        ("facebook.com", "Facebook", "Social"), ("fb.me", "Facebook", "Social"), ("fb.com", "Facebook", "Social"),
        ("messenger.com", "Facebook", "Social"),
        ("zalo.me", "Zalo", "Social"), ("zaloapp.com", "Zalo", "Social"), ("zalo.vn", "Zalo", "Social"),
        ("tiktok.com", "TikTok", "Social"),
        ("youtube.com", "YouTube", "Social"), ("youtu.be", "YouTube", "Social"),
        ("twitter.com", "X", "Social"), ("x.com", "X", "Social"), ("t.co", "X", "Social"),
        ("instagram.com", "Instagram", "Social"), ("threads.net", "Threads", "Social"), ("threads.com", "Threads", "Social"),
        ("linkedin.com", "LinkedIn", "Social"), ("lnkd.in", "LinkedIn", "Social"), ("reddit.com", "Reddit", "Social"),
        ("pinterest.com", "Pinterest", "Social"), ("t.me", "Telegram", "Social"), ("telegram.org", "Telegram", "Social"),
        ("lotus.vn", "Lotus", "Social"),
        ("mail.google.com", "Email", "Email"), ("outlook.live.com", "Email", "Email"), ("outlook.office.com", "Email", "Email"),
        ("outlook.office365.com", "Email", "Email"), ("mail.yahoo.com", "Email", "Email"), ("mail.yandex.ru", "Email", "Email"),
        ("mail.zoho.com", "Email", "Email"), ("mail.proton.me", "Email", "Email"), ("webmail", "Email", "Email"),
        ("mail.vnpt.vn", "Email", "Email"), ("mail.gov.vn", "Email", "Email"),
    ];

    /// <summary>utm_source / source / ref values (lower case) that name a known source.</summary>
    private static readonly Dictionary<string, (string Source, string Channel)> Aliases = new(StringComparer.Ordinal)
    {
        ["google"] = ("Google", "Search"), ["bing"] = ("Bing", "Search"), ["coccoc"] = ("Cốc Cốc", "Search"),
        ["cốc cốc"] = ("Cốc Cốc", "Search"), ["coc coc"] = ("Cốc Cốc", "Search"), ["coc_coc"] = ("Cốc Cốc", "Search"),
        ["fb"] = ("Facebook", "Social"), ["facebook"] = ("Facebook", "Social"), ["facebook.com"] = ("Facebook", "Social"),
        ["zalo"] = ("Zalo", "Social"), ["tiktok"] = ("TikTok", "Social"), ["youtube"] = ("YouTube", "Social"),
        ["yt"] = ("YouTube", "Social"), ["twitter"] = ("X", "Social"), ["x"] = ("X", "Social"), ["tw"] = ("X", "Social"),
        ["ig"] = ("Instagram", "Social"), ["instagram"] = ("Instagram", "Social"), ["linkedin"] = ("LinkedIn", "Social"),
        ["telegram"] = ("Telegram", "Social"),
        ["email"] = ("Email", "Email"), ["e-mail"] = ("Email", "Email"), ["newsletter"] = ("Email", "Email"),
        ["mail"] = ("Email", "Email"), ["gmail"] = ("Email", "Email"), ["outlook"] = ("Email", "Email"),
    };

    private static readonly IdnMapping Idn = new();

    /// <summary>The sites' own hosts as <see cref="Host"/> gives them: one entry per site (the domains come from the
    /// sites, not from requests).</summary>
    private static readonly ConcurrentDictionary<string, string?> SiteHosts = new(StringComparer.Ordinal);

    /// <param name="referrer">The document.referrer the tracker sent (may be null, empty or garbage).</param>
    /// <param name="pageUrl">The page URL, whose query holds the UTM parameters.</param>
    /// <param name="siteHost">The site's own host: a referrer from it (or a sub-domain) is no source.</param>
    public static TrafficSource Classify(string? referrer, string? pageUrl, string? siteHost)
    {
        var query = Query(pageUrl);
        var utmSource = Value(query, "utm_source");
        var utmMedium = Value(query, "utm_medium");
        var utmCampaign = Value(query, "utm_campaign");
        var utmTerm = Value(query, "utm_term");
        var utmContent = Value(query, "utm_content");
        var tagged = utmSource ?? Value(query, "source") ?? Value(query, "ref");

        var referrerHost = Host(referrer);
        if (referrerHost is not null && SiteHost(siteHost) is { } self && SameSite(referrerHost, self))
        {
            referrerHost = null;
        }

        string source;
        string channel;
        if (tagged is not null)
        {
            (source, channel) = Aliases.TryGetValue(tagged.ToLowerInvariant(), out var alias) ? alias
                : Known(tagged.ToLowerInvariant()) is { } known ? known
                : (tagged, IsEmailMedium(utmMedium) ? "Email" : "Campaign");
        }
        else if (referrerHost is not null)
        {
            (source, channel) = Known(referrerHost) ?? (StripWww(referrerHost), "Referral");
        }
        else
        {
            (source, channel) = (Direct, "Direct");
        }

        return new TrafficSource(source, referrerHost, channel, utmSource, utmMedium, utmCampaign, utmTerm, utmContent);
    }

    private static (string, string)? Known(string host)
    {
        foreach (var (known, source, channel) in KnownHosts)
        {
            // "google" (no dot) matches any google.* country domain; others match the host or a sub-domain of it.
            var matches = known.Contains('.', StringComparison.Ordinal)
                ? host == known || (host.Length > known.Length && host.EndsWith(known, StringComparison.Ordinal) && host[^(known.Length + 1)] == '.')
                : HasLabel(host, known) && !host.StartsWith("mail.", StringComparison.Ordinal);
            if (matches)
            {
                return (source, channel);
            }
        }

        return null;
    }

    private static bool IsEmailMedium(string? medium) =>
        medium is not null && (medium.Equals("email", StringComparison.OrdinalIgnoreCase) || medium.Equals("e-mail", StringComparison.OrdinalIgnoreCase)
            || medium.Equals("newsletter", StringComparison.OrdinalIgnoreCase));

    private static bool SameSite(string referrerHost, string siteHost)
    {
        var a = StripWww(referrerHost);
        var b = StripWww(siteHost);
        return a == b || a.EndsWith("." + b, StringComparison.Ordinal);
    }

    private static string StripWww(string host) => host.StartsWith("www.", StringComparison.Ordinal) && host.Length > 4 ? host[4..] : host;

    private static string? SiteHost(string? siteHost) => siteHost is null ? null
        : SiteHosts.TryGetValue(siteHost, out var host) ? host
        : SiteHosts.Count < 10_000 ? SiteHosts.GetOrAdd(siteHost, HostOfDomain)
        : HostOfDomain(siteHost);

    /// <summary>The host of a site's domain (or URL) as <see cref="Host"/> gives it.</summary>
    private static string? HostOfDomain(string domain) => Host(domain.Contains("://", StringComparison.Ordinal) ? domain : "https://" + domain);

    /// <summary>Whether one of the host's dot-separated labels is <paramref name="label"/> (without splitting the host into strings).</summary>
    private static bool HasLabel(string host, string label)
    {
        foreach (var range in host.AsSpan().Split('.'))
        {
            if (host.AsSpan(range).SequenceEqual(label))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The host of an http(s) URL in lower case Unicode, or null.</summary>
    internal static string? Host(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > 4096)
        {
            return null;
        }

        return PlainHost(url) ?? ParsedHost(url);
    }

    /// <summary><see cref="Host"/> the whole way: trimmed, Android apps' referrers, <see cref="Uri"/>, IDN.</summary>
    internal static string? ParsedHost(string url)
    {
        var text = url.Trim();
        if (text.StartsWith("android-app://", StringComparison.OrdinalIgnoreCase))
        {
            // Android apps send their package as the referrer: android-app://com.google.android.gm/ is Gmail.
            var package = text["android-app://".Length..].Split('/')[0].ToLowerInvariant();
            return package switch
            {
                "com.google.android.gm" => "mail.google.com",
                "com.google.android.googlequicksearchbox" or "com.google.android.gm.lite" => "google.com",
                "com.facebook.katana" or "com.facebook.lite" or "com.facebook.orca" => "facebook.com",
                "com.zing.zalo" => "zalo.me",
                "com.zhiliaoapp.musically" or "com.ss.android.ugc.trill" => "tiktok.com",
                "com.google.android.youtube" => "youtube.com",
                "com.twitter.android" => "x.com",
                _ => package.Length > 0 ? package : null,
            };
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            return null;
        }

        var host = uri.Host.TrimEnd('.').ToLowerInvariant();
        try
        {
            // One form for an IDN host whichever way it was written (punycode or Unicode).
            return Idn.GetUnicode(host).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return host;
        }
    }

    /// <summary>
    /// The host of the most common referrer, written the way browsers send it: <c>http(s)://</c>, then a host of lower
    /// case ASCII letters, digits, hyphens and dots (no punycode, port or user), then <c>/</c>, <c>?</c>, <c>#</c> or
    /// the end. Taken from the text as it is, which is what <see cref="Uri"/> would give; anything else returns null
    /// and goes the whole way. Parsing the referrer and the site's domain as <see cref="Uri"/>s was about 7 % of the
    /// bytes the app allocated per event (allocation profile of 2026-12-02).
    /// </summary>
    internal static string? PlainHost(string url)
    {
        var span = url.AsSpan();
        int start;
        if (span.StartsWith("https://", StringComparison.Ordinal))
        {
            start = 8;
        }
        else if (span.StartsWith("http://", StringComparison.Ordinal))
        {
            start = 7;
        }
        else
        {
            return null;
        }

        var end = start;
        var labelStart = start;
        while (end < span.Length && span[end] is not ('/' or '?' or '#'))
        {
            var c = span[end];
            if (c == '.')
            {
                // No empty label, none longer than DNS allows, none beginning or ending with a hyphen.
                if (end == labelStart || end - labelStart > 63 || span[labelStart] == '-' || span[end - 1] == '-')
                {
                    return null;
                }

                labelStart = end + 1;
            }
            else if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                return null;
            }

            end++;
        }

        // The last label: not empty (a trailing dot goes the whole way), a letter first (not an address), no punycode.
        var host = span[start..end];
        if (end == labelStart || end - labelStart > 63 || span[end - 1] == '-' || !char.IsAsciiLetterLower(span[labelStart])
            || host.Length > 253 || host.Contains("xn--", StringComparison.Ordinal))
        {
            return null;
        }

        return host.ToString();
    }

    private static Dictionary<string, string>? Query(string? pageUrl)
    {
        if (string.IsNullOrEmpty(pageUrl) || pageUrl.Length > 8192)
        {
            return null;
        }

        var start = pageUrl.IndexOf('?', StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        var end = pageUrl.IndexOf('#', start);
        var query = end < 0 ? pageUrl[(start + 1)..] : pageUrl[(start + 1)..end];
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var name = Decode(pair[..eq]);
            if (name is not null && !result.ContainsKey(name) && Decode(pair[(eq + 1)..]) is { } value)
            {
                result[name] = value;
            }
        }

        return result;
    }

    private static string? Value(Dictionary<string, string>? query, string name)
    {
        if (query is null || !query.TryGetValue(name, out var value))
        {
            return null;
        }

        value = value.Trim();
        if (value.Length > MaxValueLength)
        {
            value = value[..MaxValueLength];
        }

        return value.Length == 0 ? null : value;
    }

    private static string? Decode(string text)
    {
        try
        {
            return Uri.UnescapeDataString(text.Replace('+', ' ')).Normalize(System.Text.NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
