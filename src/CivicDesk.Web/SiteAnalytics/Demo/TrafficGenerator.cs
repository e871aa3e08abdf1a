using System.Text.Json;
using CivicDesk.Web.SiteAnalytics.Ingestion;

namespace CivicDesk.Web.SiteAnalytics.Demo;

/// <summary>
/// Generated traffic shaped like a Vietnamese government portal's, for the demo site and the dashboard benchmark.
/// Events come out as the event endpoint would have queued them — enriched and with daily visitor ids, in
/// chronological order — so that the real writer stores them and builds visits and rollups exactly as it does live.
/// The shapes: about 70 % mobile (Facebook's and Zalo's in-app browsers for visits from those apps); mostly Vietnam;
/// Google, Cốc Cốc, Facebook, Zalo, YouTube, direct, news and government referrals and a few UTM campaigns; ~420
/// pages (/tin-tuc/…, /van-ban/…, /thu-tuc-hanh-chinh/…) visited with Zipf popularity; visits of 1–8 pageviews a
/// few minutes apart, ~55 % bounces; file downloads and outbound clicks; office-hour days, quieter weekends and
/// holidays; and one day that goes viral on Facebook at about 8× a normal day.
/// A daily visitor id is a random number per simulated visitor and local day, as real ids are daily salted hashes.
/// The same plan (seed included) gives the same events.
/// </summary>
public sealed class TrafficGenerator
{
    public const string Pageview = "pageview";
    public const string FileDownload = "File Download";
    public const string OutboundLink = "Outbound Link: Click";
    private const string Direct = "Direct / None";

    /// <summary>A viral day has this many times the visits of the same day without the post that went viral.</summary>
    private const int ViralFactor = 8;

    /// <summary>Share of visits by someone who already came earlier the same day (same daily id, device and country).</summary>
    private const double ReturningShare = 0.14;

    private static readonly JsonSerializerOptions PropsJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Local weekday rhythm, Sunday first.</summary>
    private static readonly double[] Weekdays = [0.44, 1.00, 1.04, 1.02, 0.98, 0.90, 0.50];

    /// <summary>Local hours of a working day: office hours, a lunch dip, a little in the evening.</summary>
    private static readonly Weighted<int> WorkdayHours = Hours([0.8, 0.5, 0.35, 0.3, 0.4, 0.9, 2.0, 3.6, 6.2, 7.4, 7.2, 6.3, 4.2, 4.6, 6.6, 7.0, 6.2, 4.6, 3.4, 3.8, 4.2, 3.9, 2.8, 1.6]);

    /// <summary>Local hours of a weekend or holiday: flatter, later, with an evening peak.</summary>
    private static readonly Weighted<int> RestDayHours = Hours([1.2, 0.7, 0.5, 0.4, 0.4, 0.7, 1.4, 2.4, 3.6, 4.4, 4.8, 4.6, 4.2, 4.0, 4.2, 4.3, 4.2, 4.0, 3.8, 4.5, 5.0, 4.6, 3.4, 2.0]);

    /// <summary>Local hours of the extra visits on the viral day: shared in the late morning, again in the evening.</summary>
    private static readonly Weighted<int> ViralHours = Hours([0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 2, 4, 7, 9, 9, 8, 7, 6, 5, 5, 6, 8, 9, 8, 5, 2]);

