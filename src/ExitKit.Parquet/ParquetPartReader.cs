using ExitKit.Schema;
using Parquet;
using Parquet.Schema;

namespace ExitKit.Parquet;

/// <summary>The values of some columns for one row group: one array per column, in the requested order.</summary>
/// <remarks>Arrays are <c>string?[]</c>, <c>long?[]</c>, <c>double?[]</c>, <c>bool?[]</c>, <c>DateTimeOffset?[]</c> or <c>string[][]</c> by column type.</remarks>
public sealed record ColumnBatch(int RowCount, IReadOnlyList<Array> Columns);

/// <summary>What a Parquet part's footer says.</summary>
/// <param name="Rows">Rows in the file.</param>
/// <param name="RowGroups">Row groups in the file.</param>
/// <param name="ColumnNames">Top-level column names in order.</param>
public sealed record ParquetFooter(long Rows, int RowGroups, IReadOnlyList<string> ColumnNames);

/// <summary>Reads neutral tables back from Parquet parts, column-wise, one row group at a time.</summary>
public static class ParquetPartReader
{
    /// <summary>Reads the footer of a part.</summary>
    public static async Task<ParquetFooter> ReadFooterAsync(Stream input, CancellationToken cancellationToken = default)
    {
        await using var reader = await ParquetReader.CreateAsync(input, leaveStreamOpen: true, cancellationToken: cancellationToken);
        var rows = 0L;
        for (var index = 0; index < reader.RowGroupCount; index++)
        {
            using var rowGroup = reader.OpenRowGroupReader(index);
            rows += rowGroup.RowCount;
        }
        return new ParquetFooter(rows, reader.RowGroupCount, reader.Schema.Fields.Select(field => field.Name).ToArray());
    }

    /// <summary>Reads the requested columns of a part, a row group at a time.</summary>
    public static async IAsyncEnumerable<ColumnBatch> ReadColumnsAsync(Stream input, TableSchema table, IReadOnlyList<string> columns,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var reader = await ParquetReader.CreateAsync(input, leaveStreamOpen: true, cancellationToken: cancellationToken);
        var fields = columns.Select(name => (Column: table.Column(name), Field: reader.Schema.Fields.FirstOrDefault(field => field.Name == name)
            ?? throw new InvalidDataException($"the file has no column {name}"))).ToArray();
        for (var index = 0; index < reader.RowGroupCount; index++)
        {
            using var rowGroup = reader.OpenRowGroupReader(index);
            var rowCount = checked((int)rowGroup.RowCount);
            var arrays = new Array[fields.Length];
            for (var position = 0; position < fields.Length; position++)
            {
                arrays[position] = await ReadColumnAsync(rowGroup, fields[position].Column, fields[position].Field, rowCount, cancellationToken);
            }
            yield return new ColumnBatch(rowCount, arrays);
        }
    }

