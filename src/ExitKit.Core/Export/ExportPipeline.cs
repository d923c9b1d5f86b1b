using ExitKit.Connectors;
using ExitKit.Packaging;
using ExitKit.Schema;
using ExitKit.Storage;

namespace ExitKit.Export;

/// <summary>Progress of an export, reported per table as rows flow.</summary>
/// <param name="Table">The table being written.</param>
/// <param name="Rows">Rows written so far for it (including earlier runs).</param>
/// <param name="ControlTotal">What the source reported for it, if it could say.</param>
/// <param name="Done">True when the table is complete.</param>
public sealed record ExportProgress(string Table, long Rows, long? ControlTotal, bool Done);

/// <summary>One table's outcome: rows written against the source's own count.</summary>
public sealed record TableOutcome(string Table, long Rows, long? ControlTotal, TimeSpan Elapsed)
{
    /// <summary>Rows the source reported that the package lacks (0 when it holds at least as many or the source could not say).</summary>
    public long Shortfall => ControlTotal is { } total && total > Rows ? total - Rows : 0;
}

/// <summary>What an export produced.</summary>
/// <param name="Manifest">The sealed package's manifest; for a shard, what the shard wrote (the package is sealed by <c>exitkit seal</c>).</param>
/// <param name="Tables">Rows per table against the source's counts.</param>
/// <param name="Elapsed">How long it took.</param>
/// <param name="Resumed">True when it continued an earlier run.</param>
public sealed record ExportResult(PackageManifest Manifest, IReadOnlyList<TableOutcome> Tables, TimeSpan Elapsed, bool Resumed)
{
    /// <summary>The shard exported, or null for a whole export (which is sealed).</summary>
    public ShardSpec? Shard { get; init; }

    /// <summary>True when every table holds at least what the source reported and no record was reported missing.</summary>
    public bool Complete => Tables.All(table => table.Shortfall == 0) && Manifest.Problems.All(problem => problem.Kind != "missing");

    /// <summary>Rows across all tables.</summary>
    public long TotalRows => Tables.Sum(table => table.Rows);
}

/// <summary>Options of an export.</summary>
public sealed record ExportOptions
{
    /// <summary>The export window.</summary>
    public ExportRequest Request { get; init; } = ExportRequest.Everything;
    /// <summary>Key for pseudonymising personal columns; null keeps them.</summary>
    public string? PseudonymKey { get; init; }
    /// <summary>Continue an unfinished export in the same store.</summary>
    public bool Resume { get; init; }
    /// <summary>Tables written at the same time.</summary>
    public int Parallelism { get; init; } = Math.Max(1, Environment.ProcessorCount);
    /// <summary>The clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
    /// <summary>Parquet settings.</summary>
    public Parquet.ParquetWriteSettings Parquet { get; init; } = ExitKit.Parquet.ParquetWriteSettings.Default;
    /// <summary>Part limits.</summary>
    public PartLimits Limits { get; init; } = new();
    /// <summary>A fixed package id (tests).</summary>
    public string? PackageId { get; init; }
    /// <summary>The shard this process exports, when several processes export one window into one store; null for the whole export.</summary>
    public ShardSpec? Shard { get; init; }
    /// <summary>Originals held in memory before they are written to the work folder as a sorted batch (tests make it small).</summary>
    internal int OriginalsPerBatch { get; init; } = OriginalBatches.DefaultEntriesPerBatch;
}

