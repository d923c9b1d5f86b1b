using ExitKit.Packaging;
using ExitKit.Storage;

namespace ExitKit.Validation.Content;

/// <summary>What validation reads of a package: its manifest, its files, and its tables column by column.</summary>
/// <remarks>
/// The seam between validation and the package reader of ExitKit.Core, so checks can be tested on packages built in
/// memory. An implementation must stream: one <see cref="ColumnChunk"/> per Parquet row group, never a whole table.
/// </remarks>
public interface IPackageContent
{
    /// <summary>The package's manifest.</summary>
    PackageManifest Manifest { get; }

    /// <summary>The store the package lives in, for file checks (artefacts, originals, attestations).</summary>
    IPackageStore Store { get; }

    /// <summary>Reads the named columns of a table in row groups.</summary>
    /// <param name="table">A table listed in the manifest.</param>
    /// <param name="columns">Columns the table has (see the manifest's column list).</param>
    /// <param name="cancellationToken">Stops the read.</param>
    IAsyncEnumerable<ColumnChunk> ReadColumnsAsync(string table, IReadOnlyList<string> columns, CancellationToken cancellationToken = default);

    /// <summary>The nulls of some columns in all, from the files' statistics without reading values; null when the content
    /// cannot say for every part (validation then reads the values).</summary>
    Task<IReadOnlyDictionary<string, long>?> CountNullsFromStatisticsAsync(string table, IReadOnlyList<string> columns,
        CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyDictionary<string, long>?>(null);
}

/// <summary>Rows of a table, column by column.</summary>
/// <param name="RowCount">The rows in the chunk.</param>
/// <param name="Columns">One array per requested column, in request order, typed as <c>ColumnSchema.ClrType</c> made nullable
/// (<c>string?[]</c>, <c>long?[]</c>, <c>double?[]</c>, <c>bool?[]</c>, <c>DateTimeOffset?[]</c>, <c>string[]?[]</c>).</param>
public sealed record ColumnChunk(int RowCount, IReadOnlyList<Array> Columns);
