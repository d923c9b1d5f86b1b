using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Connectors.SqlSuccessor;
using ExitKit.Import;
using ExitKit.Packaging;
using ExitKit.Storage;
using Npgsql;

namespace ExitKit.Benchmarks;

/// <summary>Import of an N-interaction sample package into PostgreSQL and SQLite through sql-successor, then read-back verification.</summary>
internal static class ImportBenchmark
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task RunAsync(int size, string which, bool readBackToo = true)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"exitkit-bench-validate-{size}");
        if (!File.Exists(Path.Combine(folder, "tagmanifest-sha256.txt")))
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
            await ExportBenchmark.ChildAsync(["export-once", size.ToString(Invariant), folder, "write"]);
        }
        var package = await ExitPackage.OpenAsync(new LocalPackageStore(folder));
        var rows = package.Manifest.Tables.Sum(table => table.Rows);
        var targets = new List<(string Name, string Settings, Dictionary<string, string> Environment)>();
        var sqlite = Path.Combine(Path.GetTempPath(), $"exitkit-bench-successor-{size}.db");
        File.Delete(sqlite);
        if (which is "both" or "sqlite")
        {
            targets.Add(("SQLite", JsonSerializer.Serialize(new { provider = "sqlite", databasePath = sqlite }), []));
        }
        if (which is "both" or "postgresql" && Environment.GetEnvironmentVariable("EXITKIT_TEST_POSTGRES") is { } server)
        {
            var database = $"exitkit_bench_successor_{size}";
            await using (var admin = new NpgsqlConnection(server))
            {
                await admin.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE); CREATE DATABASE {database}", admin);
                await drop.ExecuteNonQueryAsync();
            }
            Environment.SetEnvironmentVariable("EXITKIT_BENCH_SUCCESSOR_PG", new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString);
            targets.Add(("PostgreSQL", """{"provider": "postgresql", "connectionString": "env:EXITKIT_BENCH_SUCCESSOR_PG"}""", []));
        }
        foreach (var (name, settings, _) in targets)
        {
            var configuration = new ConnectorConfiguration(JsonDocument.Parse(settings).RootElement.Clone(), Path.Combine(Path.GetTempPath(), "benchmark.json"));
            await using var successor = new SqlSuccessorPlugin().CreateSuccessor(configuration);
            // As `exitkit import` runs them.
            using var throughput = new ThroughputGc();
            var watch = Stopwatch.StartNew();
            var import = await ImportPipeline.RunAsync(package, successor, new ImportOptions());
            var importSeconds = watch.Elapsed.TotalSeconds;
            watch.Restart();
            if (!readBackToo)
            {
                Console.WriteLine(string.Create(Invariant, $"| import into {name} | {rows:N0} rows | {importSeconds:F1} s | {rows / importSeconds:N0} rows/s |"));
                continue;
            }
            var readBack = await ReadBackVerifier.VerifyAsync(package, successor, new ReadBackOptions());
            var readSeconds = watch.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(Invariant,
                $"| import into {name} | {rows:N0} rows | {importSeconds:F1} s | {rows / importSeconds:N0} rows/s | read-back {readSeconds:F1} s ({rows / readSeconds:N0} rows/s, {(readBack.Equal ? "equal" : "DIFFERS")}) | {(import.Complete ? "complete" : "INCOMPLETE")} |"));
        }
    }

    /// <summary>Reads back the successor that the last <c>import</c> of this size left, so read-back can be measured alone and repeatedly.</summary>
    public static async Task ReadBackAsync(int size, string which)
    {
        var package = await ExitPackage.OpenAsync(new LocalPackageStore(Path.Combine(Path.GetTempPath(), $"exitkit-bench-validate-{size}")));
        var rows = package.Manifest.Tables.Sum(table => table.Rows);
        string settings;
        if (which == "postgresql")
        {
            var server = Environment.GetEnvironmentVariable("EXITKIT_TEST_POSTGRES")
                ?? throw new InvalidOperationException("Set EXITKIT_TEST_POSTGRES to read back PostgreSQL.");
            Environment.SetEnvironmentVariable("EXITKIT_BENCH_SUCCESSOR_PG",
                new NpgsqlConnectionStringBuilder(server) { Database = $"exitkit_bench_successor_{size}" }.ConnectionString);
            settings = """{"provider": "postgresql", "connectionString": "env:EXITKIT_BENCH_SUCCESSOR_PG"}""";
        }
        else
        {
            var sqlite = Path.Combine(Path.GetTempPath(), $"exitkit-bench-successor-{size}.db");
            if (!File.Exists(sqlite))
            {
                throw new InvalidOperationException($"{sqlite} does not exist: run `import {size} sqlite` first.");
            }
            settings = JsonSerializer.Serialize(new { provider = "sqlite", databasePath = sqlite });
        }
        var configuration = new ConnectorConfiguration(JsonDocument.Parse(settings).RootElement.Clone(), Path.Combine(Path.GetTempPath(), "benchmark.json"));
        await using var successor = new SqlSuccessorPlugin().CreateSuccessor(configuration);
        using var throughput = new ThroughputGc();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var readBack = await ReadBackVerifier.VerifyAsync(package, successor, new ReadBackOptions());
        var seconds = watch.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        foreach (var table in readBack.Tables.Where(table => table.PackageRows >= 100_000))
        {
            Console.WriteLine(string.Create(Invariant, $"  {table.Table}: {table.PackageRows:N0} rows, {table.Elapsed.TotalSeconds:F1} s, {table.Passes} pass(es)"));
        }
        Console.WriteLine(string.Create(Invariant,
            $"| read-back of {which} | {rows:N0} rows | {seconds:F1} s | {rows / seconds:N0} rows/s | CPU {cpuSeconds:F1} s | {(readBack.Equal ? "equal" : "DIFFERS")} |"));
    }

    public static async Task ReadAllAsync(string folder)
    {
        var package = await ExitPackage.OpenAsync(new LocalPackageStore(folder));
        var watch = Stopwatch.StartNew();
        long rows = 0;
        foreach (var table in package.Manifest.Tables)
        {
            await foreach (var _ in package.ReadRowsAsync(table.Name))
            {
                rows++;
            }
        }
        Console.WriteLine(string.Create(Invariant, $"read {rows:N0} rows in {watch.Elapsed.TotalSeconds:F1} s ({rows / watch.Elapsed.TotalSeconds:N0} rows/s)"));
    }
}
