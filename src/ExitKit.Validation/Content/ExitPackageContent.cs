using ExitKit.Packaging;
using ExitKit.Storage;

namespace ExitKit.Validation.Content;

/// <summary>A sealed <see cref="ExitPackage"/> as validation reads it.</summary>
public sealed class ExitPackageContent(ExitPackage package) : IPackageContent
{
    /// <summary>Opens the sealed package at a location (a folder, or any store <see cref="PackageStores"/> opens).</summary>
    /// <exception cref="ExitKitException">The folder does not exist or holds no sealed package.</exception>
    /// <param name="location">The package.</param>
    /// <param name="openStore">Opens the store (the CLI passes one that knows --blob-connection); <see cref="PackageStores.Open(string, string?)"/> when null.</param>
    /// <param name="cancellationToken">Stops opening.</param>
    public static async Task<ExitPackageContent> OpenAsync(string location, Func<string, IPackageStore>? openStore = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(location);
        var store = openStore is null ? PackageStores.Open(location) : openStore(location);
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
    /// <remarks>Reads ahead on one thread per core (at most four), as an analytical engine would.</remarks>
    public IAsyncEnumerable<PackageRowGroup> ReadRowGroupsAsync(string table, IReadOnlyList<string> readAhead,
        Func<PackageRowGroup, CancellationToken, ValueTask>? prepare = null, CancellationToken cancellationToken = default) =>
        package.ReadRowGroupsAsync(table, readAhead, Math.Clamp(Environment.ProcessorCount, 1, 4), prepare, cancellationToken);
}
