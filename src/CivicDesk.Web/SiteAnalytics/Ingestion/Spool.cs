using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Win32.SafeHandles;

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
    /// <summary>
    /// An append's records are gathered up to this size and handed to the operating system in one call: a whole append
    /// under load, when the spooler writes a few dozen events at a time; a backlog's appends go in parts of this size.
    /// </summary>
    private const int AppendBuffer = 64 * 1024;

    private readonly string _folder;
    private readonly long _segmentBytes;
    private readonly Lock _gate = new();
    private readonly ArrayBufferWriter<byte> _body = new(4096);
    /// <summary>Records gathered for one call to the operating system (<see cref="AppendBuffer"/>).</summary>
    private readonly ArrayBufferWriter<byte> _append = new(AppendBuffer * 2);
    private readonly Utf8JsonWriter _json;
    private FileStream _current;
    /// <summary>The current segment's handle, which appends write through (taken from the stream once: asking flushes it).</summary>
    private SafeFileHandle _handle;
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
        _handle = _current.SafeFileHandle;
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
                // The next segment is opened before this one is let go: if it cannot be (the folder is gone, the disk
                // is full), the spool stays as it was and the same append can be tried again.
                var (next, length) = OpenForAppend(_segment + 1);
                _current.Dispose();
                _segment++;
                (_current, _length) = (next, length);
                _handle = _current.SafeFileHandle;
            }

            var start = new SpoolPosition(_segment, _length);
            var ends = new long[events.Count];
            var offset = start.Offset;
            _append.ResetWrittenCount();
            try
            {
                for (var i = 0; i < events.Count; i++)
                {
                    // Each event is serialized into the same buffer, reused (under the lock) instead of a new array each.
                    _body.ResetWrittenCount();
                    _json.Reset(_body);
                    JsonSerializer.Serialize(_json, events[i], SpoolJson.Default.PendingEvent);
                    var size = 4 + _body.WrittenCount + 1;
                    var record = _append.GetSpan(size);
                    BinaryPrimitives.WriteInt32LittleEndian(record, _body.WrittenCount);
                    _body.WrittenSpan.CopyTo(record[4..]);
                    record[size - 1] = (byte)'\n';
                    _append.Advance(size);
                    offset += size;
                    ends[i] = offset;
                    if (_append.WrittenCount >= AppendBuffer)
                    {
                        WriteGathered(offset);
                    }
                }

                WriteGathered(offset);
            }
            catch
            {
                // Written with no buffer of the stream's own, a write that fails (a full disk) leaves nothing behind
                // to be written later. What part of this append reached the file is cut off here if the disk allows;
                // if not, the spooler's next try writes the same events first from the same offset, over it; and a
                // start cuts off anything torn.
                TryCutTo(_length);
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

    /// <summary>Hands the gathered records, which end at <paramref name="end"/> in the segment, to the operating system in one call.</summary>
    private void WriteGathered(long end)
    {
        if (_append.WrittenCount == 0)
        {
            return;
        }

        RandomAccess.Write(_handle, _append.WrittenSpan, end - _append.WrittenCount);
        _append.ResetWrittenCount();
    }

    private void TryCutTo(long length)
    {
        try
        {
            RandomAccess.SetLength(_handle, length);
        }
        catch (IOException)
        {
            // The disk refuses even that: the next append writes over it.
        }
    }

    /// <summary>Opens a segment for appending, first cutting off a record that a crash left half written.</summary>
    private (FileStream Stream, long Length) OpenForAppend(long segment)
    {
        var path = SegmentPath(segment);
        // Buffered for the scan below; appends then write through the handle (Append).
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
