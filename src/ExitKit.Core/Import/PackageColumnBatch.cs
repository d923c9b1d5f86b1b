using System.Collections;
using ExitKit.Connectors;
using ExitKit.Packaging;
using ExitKit.Parquet;
using ExitKit.Schema;

namespace ExitKit.Import;

/// <summary>Rows [from, from + count) of a package row group, handed to a successor column by column (see <see cref="IColumnBatch"/>).</summary>
/// <remarks>Valid while its row group is: the import disposes the row group once the successor has taken every batch of it.</remarks>
internal sealed class PackageColumnBatch : IColumnBatch
{
    private readonly TableSchema _table;
    // Per ordinal: the column's values, or null when the part has no such column (a package written before it was added).
    private readonly ColumnValues?[] _columns;
    private readonly int _from;

    private PackageColumnBatch(TableSchema table, ColumnValues?[] columns, int from, int count)
    {
        _table = table;
        _columns = columns;
        _from = from;
        Count = count;
    }

    /// <summary>
    /// Each row group of a table as one batch of its columns, read ahead on another thread. A batch, and every slice of it,
    /// is valid until the next is asked for: the row group's buffers are pooled again then.
    /// </summary>
    public static async IAsyncEnumerable<PackageColumnBatch> RowGroupsAsync(ExitPackage package, TableSchema table,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var names = table.Columns.Select(column => column.Name).ToArray();
        await foreach (var rowGroup in package.ReadRowGroupsAsync(table.Name, names, readers: 1, cancellationToken: cancellationToken))
        {
            var columns = new ColumnValues?[names.Length];
            for (var ordinal = 0; ordinal < columns.Length; ordinal++)
            {
                columns[ordinal] = rowGroup.HasColumn(names[ordinal]) ? await rowGroup.ReadAsync(names[ordinal], cancellationToken) : null;
            }
            yield return new PackageColumnBatch(table, columns, 0, rowGroup.RowCount);
        }
    }

    /// <summary>This batch in slices of at most <paramref name="batchSize"/> rows.</summary>
    public IEnumerable<PackageColumnBatch> Slice(int batchSize)
    {
        for (var from = 0; from < Count; from += batchSize)
        {
            yield return new PackageColumnBatch(_table, _columns, _from + from, Math.Min(batchSize, Count - from));
        }
    }

    public int Count { get; }

    public object?[] this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            var row = new object?[_columns.Length];
            for (var ordinal = 0; ordinal < row.Length; ordinal++)
            {
                row[ordinal] = _columns[ordinal]?.GetValue(_from + index);
            }
            return row;
        }
    }

    public bool IsNull(int ordinal, int row) => _columns[ordinal] is not { } values || values.IsNull(_from + row);

    public ReadOnlySpan<byte> Utf8(int ordinal, int row) => Column<TextValues>(ordinal)[_from + row];

    public string Text(int ordinal, int row) => Column<TextValues>(ordinal).GetString(_from + row) ?? "";

    public long Int64(int ordinal, int row) => Column<ArrayValues>(ordinal).Get<long>(_from + row).GetValueOrDefault();

    public double Number(int ordinal, int row) => Column<ArrayValues>(ordinal).Get<double>(_from + row).GetValueOrDefault();

    public bool IsTrue(int ordinal, int row) => Column<ArrayValues>(ordinal).Get<bool>(_from + row).GetValueOrDefault();

    public long UtcTicks(int ordinal, int row) => Column<TimestampValues>(ordinal).UtcTicks(_from + row);

    public string[] TextList(int ordinal, int row) => Column<ArrayValues>(ordinal).GetTextList(_from + row) ?? [];

    public IEnumerator<object?[]> GetEnumerator()
    {
        for (var index = 0; index < Count; index++)
        {
            yield return this[index];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private T Column<T>(int ordinal) where T : ColumnValues => _columns[ordinal] as T
        ?? throw new InvalidOperationException($"Column {_table.Columns[ordinal].Name} of table {_table.Name} has no values of the kind asked for; ask IsNull first.");
}
