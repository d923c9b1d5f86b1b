using ExitKit.Connectors;
using ExitKit.Parquet;
using ExitKit.Schema;
using ExitKit.Storage;

namespace ExitKit.Packaging;

/// <summary>Writes one table's rows into Parquet parts, checkpointing after each part so a crash loses at most one part.</summary>
public sealed class TableWriter : IAsyncDisposable
{
    private readonly PackageWriter _package;
    private readonly TableSchema _table;
    private readonly TableCheckpoint _checkpoint;
    private readonly int _timeOrdinal;
    private readonly int[] _personalOrdinals;
    private readonly int _sourceIdOrdinal;
    private PendingFile? _file;
    private ParquetPartWriter? _part;
    private long _partRows;
    private DateTimeOffset? _minTime;
    private DateTimeOffset? _maxTime;
    private Dictionary<DateOnly, long>? _daily;

    internal TableWriter(PackageWriter package, TableSchema table, TableCheckpoint checkpoint)
    {
        _package = package;
        _table = table;
        _checkpoint = checkpoint;
        _timeOrdinal = table.TimeColumn is null ? -1 : table.OrdinalOf(table.TimeColumn);
        _sourceIdOrdinal = table.OrdinalOf("source_id");
        _personalOrdinals = package.PseudonymisesPersonalData
            ? table.Columns.Select((column, ordinal) => (column, ordinal)).Where(pair => pair.column.PersonalData && pair.column.Type == ColumnType.Text)
                .Select(pair => pair.ordinal).ToArray()
            : [];
    }

    /// <summary>The table being written.</summary>
    public TableSchema Table => _table;

    /// <summary>Rows committed in earlier parts (from this run or one before it).</summary>
    public long CommittedRows => _checkpoint.Parts.Sum(part => part.Rows);

    /// <summary>Rows written in this run, including the open part.</summary>
    public long RowsWritten { get; private set; }

    /// <summary>Adds a row; closes the part when it is full and the row can be resumed after.</summary>
    /// <exception cref="ExitKitException">The row does not fit the table's schema.</exception>
    public async ValueTask AddAsync(SourceRow row, CancellationToken cancellationToken = default)
    {
        var values = row.Values;
        if (_table.Describe(values) is { } problem)
        {
            throw ExitKitException.RowDoesNotFit(_table.Name, values.Length > _sourceIdOrdinal ? values[_sourceIdOrdinal] as string : null, problem);
        }
        foreach (var ordinal in _personalOrdinals)
        {
            values[ordinal] = _package.PseudonymiseValue((string?)values[ordinal]);
        }
        if (_part is null)
        {
            await StartPartAsync(cancellationToken);
        }
        await _part!.AddAsync(values, cancellationToken);
        _partRows++;
        RowsWritten++;
        if (_timeOrdinal >= 0 && values[_timeOrdinal] is DateTimeOffset time)
        {
            // Stored precision is milliseconds, so the statistics are taken at that precision too.
            time = new DateTimeOffset(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
            _minTime = _minTime is null || time < _minTime ? time : _minTime;
            _maxTime = _maxTime is null || time > _maxTime ? time : _maxTime;
            var day = DateOnly.FromDateTime(time.UtcDateTime);
            _daily![day] = _daily.GetValueOrDefault(day) + 1;
        }
        if (row.ResumeCursor is not null && (_partRows >= _package.Limits.MaxRows || _file!.Length >= _package.Limits.MaxBytes))
        {
            await CommitPartAsync(row.ResumeCursor, cancellationToken);
        }
    }

    private async Task StartPartAsync(CancellationToken cancellationToken)
    {
        _file = await _package.Store.CreateAsync(_package.NextPartPath(_table.Name, _checkpoint), cancellationToken);
        _part = await ParquetPartWriter.CreateAsync(_table, _file.Content, _package.ParquetSettings, cancellationToken);
        _partRows = 0;
        _minTime = null;
        _maxTime = null;
        _daily = _timeOrdinal >= 0 ? [] : null;
    }

    private async Task CommitPartAsync(string? cursor, CancellationToken cancellationToken)
    {
        await _part!.CompleteAsync(cancellationToken);
        var fixity = await _file!.CommitAsync(cancellationToken);
        await _package.CommitPartAsync(_checkpoint,
            new CommittedPart(fixity.Path, _partRows, fixity.Length, fixity.Sha256, _minTime, _maxTime, _daily), cursor, cancellationToken);
        await _part.DisposeAsync();
        await _file.DisposeAsync();
        _part = null;
        _file = null;
    }

    /// <summary>Commits the last part and marks the table complete.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (_part is null && _checkpoint.Parts.Count == 0)
        {
            // An empty table still gets one part, so data tools see its schema and a query over it returns no rows.
            await StartPartAsync(cancellationToken);
        }
        if (_part is not null)
        {
            await CommitPartAsync(null, cancellationToken);
        }
        await _package.CompleteTableAsync(_checkpoint, cancellationToken);
    }

    /// <summary>Discards an open part that was not completed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_part is not null)
        {
            await _part.DisposeAsync();
        }
        if (_file is not null)
        {
            await _file.DisposeAsync();
        }
    }
}
