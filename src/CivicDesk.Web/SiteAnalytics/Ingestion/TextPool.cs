using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>
/// One shared copy of each text ingestion keeps in memory, for the node (the endpoint and the writer). Every request
/// comes with its own copies of its page, referrer, UTM values…, and the open visits and the visitors' counted values
/// hold about twenty of them per visitor for a day: ~300,000 strings at 20,000 visitors, nearly all repeats of a few
/// hundred. The endpoint takes its texts from here, so an event's strings are shared ones from the start and the copy
/// the request made dies young. Bounded, because the texts come from requests: past <c>capacity</c> texts added it
/// starts over.
/// </summary>
public sealed class TextPool(int capacity)
{
    /// <summary>The node's pool: a few hundred kilobytes of distinct pages, referrers and campaign names at most.</summary>
    public const int NodeCapacity = 50_000;

    private readonly ConcurrentDictionary<string, string> _texts = new(StringComparer.Ordinal);
    private int _added;

    public string Get(string text)
    {
        if (_texts.TryGetValue(text, out var shared))
        {
            return shared;
        }

        if (Interlocked.Increment(ref _added) > capacity)
        {
            Volatile.Write(ref _added, 0);
            _texts.Clear();
        }

        return _texts.GetOrAdd(text, text);
    }

    [return: NotNullIfNotNull(nameof(text))]
    public string? GetOrNull(string? text) => text is null ? null : Get(text);
}
