using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ExitKit.Parquet;
using ExitKit.Schema;

namespace ExitKit.Benchmarks;

internal sealed record WriterFigures(long Rows, double Seconds, double CpuSeconds, long AllocatedBytes);

/// <summary>
/// ExitKit's Parquet layer (<see cref="ParquetPartWriter"/> over Parquet.Net) writing rows that are already in memory, against
/// DuckDB writing the same rows from its memory: the part of an export DuckDB's side of the export benchmark measures, with no
/// source, validation, hashing or sealing on ExitKit's side. Also DuckDB reading the package and writing it again, which
/// like an export has a source to read.
/// </summary>
/// <remarks>
/// Holding a 1M-interaction package's 8.3 M rows as objects would take over 10 GB and turn the measurement into one of the
/// garbage collector marking them. So each table's first row group (20,000 rows) is held, and written over and over until as
/// many rows as the table has went through the writer: the same number of row groups and pages of the same shape.
/// </remarks>
internal static class WriterFloorBenchmark
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task RunAsync(int interactions)
    {
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        var folder = Path.Combine(Path.GetTempPath(), $"exitkit-floor-{interactions}");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        await ExportBenchmark.ChildAsync(["export-once", interactions.ToString(Invariant), folder, "write"]);
        const int Runs = 3;
        var exitKit = new List<WriterFigures>();
        var duckDb = new List<double>();
        var duckDbCopy = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            exitKit.Add(await ChildAsync(folder));
            duckDb.Add(ExportBenchmark.DuckDbWrite(folder).Seconds);
            duckDbCopy.Add(ExportBenchmark.DuckDbReadAndWrite(folder));
        }
        var copy = duckDbCopy.Order().ToList();
        var seconds = exitKit.Select(figures => figures.Seconds).Order().ToList();
        var duck = duckDb.Order().ToList();
        var median = exitKit.OrderBy(figures => figures.Seconds).ElementAt(Runs / 2);
        Console.WriteLine(string.Create(Invariant,
            $"{interactions:N0} interactions, {median.Rows:N0} rows: ExitKit's Parquet layer {seconds[Runs / 2]:F2} s ({seconds[0]:F2}–{seconds[^1]:F2}; CPU {median.CpuSeconds:F2} s, {median.AllocatedBytes / 1e9:F1} GB allocated), " +
            $"DuckDB {duck[Runs / 2]:F2} s ({duck[0]:F2}–{duck[^1]:F2}); ratio {seconds[Runs / 2] / duck[Runs / 2]:F2} (medians of {Runs}, alternating); " +
            $"DuckDB reading the package and writing it again, one COPY per table: {copy[Runs / 2]:F2} s ({copy[0]:F2}–{copy[^1]:F2})"));
        Directory.Delete(folder, recursive: true);
    }

    private static Task<WriterFigures> ChildAsync(string package) => BenchmarkChild.RunAsync<WriterFigures>(["writer-once", package]);

    /// <summary>Child process: every table of the package written again through <see cref="ParquetPartWriter"/>, timed.</summary>
    /// <remarks>Two passes: the first compiles the writer (DuckDB's side has no JIT), the second is timed.</remarks>
    public static async Task<WriterFigures> WriteOnceAsync(string package)
    {
        var tables = new List<(TableSchema Table, List<object?[]> Rows, long Total)>();
        foreach (var folder in Directory.EnumerateDirectories(Path.Combine(package, "data")).Order(StringComparer.Ordinal))
        {
            var table = NeutralSchema.Find(Path.GetFileName(folder));
            if (table is null)
            {
                continue;
            }
            var rows = new List<object?[]>();
            var total = 0L;
            foreach (var part in Directory.EnumerateFiles(folder, "*.parquet").Order(StringComparer.Ordinal))
            {
                await using var input = File.OpenRead(part);
                total += (await ParquetPartReader.ReadFooterAsync(input)).Rows;
                input.Position = 0;
                await foreach (var row in ParquetPartReader.ReadRowsAsync(input, table))
                {
                    if (rows.Count == ParquetWriteSettings.Default.RowGroupRows)
                    {
                        break;
                    }
                    rows.Add(row);
                }
            }
            tables.Add((table, rows, total));
        }
        var output = Path.Combine(Path.GetTempPath(), $"exitkit-floor-out-{Environment.ProcessId}");
        Directory.CreateDirectory(output);
        try
        {
            await WritePassAsync(tables, output);
            using var sampler = Environment.GetEnvironmentVariable("EXITKIT_BENCH_ALLOCATIONS") == "1" ? new AllocationSampler() : null;
            sampler?.Start();
            GC.Collect();
            var allocated = GC.GetTotalAllocatedBytes();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var written = await WritePassAsync(tables, output);
            watch.Stop();
            foreach (var (type, bytes) in sampler?.Top(15) ?? [])
            {
                Console.Error.WriteLine($"{bytes / 1e6,10:N0} MB  {type}");
            }
            return new WriterFigures(written, watch.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds,
                GC.GetTotalAllocatedBytes() - allocated);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static async Task<long> WritePassAsync(List<(TableSchema Table, List<object?[]> Rows, long Total)> tables, string output)
    {
        var written = 0L;
        foreach (var (table, rows, total) in tables)
        {
            await using var file = File.Create(Path.Combine(output, table.Name + ".parquet"));
            await using var writer = await ParquetPartWriter.CreateAsync(table, file);
            for (var row = 0L; row < total; row++)
            {
                await writer.AddAsync(rows[(int)(row % rows.Count)]);
            }
            await writer.CompleteAsync();
            written += total;
        }
        return written;
    }
}