    private static readonly Weighted<Origin> Origins = new(
    [
        (new("Google", "www.google.com.vn"), 20), (new("Google", "www.google.com"), 13),
        (new(Direct, null), 22),
        (new("Facebook", "m.facebook.com"), 6.3), (new("Facebook", "l.facebook.com"), 4.9), (new("Facebook", "facebook.com"), 2.8),
        (new("Zalo", "zalo.me"), 9),
        (new("Cốc Cốc", "coccoc.com"), 7),
        (new("YouTube", "www.youtube.com"), 1.2), (new("YouTube", "m.youtube.com"), 0.8),
        (new("Bing", "www.bing.com"), 1),
        (new("dichvucong.gov.vn", "dichvucong.gov.vn"), 2.1), (new("baochinhphu.vn", "baochinhphu.vn"), 1), (new("chinhphu.vn", "chinhphu.vn"), 1),
        (new("vnexpress.net", "vnexpress.net"), 0.7), (new("baomoi.com", "baomoi.com"), 0.7), (new("tuoitre.vn", "tuoitre.vn"), 0.5),
        (new("thanhnien.vn", "thanhnien.vn"), 0.5), (new("vietnamnet.vn", "vietnamnet.vn"), 0.5),
        (new("Zalo", null, "zalo", "oa", "dich-vu-cong-truc-tuyen"), 2),
        (new("Facebook", "l.facebook.com", "facebook", "social", "chuyen-doi-so-2026"), 1.25),
        (new("Email", null, "newsletter", "email", "ban-tin-thang"), 0.75),
        (new("sms", null, "sms", "sms", "nhac-lich-tiem-chung"), 0.5),
        (new("qr", null, "qr", "poster", "bo-phan-mot-cua"), 0.5),
    ]);

    /// <summary>Where the viral day's extra visits come from: the post was shared on Facebook, then on Zalo.</summary>
    private static readonly Weighted<Origin> ViralOrigins = new(
    [
        (new("Facebook", "m.facebook.com"), 45), (new("Facebook", "l.facebook.com"), 25), (new("Facebook", "facebook.com"), 12),
        (new("Zalo", "zalo.me"), 10), (new(Direct, null), 5), (new("Google", "www.google.com.vn"), 3),
    ]);

    private static readonly Weighted<string> Devices = new([("Mobile", 64), ("Desktop", 33), ("Tablet", 3)]);

    /// <summary>Devices of visits from the Facebook and Zalo apps.</summary>
    private static readonly Weighted<string> AppDevices = new([("Mobile", 90), ("Desktop", 8), ("Tablet", 2)]);

    private static readonly Weighted<string> AndroidVersions = new([("14", 30), ("13", 25), ("12", 15), ("15", 12), ("11", 10), ("10", 8)]);
    private static readonly Weighted<string> IosVersions = new([("18.1", 25), ("17.6", 25), ("18.0", 15), ("17.5", 10), ("16.7", 15), ("15.8", 10)]);
    private static readonly Weighted<string> ChromeVersions = new([("131.0", 40), ("130.0", 30), ("129.0", 15), ("128.0", 10), ("109.0", 5)]);

    private static readonly Weighted<(string Browser, Weighted<string>? Versions)> AndroidBrowsers = new(
    [
        (("Chrome Mobile", ChromeVersions), 62), (("Samsung Internet", new([("26.0", 50), ("25.0", 35), ("24.0", 15)])), 14),
        (("Coc Coc", new([("134.0", 60), ("133.0", 40)])), 12), (("Chrome Mobile WebView", ChromeVersions), 5),
        (("Opera Mobile", new([("86.0", 100)])), 3), (("Firefox Mobile", new([("132.0", 100)])), 2),
    ]);

    private static readonly Weighted<(string Os, Weighted<string>? Versions)> DesktopSystems = new(
    [
        (("Windows", new([("10", 90), ("7", 6), ("8.1", 4)])), 82), (("Mac OS X", new([("10.15", 100)])), 12),
        (("Linux", null), 3), (("Ubuntu", null), 2), (("Chrome OS", null), 1),
    ]);

    private static readonly Weighted<(string Browser, Weighted<string>? Versions)> WindowsBrowsers = new(
    [
        (("Chrome", ChromeVersions), 52), (("Coc Coc", new([("134.0", 60), ("133.0", 40)])), 24), (("Edge", new([("131.0", 70), ("130.0", 30)])), 14),
        (("Firefox", new([("133.0", 60), ("132.0", 40)])), 6), (("Opera", new([("114.0", 100)])), 4),
    ]);

