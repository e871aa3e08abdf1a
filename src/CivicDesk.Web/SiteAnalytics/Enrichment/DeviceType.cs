namespace CivicDesk.Web.SiteAnalytics.Enrichment;

/// <summary>
/// The kind of device, from the user agent alone (uap-core names devices, not kinds). The tracker may later refine
/// it with the screen width, as Plausible does; this is the answer when no width is sent.
/// </summary>
public enum DeviceType
{
    /// <summary>Nothing says what it is: TVs, consoles, watches, libraries and unknown strings.</summary>
    Other = 0,
    Desktop,
    Mobile,
    Tablet,
    /// <summary>uap-core's device family "Spider": crawlers that the bot detector did not already drop.</summary>
    Bot,
}

/// <summary>
/// The rules, in order, first match wins:
/// 1. device family "Spider" → Bot;
/// 2. iPad, Kindle/Silk, PlayBook, a "Tablet" token, or Android without the "Mobile" token (Google's advice to
///    tablet makers) → Tablet;
/// 3. iPhone/iPod, a "Mobile"/"Mobi" token, or a mobile OS (Android, iOS, Windows Phone, BlackBerry, KaiOS, Symbian,
///    Tizen, Firefox OS, Sailfish…) or a generic feature phone or smartphone device → Mobile;
/// 4. TVs, consoles and watches → Other;
/// 5. a desktop OS (Windows, Mac OS X / macOS, Linux distributions, Chrome OS, the BSDs, Solaris) → Desktop;
/// 6. anything else → Other.
/// </summary>
internal static class DeviceTypes
{
    private static readonly string[] MobileOs =
    [
        "Android", "iOS", "Windows Phone", "Windows Mobile", "BlackBerry OS", "BlackBerry Tablet OS", "KaiOS", "Symbian OS",
        "Symbian^3", "Tizen", "Firefox OS", "Sailfish", "webOS", "Bada", "MeeGo", "Maemo", "Brew MP", "Brew",
        "HarmonyOS", "Java ME", "Ubuntu Touch", "Windows CE", "Nokia Series 40", "Nokia Series 30 Plus",
    ];

    private static readonly string[] DesktopOs =
    [
        "Windows", "Mac OS X", "Mac OS", "macOS", "Linux", "Ubuntu", "Debian", "Fedora", "Red Hat", "CentOS", "Mint",
        "Gentoo", "Slackware", "SUSE", "openSUSE", "Arch Linux", "Mandriva", "Kubuntu", "Xubuntu", "Chrome OS",
        "Chromecast", "FreeBSD", "OpenBSD", "NetBSD", "Solaris", "SunOS", "BeOS", "Haiku", "OS/2",
    ];

    private static readonly string[] OtherDevices = ["TV", "PlayStation", "Xbox", "Nintendo", "Watch", "Glass", "Oculus", "Quest"];

    public static DeviceType Classify(string userAgent, OsInfo os, DeviceInfo device)
    {
        var family = device.Family;
        if (family == "Spider")
        {
            return DeviceType.Bot;
        }

        if (family.Contains("iPad", StringComparison.Ordinal) || family.StartsWith("Kindle", StringComparison.Ordinal)
            || Has(userAgent, "Silk/") || Has(userAgent, "PlayBook") || Has(userAgent, "Tablet")
            || (os.Family == "Android" && !Has(userAgent, "Mobile")))
        {
            return DeviceType.Tablet;
        }

        if (OtherDevices.Any(d => family.Contains(d, StringComparison.Ordinal)) || Has(userAgent, "SmartTV") || Has(userAgent, "SMART-TV"))
        {
            return DeviceType.Other;
        }

        if (family.StartsWith("iPhone", StringComparison.Ordinal) || family.StartsWith("iPod", StringComparison.Ordinal)
            || family.StartsWith("Generic Feature Phone", StringComparison.Ordinal) || family.StartsWith("Generic Smartphone", StringComparison.Ordinal)
            || Has(userAgent, "Mobi") || MobileOs.Any(o => os.Family.StartsWith(o, StringComparison.Ordinal)))
        {
            return DeviceType.Mobile;
        }

        return DesktopOs.Any(o => os.Family.StartsWith(o, StringComparison.Ordinal)) ? DeviceType.Desktop : DeviceType.Other;
    }

    private static bool Has(string userAgent, string token) => userAgent.Contains(token, StringComparison.Ordinal);
}
