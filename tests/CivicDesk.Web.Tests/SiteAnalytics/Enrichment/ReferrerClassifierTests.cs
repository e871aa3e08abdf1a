using CivicDesk.Web.SiteAnalytics.Enrichment;

namespace CivicDesk.Web.Tests.SiteAnalytics.Enrichment;

public sealed class ReferrerClassifierTests
{
    private const string Site = "sotttt.hanoi.gov.vn";
    private const string Page = "https://sotttt.hanoi.gov.vn/tin-tuc";

    [Theory]
    [InlineData(null, "Direct / None", null, "Direct")]
    [InlineData("", "Direct / None", null, "Direct")]
    [InlineData("not a url", "Direct / None", null, "Direct")]
    [InlineData("https://www.google.com/", "Google", "www.google.com", "Search")]
    [InlineData("https://www.google.com.vn/search?q=x", "Google", "www.google.com.vn", "Search")]
    [InlineData("https://www.bing.com/search?q=x", "Bing", "www.bing.com", "Search")]
    [InlineData("https://coccoc.com/search?query=x", "Cốc Cốc", "coccoc.com", "Search")]
    [InlineData("https://www.facebook.com/", "Facebook", "www.facebook.com", "Social")]
    [InlineData("https://m.facebook.com/", "Facebook", "m.facebook.com", "Social")]
    [InlineData("https://l.facebook.com/l.php?u=x", "Facebook", "l.facebook.com", "Social")]
    [InlineData("https://lm.facebook.com/l.php?u=x", "Facebook", "lm.facebook.com", "Social")]
    [InlineData("https://web.facebook.com/", "Facebook", "web.facebook.com", "Social")]
    [InlineData("https://fb.me/abc", "Facebook", "fb.me", "Social")]
    [InlineData("https://zalo.me/", "Zalo", "zalo.me", "Social")]
    [InlineData("https://chat.zalo.me/", "Zalo", "chat.zalo.me", "Social")]
    [InlineData("https://www.tiktok.com/@x", "TikTok", "www.tiktok.com", "Social")]
    [InlineData("https://www.youtube.com/watch?v=x", "YouTube", "www.youtube.com", "Social")]
    [InlineData("https://m.youtube.com/", "YouTube", "m.youtube.com", "Social")]
    [InlineData("https://t.co/abc", "X", "t.co", "Social")]
    [InlineData("https://x.com/", "X", "x.com", "Social")]
    [InlineData("https://twitter.com/", "X", "twitter.com", "Social")]
    [InlineData("https://mail.google.com/", "Email", "mail.google.com", "Email")]
    [InlineData("https://outlook.live.com/mail/0/", "Email", "outlook.live.com", "Email")]
    [InlineData("android-app://com.google.android.gm/", "Email", "mail.google.com", "Email")]
    [InlineData("android-app://com.zing.zalo/", "Zalo", "zalo.me", "Social")]
    [InlineData("https://www.vnexpress.net/bai-viet", "vnexpress.net", "www.vnexpress.net", "Referral")]
    [InlineData("HTTPS://WWW.VNEXPRESS.NET/", "vnexpress.net", "www.vnexpress.net", "Referral")]
    [InlineData("https://báo-việt.vn/", "báo-việt.vn", "báo-việt.vn", "Referral")]
    [InlineData("https://notfacebook.com/", "notfacebook.com", "notfacebook.com", "Referral")]
    [InlineData("https://sotttt.hanoi.gov.vn/other-page", "Direct / None", null, "Direct")]
    [InlineData("https://www.sotttt.hanoi.gov.vn/", "Direct / None", null, "Direct")]
    [InlineData("ftp://example.com/", "Direct / None", null, "Direct")]
    public void Referrer_names_the_source(string? referrer, string source, string? host, string channel)
    {
        var result = ReferrerClassifier.Classify(referrer, Page, Site);
        Assert.Equal(source, result.Source);
        Assert.Equal(host, result.ReferrerHost);
        Assert.Equal(channel, result.Channel);
    }

