namespace ExitKit.Schema;

/// <summary>The value types a neutral table column can hold.</summary>
/// <remarks>
/// Each maps to one Parquet physical/logical type and one CLR type that rows carry:
/// <see cref="Text"/> and <see cref="Json"/> are <see cref="string"/>, <see cref="Integer"/> is <see cref="long"/>,
/// <see cref="Number"/> is <see cref="double"/>, <see cref="Boolean"/> is <see cref="bool"/>,
/// <see cref="Timestamp"/> is a UTC <see cref="DateTimeOffset"/> (stored with millisecond precision),
/// <see cref="TextList"/> is a <see cref="string"/> array.
/// </remarks>
public enum ColumnType
{
    /// <summary>UTF-8 text.</summary>
    Text,
    /// <summary>A 64-bit signed integer.</summary>
    Integer,
    /// <summary>A 64-bit floating point number.</summary>
    Number,
    /// <summary>True or false.</summary>
    Boolean,
    /// <summary>An instant in UTC, millisecond precision.</summary>
    Timestamp,
    /// <summary>A JSON document held as text, for structured vendor data (conditions, parameters, extras).</summary>
    Json,
    /// <summary>A list of texts (tags, labels).</summary>
    TextList,
}
