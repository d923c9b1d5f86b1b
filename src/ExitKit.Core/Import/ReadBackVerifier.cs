using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Threading.Channels;
using ExitKit.Connectors;
using ExitKit.Packaging;
using ExitKit.Schema;

namespace ExitKit.Import;

/// <summary>Options of a read-back verification.</summary>
public sealed record ReadBackOptions
{
    /// <summary>The tables to verify; null or empty for every table of the package.</summary>
    public IReadOnlyCollection<string>? Tables { get; init; }
    /// <summary>
    /// The most package rows held in memory at once when rows differ (about 60 bytes each, up to twice that while the dictionary grows):
    /// the rows of the buckets that differ are reconciled in several passes when there are more.
    /// </summary>
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
/// <param name="Table">The table.</param>
/// <param name="PackageRows">The rows the package's manifest counts.</param>
/// <param name="SuccessorRows">The rows the successor read back.</param>
/// <param name="Matching">The successor's rows that are in the package with the same content.</param>
/// <param name="MissingCount">The package's rows the successor does not hold.</param>
/// <param name="ExtraCount">The successor's rows that are not in the package (or hold a key more often than the package).</param>
/// <param name="DifferentCount">The rows the successor holds with different content.</param>
/// <param name="Missing">Missing rows, at most <see cref="ReadBackOptions.MaxRowsListed"/>.</param>
/// <param name="Extra">Extra rows, at most <see cref="ReadBackOptions.MaxRowsListed"/>.</param>
/// <param name="Different">Different rows with the columns that differ, at most <see cref="ReadBackOptions.MaxRowsListed"/>.</param>
/// <param name="Passes">The reads of the table the verifier made: 1 for the bucket sums, plus one per pass over the rows of the buckets that differ.</param>
/// <param name="Elapsed">How long the table took.</param>
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
/// <para>
/// First, for each table, the package and the successor are read at the same time, each on a task of its own, and their rows
/// are hashed on one task a core (up to four): each row's SHA-256 of its canonical encoding (see <see cref="RowDigest"/>;
/// package rows as the successor holds them, see <see cref="ISuccessorConnector.AsHeld"/>) goes to one of up to 65,536
/// buckets chosen by its key (<see cref="RowDigest.KeyHashOf"/>). Per bucket and side the verifier keeps the row count and
/// the sum of the rows' SHA-256 taken as four 64-bit lanes, each added modulo 2^64: a multiset hash, so the order of the rows
/// does not matter and memory does not grow with the table (40 bytes a bucket a side, per hashing task).
/// Equal multisets of rows give equal counts and sums; a missing, extra, duplicated or changed row changes its bucket's count
/// or sum, unless the changed rows' digests happen to sum to the same 256 bits, a chance of about 2^-256 for accidental
/// differences. The sums are not a defence against a successor crafting many rows to collide on purpose (generalised
/// birthday attacks on additive hashes); read-back checks that an import arrived, it does not guard against its successor.
/// </para>
/// <para>
/// Only when buckets differ are their rows read again, from both sides: the package's rows of those buckets are held in a
/// dictionary from a 128-bit key digest to the row's SHA-256 (about 60 bytes a row), the successor's rows are matched
/// against it, and rows that are missing, extra or different are counted and named, with the columns that differ. When the
/// package holds more rows in differing buckets than <see cref="ReadBackOptions.MaxRowsInMemory"/>, they are split by key
/// into several passes, so memory stays bounded even when every row differs.
/// </para>
/// <para>
/// A table that reads back equal is therefore read once from each side, both at once. Columns a successor declares it cannot
/// hold are left out of the comparison (the import report lists them); <see cref="ISuccessorConnector.AsHeld"/> is called on
/// the hashing tasks, several at once, while the successor's rows are being read.
/// </para>
/// </remarks>
public static class ReadBackVerifier
{
    // With 5 M rows a bucket holds about 80, so one changed row costs a second look at about 80 rows; the sums take 2.6 MB a
    // side for each hasher.
    private const int MaxBuckets = 65_536;

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
        var buckets = (int)Math.Min(MaxBuckets, BitOperations.RoundUpToPowerOf2((ulong)Math.Max(1, packageRows)));
        var (expected, actual) = await SumBothSidesAsync(package, successor, table, buckets, cancellationToken);
        var tally = new Tally(options.MaxRowsListed) { SuccessorRows = actual.Rows };
        var differing = new bool[buckets];
        var anyDiffering = false;
        var rowsToReconcile = 0L;
        for (var bucket = 0; bucket < buckets; bucket++)
        {
            if (expected.SameAs(actual, bucket))
            {
                tally.Matching += actual.Count(bucket);
            }
            else
            {
                differing[bucket] = anyDiffering = true;
                rowsToReconcile += expected.Count(bucket);
            }
        }
        var passes = 1;
        if (anyDiffering)
        {
            var more = (int)Math.Max(1, (rowsToReconcile + options.MaxRowsInMemory - 1) / options.MaxRowsInMemory);
            for (var pass = 0; pass < more; pass++)
            {
                await ReconcilePassAsync(package, successor, table, new Scope(differing, pass, more), tally, cancellationToken);
            }
            passes += more;
        }
        return new TableReadBack(table.Name, packageRows, tally.SuccessorRows, tally.Matching, tally.MissingCount, tally.ExtraCount,
            tally.DifferentCount, tally.Missing, tally.Extra, tally.Different, passes, options.Time.GetElapsedTime(started));
    }

