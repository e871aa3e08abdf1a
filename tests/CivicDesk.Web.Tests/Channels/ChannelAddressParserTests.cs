using System.Text;
using CivicDesk.Web.Channels;

namespace CivicDesk.Web.Tests.Channels;

/// <summary>
/// What the registry makes of addresses people really paste: each row is one input (with the platform chosen in the
/// form, if any) and either the channel it identifies or the resource key of the reason it is refused.
/// </summary>
public sealed class ChannelAddressParserTests
{
    private const string VietnameseHandle = "TruyềnHìnhĐàNẵng";
    private const string VietnameseHandleEscaped = "Truy%E1%BB%81nH%C3%ACnh%C4%90%C3%A0N%E1%BA%B5ng";

    /// <summary>Input, platform hint, then the expected platform, external id (the uniqueness key) and canonical URL.</summary>
    public static TheoryData<string, Platform?, Platform, string, string> Recognised => new()
    {
        // Facebook: user names, with the hosts Facebook answers on; case folded in the key, kept in the URL.
        { "https://www.facebook.com/ubndtinhquangnam", null, Platform.Facebook, "ubndtinhquangnam", "https://www.facebook.com/ubndtinhquangnam" },
        { "facebook.com/UBNDTinhQuangNam/", null, Platform.Facebook, "ubndtinhquangnam", "https://www.facebook.com/UBNDTinhQuangNam" },
        { "https://m.facebook.com/congan.danang?ref=bookmarks", null, Platform.Facebook, "congan.danang", "https://www.facebook.com/congan.danang" },
        { "https://web.facebook.com/baodanang.vn", null, Platform.Facebook, "baodanang.vn", "https://www.facebook.com/baodanang.vn" },
        { "https://vi-vn.facebook.com/thanhnien.danang/", null, Platform.Facebook, "thanhnien.danang", "https://www.facebook.com/thanhnien.danang" },
        { "http://fb.com/tuoitre.danang", null, Platform.Facebook, "tuoitre.danang", "https://www.facebook.com/tuoitre.danang" },
        { "  https://www.facebook.com/ubndtinhquangnam  ", null, Platform.Facebook, "ubndtinhquangnam", "https://www.facebook.com/ubndtinhquangnam" },
        // A page's tab is the page.
        { "https://www.facebook.com/ubndtinhquangnam/about", null, Platform.Facebook, "ubndtinhquangnam", "https://www.facebook.com/ubndtinhquangnam" },
        { "https://www.facebook.com/ubndtinhquangnam/videos", null, Platform.Facebook, "ubndtinhquangnam", "https://www.facebook.com/ubndtinhquangnam" },
        { "https://www.facebook.com/pg/ubndtinhquangnam/about/", null, Platform.Facebook, "ubndtinhquangnam", "https://www.facebook.com/ubndtinhquangnam" },
        // Facebook: numeric page ids in their many shapes, all to one canonical URL.
        { "https://www.facebook.com/profile.php?id=100064123456789", null, Platform.Facebook, "100064123456789", "https://www.facebook.com/profile.php?id=100064123456789" },
        { "https://www.facebook.com/profile.php?id=100064123456789&sk=about", null, Platform.Facebook, "100064123456789", "https://www.facebook.com/profile.php?id=100064123456789" },
        { "https://www.facebook.com/pages/UBND-Huyen-Hoa-Vang/123456789012345", null, Platform.Facebook, "123456789012345", "https://www.facebook.com/profile.php?id=123456789012345" },
        { "https://www.facebook.com/people/Cong-An-Xa-Hoa-Phuoc/100083123456789/", null, Platform.Facebook, "100083123456789", "https://www.facebook.com/profile.php?id=100083123456789" },
        { "https://www.facebook.com/p/UBND-Xa-Hoa-Tien-100069876543210/", null, Platform.Facebook, "100069876543210", "https://www.facebook.com/profile.php?id=100069876543210" },
        { "https://www.facebook.com/Trung-Tam-Van-Hoa-Da-Nang-123456789012345", null, Platform.Facebook, "123456789012345", "https://www.facebook.com/profile.php?id=123456789012345" },
        { "https://www.facebook.com/100064123456789", null, Platform.Facebook, "100064123456789", "https://www.facebook.com/profile.php?id=100064123456789" },

        // YouTube: handles (Vietnamese letters precomposed, decomposed or percent-encoded are one channel).
        { "https://www.youtube.com/@vtv24", null, Platform.YouTube, "@vtv24", "https://www.youtube.com/@vtv24" },
        { "youtube.com/@VTV24/videos", null, Platform.YouTube, "@vtv24", "https://www.youtube.com/@VTV24" },
        { "https://m.youtube.com/@ThanhNienDaNang?si=abc123", null, Platform.YouTube, "@thanhniendanang", "https://www.youtube.com/@ThanhNienDaNang" },
        { $"https://www.youtube.com/@{VietnameseHandle}", null, Platform.YouTube, "@truyềnhìnhđànẵng", $"https://www.youtube.com/@{VietnameseHandleEscaped}" },
        { $"https://www.youtube.com/@{VietnameseHandle.Normalize(NormalizationForm.FormD)}", null, Platform.YouTube, "@truyềnhìnhđànẵng", $"https://www.youtube.com/@{VietnameseHandleEscaped}" },
        { $"https://www.youtube.com/@{VietnameseHandleEscaped}", null, Platform.YouTube, "@truyềnhìnhđànẵng", $"https://www.youtube.com/@{VietnameseHandleEscaped}" },
        // YouTube: channel ids (UC + 22 characters) keep their case; legacy /c/ and /user/ names stay as they are.
        { "https://www.youtube.com/channel/UC_x5XG1OV2P6uZZ5FSM9Ttw", null, Platform.YouTube, "UC_x5XG1OV2P6uZZ5FSM9Ttw", "https://www.youtube.com/channel/UC_x5XG1OV2P6uZZ5FSM9Ttw" },
        { "https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv/featured", null, Platform.YouTube, "UCabcdefghijklmnopqrstuv", "https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv" },
        { "https://www.youtube.com/c/VTV24news", null, Platform.YouTube, "c/vtv24news", "https://www.youtube.com/c/VTV24news" },
        { "https://www.youtube.com/user/baodanang", null, Platform.YouTube, "user/baodanang", "https://www.youtube.com/user/baodanang" },

        // TikTok: accounts, also from a video of the account.
        { "https://www.tiktok.com/@ubnd.danang", null, Platform.TikTok, "ubnd.danang", "https://www.tiktok.com/@ubnd.danang" },
        { "tiktok.com/@CongAnDaNang_Official?lang=vi", null, Platform.TikTok, "congandanang_official", "https://www.tiktok.com/@CongAnDaNang_Official" },
        { "https://www.tiktok.com/@baodanang/video/7301234567890123456", null, Platform.TikTok, "baodanang", "https://www.tiktok.com/@baodanang" },
        { "https://m.tiktok.com/@baodanang", null, Platform.TikTok, "baodanang", "https://www.tiktok.com/@baodanang" },

        // Zalo Official Accounts.
        { "https://zalo.me/1234567890123456789", null, Platform.Zalo, "1234567890123456789", "https://zalo.me/1234567890123456789" },
        { "zalo.me/4318129302412412345/", null, Platform.Zalo, "4318129302412412345", "https://zalo.me/4318129302412412345" },
        { "https://oa.zalo.me/home?oa_id=2345678901234567890", null, Platform.Zalo, "2345678901234567890", "https://zalo.me/2345678901234567890" },
        { "https://www.zalo.me/s/1234567890123456789/", null, Platform.Zalo, "1234567890123456789", "https://zalo.me/1234567890123456789" },

        // Websites: www. left out of the key, scheme and query ignored, path kept, host folded, ports that matter kept.
        { "https://danang.gov.vn", null, Platform.Website, "danang.gov.vn", "https://danang.gov.vn/" },
        { "https://www.danang.gov.vn/", null, Platform.Website, "danang.gov.vn", "https://www.danang.gov.vn/" },
        { "http://WWW.DaNang.gov.vn/Tin-Tuc/?page=2", null, Platform.Website, "danang.gov.vn/tin-tuc", "http://www.danang.gov.vn/Tin-Tuc" },
        { "quangnam.gov.vn/vi/so-ban-nganh", null, Platform.Website, "quangnam.gov.vn/vi/so-ban-nganh", "https://quangnam.gov.vn/vi/so-ban-nganh" },
        { "https://tinh.gov.vn:8443/cong-thong-tin", null, Platform.Website, "tinh.gov.vn:8443/cong-thong-tin", "https://tinh.gov.vn:8443/cong-thong-tin" },
        { "https://tinh.gov.vn:443/", null, Platform.Website, "tinh.gov.vn", "https://tinh.gov.vn/" },
        { "https://danang.gov.vn./", null, Platform.Website, "danang.gov.vn", "https://danang.gov.vn/" },
        { "http://bộcôngan.vn/", null, Platform.Website, "xn--bcngan-jxa6332d.vn", "http://xn--bcngan-jxa6332d.vn/" },
        { "https://www.sởnộivụ.vn/van-ban", Platform.Website, Platform.Website, "xn--sniv-6y5a8a8b.vn/van-ban", "https://www.xn--sniv-6y5a8a8b.vn/van-ban" },

        // Bare handles: the platform chosen in the form says where they live.
        { "@ubnddanang", Platform.Facebook, Platform.Facebook, "ubnddanang", "https://www.facebook.com/ubnddanang" },
        { "ubnddanang", Platform.Facebook, Platform.Facebook, "ubnddanang", "https://www.facebook.com/ubnddanang" },
        { "@bo.congan", Platform.Facebook, Platform.Facebook, "bo.congan", "https://www.facebook.com/bo.congan" },
        { "@VTV24", Platform.YouTube, Platform.YouTube, "@vtv24", "https://www.youtube.com/@VTV24" },
        { $"@{VietnameseHandle.Normalize(NormalizationForm.FormD)}", Platform.YouTube, Platform.YouTube, "@truyềnhìnhđànẵng", $"https://www.youtube.com/@{VietnameseHandleEscaped}" },
        { "@ubnd_danang", Platform.TikTok, Platform.TikTok, "ubnd_danang", "https://www.tiktok.com/@ubnd_danang" },
        { "1234567890123456789", Platform.Zalo, Platform.Zalo, "1234567890123456789", "https://zalo.me/1234567890123456789" },
        // A hint that agrees with the URL changes nothing.
        { "https://www.tiktok.com/@baodanang", Platform.TikTok, Platform.TikTok, "baodanang", "https://www.tiktok.com/@baodanang" },
    };

