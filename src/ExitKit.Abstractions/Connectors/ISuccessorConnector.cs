using ExitKit.Schema;

namespace ExitKit.Connectors;

/// <summary>The successor side of a connector: loads neutral rows into a new provider's system and reads them back.</summary>
/// <remarks>
/// Implementers must be idempotent: importing a row whose key (<c>source_system</c>, <c>source_id</c>) is already in the
/// successor updates or skips it, never duplicates it, so an import that crashed can be run again.
/// A row the successor refuses is returned as <see cref="ImportOutcome.Failed"/> with the successor's reason, never dropped.
/// </remarks>
public interface ISuccessorConnector : IAsyncDisposable
{
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
