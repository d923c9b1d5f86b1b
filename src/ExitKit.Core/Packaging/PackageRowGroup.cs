using ExitKit.Parquet;
using ExitKit.Schema;

namespace ExitKit.Packaging;

/// <summary>One row group of a package's table: its rows, its columns' null counts, and its columns, read ahead or on request.</summary>
/// <remarks>Used by one thread at a time: the read-ahead thread that prepares it, then the reader that enumerates it.
/// Its values are valid until it is disposed (the enumeration disposes it when the reader moves on).</remarks>
public sealed class PackageRowGroup : IDisposable
{
    private readonly Dictionary<string, ColumnValues> _columns = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, long?> _nullCounts;
    // The part reader of the thread that has the row group: the read-ahead thread's while it prepares it, then the enumerating one's.
    private Func<string, CancellationToken, ValueTask<ParquetPart>> _open;

    internal PackageRowGroup(string part, int index, int rowCount, IReadOnlyDictionary<string, long?> nullCounts,
        Func<string, CancellationToken, ValueTask<ParquetPart>> open)
    {
        Part = part;
        Index = index;
        RowCount = rowCount;
        _nullCounts = nullCounts;
        _open = open;
    }

    /// <summary>What the caller's prepare step (see <see cref="ExitPackage.ReadRowGroupsAsync"/>) made of the row group.</summary>
    public object? Prepared { get; set; }

    /// <summary>The package path of the part the row group is in.</summary>
    public string Part { get; }

    /// <summary>The row group's position in its part.</summary>
    public int Index { get; }

    /// <summary>Rows in the row group.</summary>
    public int RowCount { get; }

    /// <summary>Whether the part has a column (a package written before the column was added has not).</summary>
    public bool HasColumn(string column) => _nullCounts.ContainsKey(column);

    /// <summary>The nulls of a column, from the part's statistics, without reading a value; null when the part records none.</summary>
    public long? NullCount(string column) => _nullCounts.GetValueOrDefault(column);

    /// <summary>A column's values: those read ahead at once, any other read now (and kept for the next caller).</summary>
    /// <exception cref="InvalidDataException">The part has no such column.</exception>
    public async ValueTask<ColumnValues> ReadAsync(string column, CancellationToken cancellationToken = default)
    {
        if (!_columns.TryGetValue(column, out var values))
        {
            var part = await _open(Part, cancellationToken);
            _columns[column] = values = await part.ReadAsync(Index, column, cancellationToken);
        }
        return values;
    }

    internal void Add(string column, ColumnValues values) => _columns[column] = values;

    internal void HandOver(Func<string, CancellationToken, ValueTask<ParquetPart>> open) => _open = open;

    /// <summary>Returns the values' buffers to the pool.</summary>
    public void Dispose()
    {
        foreach (var values in _columns.Values)
        {
            values.Dispose();
        }
        _columns.Clear();
    }
}

/// <summary>The enumerating thread's own readers of parts, for columns read on request: the last part opened stays open.</summary>
internal sealed class PartReaders(Func<string, CancellationToken, Task<Stream>> open, TableSchema table) : IAsyncDisposable
{
    private ParquetPart? _part;
    private string? _path;

    public async ValueTask<ParquetPart> OpenAsync(string path, CancellationToken cancellationToken)
    {
        if (_part is null || _path != path)
        {
            if (_part is not null)
            {
                await _part.DisposeAsync();
                _part = null;
            }
            _part = await ParquetPart.OpenAsync(await open(path, cancellationToken), table, cancellationToken);
            _path = path;
        }
        return _part;
    }

    public async ValueTask DisposeAsync()
    {
        if (_part is not null)
        {
            await _part.DisposeAsync();
        }
    }
}
