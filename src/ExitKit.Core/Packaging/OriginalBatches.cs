using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ExitKit.Storage;

namespace ExitKit.Packaging;

/// <summary>
/// The originals of an export in progress, kept out of memory: entries are written in batches, each sorted by path, to files
/// under the work folder; sealing merges the batches into the manifest's path order.
/// </summary>
/// <remarks>
/// A folder of saved API responses is hundreds of thousands of originals: holding an entry per original until sealing grew the
/// export's memory with the folder, and rewrote every entry into the checkpoint each time. Batches are written in the order
/// entries were stored, so of entries with the same path the one in the later batch was stored later and wins (a resumed export
/// stores its originals again). Merging reads at most <see cref="MergeWidth"/> batches at once, so sealing is flat too.
/// Batch files are JSON Lines, one <see cref="FileEntry"/> per line, under <c>.exitkit/</c>, which sealing removes.
/// </remarks>
internal static class OriginalBatches
{
    /// <summary>Entries held in memory before they are written as a batch: a few megabytes.</summary>
    public const int DefaultEntriesPerBatch = 16_384;

    /// <summary>Batches read at once while merging. Each open batch holds a read buffer (4 MiB on blob storage).</summary>
    public const int MergeWidth = 16;

    private static readonly JsonSerializerOptions LineOptions = new(PackageManifest.JsonOptions) { WriteIndented = false };

    /// <summary>The path of an export's (or a shard's) batch.</summary>
    public static string BatchPath(string? shard, int index) =>
        $"{PackageLayout.WorkFolder}{(shard is null ? "" : shard + "/")}originals/batch-{index:D5}.jsonl";

    /// <summary>Where sealing writes the batches it merges on the way: removed with the rest of the work folder.</summary>
    private const string SealFolder = PackageLayout.WorkFolder + "seal/";

    /// <summary>Writes entries (in the order they were stored) as a batch: sorted by path, each path once with its last entry.</summary>
    public static async Task WriteBatchAsync(IPackageStore store, string path, IReadOnlyList<FileEntry> entries, CancellationToken cancellationToken)
    {
        await WriteAsync(store, path, LatestOfEachPath(entries).ToAsyncEnumerable(), cancellationToken);
    }

