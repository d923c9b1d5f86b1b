using System.Runtime.CompilerServices;
using System.Text.Json;
using ExitKit.Parquet;
using ExitKit.Schema;
using ExitKit.Storage;

namespace ExitKit.Packaging;

/// <summary>A sealed exit package opened for reading: its manifest and its tables, column-wise and in bounded memory.</summary>
public sealed class ExitPackage
{
    private ExitPackage(IPackageStore store, PackageManifest manifest)
    {
        Store = store;
        Manifest = manifest;
    }

    /// <summary>Where the package is.</summary>
    public IPackageStore Store { get; }

    /// <summary>Its manifest.</summary>
    public PackageManifest Manifest { get; }

    /// <summary>Opens a sealed package.</summary>
    /// <exception cref="ExitKitException">The package is missing, unsealed, or its manifest cannot be read.</exception>
    public static async Task<ExitPackage> OpenAsync(IPackageStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!await store.ExistsAsync(PackageManifest.FileName, cancellationToken))
        {
            throw await store.ExistsAsync(ExportState.Path, cancellationToken)
                ? ExitKitException.PackageUnusable(store.Location, "is an export that did not finish (it has no exitkit.json). Run the export again with --resume.")
                : await store.ListAsync(PackageLayout.WorkFolder + "shard-", cancellationToken).AnyAsync(cancellationToken)
                    ? ExitKitException.PackageUnusable(store.Location, "holds the shards of an export that are not sealed yet (it has no exitkit.json). " +
                        "When every shard is complete, run `exitkit seal`.")
                    : ExitKitException.PackageUnusable(store.Location, "is not an exit package: it has no exitkit.json.");
        }
        if (!await store.ExistsAsync(PackageLayout.TagManifest, cancellationToken))
        {
            throw ExitKitException.PackageUnusable(store.Location, "is not sealed (it has no tagmanifest-sha256.txt): its export was interrupted while sealing. Run the export again with --resume.");
        }
        PackageManifest manifest;
        try
        {
            await using var stream = await store.OpenReadAsync(PackageManifest.FileName, cancellationToken);
            manifest = await JsonSerializer.DeserializeAsync<PackageManifest>(stream, PackageManifest.JsonOptions, cancellationToken)
                ?? throw ExitKitException.PackageUnusable(store.Location, "exitkit.json is empty.");
        }
        catch (JsonException error)
        {
            throw ExitKitException.Malformed($"{store.Location}/exitkit.json", $"the manifest is not valid: {error.Message}", (error.LineNumber ?? 0) + 1,
                (error.BytePositionInLine ?? 0) + 1, error);
        }
        if (!manifest.FormatVersion.StartsWith("1.", StringComparison.Ordinal))
        {
            throw ExitKitException.PackageUnusable(store.Location, $"uses format version {manifest.FormatVersion}; this ExitKit reads 1.x. Use a newer ExitKit.");
        }
        return new ExitPackage(store, manifest);
    }

    /// <summary>Reads some columns of a table, one Parquet row group at a time.</summary>
    /// <exception cref="ExitKitException">The package has no such table.</exception>
    public async IAsyncEnumerable<ColumnBatch> ReadColumnsAsync(string table, IReadOnlyList<string> columns,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (schema, entry) = Resolve(table);
        foreach (var file in entry.Files)
        {
            await using var stream = await OpenSeekableAsync(file.Path, cancellationToken);
            await foreach (var batch in ParquetPartReader.ReadColumnsAsync(stream, schema, columns, cancellationToken))
            {
                yield return batch;
            }
        }
    }

    /// <summary>Null counts of some columns per row group, from Parquet statistics (null where a file records none).</summary>
    public async IAsyncEnumerable<(int RowCount, long?[] Nulls)> ReadNullCountsAsync(string table, IReadOnlyList<string> columns,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (_, entry) = Resolve(table);
        foreach (var file in entry.Files)
        {
            await using var stream = await OpenSeekableAsync(file.Path, cancellationToken);
            await foreach (var counts in ParquetPartReader.ReadNullCountsAsync(stream, columns, cancellationToken))
            {
                yield return counts;
            }
        }
    }

    /// <summary>Reads whole rows of a table, in column order.</summary>
    public async IAsyncEnumerable<object?[]> ReadRowsAsync(string table, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (schema, entry) = Resolve(table);
        foreach (var file in entry.Files)
        {
            await using var stream = await OpenSeekableAsync(file.Path, cancellationToken);
            await foreach (var row in ParquetPartReader.ReadRowsAsync(stream, schema, cancellationToken))
            {
                yield return row;
            }
        }
    }

    private (TableSchema Schema, TableEntry Entry) Resolve(string table)
    {
        var schema = NeutralSchema.Get(table);
        var entry = Manifest.FindTable(table) ?? throw ExitKitException.PackageUnusable(Store.Location, $"holds no table {table}.");
        return (schema, entry);
    }

    private async Task<Stream> OpenSeekableAsync(string path, CancellationToken cancellationToken)
    {
        var stream = await Store.OpenReadAsync(path, cancellationToken);
        if (stream.CanSeek)
        {
            return stream;
        }
        // Parquet footers are read from the end; a store that cannot seek is buffered to a temporary file.
        var temporary = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        await using (stream)
        {
            await stream.CopyToAsync(temporary, cancellationToken);
        }
        temporary.Position = 0;
        return temporary;
    }
}
