using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ExitKit.Benchmarks;

// Benchmarks print figures for docs/benchmarks.md; they are run by hand (see that page), never as timed tests.
var mode = args.Length > 0 ? args[0] : "help";
var invariant = CultureInfo.InvariantCulture;
switch (mode)
{
    case "export-once":
        // Child process: one export, then its own figures as JSON (peak RSS is this process's high-water mark).
        Console.WriteLine(JsonSerializer.Serialize(await ExportBenchmark.ExportOnceAsync(int.Parse(args[1], invariant), args[2], args.Length > 3 ? args[3] : "write")));
        break;
    case "export":
        await ExportBenchmark.RunAsync(args.Skip(1).Select(value => int.Parse(value, invariant)).DefaultIfEmpty(100_000).ToArray());
        break;
    case "writer":
        // writer [N ...]: ExitKit's Parquet layer writing an N-interaction package's rows from memory, against DuckDB doing the same.
        foreach (var size in args.Skip(1).Select(value => int.Parse(value, invariant)).DefaultIfEmpty(1_000_000))
        {
            await WriterFloorBenchmark.RunAsync(size);
        }
        break;
    case "writer-once":
        Console.WriteLine(JsonSerializer.Serialize(await WriterFloorBenchmark.WriteOnceAsync(args[1])));
        break;
    case "blob":
        // blob [N ...] [--container URL]: the same export to Azure Blob Storage (Azurite by default) and to local disk.
        var container = args.SkipWhile(value => value != "--container").Skip(1).FirstOrDefault();
        await BlobBenchmark.RunAsync(args.Skip(1).TakeWhile(value => value != "--container").Select(value => int.Parse(value, invariant)).DefaultIfEmpty(20_000).ToArray(), container);
        break;
    case "source-once":
        // Child process: source-once CONNECTOR SETTINGS-JSON SIZE DIR [MODE] (MODE generate: the source alone, no package)
        Console.WriteLine(JsonSerializer.Serialize(await ExportBenchmark.ExportOnceAsync(SourceBenchmarks.Plugin(args[1]).Plugin, args[2], int.Parse(args[3], invariant), args[4],
            args.Length > 5 ? args[5] : "write")));
        break;
    case "sql":
        await SourceBenchmarks.SqlAsync(args.Skip(1).Select(value => int.Parse(value, invariant)).DefaultIfEmpty(100_000).ToArray());
        break;
    case "sample-sqlite":
        // sample-sqlite [N ...]: the sample stack written as its SQLite form (what `exitkit demo` exports), one process per size.
        foreach (var size in args.Skip(1).Select(value => int.Parse(value, invariant)).DefaultIfEmpty(100_000))
        {
            var folder = Directory.CreateTempSubdirectory("exitkit-sample-sqlite-").FullName;
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var written = await new ExitKit.Connectors.Sample.SamplePlugin().WriteVendorDatabaseAsync(
                new ExitKit.Connectors.ConnectorConfiguration(JsonSerializer.SerializeToElement(new { interactions = size }), "(benchmark)"), Path.Combine(folder, "vendor.db"));
            watch.Stop();
            process.Refresh();
            Console.WriteLine(string.Create(invariant,
                $"sample-sqlite {size:N0} interactions: {written.Rows:N0} rows, {new FileInfo(written.Path).Length / 1e6:N0} MB in {watch.Elapsed.TotalSeconds:F2} s = {written.Rows / watch.Elapsed.TotalSeconds:N0} rows/s; CPU {(process.TotalProcessorTime - cpu).TotalSeconds:F2} s; peak RSS {process.PeakWorkingSet64 / 1048576.0:N0} MB"));
            Directory.Delete(folder, recursive: true);
        }
        break;
    case "zendesk":
        await SourceBenchmarks.ZendeskAsync(args.Skip(1).Select(value => int.Parse(value, invariant)).DefaultIfEmpty(100_000).ToArray());
        break;
    case "verify":
        // verify DIR: verify an existing package (warm) against sha256sum over the same files.
        var (bytes, exitKitSeconds, sha256sumSeconds) = await ExportBenchmark.VerifyOnlyAsync(args[1]);
        Console.WriteLine(string.Create(invariant, $"verify (median of 5, warm): {bytes / 1048576.0:N0} MB in {exitKitSeconds:F2} s; sha256sum {sha256sumSeconds:F2} s; ratio {sha256sumSeconds / exitKitSeconds:F2}x"));
        break;
    case "import":
        await ImportBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], invariant) : 1_000_000, args.Length > 2 ? args[2] : "both",
            readBackToo: !args.Contains("--no-read-back"));
        break;
    case "readback":
        // readback [N] [sqlite|postgresql]: read back the successor a previous `import N` left, without importing again.
        await ImportBenchmark.ReadBackAsync(args.Length > 1 ? int.Parse(args[1], invariant) : 1_000_000, args.Length > 2 ? args[2] : "sqlite");
        break;
    case "read":
        // read DIR: every row of every table of an existing package, as the import reads them.
        await ImportBenchmark.ReadAllAsync(args[1]);
        break;
    case "validate":
        // validate [N] [SCHEDULE] [RUNS]
        await SourceBenchmarks.ValidateAsync(args.Length > 1 ? int.Parse(args[1], invariant) : 1_000_000, args.Length > 2 ? args[2] : "manifests/examples/demo.schedule.yaml",
            args.Length > 3 ? int.Parse(args[3], invariant) : 2);
        break;
    case "validate-once":
        // Child processes of validate: one side each, figures as JSON.
        Console.WriteLine(JsonSerializer.Serialize(await SourceBenchmarks.ValidateOnceAsync(args[1], args[2])));
        break;
    case "duckdb-validate-once":
        Console.WriteLine(JsonSerializer.Serialize(SourceBenchmarks.DuckDbOnce(args[1])));
        break;
    default:
        Console.WriteLine("""
            exitkit benchmarks
              export [N ...]            export the sample stack at N interactions in a child process each; rows/s, peak RSS;
                                        DuckDB writing the same rows to Parquet; verify against sha256sum over the same files
              export-once N DIR [MODE]  one export in this process (MODE: write | generate), prints JSON
              writer [N ...]            ExitKit's Parquet layer writing an N-interaction package's rows from memory, against DuckDB
              sql [N ...]               seed PostgreSQL (EXITKIT_TEST_POSTGRES) with N contacts in the generic schema; export via `sql`
              sample-sqlite [N ...]     write the sample stack at N interactions as its SQLite form (the source `exitkit demo` exports)
              zendesk [N ...]           saved Zendesk responses for N tickets (5 comments each), replayed via `zendesk`;
                                        the connector alone, then the export
              import [N] [sqlite|postgresql|both] [--no-read-back]
                                        import an N-interaction sample package into SQLite and/or PostgreSQL (EXITKIT_TEST_POSTGRES), then read back
              readback [N] [sqlite|postgresql]  read back the successor the last `import N` left: time, CPU time, passes per table
              validate [N] [SCHEDULE] [RUNS]  validate an N-interaction sample package, and DuckDB computing the same
                                        aggregates, each in a process of its own, RUNS times (2): time, CPU time, peak RSS
              blob [N ...] [--container URL]  export to Azure Blob Storage (Azurite of EXITKIT_TEST_AZURITE by default)
                                        and to local disk: time, rows/s, verify time
            """);
        break;
}
