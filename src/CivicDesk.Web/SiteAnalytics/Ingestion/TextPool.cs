using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>
/// One shared copy of each text ingestion keeps in memory, for the node (the endpoint and the writer). Every request
/// comes with its own copies of its page, referrer, UTM values…, and the open visits and the visitors' counted values
/// hold about twenty of them per visitor for a day: ~300,000 strings at 20,000 visitors, nearly all repeats of a few
/// hundred. The endpoint takes its texts from here, so an event's strings are shared ones from the start and the copy
/// the request made dies young. Bounded by what it holds, because the texts come from requests: past
/// <c>characters</c> (each text counted with its length and <see cref="EntryCost"/> for its entry) it starts over.
/// Bounded by count, 50,000 distinct pages of 2,000 characters would have held 200 MB.
/// </summary>
public sealed class TextPool(int characters)
{
    /// <summary>The node's pool: about 10 MB at most; a site's distinct pages, referrers and campaign names take far less.</summary>
    public const int NodeCharacters = 4_000_000;

    /// <summary>What an entry costs besides its characters (the string's header, the dictionary's node), in characters.</summary>
    public const int EntryCost = 32;

    private readonly ConcurrentDictionary<string, string> _texts = new(StringComparer.Ordinal);
    private long _added;

    public string Get(string text)
    {
        if (_texts.TryGetValue(text, out var shared))
        {
            return shared;
        }

        if (Interlocked.Add(ref _added, text.Length + EntryCost) > characters)
        {
            Volatile.Write(ref _added, text.Length + EntryCost);
            _texts.Clear();
        }

        return _texts.GetOrAdd(text, text);
    }

    [return: NotNullIfNotNull(nameof(text))]
    public string? GetOrNull(string? text) => text is null ? null : Get(text);
}