    [Theory]
    [InlineData("?utm_source=fb&utm_medium=social", null, "Facebook", "Social")]
    [InlineData("?utm_source=Zalo", null, "Zalo", "Social")]
    [InlineData("?utm_source=newsletter&utm_medium=email", null, "Email", "Email")]
    [InlineData("?utm_source=ban-tin-thang-11&utm_medium=email", null, "ban-tin-thang-11", "Email")]
    [InlineData("?utm_source=bao-giay", null, "bao-giay", "Campaign")]
    [InlineData("?utm_source=google&utm_medium=cpc", "https://www.bing.com/", "Google", "Search")]
    [InlineData("?ref=producthunt", null, "producthunt", "Campaign")]
    [InlineData("?source=tiktok", null, "TikTok", "Social")]
    [InlineData("?utm_source=C%E1%BB%91c%20C%E1%BB%91c", null, "Cốc Cốc", "Search")]
    [InlineData("?utm_source=", null, "Direct / None", "Direct")]
    [InlineData("?utm_source=%E0%A4%A", null, "%E0%A4%A", "Campaign")]
    public void Utm_source_wins_over_the_referrer(string query, string? referrer, string source, string channel)
    {
        var result = ReferrerClassifier.Classify(referrer, Page + query, Site);
        Assert.Equal(source, result.Source);
        Assert.Equal(channel, result.Channel);
    }

    [Fact]
    public void Punycode_and_unicode_hosts_are_one_source()
    {
        var punycode = new System.Globalization.IdnMapping().GetAscii("báo-việt.vn");
        Assert.StartsWith("xn--", punycode, StringComparison.Ordinal);
        Assert.Equal("báo-việt.vn", ReferrerClassifier.Classify($"https://{punycode}/", Page, Site).Source);
        Assert.Equal("báo-việt.vn", ReferrerClassifier.Classify("https://BÁO-VIỆT.vn/", Page, Site).Source);
    }

    [Fact]
    public void All_utm_values_are_kept()
    {
        var result = ReferrerClassifier.Classify(null,
            Page + "?utm_source=zalo&utm_medium=oa&utm_campaign=tet+2027&utm_term=l%E1%BB%85%20h%E1%BB%99i&utm_content=banner#top", Site);
        Assert.Equal(("zalo", "oa", "tet 2027", "lễ hội", "banner"), (result.UtmSource, result.UtmMedium, result.UtmCampaign, result.UtmTerm, result.UtmContent));
    }

    [Theory]
    [InlineData("https://www.facebook.com/", "www.facebook.com")]
    [InlineData("https://l.facebook.com/l.php?u=https%3A%2F%2Fexample.gov.vn", "l.facebook.com")]
    [InlineData("http://baochinhphu.vn", "baochinhphu.vn")]
    [InlineData("https://news.zing.vn#top", "news.zing.vn")]
    [InlineData("https://a-b.c1.vn/x y?z", "a-b.c1.vn")]
    [InlineData("https://co.vn/%", "co.vn")]
    [InlineData("https://Example.com/", null)]
    [InlineData("https://example.com:443/", null)]
    [InlineData("https://user@example.com/", null)]
    [InlineData("https://example.com./", null)]
    [InlineData("https://1.2.3/", null)]
    [InlineData("https://192.168.1.1/", null)]
    [InlineData("https://-a.com/", null)]
    [InlineData("https://a-.com/", null)]
    [InlineData("https://a..com/", null)]
    [InlineData("https://.com/", null)]
    [InlineData("https://xn--bo-vit-ova9f.vn/", null)]
    [InlineData("https://example.com\\evil.com/", null)]
    [InlineData("https:///example.com", null)]
    [InlineData("https://", null)]
    [InlineData(" https://example.com/", null)]
    [InlineData("https://example.com /", null)]
    [InlineData("ftp://example.com/", null)]
    [InlineData("HTTPS://example.com/", null)]
    [InlineData("https://bao_moi.com/", null)]
    public void Plain_hosts_are_read_from_the_text_and_agree_with_the_whole_parse(string url, string? plain)
    {
        // The short way answers only for hosts it can read exactly; everything else takes the whole way.
        Assert.Equal(plain, ReferrerClassifier.PlainHost(url));
        if (plain is not null)
        {
            Assert.Equal(ReferrerClassifier.ParsedHost(url), plain);
        }

        Assert.Equal(ReferrerClassifier.ParsedHost(url), ReferrerClassifier.Host(url));
    }

    [Fact]
    public void Random_hosts_get_the_same_host_the_short_way_and_the_whole_way()
    {
        var random = new Random(20261203);
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-.ABC_:@/?#%áệ ";
        var shortWay = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(1, 24);
            var host = new string([.. Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            var url = (random.Next(3) == 0 ? "http://" : "https://") + host + (random.Next(2) == 0 ? "/" : "");
            if (ReferrerClassifier.PlainHost(url) is { } plain)
            {
                shortWay++;
                Assert.Equal(ReferrerClassifier.ParsedHost(url), plain);
            }

            Assert.Equal(ReferrerClassifier.ParsedHost(url), ReferrerClassifier.Host(url));
        }

        Assert.True(shortWay > 100, $"{shortWay} random hosts took the short way");
    }
}
