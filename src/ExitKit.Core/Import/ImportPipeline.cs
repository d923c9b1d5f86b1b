using System.Threading.Channels;
using ExitKit.Connectors;
using ExitKit.Packaging;
using ExitKit.Schema;

namespace ExitKit.Import;

/// <summary>Options of an import.</summary>
public sealed record ImportOptions
{
    /// <summary>Say what would happen to every row without writing to the successor.</summary>
    public bool DryRun { get; init; }
    /// <summary>Rows handed to the successor at a time; also the most rows the pipeline holds per batch in flight.</summary>
    /// <remarks>20,000 (a row group): with 5,000 the 1M-interaction import into PostgreSQL took 62.6 s instead of 56.6 s, the
    /// database waiting more often for the next batch; two batches of 20,000 messages in flight are about 60 MB.</remarks>
    public int BatchSize { get; init; } = 20_000;
    /// <summary>The tables to import; null or empty for every table of the package.</summary>
    public IReadOnlyCollection<string>? Tables { get; init; }
    /// <summary>The most failed rows listed per table (all are counted); bounds memory when a successor refuses everything.</summary>
    public int MaxFailuresListed { get; init; } = 1_000;
    /// <summary>The clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>Progress of an import, reported per batch.</summary>
/// <param name="Table">The table being imported.</param>
/// <param name="Rows">Rows handed to the successor so far.</param>
/// <param name="TotalRows">Rows the package holds for the table.</param>
/// <param name="Done">True when the table is complete.</param>
public sealed record ImportProgress(string Table, long Rows, long TotalRows, bool Done);

/// <summary>A row the successor refused.</summary>
/// <param name="SourceSystem">The row's <c>source_system</c>.</param>
/// <param name="SourceId">The row's <c>source_id</c>.</param>
/// <param name="Reason">The successor's reason.</param>
public sealed record RowFailure(string SourceSystem, string SourceId, string Reason);

/// <summary>What happened to one table.</summary>
public sealed record TableImportOutcome(string Table, long Rows, long Created, long Updated, long Skipped, long Failed,
    IReadOnlyList<RowFailure> Failures, TimeSpan Elapsed)
{
    /// <summary>The columns the successor does not hold as the package has them, with its reasons (see <see cref="ISuccessorConnector.ColumnsNotHeld"/>).</summary>
    public IReadOnlyList<ColumnNotHeld> ColumnsNotHeld { get; init; } = [];

    /// <summary>True when the successor took every row (or, in a dry run, would).</summary>
    public bool Complete => Failed == 0;
}

/// <summary>What an import did (or, in a dry run, would do).</summary>
public sealed record ImportResult(IReadOnlyList<TableImportOutcome> Tables, TimeSpan Elapsed, bool DryRun)
{
    /// <summary>True when no row failed.</summary>
    public bool Complete => Tables.All(table => table.Complete);

    /// <summary>Rows across all tables.</summary>
    public long TotalRows => Tables.Sum(table => table.Rows);
}

/// <summary>Runs an import: the package's tables, parents first, streamed in batches into a successor.</summary>
public static class ImportPipeline
{
    /// <summary>The tables an import covers, in dependency order (parents before children), as the options select them.</summary>
    /// <exception cref="ExitKitException">A selected table is not a neutral table or is not in the package.</exception>
    public static IReadOnlyList<TableSchema> SelectTables(ExitPackage package, IReadOnlyCollection<string>? filter)
    {
        ArgumentNullException.ThrowIfNull(package);
        // A table this ExitKit does not know would be left behind without a word: refuse instead.
        var unknown = package.Manifest.Tables.Where(entry => NeutralSchema.Find(entry.Name) is null).Select(entry => entry.Name).ToArray();
        if (unknown.Length > 0)
        {
            throw ExitKitException.PackageUnusable(package.Store.Location,
                $"holds tables this ExitKit does not know ({string.Join(", ", unknown)}); they would not be imported. Use the ExitKit version that wrote the package ({package.Manifest.Tool.Version}) or newer.");
        }
        if (filter is { Count: > 0 })
        {
            foreach (var name in filter)
            {
                _ = NeutralSchema.Get(name);
                _ = package.Manifest.FindTable(name) ?? throw ExitKitException.PackageUnusable(package.Store.Location,
                    $"holds no table {name}. Run `exitkit inspect {package.Store.Location}` to see the tables it holds.");
            }
        }
        return NeutralSchema.Tables
            .Where(table => package.Manifest.FindTable(table.Name) is not null)
            .Where(table => filter is not { Count: > 0 } || filter.Contains(table.Name))
            .ToArray();
    }

