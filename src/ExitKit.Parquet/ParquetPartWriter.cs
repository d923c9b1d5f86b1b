using ExitKit.Schema;
using Parquet;

namespace ExitKit.Parquet;

/// <summary>Writes rows of one neutral table into one Parquet file, a row group at a time, so memory stays bounded.</summary>
public sealed class ParquetPartWriter : IAsyncDisposable
{
    private readonly TableSchema _table;
    private readonly ParquetWriter _writer;
    // Two sets of column buffers: while one row group is encoded and compressed on another thread, the next one fills.
    // This overlaps the connector's work with Parquet's, which matters most for the largest table. The spare set is made
    // at the first full row group: a table that fits in one never needs it.
    private ColumnBuffer[] _buffers;
    private ColumnBuffer[]? _spareBuffers;
    private readonly Func<ColumnBuffer[]> _newBuffers;
    private Task _flushing = Task.CompletedTask;
    private readonly int _rowGroupRows;
    private int _bufferedRows;
    private bool _completed;

    private ParquetPartWriter(TableSchema table, ParquetWriter writer, Func<ColumnBuffer[]> newBuffers, int rowGroupRows)
    {
        _table = table;
        _writer = writer;
        _newBuffers = newBuffers;
        _buffers = newBuffers();
        _rowGroupRows = rowGroupRows;
    }

    /// <summary>Rows written to the file so far, including those still buffered.</summary>
    public long Rows { get; private set; }

    /// <summary>Starts a part on a writable stream. The stream needs to report its position but need not seek.</summary>
    public static async Task<ParquetPartWriter> CreateAsync(TableSchema table, Stream output, ParquetWriteSettings? settings = null,
        CancellationToken cancellationToken = default)
    {
        settings ??= ParquetWriteSettings.Default;
        var schema = NeutralParquetSchema.For(table);
        var writer = await ParquetWriter.CreateAsync(schema, output, settings.ToOptions(), append: false, cancellationToken);
        ColumnBuffer[] NewBuffers() => table.Columns.Select((column, ordinal) => ColumnBuffer.For(column, schema.Fields[ordinal], settings.RowGroupRows)).ToArray();
        return new ParquetPartWriter(table, writer, NewBuffers, settings.RowGroupRows);
    }

    /// <summary>Adds a row (values in column order, already checked against the schema); writes a row group when one is full.</summary>
    public async ValueTask AddAsync(object?[] values, CancellationToken cancellationToken = default)
    {
        for (var ordinal = 0; ordinal < _buffers.Length; ordinal++)
        {
            _buffers[ordinal].Add(values[ordinal], _bufferedRows);
        }
        _bufferedRows++;
        Rows++;
        if (_bufferedRows == _rowGroupRows)
        {
            await FlushRowGroupAsync(last: false, cancellationToken);
        }
    }

    private async Task FlushRowGroupAsync(bool last, CancellationToken cancellationToken)
    {
        if (_bufferedRows == 0)
        {
            return;
        }
        // Row groups are written in order: the previous one must be in the file before this one starts.
        await _flushing;
        var full = _buffers;
        var rows = _bufferedRows;
        // After the last row group nothing fills the buffers again: the set being written stays the only one. A table that
        // filled one row group is likely to fill the next, so the spare set takes a whole row group's room at once.
        _buffers = _spareBuffers ?? (last ? [] : Reserved(_newBuffers()));
        _spareBuffers = full;
        _bufferedRows = 0;
        _flushing = Task.Run(() => WriteRowGroupAsync(full, rows, cancellationToken), cancellationToken);
    }

    private static ColumnBuffer[] Reserved(ColumnBuffer[] buffers)
    {
        foreach (var buffer in buffers)
        {
            buffer.Reserve();
        }
        return buffers;
    }

    private async Task WriteRowGroupAsync(ColumnBuffer[] buffers, int rows, CancellationToken cancellationToken)
    {
        using var rowGroup = _writer.CreateRowGroup();
        foreach (var buffer in buffers)
        {
            await buffer.WriteAsync(rowGroup, rows, cancellationToken);
            buffer.Clear();
        }
    }

    /// <summary>Writes the last row group and the footer. The stream is left open for the caller to finish.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (_completed)
        {
            return;
        }
        await FlushRowGroupAsync(last: true, cancellationToken);
        await _flushing;
        await _writer.DisposeAsync();
        _completed = true;
        ReleaseBuffers();
    }

    private void ReleaseBuffers()
    {
        foreach (var buffer in _buffers.Concat(_spareBuffers ?? []))
        {
            buffer.Dispose();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            // An abandoned part is incomplete by design: the footer is still written so the stream closes cleanly,
            // but the package writer never lists or seals a part it did not complete.
            _completed = true;
            try
            {
                await _flushing;
            }
            catch (Exception error) when (error is OperationCanceledException or IOException)
            {
                // The part is being abandoned; the failure that abandoned it is reported by whoever called.
            }
            await _writer.DisposeAsync();
            ReleaseBuffers();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{_table.Name}: {Rows} rows";
}
