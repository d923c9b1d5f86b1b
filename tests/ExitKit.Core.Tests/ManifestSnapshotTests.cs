using ExitKit.Connectors;
using ExitKit.Export;
using ExitKit.Testing;

namespace ExitKit.Core.Tests;

/// <summary>The outputs people read, snapshot-tested against approved files.</summary>
public sealed class ManifestSnapshotTests
{
    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 11, 1, 9, 30, 0, TimeSpan.Zero);
    }

    [Fact]
    public async Task The_manifest_of_a_small_sample_package_is_as_approved()
    {
        var folder = SamplePackages.TemporaryFolder("snapshot");
        try
        {
            var options = new ExportOptions
            {
                Time = new FixedClock(), PackageId = "snapshot-package",
                Request = new ExportRequest(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2024, 1, 8, 0, 0, 0, TimeSpan.Zero)),
            };
            await SamplePackages.ExportAsync(folder, 1_500, options, cancellationToken: TestContext.Current.CancellationToken);
            ApprovedFiles.Verify(await File.ReadAllTextAsync(Path.Combine(folder, "exitkit.json"), TestContext.Current.CancellationToken), "sample-manifest", "json");
            ApprovedFiles.Verify(await File.ReadAllTextAsync(Path.Combine(folder, "bag-info.txt"), TestContext.Current.CancellationToken), "sample-bag-info");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
