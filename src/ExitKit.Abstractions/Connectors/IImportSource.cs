namespace ExitKit.Connectors;

/// <summary>The package being imported, as a successor sees it beyond the rows of the batch it is handed.</summary>
/// <remarks>
/// Some successors need more than the rows of one table at a time: a knowledge base written as files copies the attachments'
/// bytes from the package's artefacts; a ticketing system that takes a ticket together with its comments reads the messages
/// of the interactions it imports. Read what you need as a stream; do not hold a whole table in memory.
/// </remarks>
public interface IImportSource
{
    /// <summary>Where the package is, for messages. Never holds a secret.</summary>
    string Location { get; }

    /// <summary>True when the package holds this table.</summary>
    bool HasTable(string table);

    /// <summary>Reads the rows of a table, in column order, streamed.</summary>
    /// <exception cref="ExitKitException">The package holds no such table.</exception>
    IAsyncEnumerable<object?[]> ReadRowsAsync(string table, CancellationToken cancellationToken = default);

    /// <summary>Opens an artefact (an attachment, a recording, a model file) by its path in the package, as a row's <c>artefact_path</c> names it.</summary>
    /// <exception cref="ExitKitException">The package holds no file at that path.</exception>
    Task<Stream> OpenArtefactAsync(string packagePath, CancellationToken cancellationToken = default);
}

/// <summary>A column a successor does not hold as the package has it, and why.</summary>
/// <param name="Column">The neutral column.</param>
/// <param name="Reason">What the successor does with it instead (drops it, holds a mapped value), in words a migration lead can act on.</param>
public sealed record ColumnNotHeld(string Column, string Reason);
