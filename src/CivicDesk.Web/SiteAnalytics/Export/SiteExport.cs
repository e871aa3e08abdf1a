using System.Globalization;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using CivicDesk.Web.Data;
using CivicDesk.Web.SiteAnalytics.Ingestion;
using CivicDesk.Web.SiteAnalytics.Storage;
using CsvHelper;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.SiteAnalytics.Export;

/// <summary>
/// A site's data for a period as Plausible's CSV export (see <see cref="PlausibleCsv"/>), read from the rollups only:
/// raw events may have gone with the site's retention, the rollups stay. The zip is written as the rows are read, so
/// a large site's export never sits in memory; the files are read one after another, so today's numbers may differ
/// between files by the events that arrived meanwhile.
/// </summary>
internal sealed class SiteExport(AppDbContext db, Site site, Period period, TimeZoneInfo zone)
{
    // Quoted text and bare numbers, LF line ends: what Plausible's ClickHouse writes as CSVWithNames. Values are kept
    // exactly (no formula escaping), because the files are for importing into another analytics tool.
    private static readonly CsvWriterOptions Csv = CsvWriterOptions.Default with { NewLine = "\n", FormatProvider = CultureInfo.InvariantCulture };

    public async Task WriteAsync(Stream output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(output);
        await using var body = new AsyncWriteStream(output);
        await using (var zip = await ZipArchive.CreateAsync(body, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct))
        {
            foreach (var table in PlausibleCsv.DailyTables(site))
            {
                await WriteEntryAsync(zip, body, table.Name, table.Columns, csv => WriteDailyAsync(csv, table, ct), ct);
            }

            await WriteEntryAsync(zip, body, PlausibleCsv.Visitors, PlausibleCsv.VisitorsColumns, csv => WriteVisitorsAsync(csv, ct), ct);
        }

        await body.FlushAsync(ct);
    }

    private async Task WriteEntryAsync(ZipArchive zip, AsyncWriteStream body, string table, string[] columns, Func<CsvWriter, Task> rows, CancellationToken ct)
    {
        // CSV compresses well at the fastest level; on a small server the CPU is what a large export costs.
        var entry = zip.CreateEntry(PlausibleCsv.FileName(table, period), CompressionLevel.Fastest);
        await using (var stream = await entry.OpenAsync(ct))
        await using (var csv = CsvWriter.Create(stream, Csv, leaveOpen: true))
        {
            foreach (var column in columns)
            {
                csv.WriteField(column, CsvQuoting.Always);
            }

            await csv.EndRecordAsync(ct);
            await rows(csv);
            await csv.FlushAsync(ct);
        }

        // Closing the entry wrote its end synchronously into the buffer: send it.
        await body.FlushAsync(ct);
    }

    private async Task WriteDailyAsync(CsvWriter csv, PlausibleTable table, CancellationToken ct)
    {
        await foreach (var (day, key, counts) in MergedAsync(table, ct))
        {
            csv.WriteField(PlausibleCsv.Date(day), CsvQuoting.Always);
            foreach (var text in key)
            {
                csv.WriteField(text, CsvQuoting.Always);
            }

            foreach (var column in table.Columns.Skip(1 + key.Length))
            {
                csv.WriteField(counts.Column(column), default);
            }

            await csv.EndRecordAsync(ct);
        }
    }

    /// <summary>The table's rows a day at a time, in day order, with the rows whose keys meet (after renaming) added up.</summary>
    private async IAsyncEnumerable<(DateOnly Day, string[] Key, DailyCounts Counts)> MergedAsync(PlausibleTable table, [EnumeratorCancellation] CancellationToken ct)
    {
        var dimensions = table.Dimensions;
        var rows = db.Set<SiteDailyStats>().AsNoTracking()
            .Where(s => s.SiteId == site.Id && dimensions.Contains(s.Dimension) && s.Day >= period.From && s.Day <= period.To)
            .OrderBy(s => s.Day).ThenBy(s => s.Dimension).ThenBy(s => s.Value);
        DateOnly? current = null;
        var merged = new Dictionary<string, (string[] Key, DailyCounts Counts)>(StringComparer.Ordinal);
        var order = new List<string>();
        await foreach (var row in rows.AsAsyncEnumerable().WithCancellation(ct))
        {
            if (row.Day != current)
            {
                foreach (var k in order)
                {
                    yield return (current!.Value, merged[k].Key, merged[k].Counts);
                }

                merged.Clear();
                order.Clear();
                current = row.Day;
            }

            if (table.Key(row) is not { } key)
            {
                continue;
            }

            var counts = DailyCounts.Of(row);
            counts = table.Adjust?.Invoke(counts) ?? counts;
            var joined = SiteDailyStats.Join(key);
            if (merged.TryGetValue(joined, out var seen))
            {
                merged[joined] = (key, seen.Counts.Add(counts));
            }
            else
            {
                merged[joined] = (key, counts);
                order.Add(joined);
            }
        }

        foreach (var k in order)
        {
            yield return (current!.Value, merged[k].Key, merged[k].Counts);
        }
    }

    /// <summary>imported_visitors: the hourly rollups added up by the site's local day (new visitors of a day's hours
    /// are its unique visitors). Days with no visit and no pageview (only bots) are left out, as Plausible has none.</summary>
    private async Task WriteVisitorsAsync(CsvWriter csv, CancellationToken ct)
    {
        var (start, end) = period.Utc(zone);
        var hours = db.SiteHourlyStats.AsNoTracking()
            .Where(s => s.SiteId == site.Id && s.Hour >= start && s.Hour < end)
            .OrderBy(s => s.Hour)
            .Select(s => new { s.Hour, s.NewVisitors, s.Pageviews, s.Bounces, s.Visits, s.DurationSeconds });
        DateOnly? current = null;
        var day = default(DailyCounts);
        await foreach (var hour in hours.AsAsyncEnumerable().WithCancellation(ct))
        {
            var local = DailyRollups.LocalDay(hour.Hour, zone);
            if (local != current)
            {
                await WriteDayAsync(csv, current, day, ct);
                current = local;
                day = default;
            }

            day = day.Add(new DailyCounts(hour.NewVisitors, hour.Visits, hour.Pageviews, 0, hour.Bounces, hour.DurationSeconds));
        }

        await WriteDayAsync(csv, current, day, ct);
    }

    private static async Task WriteDayAsync(CsvWriter csv, DateOnly? day, DailyCounts counts, CancellationToken ct)
    {
        if (day is null || (counts.Visits == 0 && counts.Pageviews == 0 && counts.Visitors == 0))
        {
            return;
        }

        csv.WriteField(PlausibleCsv.Date(day.Value), CsvQuoting.Always);
        foreach (var column in PlausibleCsv.VisitorsColumns.Skip(1))
        {
            csv.WriteField(counts.Column(column), default);
        }

        await csv.EndRecordAsync(ct);
    }
}
