namespace ExitKit.Connectors;

/// <summary>Where a source connector puts what is not a row: artefacts, original files and problems.</summary>
public interface IExportContext
{
    /// <summary>Stores a binary artefact (attachment, recording, model file) content-addressed by SHA-256.</summary>
    /// <returns>Where it was stored, for the row that points at it.</returns>
    Task<ArtefactReference> StoreArtefactAsync(Stream content, CancellationToken cancellationToken = default);

    /// <summary>Stores a vendor's original file byte-exact under <c>data/originals/</c>.</summary>
    /// <param name="relativePath">Its path below the originals folder, with forward slashes (e.g. <c>zendesk/tickets/page-0001.json</c>).</param>
    /// <param name="content">The bytes, read to the end.</param>
    /// <param name="cancellationToken">Stops the copy.</param>
    /// <returns>The path of the original inside the package.</returns>
    Task<string> StoreOriginalAsync(string relativePath, Stream content, CancellationToken cancellationToken = default);

    /// <summary>Records a record or file the connector could not read; it appears in the manifest and the summary.</summary>
    void ReportProblem(ExportProblem problem);

    /// <summary>Pseudonymises a personal value with the package's keyed hash when the export asks for it; otherwise returns it unchanged.</summary>
    string? Pseudonymise(string? personalValue);
}

/// <summary>Where an artefact was stored.</summary>
/// <param name="Sha256">Lower-case hex SHA-256 of the content.</param>
/// <param name="SizeBytes">The content's length.</param>
/// <param name="PackagePath">The artefact's path in the package (e.g. <c>data/artefacts/ab/abcdef…</c>).</param>
public sealed record ArtefactReference(string Sha256, long SizeBytes, string PackagePath);

/// <summary>What went wrong with one record or file.</summary>
public enum ProblemKind
{
    /// <summary>A file was kept as an original but could not be turned into rows (binary, invalid, unrendered template).</summary>
    Unparsed,
    /// <summary>A record the source lists could not be retrieved (a failed download, a deleted page).</summary>
    Missing,
    /// <summary>A record was read but part of it was lost or changed (a field truncated, a value unmappable).</summary>
    Degraded,
}

/// <summary>A record or file the connector could not fully read.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Table">The neutral table affected, when there is one.</param>
/// <param name="Subject">What it concerns: a file path, a record id, a URL without credentials.</param>
/// <param name="Reason">Why, in words that say what to do.</param>
public sealed record ExportProblem(ProblemKind Kind, string? Table, string Subject, string Reason);