    // Each side's reader only reads, and hands its rows in batches to hashers, one a core (up to four): the successor's side
    // usually costs more than the package's (SQLite's read-back about 1.5 times), so hashing on the readers would leave one core
    // idle while the slower side finishes. Sums add up, so each hasher keeps its own and they are added at the end.
    private static async Task<(BucketSums Package, BucketSums Successor)> SumBothSidesAsync(ExitPackage package, ISuccessorConnector successor,
        TableSchema table, int buckets, CancellationToken cancellationToken)
    {
        var hashers = Math.Clamp(Environment.ProcessorCount, 1, 4);
        // Few rows in flight (a batch a hasher), so that most rows are hashed before the next young-generation collection and
        // die young: 256-row batches, four a hasher, took 5% more CPU time reading back the 1M-interaction benchmark.
        var batches = Channel.CreateBounded<RowBatch>(new BoundedChannelOptions(hashers) { SingleWriter = false, SingleReader = hashers == 1 });
        var sums = new (BucketSums Package, BucketSums Successor)[hashers];
        var reading = 2;
        async Task ReadAsync(bool fromPackage, IAsyncEnumerable<object?[]> rows, CancellationToken stop)
        {
            var batch = new object?[RowBatch.Size][];
            var count = 0;
            await foreach (var row in rows)
            {
                batch[count++] = row;
                if (count == batch.Length)
                {
                    await batches.Writer.WriteAsync(new RowBatch(fromPackage, batch, count), stop);
                    (batch, count) = (new object?[RowBatch.Size][], 0);
                }
            }
            await batches.Writer.WriteAsync(new RowBatch(fromPackage, batch, count), stop);
            if (Interlocked.Decrement(ref reading) == 0)
            {
                batches.Writer.Complete();
            }
        }
        // A successor that reads itself back encoded (PostgreSQL's binary COPY) is summed from its bytes, and the package's rows
        // are encoded from their columns: no string or boxed value per value on either side.
        async Task ReadEncodedAsync(bool fromPackage, IAsyncEnumerable<EncodedRows> encoded, CancellationToken stop)
        {
            await foreach (var rows in encoded)
            {
                await batches.Writer.WriteAsync(new RowBatch(fromPackage, [], 0, rows), stop);
            }
            if (Interlocked.Decrement(ref reading) == 0)
            {
                batches.Writer.Complete();
            }
        }
        async Task HashAsync(int hasher, CancellationToken stop)
        {
            var (packageSums, successorSums) = (new BucketSums(buckets), new BucketSums(buckets));
            var digest = new byte[SHA256.HashSizeInBytes];
            await foreach (var batch in batches.Reader.ReadAllAsync(stop))
            {
                if (batch.Encoded is { } encoded)
                {
                    using (encoded)
                    {
                        var sums = batch.FromPackage ? packageSums : successorSums;
                        for (var index = 0; index < encoded.Count; index++)
                        {
                            sums.Add(RowDigest.KeyHashAndRow(encoded[index], digest), digest);
                        }
                    }
                    continue;
                }
                for (var index = 0; index < batch.Count; index++)
                {
                    var row = batch.Rows[index];
                    if (batch.FromPackage)
                    {
                        packageSums.Add(RowDigest.KeyHashAndRow(table, successor.AsHeld(table, row), digest), digest);
                    }
                    else
                    {
                        successorSums.Add(RowDigest.KeyHashAndRow(table, row, digest), digest);
                    }
                }
            }
            sums[hasher] = (packageSums, successorSums);
        }
        var encodes = successor is IEncodedReadBack && successor.ColumnsNotHeld(table).Count == 0;
        await TogetherAsync(
            [
                encodes
                    ? stop => ReadEncodedAsync(true, EncodePackageAsync(package, table, stop), stop)
                    : stop => ReadAsync(true, package.ReadRowsAsync(table.Name, stop), stop),
                encodes
                    ? stop => ReadEncodedAsync(false, GuardedAsync(((IEncodedReadBack)successor).ReadBackEncodedAsync(table, stop), table, stop), stop)
                    : stop => ReadAsync(false, GuardedAsync(successor.ReadBackAsync(table, stop), table, stop), stop),
                .. Enumerable.Range(0, hashers).Select(hasher => (Func<CancellationToken, Task>)(stop => HashAsync(hasher, stop))),
            ],
            cancellationToken);
        var (expected, actual) = sums[0];
        foreach (var (packageSums, successorSums) in sums.Skip(1))
        {
            expected.Add(packageSums);
            actual.Add(successorSums);
        }
        return (expected, actual);
    }

