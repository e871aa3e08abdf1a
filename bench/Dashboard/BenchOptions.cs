using System.Globalization;
using CivicDesk.Web.SiteAnalytics.Dashboard;
using CivicDesk.Web.SiteAnalytics.Storage;

namespace CivicDesk.Bench.Dashboard;

/// <summary>The command line: which database, how many events, how many timed runs, which filters.</summary>
internal sealed record BenchOptions(
    string Provider, long Events, int BatchSize, int Runs, int Warmup, TimeSpan Timeout, string Database, string? PostgresServer, bool Reuse, bool Drop,
    int Seed, IReadOnlyList<(Dimension Dimension, string Value)> Filters, IReadOnlyList<string> Queries, TimeOnly? Clock = null)
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>A filter value that stands for the site's most viewed page in the last 30 days.</summary>
    public const string TopPage = "top";

    public const string Usage =
        """
        usage: CivicDesk.Bench.Dashboard [--provider sqlite|postgres] [--events 10000000] [--batch 5000]
                                         [--runs 20] [--warmup 2] [--timeout 60] [--database <file or name>] [--postgres <server>]
                                         [--reuse] [--drop] [--seed 2026] [--filter Dimension=Value]... [--query Name]...
                                         [--clock HH:mm]
          --events     generated events over 90 days ending now (the load stops at now, so slightly fewer are stored).
          --batch      events per writer transaction while filling.
          --timeout    seconds one run of a query may take before it is cancelled and reported as timed out.
          --database   SQLite: the file (default /tmp/civicdesk-bench-dashboard-<events>.db);
                       PostgreSQL: the database's name (default civicdesk_bench_dashboard_<events>).
          --postgres   the server to create the database on; defaults to $CIVICDESK_BENCH_POSTGRES.
          --reuse      keep a database an earlier run filled with the same --events and --seed, and only query it.
          --drop       delete the database at the end (by default it is kept, for --reuse).
          --filter     the filters to run every query under, besides none; repeat the option for several. Dimensions:
                       Source, Page, Country, Device, Browser, Os, EntryPage, Referrer, UtmCampaign… Page=top is the
                       most viewed page. Default: Source=Facebook, Page=top, Country=VN, Device=Mobile.
          --query      time only the queries of this name, as the report prints it ("Breakdown Page", "Series",
                       "VisitorsNow"…); repeat the option for several. Default: all 171.
          --clock      run as if it were yesterday at HH:mm in the site's time zone (Asia/Ho_Chi_Minh), the clock
                       moving on from there: the fill ends then and "today" is that day. Today's part of a filtered
                       breakdown is counted from raw visits, so --clock 23:30 measures it with a whole day's traffic.
                       A fill with a clock is reused only by a run with the same clock, which then runs at that
                       time on the fill's last day, whatever day it is.
        """;

    public static BenchOptions Parse(string[] args, string? postgresFromEnvironment)
    {
        ArgumentNullException.ThrowIfNull(args);
        string provider = Sqlite, postgres = postgresFromEnvironment ?? "";
        string? database = null;
        long events = 10_000_000;
        int batch = 5_000, runs = 20, warmup = 2, seed = 2026, timeout = 60;
        bool reuse = false, drop = false;
        var filters = new List<(Dimension, string)>();
        var queries = new List<string>();
        TimeOnly? clock = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--provider": provider = Value(); break;
                case "--events": events = Positive(Value()); break;
                case "--batch": batch = (int)Math.Min(Positive(Value()), 100_000); break;
                case "--runs": runs = (int)Positive(Value()); break;
                case "--warmup": warmup = (int)Whole(Value(), minimum: 0); break;
                case "--timeout": timeout = (int)Positive(Value()); break;
                case "--database": database = Value(); break;
                case "--postgres": postgres = Value(); break;
                case "--reuse": reuse = true; break;
                case "--drop": drop = true; break;
                case "--seed": seed = (int)Positive(Value()); break;
                case "--filter": filters.Add(Filter(Value())); break;
                case "--query": queries.Add(Value()); break;
                case "--clock": clock = TimeOnly.TryParseExact(Value(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
                    ? at : throw new ArgumentException("--clock is a time of day, HH:mm."); break;
                default: throw new ArgumentException($"Unknown argument {args[i]}.");
            }
        }

        if (provider is not (Sqlite or Postgres))
        {
            throw new ArgumentException("--provider is sqlite or postgres.");
        }

        if (provider == Postgres && postgres.Length == 0)
        {
            throw new ArgumentException("PostgreSQL needs --postgres or CIVICDESK_BENCH_POSTGRES.");
        }

        database ??= provider == Sqlite
            ? Path.Combine(Path.GetTempPath(), $"civicdesk-bench-dashboard-{events}.db")
            : $"civicdesk_bench_dashboard_{events}";
        if (filters.Count == 0)
        {
            filters = [(Dimension.Source, "Facebook"), (Dimension.Page, TopPage), (Dimension.Country, "VN"), (Dimension.Device, "Mobile")];
        }

        return new BenchOptions(provider, events, batch, runs, warmup, TimeSpan.FromSeconds(timeout), database, postgres.Length == 0 ? null : postgres, reuse, drop, seed, filters, queries, clock);
    }

    private static (Dimension, string) Filter(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || !Enum.TryParse<Dimension>(text[..eq], ignoreCase: true, out var dimension) || !DashboardFilter.Filterable.Contains(dimension))
        {
            throw new ArgumentException($"'{text}' is not Dimension=Value with a dimension the dashboard filters by ({string.Join(", ", DashboardFilter.Filterable)}).");
        }

        return (dimension, text[(eq + 1)..]);
    }

    private static long Positive(string text) => Whole(text, minimum: 1);

    private static long Whole(string text, long minimum) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= minimum && n <= int.MaxValue * 1000L
            ? n : throw new ArgumentException($"'{text}' is not a whole number from {minimum}.");
}
