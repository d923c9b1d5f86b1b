using System.Runtime.CompilerServices;
using System.Threading.Channels;
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

    /// <summary>
    /// Reads a table row group by row group, in order, with <paramref name="readAhead"/> columns of the next row groups
    /// read on <paramref name="readers"/> threads while the caller works on the current one; other columns are read
    /// when the caller asks the row group for them.
    /// </summary>
    /// <remarks>
    /// Each reader thread has its own stream on each part, so a local package is read on every core. At most about
    /// 2 × <paramref name="readers"/> + 1 row groups are held at once, each disposed when the caller moves on: memory
    /// does not grow with the table. <paramref name="prepare"/> runs on the reader threads, on several row groups at
    /// once and in no particular order, before a row group is handed over: work that needs no other row group (hashing,
    /// counting) belongs there, and its result in <see cref="PackageRowGroup.Prepared"/>.
    /// </remarks>
    /// <param name="table">A table of the package.</param>
    /// <param name="readAhead">Columns every row group will need (a column a part lacks is skipped).</param>
    /// <param name="readers">Threads that read ahead; 1 reads ahead on one thread.</param>
    /// <param name="prepare">Work on each row group on the reader threads; it may read more columns.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <exception cref="ExitKitException">The package has no such table.</exception>
    public async IAsyncEnumerable<PackageRowGroup> ReadRowGroupsAsync(string table, IReadOnlyList<string> readAhead, int readers = 1,
        Func<PackageRowGroup, CancellationToken, ValueTask>? prepare = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(readers, 1);
        var (schema, entry) = Resolve(table);
        var parts = entry.Files.Select(file => file.Path).ToList();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var later = new PartReaders(OpenSeekableAsync, schema);
        // Row group n is read by reader n mod readers into its own one-slot channel, so taking the channels in turn gives
        // the row groups in file order however the readers race.
        var channels = Enumerable.Range(0, readers)
            .Select(_ => Channel.CreateBounded<PackageRowGroup>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true }))
            .ToArray();
        var tasks = channels.Select((channel, reader) => Task.Run(() => ReadAheadAsync(schema, parts, readAhead, prepare, reader, readers, later, channel.Writer, stop.Token), CancellationToken.None))
            .ToArray();
        try
        {
            for (var next = 0; ; next++)
            {
                var channel = channels[next % readers].Reader;
                if (!await channel.WaitToReadAsync(cancellationToken) || !channel.TryRead(out var rowGroup))
                {
                    break;
                }
                try
                {
                    yield return rowGroup;
                }
                finally
                {
                    rowGroup.Dispose();
                }
            }
        }
        finally
        {
            // The readers end by completing their channels (with any failure), never by throwing.
            await stop.CancelAsync();
            await Task.WhenAll(tasks);
            foreach (var channel in channels)
            {
                while (channel.Reader.TryRead(out var unread))
                {
                    unread.Dispose();
                }
            }
        }
    }

    private async Task ReadAheadAsync(TableSchema schema, IReadOnlyList<string> parts, IReadOnlyList<string> readAhead,
        Func<PackageRowGroup, CancellationToken, ValueTask>? prepare, int reader, int readers, PartReaders later, ChannelWriter<PackageRowGroup> output,
        CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            var number = 0;
            foreach (var path in parts)
            {
                await using var part = await ParquetPart.OpenAsync(await OpenSeekableAsync(path, cancellationToken), schema, cancellationToken);
                var columns = schema.Columns.Select(column => column.Name).Where(part.HasColumn).ToList();
                for (var index = 0; index < part.RowGroupCount; index++, number++)
                {
                    if (number % readers != reader)
                    {
                        continue;
                    }
                    var nullCounts = columns.ToDictionary(column => column, column => part.NullCount(index, column), StringComparer.Ordinal);
                    var rowGroup = new PackageRowGroup(path, index, part.RowCount(index), nullCounts, (_, _) => ValueTask.FromResult(part));
                    try
                    {
                        foreach (var column in readAhead.Where(part.HasColumn))
                        {
                            rowGroup.Add(column, await part.ReadAsync(index, column, cancellationToken));
                        }
                        if (prepare is not null)
                        {
                            await prepare(rowGroup, cancellationToken);
                        }
                        rowGroup.HandOver(later.OpenAsync);
                        await output.WriteAsync(rowGroup, cancellationToken);
                    }
                    catch
                    {
                        rowGroup.Dispose();
                        throw;
                    }
                }
            }
        }
        catch (Exception error)
        {
            failure = error;
        }
        finally
        {
            output.TryComplete(failure);
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