    /// <summary>Reads whole rows of a part, in column order of the table, for import, read-back and tests.</summary>
    /// <remarks>The next row group is read and decoded on another thread while this one's rows are handed out, so decoding runs
    /// beside whatever the consumer does with them (an import's writes, a read-back's hashing); two row groups are held at most.</remarks>
    public static async IAsyncEnumerable<object?[]> ReadRowsAsync(Stream input, TableSchema table,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        var names = table.Columns.Select(column => column.Name).ToArray();
        await using var batches = ReadColumnsAsync(input, table, names, cancellationToken).GetAsyncEnumerator(cancellationToken);
        var next = Task.Run(() => batches.MoveNextAsync().AsTask(), cancellationToken);
        try
        {
            while (await next)
            {
                var batch = batches.Current;
                next = Task.Run(() => batches.MoveNextAsync().AsTask(), cancellationToken);
                for (var row = 0; row < batch.RowCount; row++)
                {
                    var values = new object?[names.Length];
                    for (var ordinal = 0; ordinal < names.Length; ordinal++)
                    {
                        values[ordinal] = ValueAt(batch.Columns[ordinal], row);
                    }
                    yield return values;
                }
            }
        }
        finally
        {
            // A consumer that stops early (or fails) leaves a read in flight: let it end before the reader is disposed under it.
            await next.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    // Array.GetValue goes through the runtime's untyped path for every value; the column's own array type is known.
    private static object? ValueAt(Array column, int row) => column switch
    {
        string?[] texts => texts[row],
        long?[] integers => integers[row],
        double?[] numbers => numbers[row],
        bool?[] booleans => booleans[row],
        DateTimeOffset?[] instants => instants[row],
        string[][] lists => lists[row],
        _ => column.GetValue(row),
    };

    internal static async Task<Array> ReadColumnAsync(ParquetRowGroupReader rowGroup, ColumnSchema column, Field field, int rowCount,
        CancellationToken cancellationToken)
    {
        switch (column.Type)
        {
            case ColumnType.Text or ColumnType.Json:
            {
                var values = new string?[rowCount];
                await rowGroup.ReadAsync((DataField)field, values.AsMemory()!, null, cancellationToken);
                return values;
            }
            case ColumnType.Integer:
                return await ReadNullableAsync<long>(rowGroup, (DataField)field, rowCount, cancellationToken);
            case ColumnType.Number:
                return await ReadNullableAsync<double>(rowGroup, (DataField)field, rowCount, cancellationToken);
            case ColumnType.Boolean:
                return await ReadNullableAsync<bool>(rowGroup, (DataField)field, rowCount, cancellationToken);
            case ColumnType.Timestamp:
            {
                var times = await ReadNullableAsync<DateTime>(rowGroup, (DataField)field, rowCount, cancellationToken);
                var instants = new DateTimeOffset?[rowCount];
                for (var row = 0; row < rowCount; row++)
                {
                    instants[row] = times[row] is { } time ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)) : null;
                }
                return instants;
            }
            case ColumnType.TextList:
                return await ReadTextListAsync(rowGroup, (DataField)((ListField)field).Item, rowCount, cancellationToken);
            default:
                throw new InvalidOperationException($"Column {column.Name} has an unknown type {column.Type}.");
        }
    }

    private static async Task<T?[]> ReadNullableAsync<T>(ParquetRowGroupReader rowGroup, DataField field, int rowCount, CancellationToken cancellationToken)
        where T : struct
    {
        var values = new T?[rowCount];
        if (field.IsNullable)
        {
            await rowGroup.ReadAsync<T>(field, values.AsMemory(), null, cancellationToken);
            return values;
        }
        var required = new T[rowCount];
        await rowGroup.ReadAsync<T>(field, required.AsMemory(), null, cancellationToken);
        for (var row = 0; row < rowCount; row++)
        {
            values[row] = required[row];
        }
        return values;
    }

    private static async Task<string[][]> ReadTextListAsync(ParquetRowGroupReader rowGroup, DataField item, int rowCount, CancellationToken cancellationToken)
    {
        // Parquet.Net's string reader needs definition levels for nested fields; the raw reader gives values and both levels.
        var leafCount = checked((int)rowGroup.GetMetadata(item)!.MetaData!.NumValues);
        var denseValues = new ReadOnlyMemory<char>[leafCount];
        var definitions = new int[leafCount];
        var repetitions = new int[leafCount];
        await rowGroup.ReadRawAsync<ReadOnlyMemory<char>>(item, denseValues.AsMemory(), definitions.AsMemory(), repetitions.AsMemory(), cancellationToken);
        var elements = new string?[leafCount];
        for (int leaf = 0, dense = 0; leaf < leafCount; leaf++)
        {
            elements[leaf] = definitions[leaf] == item.MaxDefinitionLevel ? denseValues[dense++].ToString() : null;
        }
        var lists = new string[rowCount][];
        var row = -1;
        var current = new List<string>();
        for (var leaf = 0; leaf < leafCount; leaf++)
        {
            if (repetitions[leaf] == 0)
            {
                if (row >= 0)
                {
                    lists[row] = [.. current];
                }
                row++;
                current.Clear();
            }
            if (elements[leaf] is { } element)
            {
                current.Add(element);
            }
        }
        if (row >= 0)
        {
            lists[row] = [.. current];
        }
        return lists;
    }
}
