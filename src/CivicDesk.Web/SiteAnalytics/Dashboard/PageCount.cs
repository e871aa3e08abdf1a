using System.Runtime.InteropServices;
using CivicDesk.Web.SiteAnalytics.Storage;

namespace CivicDesk.Web.SiteAnalytics.Dashboard;

/// <summary>
/// Counts pages' pageviews, visits and visitors from (visit, page, pageviews) entries, pages cut as
/// <see cref="Crossing.CrossedCounter"/> cuts them. Visits and visitors are numbered densely as they are met, so that each
/// "seen" test is one long in a set of longs; pages are looked up by span, so reading a visit's page list allocates
/// nothing per page.
/// </summary>
internal sealed class PageCount
{
    private readonly Dictionary<long, (int Visit, int Visitor)> _visits = [];
    private readonly Dictionary<long, int> _visitors = [];
    private readonly Dictionary<string, int> _pages = new(StringComparer.Ordinal);
    private readonly List<(string Page, long Visitors, long Visits, long Pageviews)> _counts = [];
    private readonly HashSet<long> _seenVisits = [];
    private readonly HashSet<long> _seenVisitors = [];

    /// <summary>Numbers a visit (once) and its visitor.</summary>
    public void AddVisit(long sessionId, long visitorId)
    {
        ref var visitor = ref CollectionsMarshal.GetValueRefOrAddDefault(_visitors, visitorId, out var known);
        if (!known)
        {
            visitor = _visitors.Count - 1;
        }

        _visits.TryAdd(sessionId, (_visits.Count, visitor));
    }

    /// <summary>Counts pageviews of a page in a visit added before.</summary>
    public void Add(long sessionId, ReadOnlySpan<char> path, int pageviews)
    {
        var number = _visits[sessionId];
        var page = path.Length <= SiteCrossedStats.ValueMaxLength ? path : path[..SiteCrossedStats.ValueMaxLength];
        ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(_pages.GetAlternateLookup<ReadOnlySpan<char>>(), page, out var known);
        if (!known)
        {
            id = _counts.Count;
            _counts.Add((page.ToString(), 0, 0, 0));
        }

        var key = (long)id << 32;
        var c = _counts[id];
        _counts[id] = (c.Page, c.Visitors + (_seenVisitors.Add(key | (uint)number.Visitor) ? 1 : 0), c.Visits + (_seenVisits.Add(key | (uint)number.Visit) ? 1 : 0), c.Pageviews + pageviews);
    }

    public IEnumerable<BreakdownRow> Rows() => _counts.Select(c => new BreakdownRow(c.Page, c.Visitors, c.Visits, c.Pageviews, 0, 0, 0));
}
