using System.Text;
using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Export;
using ExitKit.Packaging;
using ExitKit.Schema;
using ExitKit.Storage;

namespace ExitKit.Core.Tests;

/// <summary>Originals are written to the work folder in sorted batches and merged when the package is sealed.</summary>
public sealed class OriginalBatchesTests : IDisposable
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;
    private static readonly SourceInfo Source = new("s", "Vendor", "c", "1");
    private readonly string _folder = SamplePackages.TemporaryFolder("batches");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 11, 1, 9, 30, 0, TimeSpan.Zero);
    }

    /// <summary>Forty originals in a scattered order; three paths are stored again later with other content (one of them twice).</summary>
    private static IEnumerable<(string Path, string Text)> Originals()
    {
        for (var i = 0; i < 40; i++)
        {
            var index = (i * 17) % 40;
            yield return ($"saved/{(index % 3 == 0 ? "tickets" : "users")}/page-{index:D3}.json", $"{{\"page\": {index}}}");
        }
        yield return ("saved/tickets/page-003.json", "stored again");
        yield return ("saved/users/page-010.json", "stored again, longer");
        yield return ("a-first.json", "sorts before the rest");
        yield return ("saved/tickets/page-003.json", "stored a third time");
    }

    private static async Task<PackageManifest> WriteAsync(IPackageStore store, int perBatch, int mergeWidth)
    {
        using var writer = await PackageWriter.OpenAsync(store, new PackageWriter.Options
        {
            Source = Source, Time = new FixedClock(), PackageId = "batches", OriginalsPerBatch = perBatch, OriginalsMergeWidth = mergeWidth,
        }, Token);
        foreach (var (path, text) in Originals())
        {
            using var content = new MemoryStream(Encoding.UTF8.GetBytes(text));
            await writer.StoreOriginalAsync(path, content, Token);
        }
        return await writer.SealAsync(Token);
    }

    [Fact]
    public async Task Originals_spread_over_many_batches_seal_into_the_same_package_files_as_originals_held_in_one()
    {
        var whole = new LocalPackageStore(Path.Combine(_folder, "whole"));
        var batched = new LocalPackageStore(Path.Combine(_folder, "batched"));
        await WriteAsync(whole, perBatch: 1_000, mergeWidth: 16);
        // Four entries a batch: eleven batches, merged two at a time over several passes.
        var returned = await WriteAsync(batched, perBatch: 4, mergeWidth: 2);

        foreach (var file in new[] { "exitkit.json", "manifest-sha256.txt", "bag-info.txt", "tagmanifest-sha256.txt" })
        {
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(whole.Location, file), Token), await File.ReadAllTextAsync(Path.Combine(batched.Location, file), Token));
        }
        var manifest = (await ExitPackage.OpenAsync(batched, Token)).Manifest;
        var expected = Originals().GroupBy(original => "data/originals/" + original.Path)
            .Select(group => (Path: group.Key, Bytes: (long)Encoding.UTF8.GetByteCount(group.Last().Text)))
            .OrderBy(original => original.Path, StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, manifest.Originals.Select(original => (original.Path, original.Bytes)));
        Assert.Equal(manifest.Originals, returned.Originals);
        Assert.Equal(expected.Length, returned.Originals.Count);
        Assert.Empty((await PackageVerifier.VerifyAsync(batched, cancellationToken: Token)).Findings);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(batched.Location, ".exitkit"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task The_checkpoint_lists_the_batches_written_and_keeps_only_the_originals_since()
    {
        var store = new LocalPackageStore(_folder);
        using var writer = await PackageWriter.OpenAsync(store, new PackageWriter.Options { Source = Source, OriginalsPerBatch = 4 }, Token);
        for (var i = 0; i < 10; i++)
        {
            await writer.StoreOriginalAsync($"page-{i}.json", new MemoryStream([(byte)i]), Token);
        }
        using (var state = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_folder, ".exitkit", "state.json"), Token)))
        {
            Assert.Equal([".exitkit/originals/batch-00000.jsonl", ".exitkit/originals/batch-00001.jsonl"],
                state.RootElement.GetProperty("originalBatches").EnumerateArray().Select(batch => batch.GetString()));
            // The two stored since the second batch are in memory only until the next checkpoint.
            Assert.Equal(0, state.RootElement.GetProperty("originals").GetArrayLength());
        }
        await writer.MarkOriginalsCompleteAsync(Token);
        using (var state = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_folder, ".exitkit", "state.json"), Token)))
        {
            Assert.Equal(3, state.RootElement.GetProperty("originalBatches").GetArrayLength());
            Assert.Equal(0, state.RootElement.GetProperty("originals").GetArrayLength());
        }
        var lines = await File.ReadAllLinesAsync(Path.Combine(_folder, ".exitkit", "originals", "batch-00002.jsonl"), Token);
        Assert.Equal(["data/originals/page-8.json", "data/originals/page-9.json"], lines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("path").GetString()));
    }

    [Fact]
    public async Task An_export_stopped_between_batches_and_resumed_lists_every_original_once_as_stored_last()
    {
        var small = new ExportOptions { Limits = new PartLimits(MaxRows: 200), Parallelism = 1, OriginalsPerBatch = 3 };
        // Run 1 stops while storing the saved pages; run 2 stores them all again, then stops in the middle of the messages.
        await StopAsync(new PagingSourceStops(Originals: 20, Rows: int.MaxValue), run: 1, small);
        using (var state = await StateAsync())
        {
            Assert.False(state.RootElement.GetProperty("originalsComplete").GetBoolean());
            Assert.True(state.RootElement.GetProperty("originalBatches").GetArrayLength() >= 5);
        }
        await StopAsync(new PagingSourceStops(Originals: int.MaxValue, Rows: 1_700), run: 2, small with { Resume = true });
        using (var state = await StateAsync())
        {
            Assert.True(state.RootElement.GetProperty("originalsComplete").GetBoolean());
            Assert.True(state.RootElement.GetProperty("originalBatches").GetArrayLength() > 30);
            Assert.Contains(state.RootElement.GetProperty("tables").EnumerateObject(), table => table.Value.GetProperty("parts").GetArrayLength() > 0);
            // A batch written by the stopped run after its last checkpoint: not listed there, so it must never reach the manifest.
            var next = state.RootElement.GetProperty("originalBatches").GetArrayLength();
            await File.WriteAllTextAsync(Path.Combine(_folder, ".exitkit", "originals", $"batch-{next:D5}.jsonl"),
                """{"path":"data/originals/never-stored.json","bytes":1,"sha256":"00"}""" + "\n", Token);
        }
        await using (var inner = SamplePackages.Source(1_500))
        {
            var resumed = await ExportPipeline.RunAsync(new PagingSource(inner, run: 3, new PagingSourceStops(int.MaxValue, int.MaxValue), null), SamplePackages.Descriptor,
                new LocalPackageStore(_folder), small with { Resume = true }, null, Token);
            Assert.True(resumed.Complete);
        }

        var store = new LocalPackageStore(_folder);
        Assert.Empty((await PackageVerifier.VerifyAsync(store, cancellationToken: Token)).Findings);
        var package = await ExitPackage.OpenAsync(store, Token);
        var paths = package.Manifest.Originals.Select(original => original.Path).ToArray();
        Assert.Equal(paths.Distinct().Order(StringComparer.Ordinal), paths);
        Assert.DoesNotContain("data/originals/never-stored.json", paths);
        // The saved pages as run 2 stored them (run 1's entries are in older batches, and run 3 did not store them again).
        var saved = package.Manifest.Originals.Where(original => original.Path.StartsWith("data/originals/saved/", StringComparison.Ordinal)).ToArray();
        Assert.Equal(PagingSource.SavedPages, saved.Length);
        Assert.All(saved, original => Assert.Equal(Encoding.UTF8.GetByteCount(PagingSource.SavedPage(original.Path[^8..^5], run: 2)), original.Bytes));
        // A page for every message that has one, whether run 2 stored it before it stopped or run 3 after resuming.
        var pages = new List<string>();
        await foreach (var row in package.ReadRowsAsync("messages", Token))
        {
            if (PagingSource.HasPage((string)row[1]!))
            {
                pages.Add($"data/originals/pages/{row[1]}.json");
            }
        }
        Assert.NotEmpty(pages);
        Assert.Equal(pages.Order(StringComparer.Ordinal), paths.Where(path => path.StartsWith("data/originals/pages/", StringComparison.Ordinal)));
    }

    private async Task StopAsync(PagingSourceStops stops, int run, ExportOptions options)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        await using var inner = SamplePackages.Source(1_500);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            ExportPipeline.RunAsync(new PagingSource(inner, run, stops, stop), SamplePackages.Descriptor, new LocalPackageStore(_folder), options, null, stop.Token));
    }

    private async Task<JsonDocument> StateAsync() => JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_folder, ".exitkit", "state.json"), Token));

    [Fact]
    public async Task Shards_that_both_stored_originals_seal_into_one_list_with_the_later_shards_entry_for_a_shared_path()
    {
        var store = new LocalPackageStore(_folder);
        var returned = new List<PackageManifest>();
        foreach (var (shard, pages) in new[] { ("shard-01-of-02", Enumerable.Range(0, 9)), ("shard-02-of-02", Enumerable.Range(7, 9)) })
        {
            using var writer = await PackageWriter.OpenAsync(store, new PackageWriter.Options
            {
                Source = Source, Time = new FixedClock(), Shard = shard, OriginalsPerBatch = 2, OriginalsMergeWidth = 3,
            }, Token);
            foreach (var page in pages)
            {
                await writer.StoreOriginalAsync($"pages/page-{page:D2}.json", new MemoryStream(Encoding.UTF8.GetBytes($"{page} from {shard}")), Token);
            }
            returned.Add(await writer.FinishShardAsync(Token));
        }
        Assert.Equal(Enumerable.Range(0, 9).Select(page => $"data/originals/pages/page-{page:D2}.json"), returned[0].Originals.Select(original => original.Path));

        var sealedManifest = await ShardSealer.SealAsync(store, new FixedClock(), "joined", Token);
        Assert.Empty((await PackageVerifier.VerifyAsync(store, cancellationToken: Token)).Findings);
        var manifest = (await ExitPackage.OpenAsync(store, Token)).Manifest;
        Assert.Equal(Enumerable.Range(0, 16).Select(page => $"data/originals/pages/page-{page:D2}.json"), manifest.Originals.Select(original => original.Path));
        // Pages 7 and 8 were written by both shards, the second last: its bytes are in the store, and its entry in the manifest.
        Assert.Equal(Encoding.UTF8.GetByteCount("7 from shard-02-of-02"), manifest.Originals[7].Bytes);
        Assert.Equal(manifest.Originals, sealedManifest.Originals);
    }

    [Fact]
    public async Task The_streamed_manifest_is_the_JSON_the_serialiser_writes()
    {
        var manifest = new PackageManifest
        {
            FormatVersion = NeutralSchema.FormatVersion,
            PackageId = "p-1",
            Tool = new ToolInfo("exitkit", "1.2.3"),
            CreatedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(1)),
            SealedAt = new DateTimeOffset(2026, 1, 2, 4, 4, 5, TimeSpan.Zero),
            Source = new SourceInfo("zendesk", "Zendesk <Support> & \"Guide\"", "zendesk", "1.0"),
            ExportWindow = new WindowInfo(null, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            Pseudonymisation = new PseudonymisationInfo(false, null, []),
            Tables = [PackageWriter.TableEntryFor(NeutralSchema.Queues, new TableCheckpoint
            {
                Parts = [new CommittedPart("data/queues/part-00000.parquet", 3, 100, "ab", null, null, null)],
                Complete = true,
                ControlTotal = new ControlTotalEntry(3, null, "count"),
            })],
            Artefacts = new FileGroupInfo(2, 30),
            Originals = [new FileEntry("data/originals/é/ü.json", 1, "00"), new FileEntry("data/originals/line\nbreak \"quoted\" <b>.json", 2, "11"),
                new FileEntry("data/originals/z.json", 3, "22")],
            Problems = [new ProblemEntry("unparsed", null, "saved/x.json", "not JSON: 'x'")],
            Shards = [new ShardInfo(1, 2, new WindowInfo(null, null), "s-1")],
        };
        foreach (var originals in new[] { manifest.Originals, [] })
        {
            var expected = JsonSerializer.Serialize(manifest with { Originals = originals }, PackageManifest.JsonOptions);
            using var stream = new MemoryStream();
            await PackageSealer.WriteManifestAsync(stream, manifest, originals.ToAsyncEnumerable(), Token);
            Assert.Equal(expected, Encoding.UTF8.GetString(stream.ToArray()));
        }
    }

    /// <summary>The sample source with saved pages stored before the tables and a page stored with some of the messages read (as a
    /// connector of an API keeps each response); each run's saved pages differ, so the manifest shows which run it lists.</summary>
    /// <summary>Where a <see cref="PagingSource"/> stops the export: after so many saved pages, or so many rows.</summary>
    private sealed record PagingSourceStops(int Originals, int Rows);

    private sealed class PagingSource(ISourceConnector inner, int run, PagingSourceStops stops, CancellationTokenSource? stop) : ISourceConnector
    {
        public const int SavedPages = 25;
        private int _rows;

        /// <summary>About one message in seven, chosen by its id, so a resumed run stores the same pages for the same rows.</summary>
        public static bool HasPage(string id) => id.Sum(character => (int)character) % 7 == 0;

        public static string SavedPage(string number, int run) => $"{{\"page\": {number}, \"run\": {run}{new string(' ', run)}}}";

        public Task<SourceDescription> DescribeAsync(ExportRequest request, CancellationToken cancellationToken = default) => inner.DescribeAsync(request, cancellationToken);

        public async Task ExportOriginalsAsync(ExportRequest request, IExportContext context, CancellationToken cancellationToken = default)
        {
            await inner.ExportOriginalsAsync(request, context, cancellationToken);
            for (var page = 0; page < SavedPages; page++)
            {
                var number = page.ToString("D3", System.Globalization.CultureInfo.InvariantCulture);
                await context.StoreOriginalAsync($"saved/page-{number}.json", new MemoryStream(Encoding.UTF8.GetBytes(SavedPage(number, run))), cancellationToken);
                if (page + 1 == stops.Originals && stop is not null)
                {
                    await stop.CancelAsync();
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }

        public async IAsyncEnumerable<SourceRow> ReadTableAsync(TableSchema table, ExportRequest request, string? resumeAfter, IExportContext context,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var row in inner.ReadTableAsync(table, request, resumeAfter, context, cancellationToken))
            {
                var id = (string)row.Values[table.OrdinalOf("source_id")]!;
                if (table.Name == "messages" && HasPage(id))
                {
                    // Named by the row, so a page stored again after a resume replaces its entry rather than adding one.
                    await context.StoreOriginalAsync($"pages/{id}.json", new MemoryStream(Encoding.UTF8.GetBytes($"{id} run {run}")), cancellationToken);
                }
                if (Interlocked.Increment(ref _rows) == stops.Rows && stop is not null)
                {
                    await stop.CancelAsync();
                }
                cancellationToken.ThrowIfCancellationRequested();
                yield return row;
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
