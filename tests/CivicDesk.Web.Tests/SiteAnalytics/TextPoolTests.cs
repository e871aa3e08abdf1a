using CivicDesk.Web.SiteAnalytics.Ingestion;

namespace CivicDesk.Web.Tests.SiteAnalytics;

public sealed class TextPoolTests
{
    [Fact]
    public void A_text_is_shared_until_the_pool_holds_its_characters_worth_and_starts_over()
    {
        // Room for two ten-character texts with their entries, not three.
        var pool = new TextPool(2 * (10 + TextPool.EntryCost) + 5);
        var first = pool.Get(new string('a', 10));
        Assert.Same(first, pool.Get(new string('a', 10)));
        Assert.Equal("bbbbbbbbbb", pool.GetOrNull(new string('b', 10)));
        Assert.Null(pool.GetOrNull(null));

        // A third text does not fit: the pool starts over with it, and the first is no longer shared.
        var third = pool.Get(new string('c', 10));
        Assert.Same(third, pool.Get(new string('c', 10)));
        var copy = new string('a', 10);
        Assert.Same(copy, pool.Get(copy));
        Assert.NotSame(first, pool.Get(new string('a', 10)));
    }

    [Fact]
    public void Texts_taken_from_many_threads_at_once_are_one_copy_each()
    {
        var pool = new TextPool(TextPool.NodeCharacters);
        var taken = new string[8][];
        Parallel.For(0, taken.Length, t => taken[t] = [.. Enumerable.Range(0, 500).Select(i => pool.Get("/page/" + i))]);

        for (var i = 0; i < 500; i++)
        {
            Assert.All(taken, texts => Assert.Same(taken[0][i], texts[i]));
        }
    }
}
