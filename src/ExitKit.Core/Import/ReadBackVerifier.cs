using System.Buffers.Binary;
using ExitKit.Connectors;
using ExitKit.Packaging;
using ExitKit.Schema;

namespace ExitKit.Import;

/// <summary>Options of a read-back verification.</summary>
public sealed record ReadBackOptions
{
    /// <summary>The tables to verify; null or empty for every table of the package.</summary>
    public IReadOnlyCollection<string>? Tables { get; init; }
    /// <summary>The most package rows held in memory at once (about 60 bytes each, up to twice that while the dictionary grows); larger tables are reconciled in several passes.</summary>
    public int MaxRowsInMemory { get; init; } = 2_000_000;
    /// <summary>The most rows listed per table and kind of discrepancy (all are counted).</summary>
    public int MaxRowsListed { get; init; } = 1_000;
    /// <summary>The clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>A row's key.</summary>
public sealed record RowKey(string SourceSystem, string SourceId)
{
    /// <inheritdoc />
    public override string ToString() => $"{SourceSystem}/{SourceId}";
}

/// <summary>A row that the successor holds with different content than the package.</summary>
/// <param name="Key">The row.</param>
/// <param name="Columns">The columns whose values differ.</param>
public sealed record RowDifference(RowKey Key, IReadOnlyList<string> Columns);

/// <summary>One table reconciled: the package's rows against what the successor reads back.</summary>
public sealed record TableReadBack(string Table, long PackageRows, long SuccessorRows, long Matching,
    long MissingCount, long ExtraCount, long DifferentCount,
    IReadOnlyList<RowKey> Missing, IReadOnlyList<RowKey> Extra, IReadOnlyList<RowDifference> Different, int Passes, TimeSpan Elapsed)
{
    /// <summary>True when the successor holds exactly the package's rows, each with the same content.</summary>
    public bool Equal => MissingCount == 0 && ExtraCount == 0 && DifferentCount == 0 && Matching == PackageRows && SuccessorRows == PackageRows;
}

/// <summary>The whole read-back.</summary>
public sealed record ReadBackResult(IReadOnlyList<TableReadBack> Tables, TimeSpan Elapsed)
{
    /// <summary>True when every table reads back equal.</summary>
    public bool Equal => Tables.All(table => table.Equal);
}

/// <summary>Reads a successor back and reconciles it with the package: counts, and every row's content by SHA-256.</summary>
/// <remarks>
/// For each table the package's rows are hashed into a dictionary from a 128-bit key digest to the row's SHA-256 (see
/// <see cref="RowDigest"/>); the successor's rows are then streamed and matched against it. The dictionary costs about
/// 60 bytes per row (a 16-byte key digest, the 32-byte SHA-256 and the entry's bookkeeping), so the default limit of two million
/// rows is about 120 MB at most; a table with more rows than <see cref="ReadBackOptions.MaxRowsInMemory"/> is split by key digest into
/// several passes, each reading the package and the successor again, so memory stays bounded whatever the size.
/// Rows that are missing or differ are named in a further pass over the package (only when there are any).
/// Package rows are compared as the successor holds them (<see cref="ISuccessorConnector.AsHeld"/>): columns a successor
/// declares it cannot hold are left out of the comparison, and the import report lists them.
/// </remarks>
public static class ReadBackVerifier
{
    /// <summary>Reconciles a successor with a package; <paramref name="progress"/> hears of each table as it is reconciled.</summary>
    public static async Task<ReadBackResult> VerifyAsync(ExitPackage package, ISuccessorConnector successor, ReadBackOptions options,
        IProgress<TableReadBack>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(successor);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRowsInMemory, 1);
        var started = options.Time.GetTimestamp();
        var tables = ImportPipeline.SelectTables(package, options.Tables);
        try
        {
            await successor.AttachPackageAsync(new PackageImportSource(package), cancellationToken);
        }
        catch (Exception error) when (ImportPipeline.IsSuccessorFault(error))
        {
            throw ImportPipeline.SuccessorFailed("preparing the read-back", error, FailureKind.Incomplete);
        }
        var results = new List<TableReadBack>(tables.Count);
        foreach (var table in tables)
        {
            var result = await VerifyTableAsync(package, successor, table, options, cancellationToken);
            results.Add(result);
            progress?.Report(result);
        }
        return new ReadBackResult(results, options.Time.GetElapsedTime(started));
    }

