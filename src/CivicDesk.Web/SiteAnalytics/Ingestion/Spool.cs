using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>A place in the spool: segment number and byte offset within it.</summary>
public readonly record struct SpoolPosition(long Segment, long Offset) : IComparable<SpoolPosition>
{
    public int CompareTo(SpoolPosition other) =>
        Segment != other.Segment ? Segment.CompareTo(other.Segment) : Offset.CompareTo(other.Offset);

    public static bool operator <(SpoolPosition a, SpoolPosition b) => a.CompareTo(b) < 0;

    public static bool operator >(SpoolPosition a, SpoolPosition b) => a.CompareTo(b) > 0;

    public static bool operator <=(SpoolPosition a, SpoolPosition b) => a.CompareTo(b) <= 0;

    public static bool operator >=(SpoolPosition a, SpoolPosition b) => a.CompareTo(b) >= 0;
}

/// <summary>
/// This node's append-only log of accepted events, in numbered segment files. Each record is a 4-byte length, the
/// event as JSON, and a newline. A record cut short by a crash is recognised on open (length past the end, or no
/// newline) and truncated, so the log always ends on a whole record. The writer reads it from the checkpoint kept in
/// the database; segments wholly before the checkpoint are deleted.
/// </summary>
public sealed class Spool : IDisposable
{
    /// <summary>The segment file stream's buffer: a whole append under load (see <see cref="OpenForAppend"/>).</summary>
    private const int AppendBuffer = 64 * 1024;

    private readonly string _folder;
    private readonly long _segmentBytes;
    private readonly Lock _gate = new();
    private readonly ArrayBufferWriter<byte> _body = new(4096);
    private readonly Utf8JsonWriter _json;
    private FileStream _current;
    private long _segment;
    /// <summary>The length of the current segment (asking the file for it is a system call).</summary>
    private long _length;

    public Spool(string folder, long segmentBytes)
    {
        _folder = folder;
        _segmentBytes = segmentBytes;
        _json = new Utf8JsonWriter(_body, new JsonWriterOptions { Encoder = SpoolJson.Default.Options.Encoder });
        Directory.CreateDirectory(folder);
        var idFile = Path.Combine(folder, "spool-id");
        if (!File.Exists(idFile))
        {
            File.WriteAllText(idFile, Guid.NewGuid().ToString("N"));
        }

        Id = File.ReadAllText(idFile).Trim();
        var segments = Segments();
        _segment = segments.Count == 0 ? 1 : segments[^1];
        (_current, _length) = OpenForAppend(_segment);
    }

    /// <summary>Names this spool in the checkpoint table: one row per node's spool folder.</summary>
    public string Id { get; }

    /// <summary>Where the next record will be written.</summary>
    public SpoolPosition End
    {
        get
        {
            lock (_gate)
            {
                return new SpoolPosition(_segment, _length);
            }
        }
    }

    /// <summary>
    /// Appends the events and hands them to the operating system, so a killed process loses none of them; returns where
    /// they begin, where the next record will begin, and the offset in the segment after each event's record (all of
    /// them are in one segment).
    /// </summary>
    public (SpoolPosition Start, SpoolPosition End, long[] Ends) Append(IReadOnlyList<PendingEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        lock (_gate)
        {
            if (_length >= _segmentBytes)
            {
                _current.Dispose();
                _segment++;
                (_current, _length) = OpenForAppend(_segment);
            }

            var start = new SpoolPosition(_segment, _length);
            var ends = new long[events.Count];
            var offset = start.Offset;
            Span<byte> header = stackalloc byte[4];
            try
            {
                for (var i = 0; i < events.Count; i++)
                {
                    var e = events[i];
                    // Each event is serialized into the same buffer, reused (under the lock) instead of a new array each.
                    _body.ResetWrittenCount();
                    _json.Reset(_body);
                    JsonSerializer.Serialize(_json, e, SpoolJson.Default.PendingEvent);
                    BinaryPrimitives.WriteInt32LittleEndian(header, _body.WrittenCount);
                    _current.Write(header);
                    _current.Write(_body.WrittenSpan);
                    _current.WriteByte((byte)'\n');
                    offset += header.Length + _body.WrittenCount + 1;
                    ends[i] = offset;
                }

                _current.Flush(flushToDisk: false);
            }
            catch
            {
                // A write that failed (a full disk) leaves no half record behind: the segment ends on a whole one.
                _current.SetLength(_length);
                _current.Position = _length;
                throw;
            }

            _length = offset;
            return (start, new SpoolPosition(_segment, offset), ends);
        }
    }

