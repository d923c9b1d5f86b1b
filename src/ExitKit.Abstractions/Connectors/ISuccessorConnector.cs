using ExitKit.Schema;

namespace ExitKit.Connectors;

/// <summary>The successor side of a connector: loads neutral rows into a new provider's system and reads them back.</summary>
/// <remarks>
/// Implementers must be idempotent: importing a row whose key (<c>source_system</c>, <c>source_id</c>) is already in the
/// successor updates or skips it, never duplicates it, so an import that crashed can be run again.
/// A row the successor refuses is returned as <see cref="ImportOutcome.Failed"/> with the successor's reason, never dropped.
/// A successor whose system cannot hold every neutral column (a ticketing tool has no field for a handle time) says so through
/// <see cref="ColumnsNotHeld"/> and <see cref="AsHeld"/>: the import report lists those columns, and read-back compares the
/// successor with the package as the successor can hold it, never claiming a value it does not keep.
/// </remarks>
public interface ISuccessorConnector : IAsyncDisposable
{
    /// <summary>Hands the successor the package it imports from or is reconciled with; called before <see cref="PrepareAsync"/> and before a read-back.</summary>
    /// <remarks>
    /// Successors that need only the rows they are handed keep the default, which does nothing. Called once per import and once
    /// per read-back, possibly on the same instance: keep what it builds (an index of sections, say) per package, small and bounded.
    /// </remarks>
    Task AttachPackageAsync(IImportSource package, CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>The columns of a table this successor does not hold as the package has them, each with the reason; empty when it holds them all.</summary>
    IReadOnlyList<ColumnNotHeld> ColumnsNotHeld(TableSchema table) => [];

    /// <summary>A package row as this successor holds it: columns it cannot hold set to null, values it keeps in another form converted.</summary>
    /// <remarks>
    /// Read-back compares what <see cref="ReadBackAsync"/> returns with this, so it must be exactly what an import of the row leaves in
    /// the successor. The default returns the row unchanged (the successor holds every column). Must not change the key columns.
    /// Read-back calls it on other threads, several at once, while <see cref="ReadBackAsync"/> is being read: keep it a pure function of the row and
    /// of what the successor fixed before the read-back began (its settings, what <see cref="AttachPackageAsync"/> built).
    /// </remarks>
    object?[] AsHeld(TableSchema table, object?[] row) => row;

    /// <summary>Whether the successor reads batches column by column: it is then handed each batch as an <see cref="IColumnBatch"/>.</summary>
    /// <remarks>For successors that write bytes (a binary bulk load): they skip a string per text value. Others keep the default
    /// and are handed rows read whole, which is cheaper for a successor that binds every value as an object anyway.</remarks>
    bool LoadsColumns => false;

    /// <summary>Makes the successor ready for these tables (creates the schema, checks access). Does nothing in a dry run.</summary>
    Task PrepareAsync(IReadOnlyList<TableSchema> tables, bool dryRun, CancellationToken cancellationToken = default);

    /// <summary>Imports a batch of rows of one table, or in a dry run says what would happen to each.</summary>
    Task<IReadOnlyList<RowImportResult>> ImportAsync(TableSchema table, IReadOnlyList<object?[]> rows, bool dryRun,
        CancellationToken cancellationToken = default);

    /// <summary>Reads back what the successor holds for a table, as neutral rows, for reconciliation with the package.</summary>
    IAsyncEnumerable<object?[]> ReadBackAsync(TableSchema table, CancellationToken cancellationToken = default);
}

/// <summary>What happened to one row.</summary>
public enum ImportOutcome
{
    /// <summary>The row was new and was created.</summary>
    Created,
    /// <summary>The row existed and was changed.</summary>
    Updated,
    /// <summary>The row existed unchanged and was left alone.</summary>
    Skipped,
    /// <summary>The successor refused the row.</summary>
    Failed,
}

/// <summary>The outcome of importing one row.</summary>
/// <param name="SourceId">The row's <c>source_id</c>.</param>
/// <param name="Outcome">What happened.</param>
/// <param name="SuccessorId">The id the successor gave it, for the id map.</param>
/// <param name="Reason">The successor's reason when it refused the row.</param>
public sealed record RowImportResult(string SourceId, ImportOutcome Outcome, string? SuccessorId = null, string? Reason = null);
