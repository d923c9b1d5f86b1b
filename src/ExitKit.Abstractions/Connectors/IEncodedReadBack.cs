using System.Buffers;
using ExitKit.Schema;

namespace ExitKit.Connectors;

/// <summary>A successor that reads itself back in the canonical encoding (<see cref="CanonicalRow"/>), with no object per value.</summary>
/// <remarks>
/// Read-back then sums the successor's encoded rows, and encodes the package's rows from their columns: so a successor
/// that implements this must hold every row as the package has it (its <see cref="ISuccessorConnector.AsHeld"/> is the
/// row itself and it holds every column). <see cref="ISuccessorConnector.ReadBackAsync"/> is still used to name the rows
/// that differ, and must give the same values.
/// </remarks>
public interface IEncodedReadBack
{
    /// <summary>What the successor holds for a table, as batches of encoded rows; the caller disposes each batch.</summary>
    IAsyncEnumerable<EncodedRows> ReadBackEncodedAsync(TableSchema table, CancellationToken cancellationToken = default);
}

/// <summary>Rows in the canonical encoding, one after the other in one pooled buffer; build with <see cref="Add"/>, dispose when hashed.</summary>
public sealed class EncodedRows : IBufferWriter<byte>, IDisposable
{
    private byte[] _bytes;
    private int[] _ends;
    private int _written;

    /// <param name="capacity">Bytes the buffer holds; it grows for a row larger than what is left.</param>
    public EncodedRows(int capacity = 128 * 1024)
    {
        _bytes = ArrayPool<byte>.Shared.Rent(capacity);
        _ends = ArrayPool<int>.Shared.Rent(256);
    }

    /// <summary>The rows ended so far.</summary>
    public int Count { get; private set; }

    /// <summary>A row's encoding.</summary>
    public ReadOnlySpan<byte> this[int row] => _bytes.AsSpan(row == 0 ? 0 : _ends[row - 1], _ends[row] - (row == 0 ? 0 : _ends[row - 1]));

    /// <summary>Whether the batch should be handed on before another row is added: less than 16 KiB of its buffer is left.</summary>
    /// <remarks>The margin keeps most rows from growing the buffer; a batch with no row is never full.</remarks>
    public bool IsFull => Count > 0 && _bytes.Length - _written < 16 * 1024;

    /// <summary>Ends the row written since the last call.</summary>
    public void Add()
    {
        if (Count == _ends.Length)
        {
            Grow(ref _ends, _ends.Length * 2);
        }
        _ends[Count++] = _written;
    }

    /// <inheritdoc />
    public void Advance(int count) => _written += count;

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _bytes.AsMemory(_written);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _bytes.AsSpan(_written);
    }

    /// <summary>Returns the buffers to the pool.</summary>
    public void Dispose()
    {
        if (_ends.Length == 0)
        {
            return;
        }
        ArrayPool<byte>.Shared.Return(_bytes);
        ArrayPool<int>.Shared.Return(_ends);
        _bytes = [];
        _ends = [];
    }

    private void Ensure(int sizeHint)
    {
        if (_bytes.Length - _written < Math.Max(sizeHint, 1))
        {
            Grow(ref _bytes, Math.Max(_bytes.Length * 2, _written + sizeHint));
        }
    }

    private static void Grow<T>(ref T[] buffer, int size)
    {
        var larger = ArrayPool<T>.Shared.Rent(size);
        buffer.AsSpan().CopyTo(larger);
        ArrayPool<T>.Shared.Return(buffer);
        buffer = larger;
    }
}
