using System.Collections;
using System.Text.Json;
using ExitKit.Storage;

namespace ExitKit.Packaging;

/// <summary>The originals of a manifest that sealing (or finishing a shard) returns: read from the store the first time they are
/// asked for, not held while the package is written.</summary>
/// <remarks>
/// The originals are the one part of a manifest that grows with the export (one entry per saved API response); sealing streams
/// them into <c>exitkit.json</c>, and an export that only reports its tables and problems never reads them back. A caller that
/// does (a summary of bytes, a test) reads them as opening the package would.
/// </remarks>
internal sealed class DeferredOriginals : IReadOnlyList<FileEntry>
{
    private readonly Func<CancellationToken, Task<IReadOnlyList<FileEntry>>> _load;
    private readonly int? _count;
    private readonly Lock _gate = new();
    private IReadOnlyList<FileEntry>? _loaded;

    private DeferredOriginals(Func<CancellationToken, Task<IReadOnlyList<FileEntry>>> load, int? count)
    {
        _load = load;
        _count = count;
    }

    /// <summary>The originals of a sealed package, as its <c>exitkit.json</c> lists them.</summary>
    public static DeferredOriginals FromSealedManifest(IPackageStore store, int count) => new(async cancellationToken =>
    {
        await using var stream = await store.OpenReadAsync(PackageManifest.FileName, cancellationToken);
        var manifest = await JsonSerializer.DeserializeAsync<PackageManifest>(stream, PackageManifest.JsonOptions, cancellationToken);
        return manifest?.Originals ?? throw ExitKitException.PackageUnusable(store.Location, $"{PackageManifest.FileName} is empty.");
    }, count);

    /// <summary>The originals in batch files not merged yet (a finished shard's, until <c>exitkit seal</c> joins and removes them).</summary>
    public static DeferredOriginals FromBatches(IPackageStore store, IReadOnlyList<string> batches) => new(async cancellationToken =>
    {
        // One batch open at a time: these are being gathered into memory anyway.
        var entries = new List<FileEntry>();
        foreach (var batch in batches)
        {
            await foreach (var entry in OriginalBatches.ReadBatchAsync(store, batch, cancellationToken))
            {
                entries.Add(entry);
            }
        }
        return OriginalBatches.LatestOfEachPath(entries);
    }, null);

    /// <inheritdoc />
    public int Count => _count ?? Loaded.Count;

    /// <inheritdoc />
    public FileEntry this[int index] => Loaded[index];

    /// <inheritdoc />
    public IEnumerator<FileEntry> GetEnumerator() => Loaded.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private IReadOnlyList<FileEntry> Loaded
    {
        get
        {
            lock (_gate)
            {
                // On the thread pool: a caller with a synchronisation context must not deadlock on the store's awaits.
                return _loaded ??= Task.Run(() => _load(CancellationToken.None)).GetAwaiter().GetResult();
            }
        }
    }
}
