using System.Runtime.CompilerServices;
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
    public async Task<IReadOnlyDictionary<string, long>?> CountNullsFromStatisticsAsync(string table, IReadOnlyList<string> columns,
        CancellationToken cancellationToken = default)
    {
        var totals = new long[columns.Count];
        await foreach (var (_, nulls) in package.ReadNullCountsAsync(table, columns, cancellationToken))
        {
            for (var position = 0; position < nulls.Length; position++)
            {
                if (nulls[position] is not { } count)
                {
                    return null;
                }
                totals[position] += count;
            }
        }
        return columns.Select((column, position) => (column, position)).ToDictionary(pair => pair.column, pair => totals[pair.position], StringComparer.Ordinal);
    }

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
