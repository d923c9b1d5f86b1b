namespace ExitKit.Schema;

/// <summary>One column of a neutral table.</summary>
/// <param name="Name">The column name, snake_case, stable across format versions.</param>
/// <param name="Type">The value type.</param>
/// <param name="Required">True when every row must carry a value (no NULL).</param>
/// <param name="Description">What the column holds, for people reading the format specification.</param>
/// <param name="PersonalData">True when the column can identify a customer and is pseudonymised on request.</param>
/// <param name="AllowedValues">For coded columns, the values the format allows; empty when any value is allowed.</param>
public sealed record ColumnSchema(
    string Name,
    ColumnType Type,
    bool Required,
    string Description,
    bool PersonalData = false,
    IReadOnlyList<string>? AllowedValues = null)
{
    /// <summary>The CLR type that rows carry for this column.</summary>
    public Type ClrType => Type switch
    {
        ColumnType.Text or ColumnType.Json => typeof(string),
        ColumnType.Integer => typeof(long),
        ColumnType.Number => typeof(double),
        ColumnType.Boolean => typeof(bool),
        ColumnType.Timestamp => typeof(DateTimeOffset),
        ColumnType.TextList => typeof(string[]),
        _ => throw new InvalidOperationException($"Column {Name} has an unknown type {Type}."),
    };
}
