using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using ExitKit.Packaging;
using ExitKit.Schema;
using ExitKit.Validation.Content;

namespace ExitKit.Validation.Engine;

/// <summary>A chunk of rows with its columns by name; a column the package's table lacks reads as null.</summary>
internal sealed class Chunk(int rowCount, IReadOnlyDictionary<string, Array> columns)
{
    public int RowCount { get; } = rowCount;

    public Array? this[string column] => columns.GetValueOrDefault(column);

    public string?[]? Text(string column) => (string?[]?)this[column];
}

/// <summary>Something that looks at every chunk of one table.</summary>
internal abstract class ChunkConsumer
{
    public abstract IEnumerable<string> Columns { get; }

    /// <summary>Key sets of other tables this consumer checks against (they are scanned first when they can be).</summary>
    public virtual IEnumerable<KeySet> Needs => [];

    public abstract void Consume(Chunk chunk);
}

/// <summary>
/// The distinct values of some columns of a table, as 128-bit XxHash values: 16 bytes of hash plus about 16 bytes of
/// HashSet overhead per distinct value, so 10 million ids take about 320 MB (the id strings themselves would take 2–4
/// times that). Two different ids share a hash with probability about n²/2¹²⁹: negligible.
/// </summary>
internal sealed class KeySet(TableSchema table, IReadOnlyList<string> columns)
{
    private readonly HashSet<UInt128> _hashes = [];

    public TableSchema Table { get; } = table;
    public IReadOnlyList<string> Columns { get; } = columns;
    public bool Complete { get; set; }
    public long Count => _hashes.Count;

    public void Add(string value) => _hashes.Add(Hash(value));

    public bool Contains(string value) => _hashes.Contains(Hash(value));

    internal static UInt128 Hash(string value) => XxHash128.HashToUInt128(MemoryMarshal.AsBytes(value.AsSpan()));

    public string Describe() => string.Join(" or ", Columns.Select(column => $"{Table.Name}.{column}"));
}

/// <summary>Fills a key set from the columns of its table.</summary>
internal sealed class KeyCollector(KeySet keys) : ChunkConsumer
{
    public override IEnumerable<string> Columns => keys.Columns;

    public override void Consume(Chunk chunk)
    {
        foreach (var column in keys.Columns)
        {
            if (chunk.Text(column) is { } values)
            {
                foreach (var value in values)
                {
                    if (value is not null)
                    {
                        keys.Add(value);
                    }
                }
            }
        }
    }
}

/// <summary>What one pass over one table found: rows, rows per day, nulls per column.</summary>
internal sealed class TableScan(TableSchema schema)
{
    private readonly HashSet<string> _columns = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nullCounted = new(StringComparer.Ordinal);

    public TableSchema Schema { get; } = schema;
    public List<ChunkConsumer> Consumers { get; } = [];
    public bool CountDaily { get; set; }

    public TableEntry? Entry { get; set; }
    public bool Present => Entry is not null;
    public bool Scanned { get; set; }
    public long Rows { get; private set; }
    public SortedDictionary<DateOnly, long> Daily { get; } = [];
    public Dictionary<string, long> Nulls { get; } = new(StringComparer.Ordinal);
    public HashSet<string> MissingColumns { get; } = new(StringComparer.Ordinal);

    public void CountNulls(string column) => _nullCounted.Add(column);

    public bool Needed => Consumers.Count > 0 || CountDaily || _nullCounted.Count > 0 || RowsNeeded;
    public bool RowsNeeded { get; set; }

    /// <summary>Columns whose nulls are counted and whose values nothing else needs: their counts can come from statistics.</summary>
    public IReadOnlyList<string> NullOnlyColumns()
    {
        var valuesNeeded = new HashSet<string>(Consumers.SelectMany(consumer => consumer.Columns), StringComparer.Ordinal);
        if (CountDaily && Schema.TimeColumn is { } time)
        {
            valuesNeeded.Add(time);
        }
        var written = Entry!.Columns.Select(column => column.Name).ToHashSet(StringComparer.Ordinal);
        return _nullCounted.Where(column => !valuesNeeded.Contains(column) && written.Contains(column)).ToList();
    }

    /// <summary>Null counts taken from statistics: these columns are not read, and their counts are added here.</summary>
    public void UseNullCounts(IReadOnlyDictionary<string, long> counts)
    {
        foreach (var (column, count) in counts)
        {
            _fromStatistics.Add(column);
            Nulls[column] = Nulls.GetValueOrDefault(column) + count;
        }
    }

