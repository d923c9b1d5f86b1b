using ExitKit.Packaging;
using ExitKit.Storage;

namespace ExitKit.Validation.Content;

/// <summary>What validation reads of a package: its manifest, its files, and its tables row group by row group.</summary>
/// <remarks>
/// The seam between validation and the package reader of ExitKit.Core, so a test can watch what validation reads. An
/// implementation must stream: one <see cref="PackageRowGroup"/> per Parquet row group, in file order, never a whole table.
/// </remarks>
public interface IPackageContent
{
    /// <summary>The package's manifest.</summary>
    PackageManifest Manifest { get; }

    /// <summary>The store the package lives in, for file checks (artefacts, originals, attestations).</summary>
    IPackageStore Store { get; }

    /// <summary>Reads a table row group by row group; <paramref name="readAhead"/> columns are read, and
    /// <paramref name="prepare"/> run, before the row group is handed over (in parallel where the content can, so on
    /// several row groups at once, in any order); any other column is read when it is asked for.</summary>
    /// <param name="table">A table listed in the manifest.</param>
    /// <param name="readAhead">Columns the table has that every row group will need (see the manifest's column list).</param>
    /// <param name="prepare">Work on one row group that needs no other (see <see cref="PackageRowGroup.Prepared"/>).</param>
    /// <param name="cancellationToken">Stops the read.</param>
    IAsyncEnumerable<PackageRowGroup> ReadRowGroupsAsync(string table, IReadOnlyList<string> readAhead,
        Func<PackageRowGroup, CancellationToken, ValueTask>? prepare = null, CancellationToken cancellationToken = default);
}