    /// <summary>Imports a package into a successor.</summary>
    /// <remarks>
    /// Tables go parents first (<see cref="NeutralSchema.Tables"/> order) so references resolve in the successor. Rows are read
    /// a row group at a time and handed over in batches of <see cref="ImportOptions.BatchSize"/>; the next batch is read
    /// while the successor writes the current one, so at most two batches are in memory (for a successor that
    /// <see cref="ISuccessorConnector.LoadsColumns"/>, at most three row groups' columns as the file holds them). The successor
    /// is idempotent, so an import that stopped is simply run again.
    /// </remarks>
    public static async Task<ImportResult> RunAsync(ExitPackage package, ISuccessorConnector successor, ImportOptions options,
        IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(successor);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        var started = options.Time.GetTimestamp();
        var tables = SelectTables(package, options.Tables);
        try
        {
            await successor.AttachPackageAsync(new PackageImportSource(package), cancellationToken);
            await successor.PrepareAsync(tables, options.DryRun, cancellationToken);
        }
        catch (Exception error) when (IsSuccessorFault(error))
        {
            throw SuccessorFailed("preparing the successor", error, FailureKind.UnusableInput);
        }
        var outcomes = new List<TableImportOutcome>(tables.Count);
        foreach (var table in tables)
        {
            outcomes.Add(await ImportTableAsync(package, successor, table, options, progress, cancellationToken));
        }
        return new ImportResult(outcomes, options.Time.GetElapsedTime(started), options.DryRun);
    }