    private readonly HashSet<string> _fromStatistics = new(StringComparer.Ordinal);

    public IReadOnlyList<string> ColumnsToRead()
    {
        _columns.Clear();
        if (CountDaily && Schema.TimeColumn is { } time)
        {
            _columns.Add(time);
        }
        _columns.UnionWith(_nullCounted.Where(column => !_fromStatistics.Contains(column)));
        foreach (var consumer in Consumers)
        {
            _columns.UnionWith(consumer.Columns);
        }
        var written = Entry!.Columns.Select(column => column.Name).ToHashSet(StringComparer.Ordinal);
        MissingColumns.UnionWith(_columns.Where(column => !written.Contains(column)));
        // Ask for at least one column so the reader reports row counts even when only counts are needed.
        var read = _columns.Where(written.Contains).ToList();
        if (read.Count == 0 && Entry.Columns.Count > 0)
        {
            read.Add(Entry.Columns.Any(column => column.Name == "source_id") ? "source_id" : Entry.Columns[0].Name);
        }
        return read;
    }

    public void Consume(Chunk chunk)
    {
        Rows += chunk.RowCount;
        if (CountDaily && Schema.TimeColumn is { } time && chunk[time] is DateTimeOffset?[] instants)
        {
            foreach (var instant in instants)
            {
                if (instant is { } value)
                {
                    var day = DateOnly.FromDateTime(value.UtcDateTime);
                    Daily[day] = Daily.GetValueOrDefault(day) + 1;
                }
            }
        }
        foreach (var column in _nullCounted.Where(column => !_fromStatistics.Contains(column)))
        {
            Nulls[column] = Nulls.GetValueOrDefault(column) + CountNullsIn(chunk[column], chunk.RowCount);
        }
        foreach (var consumer in Consumers)
        {
            consumer.Consume(chunk);
        }
    }

    internal static long CountNullsIn(Array? values, int rowCount)
    {
        if (values is null)
        {
            return rowCount;
        }
        long nulls = 0;
        switch (values)
        {
            case string?[] texts:
                foreach (var value in texts) { if (value is null) { nulls++; } }
                break;
            case long?[] integers:
                foreach (var value in integers) { if (value is null) { nulls++; } }
                break;
            case double?[] numbers:
                foreach (var value in numbers) { if (value is null) { nulls++; } }
                break;
            case bool?[] booleans:
                foreach (var value in booleans) { if (value is null) { nulls++; } }
                break;
            case DateTimeOffset?[] instants:
                foreach (var value in instants) { if (value is null) { nulls++; } }
                break;
            case string[]?[] lists:
                foreach (var value in lists) { if (value is null) { nulls++; } }
                break;
            default:
                for (var i = 0; i < values.Length; i++) { if (values.GetValue(i) is null) { nulls++; } }
                break;
        }
        return nulls;
    }
}

/// <summary>Everything the checks need read from the package, gathered so each table is read at most once.</summary>
internal sealed class ScanPlan
{
    private readonly Dictionary<string, TableScan> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KeySet> _keys = new(StringComparer.Ordinal);

    public bool NeedsFileIndex { get; set; }

    /// <summary>The package's files, built before the scan when a check asked for it.</summary>
    public FileIndex? Files { get; set; }

    public TableScan Table(TableSchema table)
    {
        if (!_tables.TryGetValue(table.Name, out var scan))
        {
            _tables[table.Name] = scan = new TableScan(table);
        }
        return scan;
    }

    public KeySet Keys(TableSchema table, IReadOnlyList<string> columns)
    {
        var name = $"{table.Name}:{string.Join(",", columns.Order(StringComparer.Ordinal))}";
        if (!_keys.TryGetValue(name, out var keys))
        {
            _keys[name] = keys = new KeySet(table, columns);
            Table(table).Consumers.Add(new KeyCollector(keys));
        }
        return keys;
    }

