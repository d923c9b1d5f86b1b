using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Text;
using ExitKit.Packaging;
using ExitKit.Parquet;
using ExitKit.Schema;
using ExitKit.Validation.Content;

namespace ExitKit.Validation.Engine;

/// <summary>One row group of a table as the checks see it: a column the package's table lacks reads as null on every row.</summary>
internal sealed class Chunk(PackageRowGroup rowGroup)
{
    private readonly Dictionary<ChunkConsumer, object> _prepared = [];

    public int RowCount => rowGroup.RowCount;

    /// <summary>What a consumer's <see cref="ChunkConsumer.PrepareAsync"/> made of this row group, if anything.</summary>
    public object? PreparedFor(ChunkConsumer consumer) => _prepared.GetValueOrDefault(consumer);

    public void Prepared(ChunkConsumer consumer, object? result)
    {
        if (result is not null)
        {
            _prepared[consumer] = result;
        }
    }

    /// <summary>Rows per UTC day number of the table's time column in this row group, counted when it was prepared.</summary>
    public Dictionary<int, long>? Days { get; set; }

    /// <summary>Nulls of the columns a table scan counts, counted when the row group was prepared.</summary>
    public Dictionary<string, long>? Nulls { get; set; }

    /// <summary>The nulls of a column when they are known without reading it (statistics, or a column the table lacks).</summary>
    public long? KnownNulls(string column) => rowGroup.HasColumn(column) ? rowGroup.NullCount(column) : RowCount;

    /// <summary>A column's values (read now unless read ahead), or null for a column the table lacks.</summary>
    public async ValueTask<ColumnValues?> ValuesAsync(string column, CancellationToken cancellationToken) =>
        rowGroup.HasColumn(column) ? await rowGroup.ReadAsync(column, cancellationToken) : null;

    public async ValueTask<TextValues?> TextAsync(string column, CancellationToken cancellationToken) =>
        (TextValues?)await ValuesAsync(column, cancellationToken);

    /// <summary>The row ids (source_id) of the row group, read only when a check has an example to give.</summary>
    public ValueTask<TextValues?> IdsAsync(CancellationToken cancellationToken) => TextAsync("source_id", cancellationToken);
}

/// <summary>Something that looks at every row group of one table, in order.</summary>
internal abstract class ChunkConsumer
{
    /// <summary>Columns it reads from every row group: they are read ahead, on other cores. It may read others on request.</summary>
    public abstract IEnumerable<string> Columns { get; }

    /// <summary>Key sets of other tables this consumer checks against (they are scanned first when they can be).</summary>
    public virtual IEnumerable<KeySet> Needs => [];

    /// <summary>
    /// Work on one row group that needs no other: it runs on the read-ahead threads, on several row groups at once and in
    /// no particular order, so it reads shared state only (a complete key set) and changes none. What it returns is
    /// the chunk's <see cref="Chunk.PreparedFor"/> in <see cref="ConsumeAsync"/>.
    /// </summary>
    public virtual ValueTask<object?> PrepareAsync(Chunk chunk, CancellationToken cancellationToken) => ValueTask.FromResult<object?>(null);

    /// <summary>Takes in one row group, in file order, one at a time.</summary>
    public abstract ValueTask ConsumeAsync(Chunk chunk, CancellationToken cancellationToken);
}

/// <summary>
/// The distinct values of some columns of a table, as 128-bit XxHash values of their UTF-8 text in a
/// <see cref="HashSet128"/>: 21 to 43 bytes a distinct value, so 10 million ids take 210–430 MB (the id strings
/// themselves would take 2–4 times that). Two different ids share a hash with probability about n²/2¹²⁹: negligible.
/// </summary>
internal sealed class KeySet(TableSchema table, IReadOnlyList<string> columns)
{
    private readonly HashSet128 _hashes = new();

    public TableSchema Table { get; } = table;
    public IReadOnlyList<string> Columns { get; } = columns;
    public bool Complete { get; set; }
    public long Count => _hashes.Count;

    public void Add(UInt128 hash) => _hashes.Add(hash);

    /// <summary>Sizes the set for a table's row count once, instead of growing it (and copying it) about twenty times.</summary>
    public void Expect(long rows) => _hashes.EnsureCapacity((int)Math.Min(rows, Array.MaxLength / 2));

