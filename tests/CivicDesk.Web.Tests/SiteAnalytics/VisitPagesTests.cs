using CivicDesk.Web.SiteAnalytics.Storage;

namespace CivicDesk.Web.Tests.SiteAnalytics;

public sealed class VisitPagesTests
{
    [Fact]
    public void Pages_are_kept_in_the_order_first_viewed_with_their_pageviews_whatever_characters_their_paths_hold()
    {
        string[] viewed = ["/", "/tin-tuc", "/", "/a,b/12,3", "/dòng\nmới\t1", "/", "/12,", "/tin-tuc"];
        var pages = new VisitPages();
        foreach (var path in viewed)
        {
            pages.Add(path);
        }

        var text = pages.Text();
        Assert.Equal("3,1,/2,8,/tin-tuc1,9,/a,b/12,31,11,/dòng\nmới\t11,4,/12,", text);
        Assert.Equal([("/", 3), ("/tin-tuc", 2), ("/a,b/12,3", 1), ("/dòng\nmới\t1", 1), ("/12,", 1)], Read(text!));
    }

    [Fact]
    public void A_stored_list_goes_on_where_it_stopped()
    {
        var pages = VisitPages.From("2,2,/a1,2,/b");
        pages.Add("/b");
        pages.Add("/c");
        Assert.Equal("2,2,/a2,2,/b1,2,/c", pages.Text());
    }

    [Fact]
    public void A_list_is_kept_while_its_text_fits_the_limit_and_then_never_again()
    {
        // Pages and pageviews in a random order, so that the text grows both by new pages and by counts gaining a digit.
        var random = new Random(3);
        var pages = new VisitPages();
        var model = new List<(string Path, int Pageviews)>();
        var overflowed = false;
        for (var n = 0; n < 20_000; n++)
        {
            var path = "/p" + random.Next(0, n < 5_000 ? 3 : 600);
            pages.Add(path);
            var i = model.FindIndex(p => p.Path == path);
            if (i < 0)
            {
                model.Add((path, 1));
            }
            else
            {
                model[i] = (path, model[i].Pageviews + 1);
            }

            var expected = string.Concat(model.Select(p => $"{p.Pageviews},{p.Path.Length},{p.Path}"));
            overflowed |= expected.Length > VisitPages.MaxLength;
            Assert.Equal(overflowed ? null : expected, pages.Text());
        }

        Assert.True(overflowed);
        var old = VisitPages.From(null);
        old.Add("/");
        Assert.False(old.Known);
        Assert.Null(old.Text());
    }

    [Theory]
    [InlineData("1,5,/a")]
    [InlineData("x,1,/")]
    [InlineData("1,/")]
    [InlineData("1,-1,/")]
    public void Text_not_in_the_form_is_refused_and_not_taken_up(string text)
    {
        Assert.Throws<FormatException>(() => Read(text));
        var pages = VisitPages.From(text);
        pages.Add("/");
        Assert.False(pages.Known);
        Assert.Null(pages.Text());
    }

    private static List<(string, int)> Read(string text)
    {
        var list = new List<(string, int)>();
        var reader = VisitPages.Read(text);
        while (reader.MoveNext())
        {
            list.Add((reader.Path.ToString(), reader.Pageviews));
        }

        return list;
    }
}
