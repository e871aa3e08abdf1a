using System.Text.Json.Serialization;

namespace CivicDesk.Web.Channels;

/// <summary>The five platforms on which units run official channels.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Platform>))]
public enum Platform
{
    [JsonStringEnumMemberName("facebook")]
    Facebook = 1,

    [JsonStringEnumMemberName("youtube")]
    YouTube = 2,

    [JsonStringEnumMemberName("tiktok")]
    TikTok = 3,

    [JsonStringEnumMemberName("zalo")]
    Zalo = 4,

    [JsonStringEnumMemberName("website")]
    Website = 5,
}

public static class Platforms
{
    /// <summary>The lower-case code used in URLs, the API and resource keys ("facebook", "youtube", …).</summary>
    public static string Code(this Platform platform) => platform switch
    {
        Platform.Facebook => "facebook",
        Platform.YouTube => "youtube",
        Platform.TikTok => "tiktok",
        Platform.Zalo => "zalo",
        Platform.Website => "website",
        _ => throw new ArgumentOutOfRangeException(nameof(platform)),
    };

    public static bool TryParse(string? code, out Platform platform)
    {
        foreach (var p in Enum.GetValues<Platform>())
        {
            if (string.Equals(p.Code(), code?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                platform = p;
                return true;
            }
        }

        platform = default;
        return false;
    }
}