    public bool Contains(ReadOnlySpan<byte> utf8) => _hashes.Contains(Hash(utf8));

    public bool Contains(string value) => _hashes.Contains(Hash(value));

    internal static UInt128 Hash(ReadOnlySpan<byte> utf8) => XxHash128.HashToUInt128(utf8);

    internal static UInt128 Hash(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var rented = length > 512 ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : null;
        var utf8 = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
        Encoding.UTF8.GetBytes(value, utf8);
        var hash = Hash(utf8);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
        return hash;
    }

    public string Describe() => string.Join(" or ", Columns.Select(column => $"{Table.Name}.{column}"));
}

/// <summary>Fills a key set from the columns of its table: the values are hashed on the read-ahead threads, added in order.</summary>
internal sealed class KeyCollector(KeySet keys) : ChunkConsumer
{
    public override IEnumerable<string> Columns => keys.Columns;

    public override async ValueTask<object?> PrepareAsync(Chunk chunk, CancellationToken cancellationToken)
    {
        var hashes = new List<UInt128[]>();
        foreach (var column in keys.Columns)
        {
            if (await chunk.TextAsync(column, cancellationToken) is { } values)
            {
                hashes.Add(HashAll(values));
            }
        }
        return hashes;
    }

    public override ValueTask ConsumeAsync(Chunk chunk, CancellationToken cancellationToken)
    {
        foreach (var column in (List<UInt128[]>)chunk.PreparedFor(this)!)
        {
            AddAll(column, keys);
        }
        return ValueTask.CompletedTask;
    }

    // Called once a row group, too rarely for tiered compilation to optimise their loops early: compile them optimised at once.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static UInt128[] HashAll(TextValues values)
    {
        var defined = 0;
        for (var row = 0; row < values.RowCount; row++)
        {
            defined += values.IsNull(row) ? 0 : 1;
        }
        var hashes = new UInt128[defined];
        for (int row = 0, next = 0; row < values.RowCount; row++)
        {
            if (!values.IsNull(row))
            {
                hashes[next++] = KeySet.Hash(values[row]);
            }
        }
        return hashes;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddAll(UInt128[] hashes, KeySet keys)
    {
        foreach (var hash in hashes)
        {
            keys.Add(hash);
        }
    }
}

/// <summary>What one pass over one table found: rows, rows per day, nulls per column.</summary>
internal sealed class TableScan(TableSchema schema)
{
    private readonly HashSet<string> _nullCounted = new(StringComparer.Ordinal);
    private readonly Dictionary<int, long> _days = [];
    private SortedDictionary<DateOnly, long>? _daily;
    private HashSet<string>? _written;

    public TableSchema Schema { get; } = schema;
    public List<ChunkConsumer> Consumers { get; } = [];
    public bool CountDaily { get; set; }

    public TableEntry? Entry { get; set; }
    public bool Present => Entry is not null;
    public bool Scanned { get; set; }
    public long Rows { get; private set; }
    public Dictionary<string, long> Nulls { get; } = new(StringComparer.Ordinal);

    /// <summary>Rows per UTC day of the table's time column.</summary>
    public SortedDictionary<DateOnly, long> Daily => _daily ??= new(_days.ToDictionary(pair => DateOnly.FromDayNumber(pair.Key), pair => pair.Value));

    public void CountNulls(string column) => _nullCounted.Add(column);

    public bool Needed => Consumers.Count > 0 || CountDaily || _nullCounted.Count > 0 || RowsNeeded;
    public bool RowsNeeded { get; set; }

    /// <summary>Whether the package's table lacks a column (it was written before the column existed).</summary>
    public bool Lacks(string column) => Present && !(_written ??= Entry!.Columns.Select(written => written.Name).ToHashSet(StringComparer.Ordinal)).Contains(column);

    /// <summary>The columns every row group needs; null counts come from statistics where the parts have them.</summary>
    public IReadOnlyList<string> ReadAhead()
    {
        var columns = new HashSet<string>(StringComparer.Ordinal);
        if (CountDaily && Schema.TimeColumn is { } time)
        {
            columns.Add(time);
        }
        foreach (var consumer in Consumers)
        {
            columns.UnionWith(consumer.Columns);
        }
        return columns.Where(column => !Lacks(column)).ToList();
    }

