using System.Globalization;

namespace CivicDesk.Web.SiteAnalytics.Pages;

/// <summary>
/// A country's name from its ISO 3166-1 alpha-2 code in the interface language. .NET gives English names
/// (<see cref="RegionInfo.EnglishName"/>) but not Vietnamese ones (its display name is the country's own, e.g.
/// "Deutschland"), so Vietnamese names come from this table of the countries an agency's visitors come from most;
/// any other country reads in English, and a code .NET does not know reads as itself.
/// </summary>
public static class CountryNames
{
    private static readonly Dictionary<string, string> Vietnamese = new(StringComparer.Ordinal)
    {
        ["VN"] = "Việt Nam", ["US"] = "Hoa Kỳ", ["CN"] = "Trung Quốc", ["JP"] = "Nhật Bản", ["KR"] = "Hàn Quốc",
        ["KP"] = "Triều Tiên", ["TW"] = "Đài Loan", ["HK"] = "Hồng Kông", ["MO"] = "Ma Cao", ["SG"] = "Singapore",
        ["TH"] = "Thái Lan", ["LA"] = "Lào", ["KH"] = "Campuchia", ["MY"] = "Malaysia", ["ID"] = "Indonesia",
        ["PH"] = "Philippines", ["MM"] = "Myanmar", ["BN"] = "Brunei", ["TL"] = "Đông Timor", ["IN"] = "Ấn Độ",
        ["PK"] = "Pakistan", ["BD"] = "Bangladesh", ["LK"] = "Sri Lanka", ["NP"] = "Nepal", ["MN"] = "Mông Cổ",
        ["KZ"] = "Kazakhstan", ["UZ"] = "Uzbekistan", ["AF"] = "Afghanistan", ["AU"] = "Úc", ["NZ"] = "New Zealand",
        ["GB"] = "Vương quốc Anh", ["IE"] = "Ireland", ["FR"] = "Pháp", ["DE"] = "Đức", ["IT"] = "Ý",
        ["ES"] = "Tây Ban Nha", ["PT"] = "Bồ Đào Nha", ["NL"] = "Hà Lan", ["BE"] = "Bỉ", ["LU"] = "Luxembourg",
        ["CH"] = "Thụy Sĩ", ["AT"] = "Áo", ["SE"] = "Thụy Điển", ["NO"] = "Na Uy", ["DK"] = "Đan Mạch",
        ["FI"] = "Phần Lan", ["IS"] = "Iceland", ["PL"] = "Ba Lan", ["CZ"] = "Séc", ["SK"] = "Slovakia",
        ["HU"] = "Hungary", ["RO"] = "Romania", ["BG"] = "Bulgaria", ["GR"] = "Hy Lạp", ["CY"] = "Síp",
        ["HR"] = "Croatia", ["SI"] = "Slovenia", ["RS"] = "Serbia", ["LT"] = "Litva", ["LV"] = "Latvia",
        ["EE"] = "Estonia", ["RU"] = "Nga", ["UA"] = "Ukraina", ["BY"] = "Belarus", ["TR"] = "Thổ Nhĩ Kỳ",
        ["IL"] = "Israel", ["SA"] = "Ả Rập Xê Út", ["AE"] = "Các Tiểu vương quốc Ả Rập Thống nhất", ["QA"] = "Qatar",
        ["KW"] = "Kuwait", ["OM"] = "Oman", ["IR"] = "Iran", ["IQ"] = "Iraq", ["SY"] = "Syria", ["JO"] = "Jordan",
        ["LB"] = "Liban", ["EG"] = "Ai Cập", ["MA"] = "Ma-rốc", ["DZ"] = "Algérie", ["ZA"] = "Nam Phi",
        ["NG"] = "Nigeria", ["KE"] = "Kenya", ["ET"] = "Ethiopia", ["TZ"] = "Tanzania", ["AO"] = "Angola",
        ["MZ"] = "Mozambique", ["CA"] = "Canada", ["MX"] = "Mexico", ["CU"] = "Cuba", ["BR"] = "Brazil",
        ["AR"] = "Argentina", ["CL"] = "Chile", ["CO"] = "Colombia", ["PE"] = "Peru", ["VE"] = "Venezuela",
    };

    public static string Name(string code, CultureInfo uiCulture)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(uiCulture);
        // Only a two-letter code: RegionInfo also takes culture names ("vi" is the U.S. Virgin Islands to it).
        if (code.Length != 2 || !code.All(char.IsAsciiLetterUpper))
        {
            return code;
        }

        if (uiCulture.TwoLetterISOLanguageName == "vi" && Vietnamese.TryGetValue(code, out var name))
        {
            return name;
        }

        try
        {
            return new RegionInfo(code).EnglishName;
        }
        catch (ArgumentException)
        {
            return code;
        }
    }
}
