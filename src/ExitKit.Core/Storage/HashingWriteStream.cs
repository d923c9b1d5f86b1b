using System.Security.Cryptography;

namespace ExitKit.Storage;

/// <summary>A write-only stream that hashes (SHA-256) and counts bytes on their way to an inner stream, so no file is read back
/// to compute its fixity. It reports its position itself, so the inner stream need not seek (blob uploads cannot).</summary>
internal sealed class HashingWriteStream(Stream inner) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _length;
    private bool _innerDisposed;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException("A package file is written front to back.");
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hash.AppendData(buffer);
        inner.Write(buffer);
        _length += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _hash.AppendData(buffer.Span);
        await inner.WriteAsync(buffer, cancellationToken);
        _length += buffer.Length;
    }

    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public string FinishHash() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public async ValueTask DisposeInnerAsync()
    {
        if (!_innerDisposed)
        {
            _innerDisposed = true;
            _hash.Dispose();
            await inner.DisposeAsync();
        }
    }

    // Writers (Parquet.Net) dispose the stream they were given; the pending file decides when the inner stream closes.
    protected override void Dispose(bool disposing) => base.Dispose(disposing);

    public override ValueTask DisposeAsync() => base.DisposeAsync();
}
