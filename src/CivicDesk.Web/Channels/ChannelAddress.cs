using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CivicDesk.Web.Channels;

/// <summary>What a pasted URL or handle identifies: the platform, the channel's stable key on it, and a clean URL.</summary>
/// <param name="ExternalId">The key that makes a channel unique on its platform (page id or user name, channel id or
/// handle, OA id, site host and path). Case is folded where the platform folds it.</param>
public sealed record ChannelAddress(Platform Platform, string ExternalId, string? Handle, string Url);

/// <summary>
/// Recognises the platform of a pasted address and extracts the channel's identifier. Pure: it never calls the
/// network, so a short link (vm.tiktok.com, youtu.be, fb.me) cannot be followed and is refused with advice.
/// Errors are resource keys under <c>Channel.Url.*</c>.
/// </summary>
public static partial class ChannelAddressParser
{
    public const int MaxLength = 2048;

    /// <summary>The longest channel key the registry stores (a website's host and path can be long).</summary>
    public const int ExternalIdMaxLength = 300;

    private static readonly string[] FacebookReserved =
    [
        "groups", "events", "watch", "share", "sharer", "sharer.php", "photo", "photo.php", "photos", "story.php",
        "permalink.php", "login", "login.php", "help", "hashtag", "marketplace", "gaming", "reel", "reels", "videos",
        "stories", "messages", "notifications", "settings", "search", "friends", "home.php", "dialog", "plugins",
        "business", "ads", "policies", "privacy", "legal", "about", "pages", "people", "pg",
    ];

    private static readonly string[] FacebookItemPaths = ["posts", "videos", "photos", "reel", "reels", "permalink", "story", "activity"];

    private static readonly string[] OtherPlatformHosts =
    [
        "instagram.com", "twitter.com", "x.com", "threads.net", "threads.com", "linkedin.com", "t.me", "telegram.me",
        "pinterest.com", "reddit.com", "snapchat.com", "vk.com", "weibo.com", "bilibili.com", "lotus.vn",
    ];

    public static ChannelAddressResult Parse(string? input, Platform? hint = null)
    {
        var text = input?.Trim() ?? "";
        if (text.Length == 0)
        {
            return ChannelAddressResult.Error("Channel.Url.Empty");
        }

        if (text.Length > MaxLength)
        {
            return ChannelAddressResult.Error("Channel.Url.TooLong");
        }

        // One Unicode form for handles with Vietnamese letters, so that a channel typed on two keyboards is one key.
        // Text that is not valid UTF-16 (a lone surrogate) cannot be normalised and is no address.
        try
        {
            text = text.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            return ChannelAddressResult.Error("Channel.Url.Malformed");
        }

        if (text.StartsWith('@') || (hint is not null and not Platform.Website && !text.Contains('/', StringComparison.Ordinal) && !text.Contains('.', StringComparison.Ordinal)))
        {
            return ParseBareHandle(text.TrimStart('@'), hint);
        }

        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "https://" + text;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.UserInfo.Length > 0 || string.IsNullOrEmpty(uri.Host) || text.Any(char.IsWhiteSpace))
        {
            return ChannelAddressResult.Error("Channel.Url.Malformed");
        }

