using ExitKit.Schema;

namespace ExitKit.Connectors.Support;

/// <summary>Fills a neutral row by column name and checks it fits before it leaves the connector.</summary>
public sealed class Row(TableSchema table, string sourceSystem, string sourceId)
{
    private readonly object?[] _values = Start(table, sourceSystem, sourceId);

    private static object?[] Start(TableSchema table, string sourceSystem, string sourceId)
    {
        var values = table.NewRow();
        values[table.OrdinalOf("source_system")] = sourceSystem;
        values[table.OrdinalOf("source_id")] = sourceId;
        return values;
    }

    public Row Set(string column, object? value)
    {
        var ordinal = table.OrdinalOf(column);
        if (ordinal < 0)
        {
            throw new InvalidOperationException($"Table {table.Name} has no column {column}.");
        }
        _values[ordinal] = value;
        return this;
    }

    public object?[] Build()
    {
        if (table.Describe(_values) is { } problem)
        {
            throw ExitKitException.RowDoesNotFit(table.Name, _values[table.OrdinalOf("source_id")] as string, problem);
        }
        return _values;
    }
}
