using System.Buffers;

namespace ExitKit.Parquet;

/// <summary>The values of one column in one row group, as read for checking rather than for rebuilding rows.</summary>
/// <remarks>
/// Buffers come from <see cref="ArrayPool{T}"/> and go back on <see cref="Dispose"/>: use the values, then dispose, and
/// keep no span past that. Texts and timestamps are not turned into strings or <see cref="DateTimeOffset"/>s (see
/// <see cref="TextValues"/>, UTF-8 bytes, and <see cref="TimestampValues"/>, ticks): validating millions of ids must
/// not allocate an object each.
/// </remarks>
public abstract class ColumnValues : IDisposable
{
    private protected ColumnValues(int rowCount) => RowCount = rowCount;

    /// <summary>The rows of the row group.</summary>
    public int RowCount { get; }

    /// <summary>Whether a row has no value.</summary>
    public abstract bool IsNull(int row);

    /// <summary>A row's value as the neutral type (<c>string</c>, <c>long</c>, <c>double</c>, <c>bool</c>, <c>DateTimeOffset</c>,
    /// <c>string[]</c>), or null; for examples in reports, not for scanning.</summary>
    public abstract object? GetValue(int row);

    /// <summary>The rows without a value.</summary>
    public virtual long CountNulls()
    {
        long nulls = 0;
        for (var row = 0; row < RowCount; row++)
        {
            if (IsNull(row))
            {
                nulls++;
            }
        }
        return nulls;
    }

    /// <summary>Returns the buffers to the pool.</summary>
    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    private protected virtual void Release()
    {
    }

    private protected static void Return<T>(ref T[]? buffer, bool clear = false)
    {
        if (buffer is not null)
        {
            ArrayPool<T>.Shared.Return(buffer, clear);
            buffer = null;
        }
    }
}

/// <summary>Text values as the UTF-8 bytes of the file, one buffer for the row group: no string or array per value.</summary>
public sealed class TextValues : ColumnValues
{
    private byte[]? _bytes;
    private int[]? _starts;
    private int[]? _lengths;

    /// <param name="rowCount">Rows.</param>
    /// <param name="bytes">The values' UTF-8 bytes (pooled).</param>
    /// <param name="starts">Per row, where its value starts in <paramref name="bytes"/> (pooled).</param>
    /// <param name="lengths">Per row, its value's length in bytes, or -1 for null (pooled).</param>
    internal TextValues(int rowCount, byte[] bytes, int[] starts, int[] lengths) : base(rowCount)
    {
        _bytes = bytes;
        _starts = starts;
        _lengths = lengths;
    }

    /// <summary>Texts decoded as characters (by Parquet.Net, for a chunk in a shape <see cref="Utf8ChunkReader"/> leaves
    /// to it), encoded back to UTF-8.</summary>
    internal static TextValues FromCharacters(int rowCount, ReadOnlySpan<ReadOnlyMemory<char>> values, Func<int, bool> isNull)
    {
        var total = 0;
        for (var row = 0; row < rowCount; row++)
        {
            total += isNull(row) ? 0 : System.Text.Encoding.UTF8.GetByteCount(values[row].Span);
        }
        var bytes = ArrayPool<byte>.Shared.Rent(Math.Max(total, 1));
        var starts = ArrayPool<int>.Shared.Rent(Math.Max(rowCount, 1));
        var lengths = ArrayPool<int>.Shared.Rent(Math.Max(rowCount, 1));
        var written = 0;
        for (var row = 0; row < rowCount; row++)
        {
            starts[row] = written;
            if (isNull(row))
            {
                lengths[row] = -1;
                continue;
            }
            lengths[row] = System.Text.Encoding.UTF8.GetBytes(values[row].Span, bytes.AsSpan(written));
            written += lengths[row];
        }
        return new TextValues(rowCount, bytes, starts, lengths);
    }

    /// <summary>A row's text as UTF-8; empty for a null row (tell the two apart with <see cref="ColumnValues.IsNull"/>).</summary>
    public ReadOnlySpan<byte> this[int row] => _bytes.AsSpan(_starts![row], Math.Max(_lengths![row], 0));

    /// <inheritdoc />
    public override bool IsNull(int row) => _lengths![row] < 0;

    /// <summary>A row's text as a string, or null.</summary>
    public string? GetString(int row) => IsNull(row) ? null : System.Text.Encoding.UTF8.GetString(this[row]);

    /// <inheritdoc />
    public override object? GetValue(int row) => GetString(row);

    private protected override void Release()
    {
        Return(ref _bytes);
        Return(ref _starts);
        Return(ref _lengths);
    }
}

/// <summary>UTC timestamps as <see cref="DateTime"/> ticks, so a day is a division and not an object.</summary>
public sealed class TimestampValues : ColumnValues
{
    private DateTime[]? _values;
    private int[]? _definitions;
    private readonly int _defined;

    internal TimestampValues(int rowCount, DateTime[] values, int[]? definitions, int definedLevel) : base(rowCount)
    {
        _values = values;
        _definitions = definitions;
        _defined = definedLevel;
    }

    /// <inheritdoc />
    public override bool IsNull(int row) => _definitions is not null && _definitions[row] != _defined;

    /// <summary>The UTC day of a row that has a value, as <see cref="DateOnly.DayNumber"/>.</summary>
    public int DayNumber(int row) => (int)(_values![row].Ticks / TimeSpan.TicksPerDay);

    /// <summary>The UTC ticks of a row that has a value.</summary>
    public long UtcTicks(int row) => _values![row].Ticks;

    /// <inheritdoc />
    public override object? GetValue(int row) =>
        IsNull(row) ? null : new DateTimeOffset(DateTime.SpecifyKind(_values![row], DateTimeKind.Utc));

    private protected override void Release()
    {
        Return(ref _values);
        Return(ref _definitions);
    }
}

/// <summary>Values of the other types, as the arrays <see cref="ParquetPartReader.ReadColumnsAsync"/> gives.</summary>
public sealed class ArrayValues : ColumnValues
{
    private readonly Array _values;

    internal ArrayValues(Array values) : base(values.Length) => _values = values;

    /// <inheritdoc />
    public override bool IsNull(int row) => _values.GetValue(row) is null;

    /// <inheritdoc />
    public override object? GetValue(int row) => _values.GetValue(row);

    /// <summary>A row's value of a value type (long, double, bool), without boxing; null when the row has none.</summary>
    /// <exception cref="InvalidCastException">The column does not hold <typeparamref name="T"/>.</exception>
    public T? Get<T>(int row) where T : struct => ((T?[])_values)[row];

    /// <summary>A row's text list, or null.</summary>
    /// <exception cref="InvalidCastException">The column is not a text list.</exception>
    public string[]? GetTextList(int row) => ((string[]?[])_values)[row];
}