    private static readonly Weighted<(string Browser, Weighted<string>? Versions)> MacBrowsers = new(
    [
        (("Safari", new([("18.1", 55), ("17.6", 45)])), 50), (("Chrome", ChromeVersions), 40), (("Coc Coc", new([("134.0", 100)])), 5),
        (("Firefox", new([("133.0", 100)])), 5),
    ]);

    private static readonly Weighted<string?> Countries = new(
    [
        ("VN", 93.5), ("US", 1.8), ("JP", 1.0), ("KR", 0.9), ("AU", 0.4), ("SG", 0.4), ("TW", 0.35), ("DE", 0.35), ("FR", 0.3),
        ("GB", 0.25), ("CA", 0.25), ("CN", 0.2), ("TH", 0.2), ("LA", 0.15), ("KH", 0.15), ("RU", 0.1), (null, 0.3),
    ]);

    /// <summary>Pageviews of a visit that goes past its landing page.</summary>
    private static readonly Weighted<int> Lengths = new([(2, 34), (3, 23), (4, 16), (5, 11), (6, 7), (7, 5), (8, 4)]);

    /// <summary>Fixed-date public holidays (New Year, Reunification Day, Labour Day, National Day): a quiet day.</summary>
    private static readonly (int Month, int Day)[] Holidays = [(1, 1), (4, 30), (5, 1), (9, 1), (9, 2)];

    private readonly TrafficPlan _plan;
    private readonly IReadOnlyList<string> _pages;
    private readonly Weighted<string> _popularity;
    private readonly double[] _visits;

    public TrafficGenerator(TrafficPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentOutOfRangeException.ThrowIfLessThan(plan.Days, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(plan.TargetEvents);
        _plan = plan;
        var rng = new Random(plan.Seed);
        (_pages, ViralPage) = Catalogue(rng);
        // Zipf: the page of rank r gets 1/r^1.05 of the visits; the viral article is last, rarely seen on other days.
        _popularity = new Weighted<string>(_pages.Select((page, i) => (page, 1 / Math.Pow(i + 1, 1.05))));
        ViralDay = plan.ViralDay ?? DefaultViralDay(plan);

        var factors = new double[plan.Days];
        for (var d = 0; d < plan.Days; d++)
        {
            var day = plan.FirstDay.AddDays(d);
            var trend = 0.92 + (0.16 * d / Math.Max(1, plan.Days - 1));
            factors[d] = (IsRestDay(day) && day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) ? 0.5 : Weekdays[(int)day.DayOfWeek])
                * trend * (0.9 + (0.2 * rng.NextDouble()));
        }

        var weight = factors.Sum() + (ViralDay < plan.Days ? (ViralFactor - 1) * factors[ViralDay] : 0);
        var perVisit = EventsPerVisit(plan.Seed);
        _visits = [.. factors.Select(f => plan.TargetEvents / perVisit / weight * f)];
    }

    /// <summary>The pages of the site, most visited first.</summary>
    public IReadOnlyList<string> Pages => _pages;

    /// <summary>The day (from the plan's first) that goes viral.</summary>
    public int ViralDay { get; }

    /// <summary>The news article that goes viral on that day.</summary>
    public string ViralPage { get; }

