namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>
/// One shared copy of each text the writer keeps in memory. Every event read back from the spool comes with its own
/// copies of its browser, country, source, page…, and the open visits and the visitors' counted values hold about
/// twenty of them per visitor for a day: ~300,000 strings at 20,000 visitors, nearly all repeats of a few hundred.
/// Bounded, because the texts come from requests: past <c>capacity</c> distinct texts it starts over.
/// </summary>
internal sealed class TextPool(int capacity)
{
    private readonly Dictionary<string, string> _texts = new(StringComparer.Ordinal);

    public string Get(string text)
    {
        if (_texts.TryGetValue(text, out var shared))
        {
            return shared;
        }

        if (_texts.Count >= capacity)
        {
            _texts.Clear();
        }

        _texts.Add(text, text);
        return text;
    }
}