    /// <summary>Reads up to <paramref name="max"/> whole records from <paramref name="from"/>; returns them and the position after them.</summary>
    public (IReadOnlyList<PendingEvent> Events, SpoolPosition Next) Read(SpoolPosition from, int max)
    {
        var events = new List<PendingEvent>();
        var position = from;
        var end = End;
        Span<byte> header = stackalloc byte[4];
        while (events.Count < max && position < end)
        {
            var path = SegmentPath(position.Segment);
            if (!File.Exists(path))
            {
                position = new SpoolPosition(position.Segment + 1, 0);
                continue;
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var limit = position.Segment == end.Segment ? end.Offset : stream.Length;
            stream.Position = position.Offset;
            while (events.Count < max && stream.Position + 5 <= limit)
            {
                stream.ReadExactly(header);
                var length = BinaryPrimitives.ReadInt32LittleEndian(header);
                var body = new byte[length + 1];
                stream.ReadExactly(body);
                events.Add(JsonSerializer.Deserialize(body.AsSpan(0, length), SpoolJson.Default.PendingEvent)!);
            }

            position = stream.Position >= limit && position.Segment < end.Segment
                ? new SpoolPosition(position.Segment + 1, 0)
                : new SpoolPosition(position.Segment, stream.Position);
        }

        return (events, position);
    }

    /// <summary>Deletes the segments that lie wholly before <paramref name="checkpoint"/>.</summary>
    public void DeleteBefore(SpoolPosition checkpoint)
    {
        foreach (var segment in Segments().Where(s => s < checkpoint.Segment))
        {
            File.Delete(SegmentPath(segment));
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _current.Dispose();
            _json.Dispose();
        }
    }

    private List<long> Segments() =>
        Directory.EnumerateFiles(_folder, "*.spool")
            .Select(f => long.TryParse(Path.GetFileNameWithoutExtension(f), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1)
            .Where(n => n > 0)
            .Order()
            .ToList();

    private string SegmentPath(long segment) =>
        Path.Combine(_folder, segment.ToString("D10", CultureInfo.InvariantCulture) + ".spool");

    /// <summary>Opens a segment for appending, first cutting off a record that a crash left half written.</summary>
    private (FileStream Stream, long Length) OpenForAppend(long segment)
    {
        var path = SegmentPath(segment);
        // A buffer that holds a whole append under load: with the default 4 KiB the stream handed the OS every six
        // events or so, a system call each time, though each append is flushed as one write anyway.
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, AppendBuffer);
        var valid = 0L;
        Span<byte> header = stackalloc byte[4];
        while (valid + 5 <= stream.Length)
        {
            stream.Position = valid;
            stream.ReadExactly(header);
            var length = BinaryPrimitives.ReadInt32LittleEndian(header);
            if (length <= 0 || valid + 4 + length + 1 > stream.Length)
            {
                break;
            }

            stream.Position = valid + 4 + length;
            if (stream.ReadByte() != '\n')
            {
                break;
            }

            valid += 4 + length + 1;
        }

        stream.SetLength(valid);
        stream.Position = valid;
        return (stream, valid);
    }
}

/// <summary>
/// The spool's record format: the source-generated serializer writes the same JSON as reflection (default options) at
/// a fraction of its processor time, which the writer spends on every accepted event.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.General)]
[JsonSerializable(typeof(PendingEvent))]
internal sealed partial class SpoolJson : JsonSerializerContext;