    /// <summary>The plan's events, day by day, in chronological order.</summary>
    public IEnumerable<PendingEvent> Events()
    {
        var rng = new Random(unchecked((_plan.Seed * 31) + 1));
        var until = _plan.Until ?? DateTime.MaxValue;
        for (var d = 0; d < _plan.Days; d++)
        {
            var date = _plan.FirstDay.AddDays(d);
            var start = Utc(date);
            if (start >= until)
            {
                yield break;
            }

            var next = Utc(date.AddDays(1));
            var end = next < until ? next : until;
            var day = new List<PendingEvent>();
            var visitors = new List<Visitor>();
            var hours = IsRestDay(date) ? RestDayHours : WorkdayHours;
            for (var i = (int)Math.Round(_visits[d]); i > 0; i--)
            {
                AddVisit(day, rng, visitors, Origins.Pick(rng), At(rng, start, hours), end, viral: false);
            }

            if (d == ViralDay)
            {
                for (var i = (int)Math.Round((ViralFactor - 1) * _visits[d]); i > 0; i--)
                {
                    AddVisit(day, rng, visitors, ViralOrigins.Pick(rng), At(rng, start, ViralHours), end, viral: true);
                }
            }

            foreach (var e in day.OrderBy(e => e.Timestamp))
            {
                yield return e;
            }
        }
    }

    private sealed record Origin(string Source, string? ReferrerHost, string? UtmSource = null, string? UtmMedium = null, string? UtmCampaign = null);

    private sealed record Visitor(long Id, string Device, string Os, string? OsVersion, string Browser, string? BrowserVersion, string? Country);

    /// <summary>Adds one visit's events (cut at <paramref name="end"/>) to the day, by a new or returning visitor.</summary>
    private void AddVisit(List<PendingEvent> day, Random rng, List<Visitor> visitors, Origin origin, DateTime start, DateTime end, bool viral)
    {
        var fromApp = origin.UtmSource is null && origin.Source is "Facebook" or "Zalo";
        var visitor = PickVisitor(rng, visitors, fromApp);
        var browser = visitor.Browser;
        var version = visitor.BrowserVersion;
        if (fromApp && visitor.Device != "Desktop" && rng.NextDouble() < 0.8)
        {
            // Links opened inside the Facebook and Zalo apps open in their in-app browsers; uap-core names Zalo's
            // only as the system web view, so that is what the dashboard shows for it, as it would live.
            (browser, version) = origin.Source == "Facebook" ? ("Facebook", $"{rng.Next(480, 490)}.0")
                : visitor.Os == "iOS" ? ("Mobile Safari UI/WKWebView", null) : ("Chrome Mobile WebView", ChromeVersions.Pick(rng));
        }

        // Later pages are reached from the site itself: the tracker reports no outside referrer for them.
        var landing = Enrich(visitor, browser, version, origin);
        var inside = Enrich(visitor, browser, version, new Origin(Direct, null));
        var pageviews = rng.NextDouble() < (viral ? 0.72 : 0.58) ? 1 : Lengths.Pick(rng);
        var at = start;
        var page = "";
        for (var i = 0; i < pageviews && at < end; i++)
        {
            page = i == 0 && viral && rng.NextDouble() < 0.75 ? ViralPage : Next(rng, page);
            var enrichment = i == 0 ? landing : inside;
            day.Add(Event(rng, Pageview, at, page, visitor.Id, enrichment, "{}"));
            var gap = 20 + (Math.Pow(rng.NextDouble(), 2) * 280);
            if (Goal(rng, page) is var (name, props))
            {
                var goalAt = at.AddSeconds(2 + (rng.NextDouble() * (gap - 4)));
                if (goalAt < end)
                {
                    day.Add(Event(rng, name, goalAt, page, visitor.Id, enrichment, props));
                }
            }

            at = at.AddSeconds(gap);
        }
    }

    /// <summary>A page other than the one just seen, by popularity.</summary>
    private string Next(Random rng, string current)
    {
        var page = _popularity.Pick(rng);
        return page == current ? _popularity.Pick(rng) : page;
    }

