using System.Runtime.CompilerServices;
using ExitKit.Packaging;
using ExitKit.Storage;

namespace ExitKit.Validation.Content;

/// <summary>A sealed <see cref="ExitPackage"/> as validation reads it.</summary>
public sealed class ExitPackageContent(ExitPackage package) : IPackageContent
{
    /// <summary>Opens the sealed package at a location (a folder, or any store <see cref="PackageStores"/> opens).</summary>
    /// <exception cref="ExitKitException">The folder does not exist or holds no sealed package.</exception>
    public static async Task<ExitPackageContent> OpenAsync(string location, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(location);
        var store = PackageStores.Open(location);
        if (store is LocalPackageStore && !Directory.Exists(store.Location))
        {
            throw ExitKitException.FileNotFound(location, "The package folder");
        }
        return new ExitPackageContent(await ExitPackage.OpenAsync(store, cancellationToken));
    }

    /// <inheritdoc />
    public PackageManifest Manifest => package.Manifest;

    /// <inheritdoc />
    public IPackageStore Store => package.Store;

    /// <inheritdoc />
    public async IAsyncEnumerable<ColumnChunk> ReadColumnsAsync(string table, IReadOnlyList<string> columns,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var batch in package.ReadColumnsAsync(table, columns, cancellationToken))
        {
            yield return new ColumnChunk(batch.RowCount, batch.Columns);
        }
    }
}
