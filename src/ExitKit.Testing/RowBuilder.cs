using ExitKit.Schema;

namespace ExitKit.Testing;

/// <summary>Builds a neutral row by column name, for tests and for connectors that prefer names to ordinals.</summary>
public sealed class RowBuilder(TableSchema table)
{
    private readonly object?[] _values = table.NewRow();

    /// <summary>Sets a column.</summary>
    public RowBuilder Set(string column, object? value)
    {
        var ordinal = table.OrdinalOf(column);
        if (ordinal < 0)
        {
            throw new ArgumentException($"Table {table.Name} has no column {column}.", nameof(column));
        }
        _values[ordinal] = value;
        return this;
    }

    /// <summary>The row's values.</summary>
    public object?[] Build() => _values;
}
