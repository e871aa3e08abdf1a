using System.Net;
using System.Net.Sockets;
using MaxMind.Db;

namespace CivicDesk.Web.SiteAnalytics.Enrichment;

/// <summary>
/// The visitor's country from DB-IP's "IP to Country Lite" database (CC-BY-4.0: the dashboard must link to
/// db-ip.com), read with MaxMind.Db. The ip-location-db build of it keeps one field, <c>country_code</c>
/// (ISO 3166-1 alpha-2), unlike GeoLite2's <c>country.iso_code</c>.
/// Optional enrichment: a missing or unreadable file gives null for every address and is logged once; a lookup never
/// throws. Private, loopback, link-local and other non-public addresses give null without a lookup.
/// </summary>
internal sealed class CountryLookup : IDisposable
{
    /// <summary>The attribution DB-IP's licence requires on every page that shows countries (CC-BY-4.0).</summary>
    public const string AttributionText = "IP Geolocation by DB-IP";

    public const string AttributionUrl = "https://db-ip.com";

    private readonly Reader? _reader;

    public CountryLookup(string mmdbPath, ILogger? logger = null)
    {
        try
        {
            _reader = new Reader(mmdbPath, FileAccessMode.Memory);
        }
        catch (Exception e) when (e is IOException or InvalidDatabaseException or UnauthorizedAccessException)
        {
            logger?.LogWarning(e, "Country lookup is off: the IP-country database {Path} could not be read", mmdbPath);
        }
    }

    public bool IsAvailable => _reader is not null;

    public string? Country(string? address) =>
        IPAddress.TryParse(address?.Trim(), out var ip) ? Country(ip) : null;

    public string? Country(IPAddress address)
    {
        if (_reader is null)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (!IsPublic(address))
        {
            return null;
        }

        try
        {
            return _reader.Find<CountryRecord>(address)?.CountryCode is { Length: 2 } iso ? iso.ToUpperInvariant() : null;
        }
#pragma warning disable CA1031 // Optional enrichment must never fail ingestion, whatever the reader throws.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    public void Dispose() => _reader?.Dispose();

    /// <summary>The one field read from a record, decoded without building a dictionary of the record per lookup.</summary>
    internal sealed class CountryRecord
    {
        [Constructor]
        public CountryRecord([MapKey("country_code")] string? countryCode) => CountryCode = countryCode;

        public string? CountryCode { get; }
    }

    private static bool IsPublic(IPAddress ip)
    {
        if (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any) || ip.Equals(IPAddress.Broadcast))
        {
            return false;
        }

        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            ip.TryWriteBytes(b, out _);
            return !(b[0] == 10 || b[0] == 0 || b[0] >= 224
                || (b[0] == 172 && b[1] is >= 16 and <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 100 && b[1] is >= 64 and <= 127));
        }

        if (ip.AddressFamily == AddressFamily.InterNetworkV6)
        {
            Span<byte> b = stackalloc byte[16];
            ip.TryWriteBytes(b, out _);
            // Link-local, site-local, unique local (fc00::/7) and multicast.
            return !(ip.IsIPv6LinkLocal || ip.IsIPv6SiteLocal || ip.IsIPv6UniqueLocal || ip.IsIPv6Multicast || (b[0] & 0xFE) == 0xFC);
        }

        return false;
    }
}
