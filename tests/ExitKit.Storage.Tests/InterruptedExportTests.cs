using ExitKit.Connectors;
using ExitKit.Export;
using ExitKit.Packaging;

namespace ExitKit.Storage.Tests;

/// <summary>What sealing and resuming say about exports that stopped part-way.</summary>
public sealed class InterruptedExportTests : IDisposable
{
    private static readonly ExportRequest Window = new(new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly string _folder = PackageSource.TemporaryFolder("interrupted");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Stops the export (as Ctrl+C would) the moment its first table is complete, so the others are not.</summary>
    private sealed class StopAfterFirstTable(CancellationTokenSource stop) : IProgress<ExportProgress>
    {
        public void Report(ExportProgress value)
        {
            if (value.Done)
            {
                stop.Cancel();
            }
        }
    }

    private async Task ExportStoppedAsync(ExportOptions options)
    {
        using var stop = new CancellationTokenSource();
        await using var source = PackageSource.Source(600);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ExportPipeline.RunAsync(source, PackageSource.Descriptor, new LocalPackageStore(_folder),
            options with { Parallelism = 1, Limits = new PartLimits(MaxRows: 200) }, new StopAfterFirstTable(stop), stop.Token));
    }

    [Fact]
    public async Task Seal_refuses_naming_the_shard_that_did_not_finish_and_its_tables()
    {
        await PackageSource.ExportAsync(new LocalPackageStore(_folder), 600, new ExportOptions { Request = Window, Shard = new ShardSpec(1, 2) });
        await ExportStoppedAsync(new ExportOptions { Request = Window, Shard = new ShardSpec(2, 2) });

        var error = await Assert.ThrowsAsync<ExitKitException>(() => ShardSealer.SealAsync(new LocalPackageStore(_folder), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(FailureKind.Incomplete, error.Kind);
        Assert.Contains("shard-02-of-02", error.Message, StringComparison.Ordinal);
        Assert.Contains("not complete", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("shard-01-of-02", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, PackageLayout.TagManifest)));
        var unsealed = await Assert.ThrowsAsync<ExitKitException>(() => ExitPackage.OpenAsync(new LocalPackageStore(_folder), TestContext.Current.CancellationToken));
        Assert.Contains("exitkit seal", unsealed.Message, StringComparison.Ordinal);

        // Resumed, the shard finishes and the package seals.
        await PackageSource.ExportAsync(new LocalPackageStore(_folder), 600, new ExportOptions { Request = Window, Shard = new ShardSpec(2, 2), Resume = true });
        var manifest = await ShardSealer.SealAsync(new LocalPackageStore(_folder), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(600, manifest.FindTable("interactions")!.Rows);
        Assert.Empty((await PackageVerifier.VerifyAsync(new LocalPackageStore(_folder), cancellationToken: TestContext.Current.CancellationToken)).Findings);
    }

    [Fact]
    public async Task An_unsharded_export_that_stopped_is_not_sealed_and_seal_says_to_resume_it()
    {
        await ExportStoppedAsync(new ExportOptions());
        Assert.False(File.Exists(Path.Combine(_folder, PackageLayout.TagManifest)));
        Assert.False(File.Exists(Path.Combine(_folder, PackageManifest.FileName)));
        var error = await Assert.ThrowsAsync<ExitKitException>(() => ShardSealer.SealAsync(new LocalPackageStore(_folder), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("--resume", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resuming_with_another_window_is_refused_so_two_exports_never_mix()
    {
        await ExportStoppedAsync(new ExportOptions { Request = Window });
        var error = await Assert.ThrowsAsync<ExitKitException>(() => PackageSource.ExportAsync(new LocalPackageStore(_folder), 600,
            new ExportOptions { Request = Window with { From = Window.From!.Value.AddDays(1) }, Resume = true }));
        Assert.Contains("same --from, --to and --shard", error.Message, StringComparison.Ordinal);
    }
}