    private static async Task<TableImportOutcome> ImportTableAsync(ExitPackage package, ISuccessorConnector successor, TableSchema table,
        ImportOptions options, IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        var started = options.Time.GetTimestamp();
        var total = package.Manifest.FindTable(table.Name)!.Rows;
        progress?.Report(new ImportProgress(table.Name, 0, total, Done: false));
        long rows = 0, created = 0, updated = 0, skipped = 0, failed = 0;
        var failures = new List<RowFailure>();

        async Task TakeAsync(IReadOnlyList<object?[]> batch)
        {
            IReadOnlyList<RowImportResult> results;
            try
            {
                results = await successor.ImportAsync(table, batch, options.DryRun, cancellationToken);
            }
            catch (Exception error) when (IsSuccessorFault(error))
            {
                throw SuccessorFailed($"importing table {table.Name} after {rows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} rows", error, FailureKind.Incomplete);
            }
            CheckResults(table, batch, results);
            for (var index = 0; index < batch.Count; index++)
            {
                var result = results[index];
                switch (result.Outcome)
                {
                    case ImportOutcome.Created: created++; break;
                    case ImportOutcome.Updated: updated++; break;
                    case ImportOutcome.Skipped: skipped++; break;
                    default:
                        failed++;
                        if (failures.Count < options.MaxFailuresListed)
                        {
                            failures.Add(new RowFailure(KeyColumn(batch, index, 0), result.SourceId,
                                string.IsNullOrWhiteSpace(result.Reason) ? "the successor refused the row without giving a reason" : result.Reason));
                        }
                        break;
                }
            }
            rows += batch.Count;
            progress?.Report(new ImportProgress(table.Name, rows, total, Done: false));
        }

        if (successor.LoadsColumns)
        {
            // The row groups' columns as the file holds them, read ahead on another thread while the successor writes; a row
            // group is disposed (its buffers pooled again) once the successor has taken every batch of it.
            await foreach (var rowGroup in PackageColumnBatch.RowGroupsAsync(package, table, cancellationToken))
            {
                foreach (var batch in rowGroup.Slice(options.BatchSize))
                {
                    await TakeAsync(batch);
                }
            }
        }
        else
        {
            var batches = Channel.CreateBounded<List<object?[]>>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var reading = ReadBatchesAsync(package, table, options.BatchSize, batches.Writer, stop.Token);
            try
            {
                await foreach (var batch in batches.Reader.ReadAllAsync(cancellationToken))
                {
                    await TakeAsync(batch);
                }
            }
            finally
            {
                // Stop the reader when the successor failed or the import was cancelled, and surface a read error otherwise.
                await stop.CancelAsync();
                try
                {
                    await reading;
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
            }
        }
        progress?.Report(new ImportProgress(table.Name, rows, total, Done: true));
        return new TableImportOutcome(table.Name, rows, created, updated, skipped, failed, failures, options.Time.GetElapsedTime(started))
        {
            ColumnsNotHeld = successor.ColumnsNotHeld(table),
        };
    }

    private static async Task ReadBatchesAsync(ExitPackage package, TableSchema table, int batchSize, ChannelWriter<List<object?[]>> writer,
        CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            var batch = new List<object?[]>(batchSize);
            await foreach (var row in package.ReadRowsAsync(table.Name, cancellationToken))
            {
                batch.Add(row);
                if (batch.Count == batchSize)
                {
                    await writer.WriteAsync(batch, cancellationToken);
                    batch = new List<object?[]>(batchSize);
                }
            }
            if (batch.Count > 0)
            {
                await writer.WriteAsync(batch, cancellationToken);
            }
            writer.Complete();
        }
        catch (Exception error)
        {
            writer.Complete(error);
            throw;
        }
    }

    /// <summary>True for a failure of the successor itself (its database or service), as opposed to ExitKit's own errors and cancellation.</summary>
    internal static bool IsSuccessorFault(Exception error) => error is not (ExitKitException or OperationCanceledException or ArgumentException);

    /// <summary>A successor that failed outright (lost connection, no permission, disk full) stops the import with what it said.</summary>
    internal static ExitKitException SuccessorFailed(string action, Exception error, FailureKind kind) =>
        new($"The successor failed while {action}: {error.Message} Batches it committed stay; run the import again to continue from there.", kind, error);

    // A key column of a row, without building the whole row when the batch is held column by column.
    private static string KeyColumn(IReadOnlyList<object?[]> batch, int index, int ordinal) =>
        batch is IColumnBatch columns ? columns.Text(ordinal, index) : batch[index][ordinal] as string ?? "";

    private static void CheckResults(TableSchema table, IReadOnlyList<object?[]> batch, IReadOnlyList<RowImportResult> results)
    {
        // A successor that loses track of rows would make the summary claim rows it never saw: refuse to count on it.
        if (results.Count != batch.Count)
        {
            throw new ExitKitException($"The successor answered {results.Count} results for a batch of {batch.Count} rows of table {table.Name}; " +
                "it must answer one per row, in order. The successor connector is faulty.", FailureKind.Incomplete);
        }
        for (var index = 0; index < batch.Count; index++)
        {
            var sent = KeyColumn(batch, index, 1);
            if (!string.Equals(results[index].SourceId, sent, StringComparison.Ordinal))
            {
                throw new ExitKitException($"The successor answered for row {results[index].SourceId} of table {table.Name} where row " +
                    $"{sent} was sent; it must answer one per row, in order. The successor connector is faulty.", FailureKind.Incomplete);
            }
        }
    }
}
