using System.Security.Cryptography;
using CivicDesk.Web.Accounts;
using CivicDesk.Web.Channels;
using CivicDesk.Web.Data;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.SiteAnalytics.Demo;
using CivicDesk.Web.Units;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Demo;

public sealed record DemoResult(int Units, int Channels, IReadOnlyList<(string Email, Role Role)> Users, string Password, DemoSiteResult Site);

/// <summary>
/// Fills an empty database with a fictional province, Sông Lam, so that a newcomer sees a populated product.
/// Every record is marked <c>IsDemo</c>; names, domains (the reserved .example TLD) and accounts are invented.
/// Later capabilities add their demo data here.
/// </summary>
public sealed class DemoSeeder(AppDbContext db, UnitService units, ChannelService channels, UserService users, DemoSite site)
{
    private sealed record DemoUnit(string Name, DemoUnit[] Children, (string Url, string Name)[] Channels);

    private static readonly DemoUnit[] Province =
    [
        new("UBND tỉnh Sông Lam",
        [
            new("Văn phòng UBND tỉnh", [], [("https://vanphong.songlam.example/", "Cổng TTĐT Văn phòng UBND tỉnh")]),
            new("Sở Thông tin và Truyền thông", [],
            [
                ("https://www.facebook.com/SoTTTTSongLam", "Sở TT&TT tỉnh Sông Lam"),
                ("https://www.youtube.com/@SoTTTTSongLam", "Sở TT&TT Sông Lam"),
                ("https://stttt.songlam.example/", "Trang TTĐT Sở TT&TT"),
            ]),
            new("Sở Y tế", [],
            [
                ("https://www.facebook.com/profile.php?id=100064512345678", "Sở Y tế Sông Lam"),
                ("https://zalo.me/2736451928374650123", "Sở Y tế Sông Lam"),
            ]),
            new("Sở Giáo dục và Đào tạo", [], [("https://www.tiktok.com/@sogddtsonglam", "Sở GD&ĐT Sông Lam")]),
        ],
        [
            ("https://www.facebook.com/CongThongTinSongLam", "Cổng thông tin tỉnh Sông Lam"),
            ("https://www.youtube.com/channel/UCs0ngLamTV0123456789abc", "Truyền hình Sông Lam"),
            ("https://www.tiktok.com/@songlamtv", "Sông Lam TV"),
            ("https://zalo.me/1876543210987654321", "UBND tỉnh Sông Lam"),
            ("https://songlam.example/", "Cổng TTĐT tỉnh Sông Lam"),
        ]),
        new("Công an tỉnh Sông Lam",
        [
            new("Phòng Tham mưu", [], [("https://www.facebook.com/PhongThamMuuCASL", "Phòng Tham mưu CA tỉnh")]),
        ],
        [
            ("https://www.facebook.com/CongAnTinhSongLam", "Công an tỉnh Sông Lam"),
            ("https://www.youtube.com/@congansonglam", "Công an Sông Lam"),
            ("https://www.tiktok.com/@congansonglam", "Công an tỉnh Sông Lam"),
            ("https://congan.songlam.example/", "Trang TTĐT Công an tỉnh"),
        ]),
        new("Bộ Chỉ huy Quân sự tỉnh Sông Lam", [], [("https://www.facebook.com/BCHQSSongLam", "Bộ CHQS tỉnh Sông Lam")]),
        new("Huyện Phú An",
        [
            new("Xã An Thành", [], [("https://www.facebook.com/XaAnThanhPhuAn", "UBND xã An Thành")]),
            new("Xã An Hòa", [], [("https://zalo.me/3456789012345678901", "UBND xã An Hòa")]),
        ],
        [
            ("https://www.facebook.com/HuyenPhuAn", "Huyện Phú An"),
            ("https://phuan.songlam.example/", "Trang TTĐT huyện Phú An"),
        ]),
        new("Thành phố Lam Giang",
        [
            new("Phường Trung Tâm", [], []),
        ],
        [
            ("https://www.facebook.com/ThanhPhoLamGiang", "TP Lam Giang"),
            ("https://www.youtube.com/@lamgiangtv", "Lam Giang TV"),
        ]),
    ];

    private static readonly (string Email, Role Role, string Name)[] DemoUsers =
    [
        ("quantri@songlam.example", Role.Admin, "Nguyễn Văn Quản (demo)"),
        ("bientap@songlam.example", Role.Editor, "Trần Thị Biên (demo)"),
        ("duyet@songlam.example", Role.Approver, "Lê Văn Duyệt (demo)"),
        ("phantich@songlam.example", Role.Analyst, "Phạm Thị Phân (demo)"),
        ("xem@songlam.example", Role.Viewer, "Hoàng Văn Xem (demo)"),
    ];

    /// <summary>Creates the demo province; null when the database already holds units.</summary>
    public async Task<DemoResult?> SeedAsync(CancellationToken ct = default)
    {
        if (await db.Units.AnyAsync(ct))
        {
            return null;
        }

        var unitCount = 0;
        var channelCount = 0;
        var roots = new List<Unit>();
        foreach (var root in Province)
        {
            roots.Add(await CreateAsync(root, null));
        }

        // The password meets the policy: upper, lower, digits, at least 10 characters.
        var password = "Demo-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)) + "a1";
        var created = new List<(string, Role)>();
        foreach (var (email, role, name) in DemoUsers)
        {
            Check(await users.CreateAsync(email, name, password, roots[0].Id, role, isDemo: true, ct: ct));
            created.Add((email, role));
        }

        // The province's portal, measured by site analytics, with 90 days of generated traffic.
        var portal = await site.CreateAsync(roots[0].Id, ct);
        return new DemoResult(unitCount, channelCount, created, password, portal);

        async Task<Unit> CreateAsync(DemoUnit demo, int? parentId)
        {
            var unit = Check(await units.CreateAsync(demo.Name, parentId, isDemo: true, ct: ct));
            unitCount++;
            foreach (var (url, name) in demo.Channels)
            {
                Check(await channels.RegisterAsync(unit.Id, url, null, name, isDemo: true, ct: ct));
                channelCount++;
            }

            foreach (var child in demo.Children)
            {
                await CreateAsync(child, unit.Id);
            }

            return unit;
        }
    }

    private static T Check<T>(Shared.Outcome<T> outcome) =>
        outcome.Succeeded
            ? outcome.Value!
            : throw new InvalidOperationException("Demo data was refused: " + string.Join("; ", outcome.Errors.SelectMany(e => e.Value)));
}
