using System.Buffers;

namespace ExitKit.Parquet;

/// <summary>The values of one column in one row group, as read for checking rather than for rebuilding rows.</summary>
/// <remarks>
/// Buffers come from <see cref="ArrayPool{T}"/> and go back on <see cref="Dispose"/>: use the values, then dispose, and
/// keep no span past that. Texts and timestamps are not turned into strings or <see cref="DateTimeOffset"/>s (see
/// <see cref="TextValues"/> and <see cref="TimestampValues"/>): validating millions of ids must not allocate an object each.
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

/// <summary>Text values as spans of characters: a dictionary-encoded column shares one copy of each distinct value.</summary>
public sealed class TextValues : ColumnValues
{
    private ReadOnlyMemory<char>[]? _values;
    private int[]? _definitions;
    private readonly int _defined;

    internal TextValues(int rowCount, ReadOnlyMemory<char>[] values, int[]? definitions, int definedLevel) : base(rowCount)
    {
        _values = values;
        _definitions = definitions;
        _defined = definedLevel;
    }

    /// <summary>A row's text; empty for a null row (tell the two apart with <see cref="ColumnValues.IsNull"/>).</summary>
    public ReadOnlySpan<char> this[int row] => _values![row].Span;

    /// <inheritdoc />
    public override bool IsNull(int row) => _definitions is not null && _definitions[row] != _defined;

    /// <summary>A row's text as a string, or null.</summary>
    public string? GetString(int row) => IsNull(row) ? null : new string(_values![row].Span);

    /// <inheritdoc />
    public override object? GetValue(int row) => GetString(row);

    private protected override void Release()
    {
        // The spans point at character arrays of the decoder: clear them so a pooled buffer keeps no text alive.
        Return(ref _values, clear: true);
        Return(ref _definitions);
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
}
