using System.Globalization;
using System.Text;

namespace CivicDesk.Web.SiteAnalytics.Storage;

/// <summary>
/// A visit's pages with their pageviews, as <see cref="SiteSession.Pages"/> holds them: for each page in the order first
/// viewed, <c>pageviews,length,path</c> — the length in characters, since a path may hold any character (a decoded
/// <c>%0A</c> is a line break). A visit with more pages than <see cref="MaxLength"/> characters holds none (null), and
/// its pageviews are read from its events, as are those of visits stored before the column existed.
/// </summary>
public sealed class VisitPages
{
    /// <summary>
    /// Beyond this many characters a visit's pages are not kept: its row is rewritten while it lasts (with each batch, or
    /// every <see cref="SiteAnalytics.AnalyticsOptions.VisitWriteInterval"/> while the writer is behind).
    /// </summary>
    public const int MaxLength = 4_000;

    // Capacity 1: most visits view one or two pages, and every open visit keeps its list in the writer's memory.
    private readonly List<(string Path, int Pageviews)> _pages = new(1);
    private int _length;

    /// <summary>False once the pages no longer fit (or were never known, for a visit taken up from an older row).</summary>
    public bool Known { get; private set; } = true;

    public void Add(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!Known)
        {
            return;
        }

        var i = _pages.FindIndex(p => p.Path == path);
        if (i >= 0)
        {
            var (_, pageviews) = _pages[i];
            _length += Digits(pageviews + 1) - Digits(pageviews);
            _pages[i] = (path, pageviews + 1);
        }
        else
        {
            _pages.Add((path, 1));
            _length += 1 + 1 + Digits(path.Length) + 1 + path.Length;
        }

        if (_length > MaxLength)
        {
            Known = false;
            _pages.Clear();
        }
    }

    /// <summary>
    /// The column's text, or null when the pages are not known. Built for each write rather than kept: the writer holds
    /// every open visit, and a kept text was more memory than the list (docs/benchmarks.md, 2026-12-03).
    /// </summary>
    public string? Text()
    {
        if (!Known)
        {
            return null;
        }

        var text = new StringBuilder(_length);
        foreach (var (path, pageviews) in _pages)
        {
            text.Append(CultureInfo.InvariantCulture, $"{pageviews},{path.Length},").Append(path);
        }

        return text.ToString();
    }

    /// <summary>
    /// Takes up the pages of a stored visit. Null, or a text not in the form (never written so, but a row edited by
    /// hand must not stop the writer), are not known, and they stay so: the visit's pageviews are then read from its events.
    /// </summary>
    public static VisitPages From(string? text)
    {
        var pages = new VisitPages();
        try
        {
            var reader = Read(text ?? throw new FormatException("Not known."));
            while (reader.MoveNext())
            {
                pages._pages.Add((reader.Path.ToString(), reader.Pageviews));
            }

            pages._length = text.Length;
        }
        catch (FormatException)
        {
            pages.Known = false;
            pages._pages.Clear();
        }

        return pages;
    }

    /// <summary>The pages of a column's text, each path as a slice of it (nothing is allocated per page).</summary>
    public static PageReader Read(string text) => new(text);

    /// <summary>
    /// Whether a column's text is in the form <see cref="Read"/> reads. The writer never stores another, but a row
    /// edited by hand must not make a dashboard fail: its readers count such a visit as one without a list.
    /// </summary>
    public static bool IsWellFormed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            var reader = Read(text);
            while (reader.MoveNext())
            {
            }

            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static int Digits(int n)
    {
        var digits = 1;
        for (; n >= 10; n /= 10)
        {
            digits++;
        }

        return digits;
    }

    /// <summary>Reads <c>pageviews,length,path</c> entries one by one; throws on text that is not in that form.</summary>
    public ref struct PageReader(string text)
    {
        private int _at;

        public ReadOnlySpan<char> Path { get; private set; }

        public int Pageviews { get; private set; }

        public bool MoveNext()
        {
            if (_at >= text.Length)
            {
                return false;
            }

            var pageviews = Number();
            var length = Number();
            if (length > text.Length - _at)
            {
                throw new FormatException("A visit's pages end before their last path does.");
            }

            Path = text.AsSpan(_at, length);
            Pageviews = pageviews;
            _at += length;
            return true;
        }

        private int Number()
        {
            var comma = text.IndexOf(',', _at);
            if (comma < 0 || !int.TryParse(text.AsSpan(_at, comma - _at), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                throw new FormatException("A visit's pages are not in the form pageviews,length,path.");
            }

            _at = comma + 1;
            return n;
        }
    }
}
