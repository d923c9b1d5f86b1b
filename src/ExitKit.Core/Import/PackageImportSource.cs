using ExitKit.Connectors;
using ExitKit.Packaging;

namespace ExitKit.Import;

/// <summary>A sealed package as a successor sees it: rows of any table it holds and its artefacts, read-only.</summary>
public sealed class PackageImportSource(ExitPackage package) : IImportSource
{
    /// <inheritdoc />
    public string Location => package.Store.Location;

    /// <inheritdoc />
    public bool HasTable(string table) => package.Manifest.FindTable(table) is not null;

    /// <inheritdoc />
    public IAsyncEnumerable<object?[]> ReadRowsAsync(string table, CancellationToken cancellationToken = default) =>
        package.ReadRowsAsync(table, cancellationToken);

    /// <inheritdoc />
    public Task<Stream> OpenArtefactAsync(string packagePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(packagePath);
        // A row's artefact_path comes from the package itself, but it is still data: it may only name a file under data/.
        if (!packagePath.StartsWith(PackageLayout.Artefacts, StringComparison.Ordinal) && !packagePath.StartsWith("data/originals/", StringComparison.Ordinal)
            || packagePath.Split('/').Any(segment => segment is ".." or "." or ""))
        {
            throw ExitKitException.PackageUnusable(package.Store.Location,
                $"names an artefact at '{packagePath}', which is not a path under {PackageLayout.Artefacts}; the row pointing at it is damaged.");
        }
        return package.Store.OpenReadAsync(packagePath, cancellationToken);
    }
}
