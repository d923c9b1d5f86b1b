using ExitKit.Schema;

namespace ExitKit.Packaging;

/// <summary>The names of column types in manifests and JSON Schemas.</summary>
public static class ColumnTypeNames
{
    /// <summary>The manifest name of a column type.</summary>
    public static string Of(ColumnType type) => type switch
    {
        ColumnType.Text => "text",
        ColumnType.Integer => "integer",
        ColumnType.Number => "number",
        ColumnType.Boolean => "boolean",
        ColumnType.Timestamp => "timestamp",
        ColumnType.Json => "json",
        ColumnType.TextList => "text_list",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown column type"),
    };
}
