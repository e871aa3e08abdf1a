using System.Threading.Channels;

namespace CivicDesk.Web.SiteAnalytics.Ingestion;

/// <summary>
/// The bounded hand-off between the event endpoint and the spooler. The endpoint only ever tries to write: when the
/// queue is full, paused or closed at shutdown, the event is refused with 503, never dropped silently.
/// </summary>
public sealed class IngestQueue(int capacity)
{
    private readonly Channel<PendingEvent> _channel = Channel.CreateBounded<PendingEvent>(new BoundedChannelOptions(capacity)
    {
        SingleReader = true,
        SingleWriter = false,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private volatile bool _paused;

    public bool TryEnqueue(PendingEvent pending) => !_paused && _channel.Writer.TryWrite(pending);

    /// <summary>
    /// Set while the spool cannot be written (a full disk, a missing folder): events are then refused with 503 rather
    /// than answered 202 and kept only in memory, where a crash would lose them. Those already queued stay queued.
    /// </summary>
    public bool Paused
    {
        get => _paused;
        set => _paused = value;
    }

    public ChannelReader<PendingEvent> Reader => _channel.Reader;

    /// <summary>Stops accepting: later events get 503, and the reader drains what is left.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
