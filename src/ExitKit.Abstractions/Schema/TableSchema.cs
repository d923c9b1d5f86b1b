using System.Collections.Frozen;

namespace ExitKit.Schema;

/// <summary>A neutral table: its columns, key, time column and references.</summary>
/// <remarks>
/// Every table starts with <c>source_system</c> and <c>source_id</c>, which together are its stable key, and ends with
/// <c>source_extra</c>, a JSON object holding vendor fields that have no neutral home.
/// </remarks>
public sealed class TableSchema
{
    private readonly FrozenDictionary<string, int> _ordinals;

    /// <summary>Creates a table schema.</summary>
    public TableSchema(string name, DataFamily family, string description, IReadOnlyList<ColumnSchema> columns,
        string? timeColumn = null, IReadOnlyList<ForeignKey>? foreignKeys = null)
    {
        Name = name;
        Family = family;
        Description = description;
        Columns = columns;
        TimeColumn = timeColumn;
        ForeignKeys = foreignKeys ?? [];
        _ordinals = columns.Select((column, index) => (column.Name, index))
            .ToFrozenDictionary(pair => pair.Name, pair => pair.index, StringComparer.Ordinal);
        if (timeColumn is not null && Column(timeColumn).Type != ColumnType.Timestamp)
        {
            throw new ArgumentException($"Time column {timeColumn} of table {name} is not a timestamp.", nameof(timeColumn));
        }
    }

    /// <summary>The table name, snake_case; also its folder under <c>data/</c>.</summary>
    public string Name { get; }

    /// <summary>The data family the table belongs to.</summary>
    public DataFamily Family { get; }

    /// <summary>What the table holds.</summary>
    public string Description { get; }

    /// <summary>The columns in storage order.</summary>
    public IReadOnlyList<ColumnSchema> Columns { get; }

    /// <summary>The timestamp column that places a row in time (coverage, sharding), or null for configuration tables.</summary>
    public string? TimeColumn { get; }

    /// <summary>References from this table's columns to other tables.</summary>
    public IReadOnlyList<ForeignKey> ForeignKeys { get; }

    /// <summary>The key columns: <c>source_system</c> and <c>source_id</c>.</summary>
    public static IReadOnlyList<string> KeyColumns { get; } = ["source_system", "source_id"];

    /// <summary>The position of a column, or -1 when the table has no such column.</summary>
    public int OrdinalOf(string columnName) => _ordinals.TryGetValue(columnName, out var ordinal) ? ordinal : -1;

    /// <summary>The column with this name.</summary>
    /// <exception cref="KeyNotFoundException">The table has no such column.</exception>
    public ColumnSchema Column(string columnName) => _ordinals.TryGetValue(columnName, out var ordinal)
        ? Columns[ordinal]
        : throw new KeyNotFoundException($"Table {Name} has no column {columnName}.");

    /// <summary>True when the table has a column with this name.</summary>
    public bool HasColumn(string columnName) => _ordinals.ContainsKey(columnName);

    /// <summary>Checks a row against the schema: its length, the CLR type of every value, required values and allowed values.</summary>
    /// <returns>Null when the row fits, otherwise what is wrong, naming the column.</returns>
    public string? Describe(object?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != Columns.Count)
        {
            return $"the row has {values.Length} values; table {Name} has {Columns.Count} columns";
        }
        for (var ordinal = 0; ordinal < values.Length; ordinal++)
        {
            var column = Columns[ordinal];
            var value = values[ordinal];
            if (value is null)
            {
                if (column.Required)
                {
                    return $"column {column.Name} is required but is empty";
                }
                continue;
            }
            if (value.GetType() != column.ClrType)
            {
                return $"column {column.Name} holds a {value.GetType().Name}; it must be a {column.ClrType.Name}";
            }
            if (value is DateTimeOffset instant && instant.Offset != TimeSpan.Zero)
            {
                return $"column {column.Name} holds {instant:O}, which is not UTC";
            }
            if (column.AllowedValues is { Count: > 0 } allowed && value is string text && !allowed.Contains(text, StringComparer.Ordinal))
            {
                return $"column {column.Name} holds '{text}', which is not one of: {string.Join(", ", allowed)}";
            }
        }
        return null;
    }

    /// <summary>A new row of this table with every value null, to fill by ordinal.</summary>
    public object?[] NewRow() => new object?[Columns.Count];

    /// <inheritdoc />
    public override string ToString() => Name;
}