    /// <summary>Reads every table that a check needs, once, tables holding key sets before the tables that use them.</summary>
    public async Task RunAsync(IPackageContent package, CancellationToken cancellationToken)
    {
        foreach (var scan in _tables.Values)
        {
            scan.Entry = package.Manifest.FindTable(scan.Schema.Name);
        }
        var remaining = _tables.Values.Where(scan => scan.Needed).ToList();
        while (remaining.Count > 0)
        {
            // A table whose key sets are all complete goes first; a cycle (kb_sections.parent_id) falls back to
            // pending references, resolved when the key set completes.
            var next = remaining.FirstOrDefault(scan => scan.Consumers.SelectMany(consumer => consumer.Needs)
                .All(keys => keys.Complete || keys.Table == scan.Schema)) ?? remaining[0];
            remaining.Remove(next);
            if (next.Present)
            {
                // A column only counted for nulls (required, nullRate) is answered by the Parquet statistics, the way DuckDB
                // answers it, so a large text column (message bodies) is never decoded just to find it has no nulls.
                var nullOnly = next.NullOnlyColumns();
                if (nullOnly.Count > 0 && await package.CountNullsFromStatisticsAsync(next.Schema.Name, nullOnly, cancellationToken) is { } counts)
                {
                    next.UseNullCounts(counts);
                }
                var columns = next.ColumnsToRead();
                try
                {
                    await foreach (var chunk in package.ReadColumnsAsync(next.Schema.Name, columns, cancellationToken))
                    {
                        var byName = new Dictionary<string, Array>(columns.Count, StringComparer.Ordinal);
                        for (var i = 0; i < columns.Count; i++)
                        {
                            byName[columns[i]] = chunk.Columns[i];
                        }
                        next.Consume(new Chunk(chunk.RowCount, byName));
                    }
                }
                catch (Exception error) when (error is not (ExitKitException or OperationCanceledException))
                {
                    // A part that cannot be read makes the package unusable for validation; verify names the damaged file.
                    throw ExitKitException.PackageUnusable(package.Store.Location,
                        $"table {next.Schema.Name} could not be read ({error.Message}). Run `exitkit verify` on the package to find the damaged file.");
                }
                next.Scanned = true;
            }
            foreach (var keys in _keys.Values.Where(keys => keys.Table == next.Schema))
            {
                keys.Complete = true;
            }
        }
    }
}

/// <summary>A capped list of examples (row ids, values) for the report; the full count is kept beside it.</summary>
internal sealed class Examples(int capacity = 5)
{
    private readonly List<string> _items = [];

    public IReadOnlyList<string> Items => _items;

    public void Add(string? item)
    {
        if (item is not null && _items.Count < capacity && !_items.Contains(item, StringComparer.Ordinal))
        {
            _items.Add(item);
        }
    }

    public override string ToString() => string.Join(", ", _items);
}

/// <summary>Files of the package: a hashed set of every path (32 bytes a file), built by one listing.</summary>
internal sealed class FileIndex
{
    private readonly HashSet<UInt128> _paths = [];

    public long Count => _paths.Count;

    public static async Task<FileIndex> BuildAsync(ExitKit.Storage.IPackageStore store, CancellationToken cancellationToken)
    {
        var index = new FileIndex();
        await foreach (var file in store.ListAsync("", cancellationToken))
        {
            index._paths.Add(KeySet.Hash(file.Path));
        }
        return index;
    }

    public bool Contains(string path) => _paths.Contains(KeySet.Hash(path.TrimStart('/')));
}

internal static class Glob
{
    /// <summary>A regular expression for a path pattern: <c>*</c> within a folder, <c>**</c> across folders, <c>?</c> one character.</summary>
    public static System.Text.RegularExpressions.Regex ToRegex(string pattern)
    {
        var builder = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                builder.Append(".*");
                i++;
            }
            else if (c == '*')
            {
                builder.Append("[^/]*");
            }
            else if (c == '?')
            {
                builder.Append("[^/]");
            }
            else
            {
                builder.Append(System.Text.RegularExpressions.Regex.Escape(c.ToString()));
            }
        }
        return new System.Text.RegularExpressions.Regex(builder.Append('$').ToString(),
            System.Text.RegularExpressions.RegexOptions.CultureInvariant | System.Text.RegularExpressions.RegexOptions.IgnoreCase);
    }

    /// <summary>The folder part of a pattern before its first wildcard, to list as little as possible.</summary>
    public static string Prefix(string pattern)
    {
        var wildcard = pattern.IndexOfAny(['*', '?']);
        var literal = wildcard < 0 ? pattern : pattern[..wildcard];
        var slash = literal.LastIndexOf('/');
        return slash < 0 ? "" : literal[..(slash + 1)];
    }
}
