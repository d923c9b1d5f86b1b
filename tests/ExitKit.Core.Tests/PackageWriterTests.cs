using ExitKit.Connectors;
using ExitKit.Export;
using ExitKit.Packaging;
using ExitKit.Schema;
using ExitKit.Storage;

namespace ExitKit.Core.Tests;

public sealed class PackageWriterTests : IDisposable
{
    private readonly string _folder = SamplePackages.TemporaryFolder("writer");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task An_export_stopped_midway_is_not_mistaken_for_a_package_and_resumes_to_the_same_rows()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var small = new ExportOptions { Limits = new PartLimits(MaxRows: 500), Parallelism = 1 };
        var progress = new Progress<ExportProgress>(_ => { });
        await using (var source = SamplePackages.Source(3_000))
        {
            var interrupted = ExportPipeline.RunAsync(new StoppingSource(source, stopAfterRows: 4_321, stop), SamplePackages.Descriptor,
                new LocalPackageStore(_folder), small, progress, stop.Token);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => interrupted);
        }
        Assert.False(File.Exists(Path.Combine(_folder, "exitkit.json")));
        var unsealed = await Assert.ThrowsAsync<ExitKitException>(() => ExitPackage.OpenAsync(new LocalPackageStore(_folder), TestContext.Current.CancellationToken));
        Assert.Contains("--resume", unsealed.Message, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<ExitKitException>(() => SamplePackages.ExportAsync(_folder, 3_000, small, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("--resume", refused.Message, StringComparison.Ordinal);

        // A part renamed into place by a run that died before recording it: the resumed export must not seal it in.
        var orphan = Path.Combine(_folder, "data", "messages", "part-00077.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(orphan)!);
        await File.WriteAllTextAsync(orphan, "left by a crash", TestContext.Current.CancellationToken);

        var resumed = await SamplePackages.ExportAsync(_folder, 3_000, small with { Resume = true }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.False(File.Exists(orphan));
        Assert.True(resumed.Resumed);
        Assert.True(resumed.Complete);
        var verification = await PackageVerifier.VerifyAsync(new LocalPackageStore(_folder), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(verification.Findings);

        var package = await ExitPackage.OpenAsync(new LocalPackageStore(_folder), TestContext.Current.CancellationToken);
        foreach (var table in new[] { "interactions", "messages" })
        {
            var ids = new List<string>();
            await foreach (var row in package.ReadRowsAsync(table, TestContext.Current.CancellationToken))
            {
                ids.Add((string)row[1]!);
            }
            Assert.Equal(ids.Count, ids.Distinct().Count());
            Assert.Equal(resumed.Tables.Single(outcome => outcome.Table == table).ControlTotal, ids.Count);
        }
    }

    [Fact]
    public async Task An_original_stored_again_under_its_path_is_listed_once_with_what_was_stored_last()
    {
        var store = new LocalPackageStore(_folder);
        using (var writer = await PackageWriter.OpenAsync(store, new PackageWriter.Options { Source = new SourceInfo("s", "Vendor", "c", "1") },
            TestContext.Current.CancellationToken))
        {
            foreach (var (path, text) in new[] { ("b/page.json", "first"), ("a.json", "a"), ("b/page.json", "second") })
            {
                using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
                await writer.StoreOriginalAsync(path, content, TestContext.Current.CancellationToken);
            }
            await writer.SealAsync(TestContext.Current.CancellationToken);
        }

        var manifest = (await ExitPackage.OpenAsync(store, TestContext.Current.CancellationToken)).Manifest;
        Assert.Equal(["data/originals/a.json", "data/originals/b/page.json"], manifest.Originals.Select(original => original.Path));
        Assert.Equal(6, manifest.Originals[1].Bytes);
        Assert.Empty((await PackageVerifier.VerifyAsync(store, cancellationToken: TestContext.Current.CancellationToken)).Findings);
    }

    [Fact]
    public async Task Personal_columns_are_pseudonymised_consistently_and_the_manifest_says_so()
    {
        var result = await SamplePackages.ExportAsync(_folder, 200, new ExportOptions { PseudonymKey = "test-key" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result.Manifest.Pseudonymisation.Applied);
        Assert.Contains("interactions.customer_id", result.Manifest.Pseudonymisation.Columns);
        var package = await ExitPackage.OpenAsync(new LocalPackageStore(_folder), TestContext.Current.CancellationToken);
        var customers = new Dictionary<string, string>();
        await foreach (var row in package.ReadRowsAsync("interactions", TestContext.Current.CancellationToken))
        {
            var customer = (string)row[NeutralSchema.Interactions.OrdinalOf("customer_id")]!;
            Assert.StartsWith("ps_", customer, StringComparison.Ordinal);
            customers[(string)row[1]!] = customer;
        }
        await foreach (var row in package.ReadRowsAsync("participants", TestContext.Current.CancellationToken))
        {
            Assert.DoesNotContain("cust-", (string?)row[NeutralSchema.Participants.OrdinalOf("participant_ref")] ?? "", StringComparison.Ordinal);
            if ((string)row[3]! == "customer")
            {
                Assert.Equal(customers[(string)row[2]!], row[NeutralSchema.Participants.OrdinalOf("participant_ref")]);
            }
        }
    }

    [Fact]
    public async Task A_row_that_does_not_fit_its_table_is_refused_naming_table_row_and_column()
    {
        var store = new LocalPackageStore(_folder);
        using var writer = await PackageWriter.OpenAsync(store, new PackageWriter.Options { Source = new SourceInfo("test", "Test", "test", "1") },
            TestContext.Current.CancellationToken);
        await using var table = await writer.OpenTableAsync(NeutralSchema.Queues, null, TestContext.Current.CancellationToken);
        var row = NeutralSchema.Queues.NewRow();
        row[0] = "test";
        row[1] = "q-1";
        var error = await Assert.ThrowsAsync<ExitKitException>(async () => await table.AddAsync(new SourceRow(row), TestContext.Current.CancellationToken));
        Assert.Contains("queues", error.Message, StringComparison.Ordinal);
        Assert.Contains("q-1", error.Message, StringComparison.Ordinal);
        Assert.Contains("name", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1_000)]
    [InlineData(4 << 20)]
    [InlineData((4 << 20) + 1)]
    [InlineData(9_000_000)]
    public async Task Artefacts_small_and_large_are_stored_once_under_their_SHA_256(int size)
    {
        var store = new LocalPackageStore(_folder);
        using var writer = await PackageWriter.OpenAsync(store, new PackageWriter.Options { Source = new SourceInfo("test", "Test", "test", "1") },
            TestContext.Current.CancellationToken);
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        var first = await writer.StoreArtefactAsync(new MemoryStream(bytes), TestContext.Current.CancellationToken);
        var again = await writer.StoreArtefactAsync(new MemoryStream(bytes), TestContext.Current.CancellationToken);
        await writer.FlushArtefactsAsync();
        Assert.Equal(expected, first.Sha256);
        Assert.Equal(first, again);
        Assert.Equal(size, first.SizeBytes);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(_folder, first.PackagePath), TestContext.Current.CancellationToken));
        Assert.Single(Directory.EnumerateFiles(Path.Combine(_folder, "data", "artefacts"), "*", SearchOption.AllDirectories));
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(_folder, ".exitkit"), "*", SearchOption.AllDirectories), path => !path.EndsWith("state.json", StringComparison.Ordinal));
    }

    /// <summary>A source that cancels the export after a number of rows, as a crash would stop it.</summary>
    private sealed class StoppingSource(ISourceConnector inner, int stopAfterRows, CancellationTokenSource stop) : ISourceConnector
    {
        private int _rows;

        public Task<SourceDescription> DescribeAsync(ExportRequest request, CancellationToken cancellationToken = default) => inner.DescribeAsync(request, cancellationToken);

        public Task ExportOriginalsAsync(ExportRequest request, IExportContext context, CancellationToken cancellationToken = default) =>
            inner.ExportOriginalsAsync(request, context, cancellationToken);

        public async IAsyncEnumerable<SourceRow> ReadTableAsync(TableSchema table, ExportRequest request, string? resumeAfter, IExportContext context,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var row in inner.ReadTableAsync(table, request, resumeAfter, context, cancellationToken))
            {
                if (Interlocked.Increment(ref _rows) == stopAfterRows)
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