    /// <summary>Counts days and nulls, and runs the consumers' preparation, on a read-ahead thread (see <see cref="ChunkConsumer.PrepareAsync"/>).</summary>
    public async ValueTask<Chunk> PrepareAsync(PackageRowGroup rowGroup, CancellationToken cancellationToken)
    {
        var chunk = new Chunk(rowGroup);
        if (CountDaily && Schema.TimeColumn is { } time && await chunk.ValuesAsync(time, cancellationToken) is TimestampValues instants)
        {
            chunk.Days = CountDays(instants);
        }
        if (_nullCounted.Count > 0)
        {
            chunk.Nulls = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var column in _nullCounted)
            {
                chunk.Nulls[column] = chunk.KnownNulls(column) ?? (await chunk.ValuesAsync(column, cancellationToken))!.CountNulls();
            }
        }
        foreach (var consumer in Consumers)
        {
            chunk.Prepared(consumer, await consumer.PrepareAsync(chunk, cancellationToken));
        }
        return chunk;
    }

    /// <summary>Takes in a prepared row group, in file order.</summary>
    public async ValueTask ConsumeAsync(Chunk chunk, CancellationToken cancellationToken)
    {
        Rows += chunk.RowCount;
        if (chunk.Days is { } days)
        {
            _daily = null;
            foreach (var (day, rows) in days)
            {
                _days[day] = _days.GetValueOrDefault(day) + rows;
            }
        }
        foreach (var (column, nulls) in chunk.Nulls ?? [])
        {
            Nulls[column] = Nulls.GetValueOrDefault(column) + nulls;
        }
        foreach (var consumer in Consumers)
        {
            await consumer.ConsumeAsync(chunk, cancellationToken);
        }
    }

    // Called once a row group, too rarely for tiered compilation to optimise its loop early: compile it optimised at once.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Dictionary<int, long> CountDays(TimestampValues instants)
    {
        // Rows come roughly in time order, so runs of one day are counted first and the dictionary is touched once a run.
        var days = new Dictionary<int, long>();
        var day = int.MinValue;
        long run = 0;
        for (var row = 0; row < instants.RowCount; row++)
        {
            if (instants.IsNull(row))
            {
                continue;
            }
            var rowDay = instants.DayNumber(row);
            if (rowDay != day)
            {
                if (run > 0)
                {
                    days[day] = days.GetValueOrDefault(day) + run;
                }
                day = rowDay;
                run = 0;
            }
            run++;
        }
        if (run > 0)
        {
            days[day] = days.GetValueOrDefault(day) + run;
        }
        return days;
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
        // Row ids are distinct, so a key set of them holds one key a row; other key columns repeat, and grow as they need.
        foreach (var keys in _keys.Values.Where(keys => keys.Columns is ["source_id"]))
        {
            keys.Expect(_tables[keys.Table.Name].Entry?.Rows ?? 0);
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
                try
                {
                    // Null counts are taken from the parts' statistics where they have them, the way DuckDB answers
                    // them, so a large text column (message bodies) is only read in a row group that has nulls.
                    // Row groups are prepared (hashed, counted) on the read-ahead threads, then taken in, in order, here.
                    var scan = next;
                    async ValueTask PrepareAsync(PackageRowGroup rowGroup, CancellationToken token) => rowGroup.Prepared = await scan.PrepareAsync(rowGroup, token);
                    await foreach (var rowGroup in package.ReadRowGroupsAsync(next.Schema.Name, next.ReadAhead(), PrepareAsync, cancellationToken))
                    {
                        await next.ConsumeAsync(rowGroup.Prepared as Chunk ?? await next.PrepareAsync(rowGroup, cancellationToken), cancellationToken);
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

    /// <summary>Whether no more examples are taken: a check need not read row ids any more.</summary>
    public bool Full => _items.Count >= capacity;

    public void Add(string? item)
    {
        if (item is not null && _items.Count < capacity && !_items.Contains(item, StringComparer.Ordinal))
        {
            _items.Add(item);
        }
    }

    public override string ToString() => string.Join(", ", _items);
}

/// <summary>Files of the package: a hashed set of every path (21–43 bytes a file), built by one listing.</summary>
internal sealed class FileIndex
{
    private readonly HashSet128 _paths = new();

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

    public bool Contains(ReadOnlySpan<byte> utf8Path) => _paths.Contains(KeySet.Hash(utf8Path.TrimStart((byte)'/')));

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
