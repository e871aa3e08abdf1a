using System.IO.Hashing;
using System.Runtime.InteropServices;
using CivicDesk.Web.SiteAnalytics.Storage;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>
/// The dimension values (page, source, country…) a visitor's day or a visit has been counted for in the daily rollups,
/// kept as 64-bit fingerprints in one sorted array. The writer holds one for every visitor of the last 25 hours and one
/// for every open visit: as hash sets of (dimension, text) they were about 520 bytes each, over a quarter of the app's
/// managed heap under the ingestion benchmark; as fingerprints they are 8 bytes a value and one array (ADR 0009,
/// addendum "counted values as fingerprints").
/// <para>
/// Two different values of one visitor with the same fingerprint would count the visitor once for both. With XxHash3's
/// 64 bits, a visitor with 100 values in a day has that happen with a chance below 3 × 10⁻¹⁶, so that over a billion
/// visitor-days the expected number of visitors missing from one row is below one in a million.
/// </para>
/// </summary>
internal sealed class CountedValues(int capacity = 0)
{
    private long[] _items = capacity > 0 ? new long[capacity] : [];
    private int _count;

    public int Count => _count;

    /// <summary>The value's fingerprint: XxHash3 of its UTF-16 text, seeded with the dimension.</summary>
    public static long Fingerprint(Dimension dimension, string value) =>
        (long)XxHash3.HashToUInt64(MemoryMarshal.AsBytes(value.AsSpan()), (long)dimension);

    /// <summary>Adds the value; false if it was counted already.</summary>
    public bool Add(Dimension dimension, string value) => Add(Fingerprint(dimension, value));

    /// <summary>Adds a fingerprint (<see cref="Fingerprint"/>); false if it was there already.</summary>
    public bool Add(long fingerprint)
    {
        var index = _items.AsSpan(0, _count).BinarySearch(fingerprint);
        if (index >= 0)
        {
            return false;
        }

        index = ~index;
        if (_count == _items.Length)
        {
            // By half again: most hold 15 to 20 values, and a doubled array would be mostly empty.
            Array.Resize(ref _items, Math.Max(4, _count + (_count / 2)));
        }

        Array.Copy(_items, index, _items, index + 1, _count - index);
        _items[index] = fingerprint;
        _count++;
        return true;
    }
}
