namespace ExitKit.Connectors;

/// <summary>A batch of one table's rows, column by column as the package holds them: texts as their UTF-8 bytes, timestamps as ticks.</summary>
/// <remarks>
/// Handed to a successor that says <see cref="ISuccessorConnector.LoadsColumns"/>, as the <c>rows</c> of
/// <see cref="ISuccessorConnector.ImportAsync"/>: the batch is still a list of rows (a row is built when it is asked for),
/// and a successor that writes bytes (a binary COPY) reads the values here instead, with no string or boxed value per value.
/// Ordinals are the table's column order. The values are valid until <see cref="ISuccessorConnector.ImportAsync"/> returns:
/// keep none of these spans past it.
/// </remarks>
public interface IColumnBatch : IReadOnlyList<object?[]>
{
    /// <summary>Whether a row has no value in a column. Ask before reading the value: the typed readers do not check.</summary>
    bool IsNull(int ordinal, int row);

    /// <summary>A text or JSON value as UTF-8.</summary>
    ReadOnlySpan<byte> Utf8(int ordinal, int row);

    /// <summary>A text or JSON value as a string (for keys and messages, not for bulk data).</summary>
    string Text(int ordinal, int row);

    /// <summary>An integer value.</summary>
    long Int64(int ordinal, int row);

    /// <summary>A number value.</summary>
    double Number(int ordinal, int row);

    /// <summary>A boolean value: true or false.</summary>
    bool IsTrue(int ordinal, int row);

    /// <summary>A timestamp value as UTC ticks (<see cref="DateTime.Ticks"/>).</summary>
    long UtcTicks(int ordinal, int row);

    /// <summary>A text list value.</summary>
    string[] TextList(int ordinal, int row);
}
