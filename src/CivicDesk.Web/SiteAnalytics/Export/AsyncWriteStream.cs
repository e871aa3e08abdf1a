namespace CivicDesk.Web.SiteAnalytics.Export;

/// <summary>
/// Lets a zip be written to the response, which refuses synchronous writes: .NET's zip entry stream writes its last
/// compressed block and sizes synchronously when it is disposed, even from DisposeAsync. Synchronous writes are kept
/// here until the next asynchronous write or flush sends them; asynchronous writes go out once 64 KiB are pending.
/// So only a few kilobytes are ever held, never the file.
/// </summary>
internal sealed class AsyncWriteStream(Stream inner) : Stream
{
    private const int SendAt = 64 * 1024;
    private readonly MemoryStream _pending = new();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => _pending.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _pending.Write(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _pending.Write(buffer.Span);
        if (_pending.Length >= SendAt)
        {
            await SendAsync(cancellationToken);
        }
    }

    /// <summary>Nothing is sent synchronously; <see cref="FlushAsync(CancellationToken)"/> sends what is pending.</summary>
    public override void Flush()
    {
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await SendAsync(cancellationToken);
        await inner.FlushAsync(cancellationToken);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pending.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task SendAsync(CancellationToken ct)
    {
        if (_pending.Length == 0)
        {
            return;
        }

        await inner.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), ct);
        _pending.SetLength(0);
    }
}