    /// <summary>The entries in path order, each path once with the entry that comes last.</summary>
    public static FileEntry[] LatestOfEachPath(IEnumerable<FileEntry> entries)
    {
        // OrderBy is stable: of entries with the same path, the one stored last comes last.
        var sorted = entries.OrderBy(entry => entry.Path, StringComparer.Ordinal).ToArray();
        var count = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            if (count > 0 && sorted[count - 1].Path == sorted[i].Path)
            {
                count--;
            }
            sorted[count++] = sorted[i];
        }
        Array.Resize(ref sorted, count);
        return sorted;
    }

    /// <summary>Prepares the merge of the originals of one or more exports (shards, in order), each its committed batches and the tail
    /// of entries not yet written as one: tails are written as batches and, past <see cref="MergeWidth"/> batches, runs of them are
    /// merged into one until few enough are left to read at once.</summary>
    public static async Task<OriginalsMerge> PrepareMergeAsync(IPackageStore store, IEnumerable<(IReadOnlyList<string> Batches, IReadOnlyList<FileEntry> Tail)> exports,
        CancellationToken cancellationToken, int mergeWidth = MergeWidth)
    {
        var batches = new List<string>();
        var scratch = new List<string>();
        foreach (var (committed, tail) in exports)
        {
            batches.AddRange(committed);
            if (tail.Count > 0)
            {
                var path = $"{SealFolder}tail-{scratch.Count:D5}.jsonl";
                await WriteBatchAsync(store, path, tail, cancellationToken);
                batches.Add(path);
                scratch.Add(path);
            }
        }
        for (var pass = 1; batches.Count > mergeWidth; pass++)
        {
            var merged = new List<string>();
            foreach (var run in batches.Chunk(mergeWidth))
            {
                var path = $"{SealFolder}merge-{pass:D2}-{merged.Count:D5}.jsonl";
                await WriteAsync(store, path, MergeAsync(store, run, cancellationToken), cancellationToken);
                merged.Add(path);
            }
            // A batch merged into a later pass's file is not read again; committed batches stay until the seal is done,
            // so a seal that stops here can be run again from the checkpoint.
            foreach (var path in batches.Where(scratch.Contains))
            {
                await store.DeleteAsync(path, cancellationToken);
            }
            scratch.AddRange(merged);
            batches = merged;
        }
        return new OriginalsMerge(store, batches);
    }

    /// <summary>Merges batches, each sorted by path, into path order; of entries with the same path, the later batch's wins.</summary>
    public static async IAsyncEnumerable<FileEntry> MergeAsync(IPackageStore store, IReadOnlyList<string> batches,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var readers = new IAsyncEnumerator<FileEntry>[batches.Count];
        // Ordered by path, then by batch: equal paths come out oldest first, and the last one taken is kept.
        var queue = new PriorityQueue<int, (string Path, int Batch)>(Comparer<(string Path, int Batch)>.Create((left, right) =>
        {
            var byPath = string.CompareOrdinal(left.Path, right.Path);
            return byPath != 0 ? byPath : left.Batch.CompareTo(right.Batch);
        }));
        try
        {
            for (var batch = 0; batch < batches.Count; batch++)
            {
                readers[batch] = ReadBatchAsync(store, batches[batch], cancellationToken).GetAsyncEnumerator(cancellationToken);
                if (await readers[batch].MoveNextAsync())
                {
                    queue.Enqueue(batch, (readers[batch].Current.Path, batch));
                }
            }
            FileEntry? pending = null;
            while (queue.TryDequeue(out var batch, out _))
            {
                var entry = readers[batch].Current;
                if (pending is not null && pending.Path != entry.Path)
                {
                    yield return pending;
                }
                pending = entry;
                if (await readers[batch].MoveNextAsync())
                {
                    queue.Enqueue(batch, (readers[batch].Current.Path, batch));
                }
            }
            if (pending is not null)
            {
                yield return pending;
            }
        }
        finally
        {
            foreach (var reader in readers)
            {
                if (reader is not null)
                {
                    await reader.DisposeAsync();
                }
            }
        }
    }

    /// <summary>Reads a batch, checking that it is in path order with each path once (what merging relies on).</summary>
    public static async IAsyncEnumerable<FileEntry> ReadBatchAsync(IPackageStore store, string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var stream = await store.OpenReadAsync(path, cancellationToken);
        using var reader = new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: false);
        string? previous = null;
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            number++;
            FileEntry? entry;
            try
            {
                entry = JsonSerializer.Deserialize<FileEntry>(line, LineOptions);
            }
            catch (JsonException error)
            {
                throw Damaged(store, path, number, error.Message);
            }
            if (entry?.Path is null || entry.Sha256 is null)
            {
                throw Damaged(store, path, number, "it is not an original's path, size and hash");
            }
            if (previous is not null && string.CompareOrdinal(previous, entry.Path) >= 0)
            {
                throw Damaged(store, path, number, $"{entry.Path} does not follow {previous} in path order");
            }
            previous = entry.Path;
            yield return entry;
        }
    }

    private static ExitKitException Damaged(IPackageStore store, string path, int line, string reason) =>
        ExitKitException.PackageUnusable(store.Location, $"holds a damaged work file {path} (line {line}: {reason}). " +
            "Delete the folder (or container prefix) and export again.");

    /// <summary>Writes entries, already in path order, as a batch file.</summary>
    private static async Task WriteAsync(IPackageStore store, string path, IAsyncEnumerable<FileEntry> entries, CancellationToken cancellationToken)
    {
        await using var file = await store.CreateAsync(path, cancellationToken);
        var buffer = new ArrayBufferWriter<byte>(1 << 16);
        await using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = LineOptions.Encoder }))
        {
            await foreach (var entry in entries.WithCancellation(cancellationToken))
            {
                JsonSerializer.Serialize(writer, entry, LineOptions);
                writer.Flush();
                buffer.Write("\n"u8);
                // One value per line: the writer starts afresh after each.
                writer.Reset(buffer);
                if (buffer.WrittenCount >= 1 << 16)
                {
                    await file.Content.WriteAsync(buffer.WrittenMemory, cancellationToken);
                    buffer.ResetWrittenCount();
                }
            }
        }
        await file.Content.WriteAsync(buffer.WrittenMemory, cancellationToken);
        await file.CommitAsync(cancellationToken);
    }
}

/// <summary>The originals of a package being sealed, ready to be read in path order (as often as needed) from a few batches.</summary>
internal sealed class OriginalsMerge(IPackageStore store, IReadOnlyList<string> batches)
{
    /// <summary>Every original in path order, each path once with the entry stored last.</summary>
    public IAsyncEnumerable<FileEntry> ReadAsync(CancellationToken cancellationToken) => OriginalBatches.MergeAsync(store, batches, cancellationToken);
}