    /// <summary>Input, platform hint, and the resource key of the reason it is refused.</summary>
    public static TheoryData<string?, Platform?, string> Refused => new()
    {
        // Nothing to read.
        { null, null, "Channel.Url.Empty" },
        { "", null, "Channel.Url.Empty" },
        { "   ", Platform.Facebook, "Channel.Url.Empty" },
        { "https://danang.gov.vn/" + new string('a', 2049 - 22), null, "Channel.Url.TooLong" },
        { "https://danang.gov.vn/" + new string('a', 400), null, "Channel.Url.WebsiteTooLong" },

        // Facebook things that are not a page.
        { "https://www.facebook.com/", null, "Channel.Url.FacebookNotAPage" },
        { "https://www.facebook.com/groups/123456789", null, "Channel.Url.FacebookNotAPage" },
        { "https://www.facebook.com/groups/dananghome/posts/987654321/", null, "Channel.Url.FacebookNotAPage" },
        { "https://www.facebook.com/ubndtinhquangnam/posts/pfbid02abcDEF123", null, "Channel.Url.FacebookNotAPage" },
        { "https://www.facebook.com/ubndtinhquangnam/videos/1234567890123/", null, "Channel.Url.FacebookNotAPage" },
        { "https://www.facebook.com/ubndtinhquangnam/photos/a.123456/789012/", null, "Channel.Url.FacebookNotAPage" },
        { "https://www.facebook.com/permalink.php?story_fbid=123&id=456", null, "Channel.Url.FacebookNotAPage" },
        { "https://www.facebook.com/story.php?story_fbid=1&id=2", null, "Channel.Url.FacebookNotAPage" },
        { "https://www.facebook.com/photo.php?fbid=123", null, "Channel.Url.FacebookNotAPage" },
        { "https://www.facebook.com/watch/?v=123456", null, "Channel.Url.FacebookNotAPage" },
        { "https://www.facebook.com/events/123456/", null, "Channel.Url.FacebookNotAPage" },
        { "https://www.facebook.com/share/p/1AbCdEf/", null, "Channel.Url.FacebookNotAPage" },
        { "https://www.facebook.com/hashtag/danang", null, "Channel.Url.FacebookNotAPage" },
        { "https://www.facebook.com/reel/123456789", null, "Channel.Url.FacebookNotAPage" },
        { "https://l.facebook.com/l.php?u=https%3A%2F%2Fdanang.gov.vn", null, "Channel.Url.FacebookNotAPage" },
        { "https://developers.facebook.com/docs/graph-api", null, "Channel.Url.FacebookNotAPage" },
        { "https://www.facebook.com/profile.php", null, "Channel.Url.FacebookNotAPage" },
        { "https://www.facebook.com/profile.php?id=abc", null, "Channel.Url.FacebookNotAPage" },
        { "https://www.facebook.com/pages/category/Government-Organization/", null, "Channel.Url.FacebookNotAPage" },
        { "https://www.facebook.com/ubnd", null, "Channel.Url.InvalidHandle" },
        { "https://www.facebook.com/ubnd-tinh", null, "Channel.Url.InvalidHandle" },
        { "https://fb.me/ubndtinh", null, "Channel.Url.ShortLink" },
        { "https://fb.watch/abcDEF/", null, "Channel.Url.ShortLink" },

        // YouTube things that are not a channel.
        { "https://www.youtube.com/watch?v=dQw4w9WgXcQ", null, "Channel.Url.YouTubeVideo" },
        { "https://www.youtube.com/shorts/abcDEF12345", null, "Channel.Url.YouTubeVideo" },
        { "https://www.youtube.com/live/abcDEF12345", null, "Channel.Url.YouTubeVideo" },
        { "https://youtu.be/dQw4w9WgXcQ", null, "Channel.Url.YouTubeVideo" },
        { "https://www.youtube.com/playlist?list=PL1234567890", null, "Channel.Url.YouTubeNotAChannel" },
        { "https://www.youtube.com/results?search_query=da+nang", null, "Channel.Url.YouTubeNotAChannel" },
        { "https://www.youtube.com/feed/trending", null, "Channel.Url.YouTubeNotAChannel" },
        { "https://www.youtube.com/", null, "Channel.Url.YouTubeNotAChannel" },
        { "https://www.youtube.com/c/", null, "Channel.Url.YouTubeNotAChannel" },
        { "https://www.youtube.com/channel/UCshort", null, "Channel.Url.InvalidHandle" },
        { "https://www.youtube.com/channel/UCabcdefghijklmnopqrstuvw", null, "Channel.Url.InvalidHandle" },
        { "https://www.youtube.com/@ab", null, "Channel.Url.InvalidHandle" },
        { "https://www.youtube.com/@%ED%A0%80abc", null, "Channel.Url.InvalidHandle" },

        // TikTok things that are not an account.
        { "https://vm.tiktok.com/ZSabc123/", null, "Channel.Url.ShortLink" },
        { "https://vt.tiktok.com/ZSabc123/", null, "Channel.Url.ShortLink" },
        { "https://www.tiktok.com/t/ZTRabc123/", null, "Channel.Url.ShortLink" },
        { "https://www.tiktok.com/explore", null, "Channel.Url.TikTokNotAnAccount" },
        { "https://www.tiktok.com/", null, "Channel.Url.TikTokNotAnAccount" },
        { "https://www.tiktok.com/@a", null, "Channel.Url.InvalidHandle" },
        { "https://www.tiktok.com/@this_name_is_far_too_long_x", null, "Channel.Url.InvalidHandle" },

        // Zalo: phone numbers are personal accounts, never kept; other Zalo links are not an OA.
        { "https://zalo.me/0912345678", null, "Channel.Url.ZaloPersonal" },
        { "zalo.me/84912345678", null, "Channel.Url.ZaloPersonal" },
        { "https://zalo.me/+84912345678", null, "Channel.Url.ZaloPersonal" },
        { "0387654321", Platform.Zalo, "Channel.Url.ZaloPersonal" },
        { "https://oa.zalo.me/home?oa_id=0912345678", null, "Channel.Url.ZaloPersonal" },
        { "https://zalo.me/ubnddanang", null, "Channel.Url.ZaloNotAnOa" },
        { "https://zalo.me/12345", null, "Channel.Url.ZaloNotAnOa" },
        { "https://zalo.me/g/abcdef", null, "Channel.Url.ZaloNotAnOa" },
        { "https://oa.zalo.me/home", null, "Channel.Url.ZaloNotAnOa" },
        { "https://chat.zalo.me/", null, "Channel.Url.UnknownPlatform" },

        // Platforms CivicDesk does not keep.
        { "https://www.instagram.com/danang.city", null, "Channel.Url.UnknownPlatform" },
        { "https://x.com/danang", null, "Channel.Url.UnknownPlatform" },
        { "https://t.me/danang", null, "Channel.Url.UnknownPlatform" },

        // Not a public website address.
        { "http://127.0.0.1/", null, "Channel.Url.Malformed" },
        { "http://192.168.1.10/portal", null, "Channel.Url.Malformed" },
        { "http://2130706433/", null, "Channel.Url.Malformed" },
        { "http://[::1]:8080/", null, "Channel.Url.Malformed" },
        { "http://localhost:5080", null, "Channel.Url.Malformed" },
        { "https://intranet/", null, "Channel.Url.Malformed" },
        { "https://user:secret@danang.gov.vn/", null, "Channel.Url.Malformed" },
        { "ftp://danang.gov.vn/", null, "Channel.Url.Malformed" },
        { "javascript:alert(1)", null, "Channel.Url.Malformed" },
        { "https://danang .gov.vn", null, "Channel.Url.Malformed" },
        { "https://-bad-.vn/", null, "Channel.Url.Malformed" },

        // Bare handles need a platform, and a hint that disagrees with the URL is refused.
        { "@ubnddanang", null, "Channel.Url.NeedPlatform" },
        { "@", null, "Channel.Url.NeedPlatform" },
        { "@ubnddanang", Platform.Website, "Channel.Url.Malformed" },
        { "@ab", Platform.YouTube, "Channel.Url.InvalidHandle" },
        { "@ubnd", Platform.Facebook, "Channel.Url.InvalidHandle" },
        { "https://www.facebook.com/ubnddanang", Platform.YouTube, "Channel.Url.PlatformMismatch" },
        { "danang.gov.vn", Platform.Facebook, "Channel.Url.PlatformMismatch" },
        { "https://www.youtube.com/@vtv24", Platform.Website, "Channel.Url.PlatformMismatch" },
        { "https://zalo.me/1234567890123456789", Platform.TikTok, "Channel.Url.PlatformMismatch" },
    };

