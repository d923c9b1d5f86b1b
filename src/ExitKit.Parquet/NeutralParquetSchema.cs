using ExitKit.Schema;
using Parquet.Schema;

namespace ExitKit.Parquet;

/// <summary>Maps neutral column types to Parquet fields.</summary>
internal static class NeutralParquetSchema
{
    /// <summary>The Parquet schema of a neutral table.</summary>
    public static ParquetSchema For(TableSchema table) => new(table.Columns.Select(FieldFor).ToArray());

    /// <summary>The Parquet field of a neutral column.</summary>
    public static Field FieldFor(ColumnSchema column) => column.Type switch
    {
        ColumnType.Text or ColumnType.Json => new DataField<string>(column.Name, nullable: !column.Required),
        ColumnType.Integer => new DataField(column.Name, typeof(long), !column.Required),
        ColumnType.Number => new DataField(column.Name, typeof(double), !column.Required),
        ColumnType.Boolean => new DataField(column.Name, typeof(bool), !column.Required),
        // Millisecond UTC timestamps: Parquet.Net 6.1.0 writes wrong min/max statistics for micro- and nanosecond
        // timestamps (upstream #769), which makes DuckDB skip row groups in filtered queries. Millis are right.
        ColumnType.Timestamp => new DateTimeDataField(column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true,
            unit: DateTimeTimeUnit.Millis, isNullable: !column.Required),
        ColumnType.TextList => new ListField(column.Name, new DataField<string>("element", nullable: false)),
        _ => throw new InvalidOperationException($"Column {column.Name} has an unknown type {column.Type}."),
    };
}