    /// <summary>What a visitor may do on a page besides reading it: download the document or form, follow a link out.</summary>
    private (string Name, string Props)? Goal(Random rng, string page)
    {
        var chance = rng.NextDouble();
        var host = _plan.Hostname;
        if (page.StartsWith("/van-ban/", StringComparison.Ordinal) && chance < 0.25)
        {
            return (FileDownload, Props($"https://{host}/uploads/van-ban/{page["/van-ban/".Length..]}.pdf", page));
        }

        if (page.StartsWith("/thu-tuc-hanh-chinh/", StringComparison.Ordinal))
        {
            return chance < 0.18 ? (FileDownload, Props($"https://{host}/uploads/bieu-mau/{page["/thu-tuc-hanh-chinh/".Length..]}.docx", page))
                : chance < 0.40 ? (OutboundLink, Props($"https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc={1_000_000 + (page.Length * 7919 % 90_000)}", page))
                : null;
        }

        if (page.StartsWith("/tin-tuc/", StringComparison.Ordinal) && chance < 0.02)
        {
            return (OutboundLink, Props(rng.NextDouble() < 0.5 ? "https://baochinhphu.vn/" : "https://www.youtube.com/@truyenhinhsonglam", page));
        }

        return page == "/lien-he" && chance < 0.10 ? (OutboundLink, Props("https://zalo.me/1876543210987654321", page)) : null;
    }

