using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using ExitKit.Connectors;
using ExitKit.Connectors.Sample;
using ExitKit.Export;
using ExitKit.Packaging;
using ExitKit.Schema;
using ExitKit.Storage;
using ExitKit.Testing;

namespace ExitKit.Benchmarks;

internal sealed record ExportFigures(int Interactions, long Rows, double Seconds, double RowsPerSecond, long PeakRssBytes, long PackageBytes,
    double GcPauseSeconds = 0, int Gen0 = 0, int Gen1 = 0, int Gen2 = 0, long AllocatedBytes = 0);

internal static class ExportBenchmark
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static Task<ExportFigures> ExportOnceAsync(int interactions, string folder, string mode) =>
        ExportOnceAsync(new SamplePlugin(), $$"""{"interactions": {{interactions}}}""", interactions, folder, mode);

    /// <summary>One export of any connector in this process; the benchmark modes run it as a child so peak RSS is the export's own.</summary>
    public static async Task<ExportFigures> ExportOnceAsync(ConnectorPlugin plugin, string settings, int interactions, string folder, string mode)
    {
        var configuration = new ConnectorConfiguration(JsonDocument.Parse(settings).RootElement.Clone(), Path.Combine(Environment.CurrentDirectory, "benchmark.json"));
        await using var source = plugin.CreateSource(configuration);
        var watch = Stopwatch.StartNew();
        long rows;
        if (mode == "generate")
        {
            // The source alone: what generating the rows costs, without Parquet or hashing.
            rows = 0;
            var context = new RecordingExportContext();
            var description = await source.DescribeAsync(ExportRequest.Everything);
            foreach (var table in description.Tables)
            {
                await foreach (var _ in source.ReadTableAsync(NeutralSchema.Get(table.TableName), ExportRequest.Everything, null, context))
                {
                    rows++;
                }
            }
        }
        else
        {
            // EXITKIT_BENCH_CODEC compares codecs (snappy, zstd, none); the package default is zstd at its fastest level.
            var codec = Environment.GetEnvironmentVariable("EXITKIT_BENCH_CODEC") switch
            {
                "snappy" => global::Parquet.CompressionMethod.Snappy,
                "none" => global::Parquet.CompressionMethod.None,
                _ => global::Parquet.CompressionMethod.Zstd,
            };
            var options = new ExportOptions { Parquet = new ExitKit.Parquet.ParquetWriteSettings(Compression: codec) };
            // DIR may be a blob container URL (Azurite of EXITKIT_TEST_AZURITE): the same export, to blob storage, in a process of its own.
            IPackageStore store = AzureBlobPackageStore.IsBlobLocation(folder)
                ? PackageStores.Open(folder, Environment.GetEnvironmentVariable("EXITKIT_TEST_AZURITE"))
                : new LocalPackageStore(folder);
            var result = await ExportPipeline.RunAsync(source, plugin.Descriptor, store, options);
            rows = result.TotalRows;
        }
        watch.Stop();
        // Taken before the package is measured: walking a package of 270,000 originals in as many folders costs this process
        // tens of megabytes (the enumeration's queue of folders), which are the benchmark's, not the export's.
        var peakRss = PeakRss();
        var bytes = Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Sum(path => new FileInfo(path).Length) : 0;
        return new ExportFigures(interactions, rows, watch.Elapsed.TotalSeconds, rows / watch.Elapsed.TotalSeconds, peakRss, bytes,
            GC.GetTotalPauseDuration().TotalSeconds, GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalAllocatedBytes());
    }

    /// <summary>This process's peak resident set (VmHWM), which is what "peak RSS" means in docs/benchmarks.md.</summary>
    private static long PeakRss()
    {
        var line = File.ReadLines("/proc/self/status").First(line => line.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Invariant) * 1024;
    }

    private static Task<ExportFigures> ChildAsync(int interactions, string folder, string mode) =>
        ChildAsync(["export-once", interactions.ToString(Invariant), folder, mode]);

    internal static Task<ExportFigures> ChildAsync(string[] arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        BenchmarkChild.RunAsync<ExportFigures>(arguments, environment);

    public static async Task RunAsync(int[] sizes)
    {
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}");
        foreach (var size in sizes)
        {
            var folder = Path.Combine(Path.GetTempPath(), $"exitkit-bench-{size}");
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
            var generate = await ChildAsync(size, folder + "-none", "generate");
            // DuckDB holds a whole table in memory to write it; past 1M interactions the messages alone exceed this machine's memory.
            if (size > 1_000_000)
            {
                var export = await ChildAsync(size, folder, "write");
                Console.WriteLine(string.Create(Invariant,
                    $"| {size:N0} | {export.Rows:N0} | {export.Seconds:F1} s | {export.RowsPerSecond:N0} | {export.PeakRssBytes / 1048576.0:N0} MB | {export.PackageBytes / 1048576.0:N0} MB | source alone {generate.RowsPerSecond:N0} rows/s |"));
            }
            else
            {
                // Three of each, alternating: DuckDB's write of the same 1M-interaction rows has taken anywhere from 6.5 to
                // 31 s on this virtual machine on different days, so a ratio is only worth the medians of one run.
                const int Runs = 3;
                var exports = new List<ExportFigures>();
                var duckSeconds = new List<double>();
                var duckRows = 0L;
                for (var run = 0; run < Runs; run++)
                {
                    if (Directory.Exists(folder))
                    {
                        Directory.Delete(folder, recursive: true);
                    }
                    exports.Add(await ChildAsync(size, folder, "write"));
                    var duck = DuckDbWrite(folder);
                    duckRows = duck.Rows;
                    duckSeconds.Add(duck.Seconds);
                }
                var seconds = exports.Select(export => export.Seconds).ToList();
                var median = exports.OrderBy(export => export.Seconds).ElementAt(Runs / 2);
                Console.WriteLine(string.Create(Invariant,
                    $"| {size:N0} | {median.Rows:N0} | {median.Seconds:F1} s ({seconds.Min():F1}–{seconds.Max():F1}) | {median.RowsPerSecond:N0} | {exports.Max(export => export.PeakRssBytes) / 1048576.0:N0} MB (highest of {Runs}) | {median.PackageBytes / 1048576.0:N0} MB | source alone {generate.RowsPerSecond:N0} rows/s |"));
                Console.WriteLine(string.Create(Invariant,
                    $"  DuckDB writes the same {duckRows:N0} rows to Parquet (zstd, from memory) in {Median(duckSeconds):F1} s ({duckSeconds.Min():F1}–{duckSeconds.Max():F1}); ExitKit end to end / DuckDB = {Median(seconds) / Median(duckSeconds):F2} (medians of {Runs}, alternating)"));
            }
            var verify = await VerifyAgainstSha256sumAsync(folder);
            Console.WriteLine(string.Create(Invariant,
                $"  verify (median of 5, warm): {verify.Bytes / 1048576.0:N0} MB in {verify.ExitKitSeconds:F2} s ({verify.Bytes / verify.ExitKitSeconds / 1048576:N0} MB/s); sha256sum {verify.Sha256sumSeconds:F2} s ({verify.Bytes / verify.Sha256sumSeconds / 1048576:N0} MB/s); ratio {verify.Sha256sumSeconds / verify.ExitKitSeconds:F2}x"));
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>DuckDB writing the same rows: each table is first loaded into DuckDB's memory (untimed), then COPY TO Parquet is timed.</summary>
    internal static (long Rows, double Seconds) DuckDbWrite(string package)
    {
        var output = package + "-duckdb";
        Directory.CreateDirectory(output);
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        var rows = 0L;
        var elapsed = TimeSpan.Zero;
        foreach (var table in Directory.EnumerateDirectories(Path.Combine(package, "data")).Select(Path.GetFileName).Where(name => name is not ("artefacts" or "originals")))
        {
            using (var load = connection.CreateCommand())
            {
                load.CommandText = $"CREATE OR REPLACE TABLE t AS SELECT * FROM read_parquet('{package}/data/{table}/*.parquet')";
                load.ExecuteNonQuery();
                load.CommandText = "SELECT count(*) FROM t";
                rows += Convert.ToInt64(load.ExecuteScalar(), Invariant);
            }
            var watch = Stopwatch.StartNew();
            using (var copy = connection.CreateCommand())
            {
                copy.CommandText = $"COPY t TO '{output}/{table}.parquet' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 20000)";
                copy.ExecuteNonQuery();
            }
            elapsed += watch.Elapsed;
        }
        Directory.Delete(output, recursive: true);
        return (rows, elapsed.TotalSeconds);
    }

    /// <summary>DuckDB reading the package's tables and writing them again in one statement each: source and writer, as an export has both.</summary>
    internal static double DuckDbReadAndWrite(string package)
    {
        var output = package + "-duckdb-copy";
        Directory.CreateDirectory(output);
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        var watch = Stopwatch.StartNew();
        foreach (var table in Directory.EnumerateDirectories(Path.Combine(package, "data")).Select(Path.GetFileName).Where(name => name is not ("artefacts" or "originals")))
        {
            using var copy = connection.CreateCommand();
            copy.CommandText = $"COPY (SELECT * FROM read_parquet('{package}/data/{table}/*.parquet')) TO '{output}/{table}.parquet' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 20000)";
            copy.ExecuteNonQuery();
        }
        var seconds = watch.Elapsed.TotalSeconds;
        Directory.Delete(output, recursive: true);
        return seconds;
    }

    internal static Task<(long Bytes, double ExitKitSeconds, double Sha256sumSeconds)> VerifyOnlyAsync(string package) => VerifyAgainstSha256sumAsync(package);

    internal static async Task<(long Bytes, double ExitKitSeconds, double Sha256sumSeconds)> VerifyAgainstSha256sumAsync(string package)
    {
        // Two untimed runs first: they compile the verifier (JIT, then its tier-1 recompilation) and bring the files into the
        // page cache, as sha256sum's runs after them find them. Then five runs of each, alternating, and the medians: a single
        // run of either varies by a third on this machine.
        const int Runs = 5;
        long bytes = 0;
        for (var warmUp = 0; warmUp < 2; warmUp++)
        {
            await PackageVerifier.VerifyAsync(new LocalPackageStore(package));
        }
        var exitKit = new List<double>();
        var sha256sum = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            var watch = Stopwatch.StartNew();
            var result = await PackageVerifier.VerifyAsync(new LocalPackageStore(package));
            exitKit.Add(watch.Elapsed.TotalSeconds);
            if (!result.IsValid)
            {
                throw new InvalidOperationException("benchmark package does not verify: " + string.Join("; ", result.Findings));
            }
            bytes = result.BytesChecked;
            watch.Restart();
            var check = Process.Start(new ProcessStartInfo("sha256sum", ["--check", "--quiet", "manifest-sha256.txt"]) { WorkingDirectory = package })!;
            await check.WaitForExitAsync();
            sha256sum.Add(watch.Elapsed.TotalSeconds);
            if (check.ExitCode != 0)
            {
                throw new InvalidOperationException($"sha256sum --check failed in {package} (exit {check.ExitCode})");
            }
        }
        return (bytes, Median(exitKit), Median(sha256sum));
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
