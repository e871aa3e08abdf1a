using System.Globalization;
using System.Net;
using System.Text.Json;

namespace CivicDesk.Bench.Ingest;

/// <summary>One event as a browser on the measured site sends it: the JSON body and the two headers that vary.</summary>
internal sealed record EventRequest(byte[] Body, string UserAgent, string ForwardedFor, bool FromBot);

/// <summary>
/// Realistic Plausible events for a provincial portal, generated before the run from a fixed seed so that every run
/// and every target gets the same sequence: 500 pages with Zipf popularity, 50 external referrers (plus direct visits
/// and internal navigation), UTM tags on about a tenth, about 5 % custom events with props, a mix of browsers and a
/// few bots, and about 20 000 visitors, each with its own address (sent as X-Forwarded-For) and user agent.
/// </summary>
internal static class Workload
{
    public const int PathCount = 500;
    public const int VisitorCount = 20_000;

    /// <summary>Generates <paramref name="count"/> events; the load generator sends them in order, round and round.</summary>
    public static EventRequest[] Generate(string domain, int count, int seed = 20261129)
    {
        var random = new Random(seed);
        var paths = Paths(random);
        var pathIndex = new ZipfSampler(paths.Count, 1.0);
        var referrerIndex = new ZipfSampler(Referrers.Length, 0.9);
        var visitors = Visitors(random);
        var requests = new EventRequest[count];
        for (var i = 0; i < count; i++)
        {
            var visitor = visitors[random.Next(visitors.Count)];
            var path = paths[pathIndex.Next(random)];
            var url = $"https://{domain}{path}{Query(random)}";
            var roll = random.NextDouble();
            var referrer = roll < 0.35 ? null
                : roll < 0.55 ? $"https://{domain}{paths[pathIndex.Next(random)]}"
                : Referrers[referrerIndex.Next(random)];
            requests[i] = new EventRequest(Body(random, domain, url, referrer), visitor.UserAgent, visitor.Address, visitor.IsBot);
        }

        return requests;
    }