/// <summary>Runs an export: describe the source, store its originals, stream every table into the package, seal it.</summary>
public static class ExportPipeline
{
    /// <summary>Exports a source into a package store.</summary>
    public static async Task<ExportResult> RunAsync(ISourceConnector source, ConnectorDescriptor connector, IPackageStore store, ExportOptions options,
        IProgress<ExportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(options);
        var started = options.Time.GetTimestamp();
        if (options.Resume && options.Shard is null && await PackageWriter.FinishInterruptedSealAsync(store, cancellationToken))
        {
            // The run before was stopped after sealing (perhaps while it removed its work files): the package is whole already.
            var sealedManifest = (await ExitPackage.OpenAsync(store, cancellationToken)).Manifest;
            if (sealedManifest.Source.Connector != connector.Name || sealedManifest.Shards is not null)
            {
                throw ExitKitException.PackageUnusable(store.Location, $"already holds a sealed package exported by {sealedManifest.Source.Connector}; " +
                    "there is nothing to resume. Choose an empty folder for a new export.");
            }
            return new ExportResult(sealedManifest, sealedManifest.Tables.Select(table => new TableOutcome(table.Name, table.Rows, table.ControlTotal?.Rows, TimeSpan.Zero)).ToArray(),
                options.Time.GetElapsedTime(started), Resumed: true);
        }
        // A shard reads its own days of the window; what has no time is read whole, by shard 1 alone.
        var request = options.Shard?.WindowOf(options.Request) ?? options.Request;
        var description = await source.DescribeAsync(request, cancellationToken);
        foreach (var listed in description.Tables)
        {
            _ = NeutralSchema.Find(listed.TableName) ?? throw ExitKitException.SourceFailed(connector.Name,
                $"lists a table '{listed.TableName}' that the neutral format does not have. The connector is out of date with this ExitKit.");
        }
        using var writer = await PackageWriter.OpenAsync(store, new PackageWriter.Options
        {
            Source = new SourceInfo(description.SourceSystem, description.Vendor, connector.Name, connector.Version),
            Window = new WindowInfo(options.Request.From, options.Request.To),
            PseudonymKey = options.PseudonymKey,
            Time = options.Time,
            Parquet = options.Parquet,
            Limits = options.Limits,
            PackageId = options.PackageId,
            Resume = options.Resume,
            Shard = options.Shard?.Name,
            ShardWindow = options.Shard is null ? null : new WindowInfo(request.From, request.To),
            OriginalsPerBatch = options.OriginalsPerBatch,
        }, cancellationToken);

        if (!writer.OriginalsComplete && options.Shard is not { TakesUntimed: false })
        {
            await source.ExportOriginalsAsync(options.Request, writer, cancellationToken);
            await writer.MarkOriginalsCompleteAsync(cancellationToken);
        }

        var outcomes = new System.Collections.Concurrent.ConcurrentBag<TableOutcome>();
        // Largest tables first, so the parallel workers finish together.
        var ordered = description.Tables.Where(table => options.Shard is not { TakesUntimed: false } || IsWindowed(table))
            .OrderByDescending(table => table.ControlTotal ?? 0).ToArray();
        await Parallel.ForEachAsync(ordered, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = cancellationToken },
            async (listed, token) =>
            {
                var tableRequest = options.Shard is null || IsWindowed(listed) ? request : options.Request;
                outcomes.Add(await ExportTableAsync(source, writer, NeutralSchema.Get(listed.TableName), listed, tableRequest, options, progress, token));
            });

        var manifest = options.Shard is null ? await writer.SealAsync(cancellationToken) : await writer.FinishShardAsync(cancellationToken);
        var tables = outcomes.OrderBy(outcome => NeutralSchema.Tables.ToList().FindIndex(table => table.Name == outcome.Table)).ToArray();
        return new ExportResult(manifest, tables, options.Time.GetElapsedTime(started), writer.Resumed) { Shard = options.Shard };
    }

    /// <summary>True when a table is split by time between shards: it has a time column and the source counts it by day, which
    /// says the connector reads it by the window. Other tables (configuration, the state at exit) are read whole by shard 1.</summary>
    public static bool IsWindowed(SourceTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return NeutralSchema.Find(table.TableName)?.TimeColumn is not null && table.DailyTotals is not null;
    }

    private static async Task<TableOutcome> ExportTableAsync(ISourceConnector source, PackageWriter writer, TableSchema table, SourceTable listed,
        ExportRequest request, ExportOptions options, IProgress<ExportProgress>? progress, CancellationToken cancellationToken)
    {
        var started = options.Time.GetTimestamp();
        var (cursor, complete) = writer.CheckpointOf(table.Name);
        await using var tableWriter = await writer.OpenTableAsync(table, listed, cancellationToken);
        if (complete)
        {
            progress?.Report(new ExportProgress(table.Name, tableWriter.CommittedRows, listed.ControlTotal, Done: true));
            return new TableOutcome(table.Name, tableWriter.CommittedRows, listed.ControlTotal, TimeSpan.Zero);
        }
        var committed = tableWriter.CommittedRows;
        await foreach (var row in source.ReadTableAsync(table, request, cursor, writer, cancellationToken))
        {
            await tableWriter.AddAsync(row, cancellationToken);
            if (tableWriter.RowsWritten % 50_000 == 0)
            {
                progress?.Report(new ExportProgress(table.Name, committed + tableWriter.RowsWritten, listed.ControlTotal, Done: false));
            }
        }
        await tableWriter.CompleteAsync(cancellationToken);
        var rows = tableWriter.CommittedRows;
        progress?.Report(new ExportProgress(table.Name, rows, listed.ControlTotal, Done: true));
        return new TableOutcome(table.Name, rows, listed.ControlTotal, options.Time.GetElapsedTime(started));
    }
}
