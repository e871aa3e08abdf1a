using System.Text;
using CivicDesk.Web.SiteAnalytics.Enrichment;

namespace CivicDesk.Web.Tests.SiteAnalytics.Enrichment;

public sealed class EnricherTests
{
    private const string Specials = "ăâđêôơưạảãáàệộ%?&=:/.#@[]()";

    private static readonly Lazy<Enricher> Shared = new(() => Enricher.Load(EnrichmentData.DataDirectory));

    [Fact]
    public void A_visit_from_a_phone_in_vietnam_via_facebook()
    {
        var e = Shared.Value.Enrich(
            "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.135 Mobile Safari/537.36",
            "14.160.0.1", "https://l.facebook.com/", "https://sotttt.hanoi.gov.vn/?fbclid=x", "sotttt.hanoi.gov.vn");

        Assert.Equal(BotReason.None, e.Bot);
        Assert.Equal(("Chrome Mobile", "131.0", "Android", "14", DeviceType.Mobile, "VN", "Facebook"),
            (e.Browser, e.BrowserVersion, e.Os, e.OsVersion, e.DeviceType, e.Country, e.Source.Source));
    }

    [Fact]
    public void A_crawler_is_marked_with_its_reason()
    {
        var e = Shared.Value.Enrich("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "40.77.167.1", null, "https://a.vn/", "a.vn");
        Assert.True(e.IsBot);
        Assert.Equal(BotReason.KnownCrawler, e.Bot);
    }

    [Fact]
    public void Without_data_files_every_part_is_unknown_and_nothing_throws()
    {
        var empty = Enricher.Load(Path.Combine(Path.GetTempPath(), "no-data-packages-here"));
        var e = empty.Enrich("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0", "8.8.8.8", "https://www.google.com/", "https://a.vn/", "a.vn");
        Assert.Equal(("Other", null, DeviceType.Other, BotReason.None, "Google"), (e.Browser, e.Country, e.DeviceType, e.Bot, e.Source.Source));
    }

    [Fact]
    public void Garbage_never_throws()
    {
        var random = new Random(20261129);
        var enricher = Shared.Value;
        string Garbage()
        {
            var length = random.Next(0, random.Next(2) == 0 ? 40 : 3000);
            var sb = new StringBuilder(length);
            for (var i = 0; i < length; i++)
            {
                // Mostly printable ASCII, with control characters, Vietnamese letters and lone surrogates mixed in.
                sb.Append(random.Next(10) switch
                {
                    0 => (char)random.Next(0, 32),
                    1 => (char)random.Next(0xD800, 0xE000),
                    2 => Specials[random.Next(Specials.Length)],
                    _ => (char)random.Next(32, 127),
                });
            }

            return sb.ToString();
        }

        string[] prefixes = ["", "http://", "https://", "https://xn--", "android-app://", "https://[::1", "https://a.vn/?utm_source=", "Mozilla/5.0 ("];
        for (var i = 0; i < 3000; i++)
        {
            string? Pick() => random.Next(8) == 0 ? null : prefixes[random.Next(prefixes.Length)] + Garbage();
            var e = enricher.Enrich(Pick(), Pick(), Pick(), Pick(), Pick());
            Assert.NotNull(e.Source.Source);
            Assert.NotNull(e.Browser);
        }
    }
}
