using CivicDesk.Web.SiteAnalytics.Ingestion;
using CivicDesk.Web.SiteAnalytics.Storage;

namespace CivicDesk.Web.Tests.SiteAnalytics;

public sealed class CountedValuesTests
{
    [Fact]
    public void A_value_is_new_once_whatever_order_the_values_come_in()
    {
        var paths = Enumerable.Range(0, 2_000).Select(i => "/trang/" + i).ToArray();
        var counted = new CountedValues();
        foreach (var path in paths.Reverse())
        {
            Assert.True(counted.Add(Dimension.Page, path));
        }

        // Copies of the texts, in another order: the same values, so none is new, and nothing was added.
        foreach (var path in paths.OrderBy(p => p.GetHashCode(StringComparison.Ordinal)))
        {
            Assert.False(counted.Add(Dimension.Page, new string(path.AsSpan())));
        }

        Assert.Equal(paths.Length, counted.Count);
    }

    [Fact]
    public void One_text_under_two_dimensions_is_two_values()
    {
        var counted = new CountedValues(1);
        Assert.True(counted.Add(Dimension.Page, "/"));
        Assert.True(counted.Add(Dimension.EntryPage, "/"));
        Assert.True(counted.Add(Dimension.ExitPage, "/"));
        Assert.False(counted.Add(CountedValues.Fingerprint(Dimension.EntryPage, "/")));
        Assert.True(counted.Add(Dimension.Page, ""));
        Assert.Equal(4, counted.Count);
    }

    [Fact]
    public void Texts_that_differ_in_one_character_or_in_case_have_different_fingerprints()
    {
        var texts = new[] { "/tin-tuc", "/tin-tuc/", "/Tin-tuc", "/tin-tức", "/tin-tuc?", "facebook.com", "Facebook.com", "" };
        var fingerprints = texts.Select(t => CountedValues.Fingerprint(Dimension.Page, t)).ToHashSet();
        Assert.Equal(texts.Length, fingerprints.Count);
    }
}
