using System.Buffers.Binary;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>Event ids: UUID version 7 (RFC 9562), so that site_events' unique index on them grows at its end.</summary>
internal static class EventIds
{
    /// <summary>
    /// The UUIDv7 of <paramref name="at"/> with 74 bits from <paramref name="random"/>. Guid.CreateVersion7 draws them
    /// from the operating system, a system call for every event the endpoint accepts (about 2 % of its processor
    /// time); a seeded generator is enough for ids that only need to differ.
    /// </summary>
    public static Guid Version7(DateTime at, Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        var milliseconds = (at - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMillisecond;
        Span<byte> time = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(time, milliseconds);
        time[2..].CopyTo(bytes);
        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F));
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true);
    }
}
