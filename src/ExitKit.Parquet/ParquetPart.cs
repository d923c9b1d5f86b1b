using System.Buffers;
using ExitKit.Schema;
using Parquet;
using Parquet.Schema;

namespace ExitKit.Parquet;

/// <summary>
/// A Parquet part open for reading any column of any row group, in any order, with the footer's statistics at hand.
/// </summary>
/// <remarks>
/// Not thread-safe: it reads from one stream. Read the same part on several threads with one instance each.
/// </remarks>
public sealed class ParquetPart : IAsyncDisposable
{
    private readonly Stream _input;
    private readonly ParquetReader _reader;
    private readonly TableSchema _table;
    private readonly Dictionary<string, Field> _fields;

    private ParquetPart(Stream input, ParquetReader reader, TableSchema table)
    {
        _input = input;
        _reader = reader;
        _table = table;
        _fields = reader.Schema.Fields.ToDictionary(field => field.Name, StringComparer.Ordinal);
    }

    /// <summary>Opens a part (reads its footer); the part owns the stream from then on.</summary>
    public static async Task<ParquetPart> OpenAsync(Stream input, TableSchema table, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            return new ParquetPart(input, await ParquetReader.CreateAsync(input, leaveStreamOpen: true, cancellationToken: cancellationToken), table);
        }
        catch
        {
            await input.DisposeAsync();
            throw;
        }
    }

    /// <summary>Row groups in the part.</summary>
    public int RowGroupCount => _reader.RowGroupCount;

    /// <summary>Whether the part has a column (a package written before the column was added has not).</summary>
    public bool HasColumn(string column) => _fields.ContainsKey(column);

    /// <summary>Rows in a row group.</summary>
    public int RowCount(int rowGroup) => checked((int)_reader.OpenRowGroupReader(rowGroup).RowCount);

    /// <summary>The nulls of a column in a row group, from the column chunk's statistics; null when the file records none.</summary>
    public long? NullCount(int rowGroup, string column) =>
        _fields.GetValueOrDefault(column) is DataField field
            ? _reader.OpenRowGroupReader(rowGroup).GetMetadata(field)?.MetaData?.Statistics?.NullCount
            : null;

    /// <summary>Reads one column of one row group; dispose the values when done with them.</summary>
    /// <exception cref="InvalidDataException">The part has no such column.</exception>
    public async ValueTask<ColumnValues> ReadAsync(int rowGroup, string column, CancellationToken cancellationToken = default)
    {
        var field = _fields.GetValueOrDefault(column) ?? throw new InvalidDataException($"the file has no column {column}");
        var rowGroupReader = _reader.OpenRowGroupReader(rowGroup);
        var rowCount = checked((int)rowGroupReader.RowCount);
        var schema = _table.Column(column);
        return schema.Type switch
        {
            ColumnType.Text or ColumnType.Json => await ReadTextAsync(rowGroupReader, (DataField)field, rowCount, cancellationToken),
            ColumnType.Timestamp => await ReadTimestampsAsync(rowGroupReader, (DataField)field, rowCount, cancellationToken),
            _ => new ArrayValues(await ParquetPartReader.ReadColumnAsync(rowGroupReader, schema, field, rowCount, cancellationToken)),
        };
    }

    private async Task<TextValues> ReadTextAsync(ParquetRowGroupReader rowGroup, DataField field, int rowCount, CancellationToken cancellationToken)
    {
        if (rowGroup.GetMetadata(field)?.MetaData is { } chunk
            && await Utf8ChunkReader.TryReadAsync(_input, chunk, field.MaxDefinitionLevel, rowCount, cancellationToken) is { } utf8)
        {
            return utf8;
        }
        // Any other shape (a dictionary, another encoding, another writer's pages): Parquet.Net's raw reader, which gives
        // each value as characters, encoded back to UTF-8.
        var values = ArrayPool<ReadOnlyMemory<char>>.Shared.Rent(Math.Max(rowCount, 1));
        var definitions = field.MaxDefinitionLevel > 0 ? ArrayPool<int>.Shared.Rent(Math.Max(rowCount, 1)) : null;
        try
        {
            await rowGroup.ReadRawAsync(field, values.AsMemory(0, rowCount), definitions?.AsMemory(0, rowCount), null, cancellationToken);
            Spread(values, definitions, field.MaxDefinitionLevel, rowCount);
            return TextValues.FromCharacters(rowCount, values, row => definitions is not null && definitions[row] != field.MaxDefinitionLevel);
        }
        finally
        {
            ArrayPool<ReadOnlyMemory<char>>.Shared.Return(values, clearArray: true);
            if (definitions is not null)
            {
                ArrayPool<int>.Shared.Return(definitions);
            }
        }
    }

    private static async Task<TimestampValues> ReadTimestampsAsync(ParquetRowGroupReader rowGroup, DataField field, int rowCount, CancellationToken cancellationToken)
    {
        var values = ArrayPool<DateTime>.Shared.Rent(Math.Max(rowCount, 1));
        var definitions = field.MaxDefinitionLevel > 0 ? ArrayPool<int>.Shared.Rent(Math.Max(rowCount, 1)) : null;
        try
        {
            await rowGroup.ReadRawAsync(field, values.AsMemory(0, rowCount), definitions?.AsMemory(0, rowCount), null, cancellationToken);
            Spread(values, definitions, field.MaxDefinitionLevel, rowCount);
            return new TimestampValues(rowCount, values, definitions, field.MaxDefinitionLevel);
        }
        catch
        {
            ArrayPool<DateTime>.Shared.Return(values);
            if (definitions is not null)
            {
                ArrayPool<int>.Shared.Return(definitions);
            }
            throw;
        }
    }

    /// <summary>The raw reader packs the non-null values at the front; move each to its row, in place, from the back.</summary>
    private static void Spread<T>(T[] values, int[]? definitions, int definedLevel, int rowCount)
    {
        if (definitions is null)
        {
            return;
        }
        var defined = 0;
        for (var row = 0; row < rowCount; row++)
        {
            if (definitions[row] == definedLevel)
            {
                defined++;
            }
        }
        // Value k of the packed values belongs to a row at or after k, so walking back never overwrites one not yet moved.
        for (var row = rowCount - 1; row >= 0 && defined < row + 1; row--)
        {
            values[row] = definitions[row] == definedLevel ? values[--defined] : default!;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _reader.DisposeAsync();
        await _input.DisposeAsync();
    }
}