    private static string Props(string url, string path) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["url"] = url, ["path"] = path }, PropsJson);

    private PendingEvent Event(Random rng, string name, DateTime at, string page, long visitorId, EventEnrichment enrichment, string props) => new()
    {
        EventId = EventIds.Version7(at, rng),
        SiteId = _plan.SiteId,
        Timestamp = at,
        Name = name,
        Hostname = _plan.Hostname,
        Pathname = page,
        VisitorId = visitorId,
        Enrichment = enrichment,
        Props = props,
    };

    private static EventEnrichment Enrich(Visitor visitor, string browser, string? browserVersion, Origin origin) => new()
    {
        Browser = browser,
        BrowserVersion = browserVersion,
        Os = visitor.Os,
        OsVersion = visitor.OsVersion,
        Device = visitor.Device,
        Country = visitor.Country,
        Source = origin.Source,
        ReferrerHost = origin.ReferrerHost,
        UtmSource = origin.UtmSource,
        UtmMedium = origin.UtmMedium,
        UtmCampaign = origin.UtmCampaign,
    };

    /// <summary>Someone who came earlier today (same daily id) or a new visitor with a device, browser and country.</summary>
    private static Visitor PickVisitor(Random rng, List<Visitor> today, bool fromApp)
    {
        if (today.Count > 0 && rng.NextDouble() < ReturningShare)
        {
            return today[rng.Next(today.Count)];
        }

        var device = (fromApp ? AppDevices : Devices).Pick(rng);
        string os;
        string? osVersion;
        string browser;
        string? version;
        if (device == "Desktop")
        {
            (os, var versions) = DesktopSystems.Pick(rng);
            osVersion = versions?.Pick(rng);
            (browser, var browserVersions) = os switch
            {
                "Windows" => WindowsBrowsers.Pick(rng),
                "Mac OS X" => MacBrowsers.Pick(rng),
                _ => rng.NextDouble() < 0.6 ? ("Chrome", ChromeVersions) : ("Firefox", new Weighted<string>([("133.0", 1)])),
            };
            version = browserVersions?.Pick(rng);
        }
        else if (rng.NextDouble() < (device == "Tablet" ? 0.6 : 0.4))
        {
            os = "iOS";
            osVersion = IosVersions.Pick(rng);
            var pick = rng.NextDouble();
            (browser, version) = pick < 0.78 ? ("Mobile Safari", osVersion) : pick < 0.94 ? ("Chrome Mobile iOS", ChromeVersions.Pick(rng)) : ("Mobile Safari UI/WKWebView", null);
        }
        else
        {
            os = "Android";
            osVersion = AndroidVersions.Pick(rng);
            (browser, var versions) = device == "Tablet" ? ("Chrome", ChromeVersions) : AndroidBrowsers.Pick(rng);
            version = versions?.Pick(rng);
        }

        var visitor = new Visitor(rng.NextInt64(1, long.MaxValue), device, os, osVersion, browser, version, Countries.Pick(rng));
        today.Add(visitor);
        return visitor;
    }

    /// <summary>An instant in the local day starting at <paramref name="start"/> (UTC), at an hour drawn from <paramref name="hours"/>.</summary>
    private static DateTime At(Random rng, DateTime start, Weighted<int> hours) =>
        start.AddHours(hours.Pick(rng)).AddSeconds(rng.NextDouble() * 3600);

    private DateTime Utc(DateOnly day) => TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue), _plan.Zone);

    private static bool IsRestDay(DateOnly day) =>
        day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || Holidays.Contains((day.Month, day.Day));

    private static int DefaultViralDay(TrafficPlan plan)
    {
        var day = plan.Days * 2 / 3;
        while (day > 0 && (plan.FirstDay.AddDays(day).DayOfWeek is not (DayOfWeek.Tuesday or DayOfWeek.Wednesday or DayOfWeek.Thursday) || IsRestDay(plan.FirstDay.AddDays(day))))
        {
            day--;
        }

        return day;
    }

    /// <summary>How many events an ordinary visit makes on average, measured on a sample so that the tables can change freely.</summary>
    private double EventsPerVisit(int seed)
    {
        const int sample = 4_000;
        var rng = new Random(unchecked((seed * 31) + 2));
        var events = new List<PendingEvent>();
        var visitors = new List<Visitor>();
        var start = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < sample; i++)
        {
            AddVisit(events, rng, visitors, Origins.Pick(rng), start, DateTime.MaxValue, viral: false);
        }

        return (double)events.Count / sample;
    }

    /// <summary>About 420 pages: home and section pages first, then news, documents and procedures in shuffled order.</summary>
    private static (IReadOnlyList<string> Pages, string Viral) Catalogue(Random rng)
    {
        string[] head = ["/", "/tin-tuc", "/thu-tuc-hanh-chinh", "/van-ban", "/tra-cuu-ho-so", "/lien-he"];
        string[] fixedPages =
        [
            "/gioi-thieu", "/lich-cong-tac", "/hoi-dap", "/co-cau-to-chuc", "/thong-bao", "/so-do-cong-thong-tin", "/du-lieu-mo",
            "/tin-tuc/thoi-su", "/tin-tuc/kinh-te", "/tin-tuc/van-hoa-xa-hoi", "/tin-tuc/chuyen-doi-so", "/danh-ba-dien-thoai",
            "/bao-cao-thong-ke", "/quy-hoach-ke-hoach", "/tuyen-dung", "/lay-y-kien-du-thao",
        ];
        string[] subjects = ["ubnd-tinh", "chu-tich-ubnd-tinh", "hdnd-tinh", "so-y-te", "so-giao-duc-va-dao-tao", "cong-an-tinh", "huyen-phu-an", "thanh-pho-lam-giang", "so-tai-nguyen-va-moi-truong", "so-nong-nghiep"];
        string[] actions = ["trien-khai", "to-chuc", "kiem-tra", "huong-dan", "phat-dong", "tong-ket", "ban-hanh-ke-hoach", "chi-dao", "day-manh", "hop-ban"];
        string[] topics =
        [
            "chuyen-doi-so", "cai-cach-hanh-chinh", "xay-dung-nong-thon-moi", "phong-chong-thien-tai", "tuyen-sinh-lop-10", "cap-doi-can-cuoc",
            "dich-vu-cong-truc-tuyen", "an-toan-giao-thong", "bao-ve-moi-truong", "giai-ngan-von-dau-tu-cong", "ho-tro-doanh-nghiep",
            "phat-trien-du-lich", "thu-hut-dau-tu", "phong-chong-sot-xuat-huyet", "tiem-chung-mo-rong", "giam-ngheo-ben-vung",
            "phong-chay-chua-chay", "le-hoi-van-hoa", "ky-thi-tot-nghiep-thpt", "an-toan-thuc-pham",
        ];
        (string Kind, string Code)[] documents =
        [
            ("quyet-dinh", "qd-ubnd"), ("cong-van", "ubnd-vx"), ("ke-hoach", "kh-ubnd"), ("chi-thi", "ct-ubnd"), ("thong-bao", "tb-ubnd"),
            ("nghi-quyet", "nq-hdnd"), ("huong-dan", "hd-stttt"),
        ];
        string[] procedures =
        [
            "cap-giay-phep-xay-dung", "dang-ky-ho-kinh-doanh", "cap-ban-sao-trich-luc-khai-sinh", "chung-thuc-ban-sao-tu-ban-chinh",
            "dang-ky-ket-hon", "dang-ky-khai-sinh", "cap-giay-chung-nhan-quyen-su-dung-dat", "dang-ky-thuong-tru", "cap-phieu-ly-lich-tu-phap",
            "dang-ky-thanh-lap-doanh-nghiep", "cap-giay-phep-lao-dong", "cap-giay-phep-kinh-doanh-ruou", "dang-ky-khai-tu",
            "cap-chung-chi-hanh-nghe-y", "cong-nhan-truong-dat-chuan", "thu-hoi-dat", "tham-dinh-du-an-dau-tu", "cap-doi-giay-phep-lai-xe",
            "giai-quyet-khieu-nai", "tiep-cong-dan", "ho-tro-hoc-phi", "tro-cap-xa-hoi", "cap-the-bao-hiem-y-te", "dang-ky-tam-tru",
        ];

        var seen = new HashSet<string>(head.Concat(fixedPages), StringComparer.Ordinal);
        var rest = new List<string>(fixedPages);
        while (rest.Count < fixedPages.Length + 240)
        {
            var slug = $"/tin-tuc/{subjects[rng.Next(subjects.Length)]}-{actions[rng.Next(actions.Length)]}-{topics[rng.Next(topics.Length)]}-{rng.Next(10_000, 99_999)}";
            if (seen.Add(slug))
            {
                rest.Add(slug);
            }
        }

        while (rest.Count < fixedPages.Length + 330)
        {
            var (kind, code) = documents[rng.Next(documents.Length)];
            var slug = $"/van-ban/{kind}-so-{rng.Next(100, 5_000)}-{code}";
            if (seen.Add(slug))
            {
                rest.Add(slug);
            }
        }

        foreach (var procedure in procedures)
        {
            foreach (var level in new[] { "cap-tinh", "cap-huyen", "cap-xa" }.Where(_ => rng.NextDouble() < 0.95))
            {
                rest.Add($"/thu-tuc-hanh-chinh/{procedure}-{level}");
            }
        }

        rng.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rest));
        const string viral = "/tin-tuc/canh-bao-thu-doan-lua-dao-gia-danh-co-quan-nha-nuoc-qua-dien-thoai";
        return ([.. head, .. rest, viral], viral);
    }

    private static Weighted<int> Hours(double[] weights) => new(weights.Select((w, hour) => (hour, w)));

    /// <summary>Draws items in proportion to their weights.</summary>
    private sealed class Weighted<T>
    {
        private readonly T[] _items;
        private readonly double[] _cumulative;

        public Weighted(IEnumerable<(T Item, double Weight)> entries)
        {
            var list = entries.ToList();
            _items = [.. list.Select(e => e.Item)];
            _cumulative = new double[list.Count];
            var sum = 0.0;
            for (var i = 0; i < list.Count; i++)
            {
                sum += list[i].Weight;
                _cumulative[i] = sum;
            }
        }

        public T Pick(Random rng)
        {
            var i = Array.BinarySearch(_cumulative, rng.NextDouble() * _cumulative[^1]);
            i = i >= 0 ? i + 1 : ~i;
            return _items[Math.Min(i, _items.Length - 1)];
        }
    }
}
