using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Connectors.Sample;
using ExitKit.Export;
using ExitKit.Packaging;
using ExitKit.Storage;

namespace ExitKit.Benchmarks;

/// <summary>The sample stack exported to Azure Blob Storage (Azurite, or a real account) against the same export to local disk.</summary>
internal static class BlobBenchmark
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <param name="sizes">Interactions per run.</param>
    /// <param name="containerUrl">A container URL to write under (default: a new container in the Azurite of EXITKIT_TEST_AZURITE).</param>
    public static async Task RunAsync(int[] sizes, string? containerUrl)
    {
        var connection = Environment.GetEnvironmentVariable("EXITKIT_TEST_AZURITE") ?? Environment.GetEnvironmentVariable(AzureBlobPackageStore.ConnectionStringVariable);
        string? ownContainer = null;
        if (containerUrl is null)
        {
            if (connection is null)
            {
                Console.WriteLine("Set EXITKIT_TEST_AZURITE (bash .ci/services/azurite.sh /tmp; set -a; . /tmp/env) or give a container URL.");
                return;
            }
            var endpoint = new Azure.Storage.Blobs.BlobServiceClient(connection).Uri.ToString().TrimEnd('/');
            ownContainer = $"bench-{DateTime.UtcNow:yyyyMMddHHmmss}";
            containerUrl = $"{endpoint}/{ownContainer}";
        }
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}; blob: {AzureBlobPackageStore.PublicLocation(containerUrl)}");
        Console.WriteLine("| interactions | rows | store | export | rows/s | export CPU | verify | MB |");
        Console.WriteLine("|---:|---:|---|---:|---:|---:|---:|---:|");
        foreach (var size in sizes)
        {
            var folder = Path.Combine(Path.GetTempPath(), $"exitkit-bench-blob-{size}");
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
            var local = await MeasureAsync(size, new LocalPackageStore(folder));
            Print(size, "local disk", local);
            var blob = await MeasureAsync(size, PackageStores.Open($"{containerUrl.TrimEnd('/')}/sample-{size}-{Guid.NewGuid():N}", containerUrl.Contains('?', StringComparison.Ordinal) ? null : connection));
            Print(size, "blob", blob);
            Console.WriteLine(string.Create(Invariant, $"  blob / local: export {blob.ExportSeconds / local.ExportSeconds:F2}x, verify {blob.VerifySeconds / local.VerifySeconds:F2}x"));
            Directory.Delete(folder, recursive: true);
        }
        if (ownContainer is not null)
        {
            // Azurite keeps every blob's metadata in one JSON database that it saves whole, again and again: packages left
            // behind by earlier runs (48 MB of it after a day of runs) would slow the next run's emulator, not ExitKit.
            await new Azure.Storage.Blobs.BlobServiceClient(connection).GetBlobContainerClient(ownContainer).DeleteIfExistsAsync();
        }
    }

    private sealed record Figures(long Rows, double ExportSeconds, double ExportCpuSeconds, double VerifySeconds, long Bytes);

    private static void Print(int size, string store, Figures figures) =>
        Console.WriteLine(string.Create(Invariant,
            $"| {size:N0} | {figures.Rows:N0} | {store} | {figures.ExportSeconds:F1} s | {figures.Rows / figures.ExportSeconds:N0} | {figures.ExportCpuSeconds:F1} s | {figures.VerifySeconds:F1} s | {figures.Bytes / 1048576.0:N1} |"));

    private static async Task<Figures> MeasureAsync(int interactions, IPackageStore store)
    {
        var plugin = new SamplePlugin();
        var configuration = new ConnectorConfiguration(JsonDocument.Parse($$"""{"interactions": {{interactions}}}""").RootElement.Clone(), "(benchmark)");
        await using var source = plugin.CreateSource(configuration);
        var watch = Stopwatch.StartNew();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var result = await ExportPipeline.RunAsync(source, plugin.Descriptor, store, new ExportOptions());
        var export = watch.Elapsed.TotalSeconds;
        // This process's CPU only: Azurite's own (one Node.js thread) shares the same cores and is not counted here.
        var exportCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        watch.Restart();
        var verification = await PackageVerifier.VerifyAsync(store);
        var verify = watch.Elapsed.TotalSeconds;
        if (!verification.IsValid)
        {
            throw new InvalidOperationException($"{store.Location} does not verify: " + string.Join("; ", verification.Findings));
        }
        return new Figures(result.TotalRows, export, exportCpu, verify, verification.BytesChecked);
    }
}