    [Theory]
    [MemberData(nameof(Recognised))]
    public void An_address_is_recognised_with_its_platform_key_and_canonical_url(string input, Platform? hint, Platform platform, string externalId, string url)
    {
        var result = ChannelAddressParser.Parse(input, hint);

        Assert.True(result.Address is not null, $"refused with {result.ErrorKey}");
        Assert.Null(result.ErrorKey);
        Assert.Equal(platform, result.Address.Platform);
        Assert.Equal(externalId, result.Address.ExternalId);
        Assert.Equal(url, result.Address.Url);
        Assert.True(result.Address.ExternalId.Length <= ChannelAddressParser.ExternalIdMaxLength);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void An_address_that_is_no_official_channel_is_refused_with_its_reason(string? input, Platform? hint, string errorKey)
    {
        var result = ChannelAddressParser.Parse(input, hint);

        Assert.True(result.Address is null, $"recognised as {result.Address}");
        Assert.Equal(errorKey, result.ErrorKey);
    }

    [Fact]
    public void Text_that_is_not_valid_unicode_is_refused_rather_than_failing()
    {
        // Built here, not in the data table: test data is serialised and would lose the lone surrogate.
        var lone = new string('\uD800', 1);

        Assert.Equal("Channel.Url.Malformed", ChannelAddressParser.Parse("https://danang.gov.vn/" + lone).ErrorKey);
        Assert.Equal("Channel.Url.Malformed", ChannelAddressParser.Parse("@vtv" + lone, Platform.YouTube).ErrorKey);
    }

    [Fact]
    public void The_same_channel_pasted_in_its_usual_variants_has_one_key()
    {
        string[] variants =
        [
            "https://www.facebook.com/ubndtinhquangnam",
            "https://m.facebook.com/ubndtinhquangnam/",
            "http://facebook.com/UBNDTinhQuangNam?ref=page_internal",
            "www.facebook.com/ubndtinhquangnam/about/",
        ];

        var keys = variants.Select(v => ChannelAddressParser.Parse(v).Address?.ExternalId).Distinct().ToList();

        Assert.Equal(["ubndtinhquangnam"], keys);
    }

    [Fact]
    public void Handles_are_kept_as_typed_for_display()
    {
        Assert.Equal("@VTV24", ChannelAddressParser.Parse("https://www.youtube.com/@VTV24").Address?.Handle);
        Assert.Equal("@CongAnDaNang", ChannelAddressParser.Parse("https://www.tiktok.com/@CongAnDaNang").Address?.Handle);
        Assert.Equal("UBNDTinhQuangNam", ChannelAddressParser.Parse("https://www.facebook.com/UBNDTinhQuangNam").Address?.Handle);
        Assert.Null(ChannelAddressParser.Parse("https://www.facebook.com/profile.php?id=100064123456789").Address?.Handle);
        Assert.Null(ChannelAddressParser.Parse("https://danang.gov.vn").Address?.Handle);
    }
}