        var host = uri.IdnHost.ToLowerInvariant().TrimEnd('.');
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => Uri.UnescapeDataString(s).Normalize(NormalizationForm.FormC))
            .ToArray();
        var query = ParseQuery(uri.Query);

        var result = host switch
        {
            _ when IsHost(host, "facebook.com") || IsHost(host, "fb.com") => Facebook(host, segments, query),
            "fb.me" or "fb.watch" => ChannelAddressResult.Error("Channel.Url.ShortLink"),
            _ when IsHost(host, "youtube.com") => YouTube(segments, query),
            "youtu.be" => ChannelAddressResult.Error("Channel.Url.YouTubeVideo"),
            "vm.tiktok.com" or "vt.tiktok.com" => ChannelAddressResult.Error("Channel.Url.ShortLink"),
            _ when IsHost(host, "tiktok.com") => TikTok(segments),
            "zalo.me" or "www.zalo.me" or "oa.zalo.me" => Zalo(segments, query),
            _ when IsHost(host, "zalo.me") => ChannelAddressResult.Error("Channel.Url.UnknownPlatform"),
            _ when OtherPlatformHosts.Any(h => IsHost(host, h)) => ChannelAddressResult.Error("Channel.Url.UnknownPlatform"),
            _ => Website(uri, host),
        };

        if (result.Address is { } address && hint is { } expected && address.Platform != expected)
        {
            return ChannelAddressResult.Error("Channel.Url.PlatformMismatch");
        }

        return result;
    }

    private static bool IsHost(string host, string domain) =>
        host == domain || host.EndsWith("." + domain, StringComparison.Ordinal);

    private static ChannelAddressResult ParseBareHandle(string handle, Platform? hint)
    {
        switch (hint)
        {
            case null:
                return ChannelAddressResult.Error("Channel.Url.NeedPlatform");
            case Platform.YouTube:
                return YouTubeHandle(handle);
            case Platform.TikTok:
                return TikTokUser(handle);
            case Platform.Facebook:
                return FacebookName(handle);
            case Platform.Zalo:
                return ZaloId(handle);
            default:
                return ChannelAddressResult.Error("Channel.Url.Malformed");
        }
    }

    private static ChannelAddressResult Facebook(string host, string[] segments, Dictionary<string, string> query)
    {
        if (segments.Length == 0)
        {
            return ChannelAddressResult.Error("Channel.Url.FacebookNotAPage");
        }

        var first = segments[0].ToLowerInvariant();
        if (first == "profile.php")
        {
            return query.TryGetValue("id", out var id) && NumericId().IsMatch(id)
                ? FacebookId(id)
                : ChannelAddressResult.Error("Channel.Url.FacebookNotAPage");
        }

        // facebook.com/pages/Name/123456, facebook.com/people/Name/123456, facebook.com/p/Name-123456
        if (first is "pages" or "people" && segments.Length >= 3 && NumericId().IsMatch(segments[2]))
        {
            return FacebookId(segments[2]);
        }

        if (first == "p" && segments.Length >= 2 && TrailingId().Match(segments[1]) is { Success: true } p)
        {
            return FacebookId(p.Groups["id"].Value);
        }

        if (first == "pg" && segments.Length >= 2)
        {
            return FacebookName(segments[1]);
        }

        // Scripts (l.php, photo.php, story.php…) are never pages, nor is one post, video or photo of a page
        // (facebook.com/Page/posts/…); a page's tab (facebook.com/Page/about, /Page/videos) is the page.
        if (FacebookReserved.Contains(first) || first.EndsWith(".php", StringComparison.Ordinal)
            || host.StartsWith("developers.", StringComparison.Ordinal)
            || (segments.Length >= 3 && FacebookItemPaths.Contains(segments[1].ToLowerInvariant())))
        {
            return ChannelAddressResult.Error("Channel.Url.FacebookNotAPage");
        }

        if (NumericId().IsMatch(segments[0]))
        {
            return FacebookId(segments[0]);
        }

        // Old vanity form: facebook.com/Page-Name-123456789012345
        if (segments[0].Contains('-', StringComparison.Ordinal) && TrailingId().Match(segments[0]) is { Success: true } old)
        {
            return FacebookId(old.Groups["id"].Value);
        }

        return FacebookName(segments[0]);
    }

    private static ChannelAddressResult FacebookId(string id) =>
        ChannelAddressResult.Ok(new ChannelAddress(Platform.Facebook, id, null, $"https://www.facebook.com/profile.php?id={id}"));

    private static ChannelAddressResult FacebookName(string name)
    {
        if (!FacebookUserName().IsMatch(name))
        {
            return ChannelAddressResult.Error("Channel.Url.InvalidHandle");
        }

        var key = name.ToLowerInvariant();
        return ChannelAddressResult.Ok(new ChannelAddress(Platform.Facebook, key, name, $"https://www.facebook.com/{name}"));
    }

    private static ChannelAddressResult YouTube(string[] segments, Dictionary<string, string> query)
    {
        if (segments.Length == 0)
        {
            return ChannelAddressResult.Error("Channel.Url.YouTubeNotAChannel");
        }

        var first = segments[0];
        if (first.StartsWith('@'))
        {
            return YouTubeHandle(first[1..]);
        }

        switch (first.ToLowerInvariant())
        {
            case "channel" when segments.Length >= 2:
                return YouTubeChannelId().IsMatch(segments[1])
                    ? ChannelAddressResult.Ok(new ChannelAddress(Platform.YouTube, segments[1], null, $"https://www.youtube.com/channel/{segments[1]}"))
                    : ChannelAddressResult.Error("Channel.Url.InvalidHandle");
            case "c" or "user" when segments.Length >= 2:
                // Legacy custom and user URLs: kept as they are, since they cannot be mapped to a channel id offline.
                var kind = first.ToLowerInvariant();
                return YouTubeLegacyName().IsMatch(segments[1])
                    ? ChannelAddressResult.Ok(new ChannelAddress(Platform.YouTube, $"{kind}/{segments[1].ToLowerInvariant()}", segments[1], $"https://www.youtube.com/{kind}/{segments[1]}"))
                    : ChannelAddressResult.Error("Channel.Url.InvalidHandle");
            case "watch" or "shorts" or "live" or "embed" or "playlist" or "results" or "feed":
                return ChannelAddressResult.Error(query.ContainsKey("v") || first is "shorts" or "live" or "embed"
                    ? "Channel.Url.YouTubeVideo"
                    : "Channel.Url.YouTubeNotAChannel");
            default:
                return ChannelAddressResult.Error("Channel.Url.YouTubeNotAChannel");
        }
    }

    private static ChannelAddressResult YouTubeHandle(string handle)
    {
        if (!YouTubeHandlePattern().IsMatch(handle))
        {
            return ChannelAddressResult.Error("Channel.Url.InvalidHandle");
        }

        var key = "@" + handle.ToLower(CultureInfo.InvariantCulture);
        return ChannelAddressResult.Ok(new ChannelAddress(Platform.YouTube, key, "@" + handle, $"https://www.youtube.com/@{Uri.EscapeDataString(handle)}"));
    }

    private static ChannelAddressResult TikTok(string[] segments)
    {
        if (segments.Length >= 2 && segments[0] == "t")
        {
            return ChannelAddressResult.Error("Channel.Url.ShortLink");
        }

        if (segments.Length == 0 || !segments[0].StartsWith('@'))
        {
            return ChannelAddressResult.Error("Channel.Url.TikTokNotAnAccount");
        }

        return TikTokUser(segments[0][1..]);
    }

    private static ChannelAddressResult TikTokUser(string user)
    {
        if (!TikTokUserName().IsMatch(user))
        {
            return ChannelAddressResult.Error("Channel.Url.InvalidHandle");
        }

        var key = user.ToLowerInvariant();
        return ChannelAddressResult.Ok(new ChannelAddress(Platform.TikTok, key, "@" + user, $"https://www.tiktok.com/@{user}"));
    }

    private static ChannelAddressResult Zalo(string[] segments, Dictionary<string, string> query)
    {
        foreach (var key in new[] { "oa_id", "oaid", "id" })
        {
            if (query.TryGetValue(key, out var value))
            {
                return ZaloId(value);
            }
        }

        // A phone number may be written +84…: it must still be recognised as a personal account.
        var candidate = segments.FirstOrDefault(s => s.TrimStart('+').Length > 0 && s.TrimStart('+').All(char.IsAsciiDigit));
        return candidate is null ? ChannelAddressResult.Error("Channel.Url.ZaloNotAnOa") : ZaloId(candidate);
    }

    private static ChannelAddressResult ZaloId(string id)
    {
        // zalo.me/0912345678 is a person's phone number, not an Official Account: CivicDesk keeps no personal accounts.
        if (VietnamesePhone().IsMatch(id))
        {
            return ChannelAddressResult.Error("Channel.Url.ZaloPersonal");
        }

        return ZaloOaId().IsMatch(id)
            ? ChannelAddressResult.Ok(new ChannelAddress(Platform.Zalo, id, null, $"https://zalo.me/{id}"))
            : ChannelAddressResult.Error("Channel.Url.ZaloNotAnOa");
    }

    private static ChannelAddressResult Website(Uri uri, string host)
    {
        if (uri.HostNameType != UriHostNameType.Dns || !host.Contains('.', StringComparison.Ordinal) || !DomainName().IsMatch(host))
        {
            return ChannelAddressResult.Error("Channel.Url.Malformed");
        }

        var bareHost = host.StartsWith("www.", StringComparison.Ordinal) ? host[4..] : host;
        var path = uri.AbsolutePath.TrimEnd('/');
        var key = bareHost + (uri.IsDefaultPort ? "" : ":" + uri.Port.ToString(CultureInfo.InvariantCulture)) + path.ToLowerInvariant();
        if (key.Length > ExternalIdMaxLength)
        {
            return ChannelAddressResult.Error("Channel.Url.WebsiteTooLong");
        }

        var url = $"{uri.Scheme}://{host}{(uri.IsDefaultPort ? "" : ":" + uri.Port.ToString(CultureInfo.InvariantCulture))}{(path.Length == 0 ? "/" : path)}";
        return ChannelAddressResult.Ok(new ChannelAddress(Platform.Website, key, null, url));
    }

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            result.TryAdd(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1].Replace('+', ' ')) : "");
        }

        return result;
    }

    [GeneratedRegex(@"^\d{5,20}$")]
    private static partial Regex NumericId();

    [GeneratedRegex(@"-(?<id>\d{10,20})$")]
    private static partial Regex TrailingId();

    [GeneratedRegex(@"^[A-Za-z0-9.]{5,50}$")]
    private static partial Regex FacebookUserName();

    [GeneratedRegex(@"^UC[A-Za-z0-9_-]{22}$")]
    private static partial Regex YouTubeChannelId();

    [GeneratedRegex(@"^[\p{L}\p{M}\p{N}._-]{3,30}$")]
    private static partial Regex YouTubeHandlePattern();

    [GeneratedRegex(@"^[\p{L}\p{M}\p{N}._-]{1,100}$")]
    private static partial Regex YouTubeLegacyName();

    [GeneratedRegex(@"^[A-Za-z0-9._]{2,24}$")]
    private static partial Regex TikTokUserName();

    [GeneratedRegex(@"^\d{6,20}$")]
    private static partial Regex ZaloOaId();

    [GeneratedRegex(@"^(0|84|\+84)(3|5|7|8|9)\d{8}$")]
    private static partial Regex VietnamesePhone();

    [GeneratedRegex(@"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")]
    private static partial Regex DomainName();
}

/// <summary>Either an address or the resource key of the reason it was refused.</summary>
public sealed record ChannelAddressResult(ChannelAddress? Address, string? ErrorKey)
{
    public static ChannelAddressResult Ok(ChannelAddress address) => new(address, null);

    public static ChannelAddressResult Error(string key) => new(null, key);
}
