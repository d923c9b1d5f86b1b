using System.Collections.Concurrent;
using System.Security.Cryptography;
using ExitKit.Connectors;

namespace ExitKit.Testing;

/// <summary>An export context that keeps artefacts, originals and problems in memory, for connector unit tests.</summary>
public sealed class RecordingExportContext : IExportContext
{
    private readonly Func<string?, string?> _pseudonymise;

    /// <summary>Creates a context; pass a pseudonymiser to test personal-data handling.</summary>
    public RecordingExportContext(Func<string?, string?>? pseudonymise = null) => _pseudonymise = pseudonymise ?? (value => value);

    /// <summary>Artefacts by SHA-256.</summary>
    public ConcurrentDictionary<string, byte[]> Artefacts { get; } = new(StringComparer.Ordinal);

    /// <summary>Originals by relative path.</summary>
    public ConcurrentDictionary<string, byte[]> Originals { get; } = new(StringComparer.Ordinal);

    /// <summary>Problems reported, in order.</summary>
    public ConcurrentQueue<ExportProblem> Problems { get; } = new();

    /// <inheritdoc />
    public async Task<ArtefactReference> StoreArtefactAsync(Stream content, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        var bytes = buffer.ToArray();
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Artefacts[sha256] = bytes;
        return new ArtefactReference(sha256, bytes.LongLength, $"data/artefacts/{sha256[..2]}/{sha256}");
    }

    /// <inheritdoc />
    public async Task<string> StoreOriginalAsync(string relativePath, Stream content, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        Originals[relativePath] = buffer.ToArray();
        return $"data/originals/{relativePath}";
    }

    /// <inheritdoc />
    public void ReportProblem(ExportProblem problem) => Problems.Enqueue(problem);

    /// <inheritdoc />
    public string? Pseudonymise(string? personalValue) => _pseudonymise(personalValue);
}