    private static byte[] Body(Random random, string domain, string url, string? referrer)
    {
        using var buffer = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            var custom = random.NextDouble() < 0.05 ? CustomEvents[random.Next(CustomEvents.Length)] : null;
            json.WriteString("n", custom?.Name ?? "pageview");
            json.WriteString("u", url);
            json.WriteString("d", domain);
            if (referrer is not null)
            {
                json.WriteString("r", referrer);
            }

            if (custom is not null)
            {
                json.WriteStartObject("p");
                json.WriteString(custom.PropName, custom.PropValues[random.Next(custom.PropValues.Length)]);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>About a tenth carry a campaign's UTM tags; a few others a page number.</summary>
    private static string Query(Random random)
    {
        var roll = random.NextDouble();
        if (roll < 0.10)
        {
            var (source, medium) = UtmSources[random.Next(UtmSources.Length)];
            var campaign = Campaigns[random.Next(Campaigns.Length)];
            return $"?utm_source={source}&utm_medium={medium}&utm_campaign={campaign}";
        }

        return roll < 0.14 ? $"?page={random.Next(2, 20)}" : "";
    }

    /// <summary>The portal's pages: home and section pages first (the most visited), then articles, procedures, documents.</summary>
    private static List<string> Paths(Random random)
    {
        List<string> paths =
        [
            "/", "/tin-tuc", "/thu-tuc-hanh-chinh", "/van-ban", "/lien-he", "/gioi-thieu", "/co-cau-to-chuc",
            "/lich-cong-tac", "/tiep-nhan-phan-anh-kien-nghi", "/cong-khai-ngan-sach", "/tra-cuu-ho-so", "/hoi-dap",
            "/du-thao-van-ban", "/thong-bao", "/tuyen-dung", "/dau-thau", "/quy-hoach", "/so-do-cong-thong-tin",
        ];
        string[] sections = ["thoi-su", "kinh-te", "van-hoa-xa-hoi", "an-ninh-quoc-phong", "y-te", "giao-duc", "chuyen-doi-so"];
        string[] kinds = ["quyet-dinh", "cong-van", "ke-hoach", "thong-bao", "nghi-quyet", "chi-thi"];
        while (paths.Count < PathCount)
        {
            var roll = random.NextDouble();
            var path = roll < 0.70
                ? $"/tin-tuc/{sections[random.Next(sections.Length)]}/{Slug(random)}-{random.Next(10_000, 99_999)}.html"
                : roll < 0.85
                    ? $"/thu-tuc-hanh-chinh/{Slug(random)}-{random.Next(100, 2_000)}"
                    : $"/van-ban/{kinds[random.Next(kinds.Length)]}-{random.Next(1, 5_000)}-{random.Next(2020, 2027)}-ubnd";
            if (!paths.Contains(path))
            {
                paths.Add(path);
            }
        }

        return paths;
    }

    private static string Slug(Random random)
    {
        var words = new string[random.Next(4, 9)];
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = Syllables[random.Next(Syllables.Length)];
        }

        return string.Join('-', words);
    }

    private sealed record Visitor(string Address, string UserAgent, bool IsBot);

    /// <summary>Visitors with distinct addresses: nine in ten on Vietnamese networks, bots on their operators' networks.</summary>
    private static List<Visitor> Visitors(Random random)
    {
        var total = UserAgents.Sum(u => u.Weight);
        var used = new HashSet<string>();
        var visitors = new List<Visitor>(VisitorCount);
        while (visitors.Count < VisitorCount)
        {
            var pick = random.NextDouble() * total;
            var family = UserAgents[^1];
            foreach (var candidate in UserAgents)
            {
                if ((pick -= candidate.Weight) < 0)
                {
                    family = candidate;
                    break;
                }
            }

            var networks = family.IsBot ? BotNetworks : random.NextDouble() < 0.9 ? VietnameseNetworks : ForeignNetworks;
            var address = Address(random, networks[random.Next(networks.Length)]);
            if (used.Add(address))
            {
                visitors.Add(new Visitor(address, family.Variants[random.Next(family.Variants.Length)], family.IsBot));
            }
        }

        return visitors;
    }

    private static string Address(Random random, string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        var network = IPAddress.Parse(cidr[..slash]).GetAddressBytes();
        var prefix = int.Parse(cidr[(slash + 1)..], CultureInfo.InvariantCulture);
        var baseValue = (uint)(network[0] << 24 | network[1] << 16 | network[2] << 8 | network[3]);
        var hostBits = 32 - prefix;
        var host = (uint)random.NextInt64(1, (1L << hostBits) - 1);
        var value = baseValue | host;
        return $"{value >> 24}.{(value >> 16) & 0xFF}.{(value >> 8) & 0xFF}.{value & 0xFF}";
    }

    /// <summary>Samples ranks 0..n-1 with probability proportional to 1/(rank+1)^s.</summary>
    private sealed class ZipfSampler
    {
        private readonly double[] _cumulative;

        public ZipfSampler(int n, double s)
        {
            _cumulative = new double[n];
            var sum = 0.0;
            for (var k = 0; k < n; k++)
            {
                sum += 1.0 / Math.Pow(k + 1, s);
                _cumulative[k] = sum;
            }

            for (var k = 0; k < n; k++)
            {
                _cumulative[k] /= sum;
            }
        }

        public int Next(Random random)
        {
            var index = Array.BinarySearch(_cumulative, random.NextDouble());
            return Math.Min(index < 0 ? ~index : index, _cumulative.Length - 1);
        }
    }

    private sealed record CustomEvent(string Name, string PropName, string[] PropValues);

    private static readonly CustomEvent[] CustomEvents =
    [
        new("File Download", "url", ["https://songlam.gov.vn/uploads/van-ban/qd-1234-ubnd.pdf", "https://songlam.gov.vn/uploads/bieu-mau/to-khai.docx", "https://songlam.gov.vn/uploads/ke-hoach-2026.pdf"]),
        new("Outbound Link: Click", "url", ["https://dichvucong.gov.vn/p/home/dvc-trang-chu.html", "https://baochinhphu.vn/", "https://vneid.gov.vn/"]),
        new("Tra cứu hồ sơ", "kết quả", ["đã tìm thấy", "không tìm thấy"]),
        new("Gửi phản ánh", "lĩnh vực", ["Đất đai", "Môi trường", "Giao thông", "Y tế"]),
    ];

    private static readonly (string Source, string Medium)[] UtmSources =
        [("facebook", "social"), ("zalo", "social"), ("zalo_oa", "message"), ("newsletter", "email"), ("tiktok", "social"), ("youtube", "video")];

    private static readonly string[] Campaigns =
        ["thang-hanh-dong-cchc", "dich-vu-cong-truc-tuyen", "tiem-chung-mo-rong", "bau-cu-2026", "an-toan-giao-thong"];

    private static readonly string[] Syllables =
    [
        "ubnd", "tinh", "huyen", "xa", "hop", "phien", "thuong", "ky", "trien", "khai", "ke", "hoach", "cai", "cach",
        "hanh", "chinh", "chuyen", "doi", "so", "dich", "vu", "cong", "truc", "tuyen", "dat", "dai", "giao", "thong",
        "nong", "thon", "moi", "phong", "chong", "thien", "tai", "bao", "lu", "y", "te", "truong", "hoc", "dau", "tu",
        "du", "an", "ho", "tro", "nguoi", "dan", "doanh", "nghiep", "le", "hoi", "van", "hoa", "quy", "dinh", "moi",
    ];

    /// <summary>50 external referrers, most common first (sampled with Zipf weights in this order).</summary>
    private static readonly string[] Referrers =
    [
        "https://www.google.com/", "https://www.google.com.vn/", "https://www.facebook.com/", "https://l.facebook.com/",
        "https://coccoc.com/search?query=th%E1%BB%A7+t%E1%BB%A5c+h%C3%A0nh+ch%C3%ADnh", "https://m.facebook.com/",
        "https://zalo.me/", "https://www.youtube.com/", "https://www.tiktok.com/", "https://lm.facebook.com/",
        "https://www.bing.com/", "https://baochinhphu.vn/", "https://chinhphu.vn/", "https://dichvucong.gov.vn/p/home/dvc-trang-chu.html",
        "https://vnexpress.net/thoi-su", "https://tuoitre.vn/", "https://thanhnien.vn/", "https://dantri.com.vn/xa-hoi.htm",
        "https://vietnamnet.vn/", "https://nhandan.vn/", "https://www.qdnd.vn/", "https://cand.com.vn/", "https://vtv.vn/",
        "https://baomoi.com/", "https://znews.vn/", "https://www.24h.com.vn/", "https://laodong.vn/", "https://plo.vn/",
        "https://duckduckgo.com/", "https://search.yahoo.com/", "android-app://com.google.android.googlequicksearchbox/",
        "https://t.co/", "https://www.linkedin.com/", "https://m.youtube.com/", "https://vt.tiktok.com/",
        "https://chat.zalo.me/", "https://oa.zalo.me/", "https://mail.google.com/", "https://outlook.live.com/",
        "https://teams.microsoft.com/", "https://chatgpt.com/", "https://www.messenger.com/", "https://moh.gov.vn/",
        "https://moet.gov.vn/", "https://mps.gov.vn/", "https://hanoi.gov.vn/", "https://hochiminhcity.gov.vn/",
        "https://danang.gov.vn/", "https://quangnam.gov.vn/", "https://thuvienphapluat.vn/",
    ];

    private sealed record UserAgentFamily(double Weight, bool IsBot, string[] Variants);

    /// <summary>Browser families by share of visitors (a Vietnamese government portal: mobile-heavy, Cốc Cốc and Zalo common).</summary>
    private static readonly UserAgentFamily[] UserAgents =
    [
        new(24, false, [
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",
            "Mozilla/5.0 (Linux; Android 12; SM-A525F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.6668.100 Mobile Safari/537.36",
            "Mozilla/5.0 (Linux; Android 11; Redmi Note 9 Pro) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.6613.127 Mobile Safari/537.36",
            "Mozilla/5.0 (Linux; Android 13; CPH2371) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.39 Mobile Safari/537.36",
        ]),
        new(22, false, [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36",
        ]),
        new(14, false, [
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 16_7_10 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        ]),
        new(7, false, [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) coc_coc_browser/124.0.272 Chrome/118.0.5993.272 Safari/537.36",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) coc_coc_browser/117.0.258 Chrome/111.0.5563.258 Safari/537.36",
        ]),
        new(2, false, [
            "Mozilla/5.0 (Linux; Android 11; CPH2239) AppleWebKit/537.36 (KHTML, like Gecko) coc_coc_browser/122.0.260 Mobile Chrome/116.0.5845.260 Safari/537.36",
        ]),
        new(6, false, [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
        ]),
        new(3, false, [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
            "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
        ]),
        new(5, false, [
            "Mozilla/5.0 (Linux; Android 13; SM-A536E Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.144 Mobile Safari/537.36 Zalo android/12100594 ZaloTheme/light ZaloLanguage/vi",
            "Mozilla/5.0 (Linux; Android 12; 2201117TG Build/SKQ1.211103.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/119.0.6045.163 Mobile Safari/537.36 Zalo android/12090529 ZaloTheme/dark ZaloLanguage/vi",
        ]),
        new(3, false, [
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Zalo iOS/23.12.01 ZaloTheme/light ZaloLanguage/vi",
        ]),
        new(2, false, [
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/460.0.0.38.106;FBBV/598000000;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.4;FBSS/3;FBID/phone;FBLC/vi_VN;FBOP/5]",
            "Mozilla/5.0 (Linux; Android 13; SM-A135F Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.210 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/445.0.0.34.118;]",
        ]),
        new(2, false, [
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
        ]),
        new(2, false, [
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        ]),
        new(3, false, [
            "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
        ]),
        new(1, false, [
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        ]),
        new(1, false, [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0",
        ]),
        // Bots: a few per cent of requests; ingestion counts them and stores nothing.
        new(3, true, [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            "Mozilla/5.0 (compatible; coccocbot-web/1.0; +http://help.coccoc.com/searchengine)",
            "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "python-requests/2.31.0",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.109 Safari/537.36",
        ]),
    ];

    /// <summary>Address blocks of VNPT, Viettel and FPT Telecom.</summary>
    private static readonly string[] VietnameseNetworks =
        ["14.160.0.0/11", "113.160.0.0/11", "123.16.0.0/12", "27.64.0.0/12", "171.224.0.0/11", "116.96.0.0/12", "42.112.0.0/13", "118.68.0.0/14", "1.52.0.0/14"];

    private static readonly string[] ForeignNetworks = ["49.128.0.0/11", "101.96.0.0/11", "58.176.0.0/12", "86.0.0.0/11", "73.0.0.0/8"];

    private static readonly string[] BotNetworks = ["66.249.64.0/19", "40.77.167.0/24", "157.55.39.0/24", "123.30.175.0/24", "54.36.148.0/23"];
}