    private static async Task<TableReadBack> VerifyTableAsync(ExitPackage package, ISuccessorConnector successor, TableSchema table,
        ReadBackOptions options, CancellationToken cancellationToken)
    {
        var started = options.Time.GetTimestamp();
        var packageRows = package.Manifest.FindTable(table.Name)!.Rows;
        var passes = (int)Math.Max(1, (packageRows + options.MaxRowsInMemory - 1) / options.MaxRowsInMemory);
        var tally = new Tally(options.MaxRowsListed);
        for (var pass = 0; pass < passes; pass++)
        {
            await ReconcilePassAsync(package, successor, table, pass, passes, tally, cancellationToken);
        }
        return new TableReadBack(table.Name, packageRows, tally.SuccessorRows, tally.Matching, tally.MissingCount, tally.ExtraCount,
            tally.DifferentCount, tally.Missing, tally.Extra, tally.Different, passes, options.Time.GetElapsedTime(started));
    }

    private static async Task ReconcilePassAsync(ExitPackage package, ISuccessorConnector successor, TableSchema table, int pass, int passes,
        Tally tally, CancellationToken cancellationToken)
    {
        var expected = new Dictionary<UInt128, Sha256Digest>();
        await foreach (var row in package.ReadRowsAsync(table.Name, cancellationToken))
        {
            var key = RowDigest.KeyOf(row);
            if (InPass(key, pass, passes))
            {
                expected[key] = Sha256Digest.From(RowDigest.Of(table, successor.AsHeld(table, row)));
            }
        }
        // Successor rows that differ are kept (a bounded number) to say which columns differ.
        var differing = new Dictionary<UInt128, object?[]?>();
        await foreach (var row in GuardedAsync(successor.ReadBackAsync(table, cancellationToken), table, cancellationToken))
        {
            var key = RowDigest.KeyOf(row);
            if (!InPass(key, pass, passes))
            {
                continue;
            }
            tally.SuccessorRows++;
            if (!expected.Remove(key, out var digest))
            {
                tally.ExtraCount++;
                if (tally.Extra.Count < tally.MaxListed)
                {
                    tally.Extra.Add(new RowKey(row[0] as string ?? "", row[1] as string ?? ""));
                }
            }
            else if (digest == Sha256Digest.From(RowDigest.Of(table, row)))
            {
                tally.Matching++;
            }
            else
            {
                tally.DifferentCount++;
                differing[key] = tally.DifferentCount <= tally.MaxListed ? row : null;
            }
        }
        tally.MissingCount += expected.Count;
        if (expected.Count == 0 && differing.Count == 0)
        {
            return;
        }
        // Name what is missing and say which columns differ, from the package.
        await foreach (var row in package.ReadRowsAsync(table.Name, cancellationToken))
        {
            var key = RowDigest.KeyOf(row);
            if (!InPass(key, pass, passes))
            {
                continue;
            }
            var rowKey = new RowKey(row[0] as string ?? "", row[1] as string ?? "");
            if (expected.ContainsKey(key))
            {
                if (tally.Missing.Count < tally.MaxListed)
                {
                    tally.Missing.Add(rowKey);
                }
            }
            else if (differing.TryGetValue(key, out var theirs) && theirs is not null)
            {
                var held = successor.AsHeld(table, row);
                var columns = table.Columns.Where((column, ordinal) =>
                    !RowDigest.OfValue(column, held[ordinal]).AsSpan().SequenceEqual(RowDigest.OfValue(column, theirs[ordinal])))
                    .Select(column => column.Name).ToArray();
                tally.Different.Add(new RowDifference(rowKey, columns));
            }
        }
    }

    // The successor's failures (a lost connection) become a message; the package's own read errors pass through as they are.
    private static async IAsyncEnumerable<object?[]> GuardedAsync(IAsyncEnumerable<object?[]> rows, TableSchema table,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var enumerator = rows.GetAsyncEnumerator(cancellationToken);
        await using (enumerator)
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await enumerator.MoveNextAsync();
                }
                catch (Exception error) when (ImportPipeline.IsSuccessorFault(error))
                {
                    throw ImportPipeline.SuccessorFailed($"reading table {table.Name} back", error, FailureKind.Incomplete);
                }
                if (!more)
                {
                    yield break;
                }
                yield return enumerator.Current;
            }
        }
    }

    private static bool InPass(UInt128 key, int pass, int passes) => passes == 1 || (int)(key % (uint)passes) == pass;

    private sealed class Tally(int maxListed)
    {
        public int MaxListed { get; } = maxListed;
        public long SuccessorRows { get; set; }
        public long Matching { get; set; }
        public long MissingCount { get; set; }
        public long ExtraCount { get; set; }
        public long DifferentCount { get; set; }
        public List<RowKey> Missing { get; } = [];
        public List<RowKey> Extra { get; } = [];
        public List<RowDifference> Different { get; } = [];
    }

    /// <summary>A SHA-256 held as a value, so the dictionary stores no array per row.</summary>
    private readonly record struct Sha256Digest(UInt128 First, UInt128 Second)
    {
        public static Sha256Digest From(byte[] digest) =>
            new(BinaryPrimitives.ReadUInt128LittleEndian(digest), BinaryPrimitives.ReadUInt128LittleEndian(digest.AsSpan(16)));
    }
}
