using CivicDesk.Web.SiteAnalytics.Enrichment;

namespace CivicDesk.Web.Tests.SiteAnalytics.Enrichment;

public sealed class CountryLookupTests
{
    private static readonly Lazy<CountryLookup> Lookup = new(() => new CountryLookup(EnrichmentData.CountryMmdb));

    [Theory]
    [InlineData("8.8.8.8", "US")]
    [InlineData("14.160.0.1", "VN")]
    [InlineData("113.160.0.1", "VN")]
    [InlineData("2001:ee0::1", "VN")]
    [InlineData("::ffff:14.160.0.1", "VN")]
    [InlineData(" 14.160.0.1 ", "VN")]
    public void Public_addresses_have_their_country(string address, string country) =>
        Assert.Equal(country, Lookup.Value.Country(address));

    [Fact]
    public void Cloudflare_dns_has_the_country_db_ip_says()
    {
        // Anycast addresses (1.1.1.1, Google's IPv6 DNS) have whatever country DB-IP gives them (AU; CA in this release).
        Assert.Matches("^[A-Z]{2}$", Lookup.Value.Country("1.1.1.1"));
        Assert.Matches("^[A-Z]{2}$", Lookup.Value.Country("2001:4860:4860::8888"));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.5.4")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("0.0.0.0")]
    [InlineData("not an ip")]
    [InlineData("")]
    [InlineData(null)]
    public void Private_and_invalid_addresses_have_none(string? address) =>
        Assert.Null(Lookup.Value.Country(address));

    [Fact]
    public void A_missing_database_answers_null()
    {
        using var lookup = new CountryLookup(Path.Combine(Path.GetTempPath(), "no-such-dbip.mmdb"));
        Assert.False(lookup.IsAvailable);
        Assert.Null(lookup.Country("8.8.8.8"));
    }

    [Fact]
    public void A_corrupt_database_answers_null()
    {
        var path = Path.Combine(Path.GetTempPath(), $"corrupt-{Guid.NewGuid():N}.mmdb");
        File.WriteAllBytes(path, new byte[4096]);
        try
        {
            using var lookup = new CountryLookup(path);
            Assert.Null(lookup.Country("8.8.8.8"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
