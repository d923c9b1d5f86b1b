using ExitKit.Connectors;
using ExitKit.Export;
using ExitKit.Packaging;

namespace ExitKit.Storage.Tests;

/// <summary>Four <c>exitkit export --shard K/4</c> processes into one container, joined by <c>exitkit seal</c>, equal one unsharded export.</summary>
public sealed class ShardedExportTests
{
    private const int Interactions = 2500;
    private static CancellationToken Token => TestContext.Current.CancellationToken;
    private static readonly DateTimeOffset From = new(2023, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Four_shards_exported_by_four_processes_into_azurite_and_sealed_hold_the_same_rows_as_one_export()
    {
        var connection = Azurite.ConnectionString();
        var location = Azurite.NewLocation("shards");
        var environment = new Dictionary<string, string?> { [AzureBlobPackageStore.ConnectionStringVariable] = connection };
        await ShardAndCompareAsync(location, Azurite.Open(location), environment);
    }

    [Fact]
    public async Task Four_shards_exported_by_four_processes_into_a_folder_and_sealed_hold_the_same_rows_as_one_export()
    {
        var folder = PackageSource.TemporaryFolder("shards");
        try
        {
            await ShardAndCompareAsync(Path.Combine(folder, "package"), new LocalPackageStore(Path.Combine(folder, "package")), null);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task ShardAndCompareAsync(string location, IPackageStore store, IReadOnlyDictionary<string, string?>? environment)
    {
        var work = PackageSource.TemporaryFolder("shard-config");
        try
        {
            var config = ExitKitProcess.SampleConfig(work, Interactions);
            Task<ExitKitProcess.Outcome> Shard(int index) => ExitKitProcess.RunAsync(environment, "export", "--connector", "sample", "--config", config,
                "--out", location, "--from", "2023-01-01", "--to", "2026-10-31", "--shard", $"{index}/4", "--part-rows", "2000");

            // Three shards at once, as three machines would; sealing must wait for the fourth.
            var first = await Task.WhenAll(Shard(1), Shard(2), Shard(3));
            foreach (var outcome in first)
            {
                Assert.True(outcome.ExitCode == 0, outcome.All);
                Assert.Contains("exitkit seal", outcome.Output, StringComparison.Ordinal);
            }
            var early = await ExitKitProcess.RunAsync(environment, "seal", location);
            Assert.True(early.ExitCode == 1, early.All);
            Assert.Contains("shard-04-of-04", early.Error, StringComparison.Ordinal);
            Assert.False(await store.ExistsAsync(PackageLayout.TagManifest, Token));

            var last = await Shard(4);
            Assert.True(last.ExitCode == 0, last.All);
            var seal = await ExitKitProcess.RunAsync(environment, "seal", location);
            Assert.True(seal.ExitCode == 0, seal.All);
            var verify = await ExitKitProcess.RunAsync(environment, "verify", location);
            Assert.True(verify.ExitCode == 0, verify.All);

            var sharded = await ExitPackage.OpenAsync(store, Token);
            var whole = new LocalPackageStore(Path.Combine(work, "whole"));
            await PackageSource.ExportAsync(whole, Interactions, new ExportOptions { Request = new ExportRequest(From, To) });
            var unsharded = await ExitPackage.OpenAsync(whole, Token);

            Assert.Equal(await PackageSource.AllSourceIdsAsync(unsharded), await PackageSource.AllSourceIdsAsync(sharded));
            Assert.Equal([1, 2, 3, 4], sharded.Manifest.Shards!.Select(shard => shard.Index));
            Assert.Equal(new WindowInfo(From, To), sharded.Manifest.ExportWindow);
            Assert.Equal(From, sharded.Manifest.Shards![0].Window.From);
            Assert.Equal(To, sharded.Manifest.Shards![3].Window.To);
            Assert.Equal(unsharded.Manifest.Originals.Select(original => original.Path), sharded.Manifest.Originals.Select(original => original.Path));
            foreach (var table in unsharded.Manifest.Tables)
            {
                var joined = sharded.Manifest.FindTable(table.Name)!;
                Assert.Equal(table.Rows, joined.Rows);
                Assert.Equal(table.ControlTotal?.Rows, joined.ControlTotal?.Rows);
                Assert.Equal(table.DailyCounts?.ToArray(), joined.DailyCounts?.ToArray());
                Assert.Equal(table.ControlTotal?.Daily?.ToArray(), joined.ControlTotal?.Daily?.ToArray());
                Assert.Equal(table.MinTime, joined.MinTime);
                Assert.Equal(table.MaxTime, joined.MaxTime);
            }
            // The time-windowed tables really were split: every shard wrote interactions parts of its own.
            var interactionParts = sharded.Manifest.FindTable("interactions")!.Files.Select(file => file.Path).ToArray();
            for (var index = 1; index <= 4; index++)
            {
                Assert.Contains(interactionParts, path => path.Contains($"shard-0{index}-of-04-part-", StringComparison.Ordinal));
            }
            Assert.All(sharded.Manifest.FindTable("queues")!.Files, file => Assert.Contains("shard-01-of-04", file.Path, StringComparison.Ordinal));

            // Sealing again is harmless.
            var again = await ExitKitProcess.RunAsync(environment, "seal", location);
            Assert.True(again.ExitCode == 0, again.All);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Theory]
    [InlineData(1, 4, "2023-01-01", "2023-04-02")]
    [InlineData(4, 4, "2023-10-01", "2024-01-01")]
    [InlineData(2, 3, "2023-05-02", "2023-09-01")]
    public void A_shard_takes_its_share_of_the_window_in_whole_days(int index, int count, string from, string to)
    {
        var window = new ExportRequest(new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var share = new ShardSpec(index, count).WindowOf(window);
        Assert.Equal(DateTimeOffset.Parse(from + "T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), share.From);
        Assert.Equal(DateTimeOffset.Parse(to + "T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), share.To);
    }

    [Theory]
    [InlineData("0/4")]
    [InlineData("5/4")]
    [InlineData("two of four")]
    public void A_shard_that_is_not_K_of_N_is_refused_with_an_example(string text)
    {
        var error = Assert.Throws<ExitKitException>(() => ShardSpec.Parse(text));
        Assert.Contains("--shard 2/4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shard_needs_both_ends_of_the_window()
    {
        var error = Assert.Throws<ExitKitException>(() => ShardSpec.Parse("2/4").WindowOf(ExportRequest.Everything));
        Assert.Contains("--from and --to", error.Message, StringComparison.Ordinal);
    }
}
