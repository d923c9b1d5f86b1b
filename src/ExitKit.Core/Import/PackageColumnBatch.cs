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

    /// <summary>The columns of a row group, read (or taken from what was read ahead) in the table's order.</summary>
    public static async ValueTask<ColumnValues?[]> ColumnsAsync(TableSchema table, PackageRowGroup rowGroup, CancellationToken cancellationToken)
    {
        var columns = new ColumnValues?[table.Columns.Count];
        for (var ordinal = 0; ordinal < columns.Length; ordinal++)
        {
            var name = table.Columns[ordinal].Name;
            columns[ordinal] = rowGroup.HasColumn(name) ? await rowGroup.ReadAsync(name, cancellationToken) : null;
        }
        return columns;
    }

    /// <summary>The batches of a row group, at most <paramref name="batchSize"/> rows each.</summary>
    public static IEnumerable<PackageColumnBatch> Slice(TableSchema table, ColumnValues?[] columns, int rowCount, int batchSize)
    {
        for (var from = 0; from < rowCount; from += batchSize)
        {
            yield return new PackageColumnBatch(table, columns, from, Math.Min(batchSize, rowCount - from));
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