    // The package's rows in the canonical encoding, from the row groups' columns (UTF-8 and ticks as the file holds them).
    private static async IAsyncEnumerable<EncodedRows> EncodePackageAsync(ExitPackage package, TableSchema table,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rows = new EncodedRows();
        await foreach (var rowGroup in PackageColumnBatch.RowGroupsAsync(package, table, cancellationToken))
        {
            for (var row = 0; row < rowGroup.Count; row++)
            {
                if (rows.IsFull)
                {
                    var full = rows;
                    rows = new EncodedRows();
                    yield return full;
                }
                RowDigest.Encode(rows, table, rowGroup, row);
                rows.Add();
            }
        }
        if (rows.Count > 0)
        {
            yield return rows;
        }
        else
        {
            rows.Dispose();
        }
    }

    // Runs the parts at once, each on a task of its own; the first to fail stops the others, and its error is the one thrown.
    private static async Task TogetherAsync(IReadOnlyList<Func<CancellationToken, Task>> parts, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? firstFailure = null;
        async Task RunAsync(Func<CancellationToken, Task> part)
        {
            try
            {
                await part(stop.Token);
            }
            catch (Exception error)
            {
                Interlocked.CompareExchange(ref firstFailure, error, null);
                await stop.CancelAsync();
                throw;
            }
        }
        var running = parts.Select(part => Task.Run(() => RunAsync(part), CancellationToken.None)).ToArray();
        try
        {
            await Task.WhenAll(running);
        }
        catch when (firstFailure is not null && !cancellationToken.IsCancellationRequested)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(firstFailure);
        }
    }

    private static async Task ReconcilePassAsync(ExitPackage package, ISuccessorConnector successor, TableSchema table, Scope scope,
        Tally tally, CancellationToken cancellationToken)
    {
        var expected = new Dictionary<UInt128, Sha256Digest>();
        var digest = new byte[SHA256.HashSizeInBytes];
        await foreach (var row in package.ReadRowsAsync(table.Name, cancellationToken))
        {
            if (scope.Holds(RowDigest.KeyHashOf(row)))
            {
                RowDigest.Of(table, successor.AsHeld(table, row), digest);
                expected[RowDigest.KeyOf(row)] = Sha256Digest.From(digest);
            }
        }
        // Successor rows that differ are kept (a bounded number) to say which columns differ.
        var differing = new Dictionary<UInt128, object?[]?>();
        await foreach (var row in GuardedAsync(successor.ReadBackAsync(table, cancellationToken), table, cancellationToken))
        {
            if (!scope.Holds(RowDigest.KeyHashOf(row)))
            {
                continue;
            }
            var key = RowDigest.KeyOf(row);
            if (!expected.Remove(key, out var theirs))
            {
                tally.ExtraCount++;
                if (tally.Extra.Count < tally.MaxListed)
                {
                    tally.Extra.Add(new RowKey(row[0] as string ?? "", row[1] as string ?? ""));
                }
                continue;
            }
            RowDigest.Of(table, row, digest);
            if (theirs == Sha256Digest.From(digest))
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
            if (!scope.Holds(RowDigest.KeyHashOf(row)))
            {
                continue;
            }
            var key = RowDigest.KeyOf(row);
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
    private static async IAsyncEnumerable<T> GuardedAsync<T>(IAsyncEnumerable<T> rows, TableSchema table,
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

    private static int BucketOf(ulong keyHash, int buckets) => (int)(keyHash & (ulong)(buckets - 1));

    /// <summary>The rows one pass of the second step reconciles: those of the differing buckets whose key hash falls in this pass.</summary>
    private readonly record struct Scope(bool[] Differing, int Pass, int Passes)
    {
        // The pass is taken from the hash's upper half: the bucket is its lowest bits, so passes split the differing buckets evenly.
        public bool Holds(ulong keyHash) =>
            Differing[BucketOf(keyHash, Differing.Length)] && (Passes == 1 || (int)((keyHash >> 32) % (uint)Passes) == Pass);
    }

    /// <summary>One side's rows of a table, per bucket: how many, and the sum of their SHA-256 in four 64-bit lanes.</summary>
    private sealed class BucketSums(int buckets)
    {
        private readonly long[] _counts = new long[buckets];
        private readonly ulong[] _lanes = new ulong[buckets * 4];

        public long Rows { get; private set; }

        public long Count(int bucket) => _counts[bucket];

        public void Add(ulong keyHash, ReadOnlySpan<byte> rowDigest)
        {
            var bucket = BucketOf(keyHash, _counts.Length);
            Rows++;
            _counts[bucket]++;
            var lanes = _lanes.AsSpan(bucket * 4, 4);
            unchecked
            {
                lanes[0] += BinaryPrimitives.ReadUInt64LittleEndian(rowDigest);
                lanes[1] += BinaryPrimitives.ReadUInt64LittleEndian(rowDigest[8..]);
                lanes[2] += BinaryPrimitives.ReadUInt64LittleEndian(rowDigest[16..]);
                lanes[3] += BinaryPrimitives.ReadUInt64LittleEndian(rowDigest[24..]);
            }
        }

        /// <summary>Adds another hasher's sums of the same side: sums of disjoint sets of rows add up to the sum of their union.</summary>
        public void Add(BucketSums other)
        {
            Rows += other.Rows;
            for (var bucket = 0; bucket < _counts.Length; bucket++)
            {
                _counts[bucket] += other._counts[bucket];
            }
            for (var lane = 0; lane < _lanes.Length; lane++)
            {
                _lanes[lane] = unchecked(_lanes[lane] + other._lanes[lane]);
            }
        }

        public bool SameAs(BucketSums other, int bucket) =>
            _counts[bucket] == other._counts[bucket] && _lanes.AsSpan(bucket * 4, 4).SequenceEqual(other._lanes.AsSpan(bucket * 4, 4));
    }

    /// <summary>Rows of one side on their way from its reader to a hasher.</summary>
    private sealed record RowBatch(bool FromPackage, object?[][] Rows, int Count, EncodedRows? Encoded = null)
    {
        public const int Size = 32;
    }

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
        public static Sha256Digest From(ReadOnlySpan<byte> digest) =>
            new(BinaryPrimitives.ReadUInt128LittleEndian(digest), BinaryPrimitives.ReadUInt128LittleEndian(digest[16..]));
    }
}
