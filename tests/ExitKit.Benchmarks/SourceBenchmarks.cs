using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using ExitKit.Connectors.Sql;
using ExitKit.Connectors.Zendesk;
using ExitKit.Packaging;
using ExitKit.Storage;
using ExitKit.Testing.Builders;
using ExitKit.Validation;
using ExitKit.Validation.Content;
using ExitKit.Validation.Schedules;
using Npgsql;

namespace ExitKit.Benchmarks;

/// <summary>Benchmarks of the relational and Zendesk sources and of validation.</summary>
internal static class SourceBenchmarks
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A PostgreSQL database of N contacts (about five 700-byte turns each) in the generic schema, exported through the sql connector.</summary>
    public static async Task SqlAsync(int[] sizes)
    {
        var server = Environment.GetEnvironmentVariable("EXITKIT_TEST_POSTGRES")
            ?? throw new InvalidOperationException("Set EXITKIT_TEST_POSTGRES (bash .ci/services/postgresql.sh /tmp; set -a; . /tmp/env).");
        foreach (var size in sizes)
        {
            var database = $"exitkit_bench_{size}";
            await using (var admin = new NpgsqlConnection(server))
            {
                await admin.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE); CREATE DATABASE {database}", admin);
                await drop.ExecuteNonQueryAsync();
            }
            // Seeding millions of rows is one COPY: no command timeout.
            var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database, CommandTimeout = 0 }.ConnectionString;
            var seedWatch = Stopwatch.StartNew();
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync();
                await GenericContactCentre.CreateSchemaAsync(connection);
                var seeded = await new GenericContactCentreSeeder { Contacts = size }.SeedAsync(connection);
                Console.WriteLine(string.Create(Invariant, $"seeded {seeded.Contacts:N0} contacts, {seeded.Turns:N0} turns in {seedWatch.Elapsed.TotalSeconds:F0} s"));
            }
            var folder = Path.Combine(Path.GetTempPath(), $"exitkit-bench-sql-{size}");
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
            var figures = await ExportBenchmark.ChildAsync(["source-once", "sql", """{"provider": "postgresql", "connectionString": "env:EXITKIT_BENCH_PG"}""", size.ToString(Invariant), folder],
                new Dictionary<string, string> { ["EXITKIT_BENCH_PG"] = connectionString });
            Console.WriteLine(string.Create(Invariant,
                $"| sql (PostgreSQL) | {size:N0} contacts | {figures.Rows:N0} | {figures.Seconds:F1} s | {figures.RowsPerSecond:N0} rows/s | {figures.PeakRssBytes / 1048576.0:N0} MB |"));
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A folder of saved Zendesk responses for N tickets with five comments each, replayed through the zendesk connector.</summary>
    public static async Task ZendeskAsync(int[] sizes)
    {
        foreach (var size in sizes)
        {
            var responses = Path.Combine(Path.GetTempPath(), $"exitkit-bench-zendesk-responses-{size}");
            if (!Directory.Exists(responses))
            {
                ZendeskSavedResponses.Write(responses, size, commentsPerTicket: 5, pageSize: 1000);
            }
            var folder = Path.Combine(Path.GetTempPath(), $"exitkit-bench-zendesk-{size}");
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
            var settings = $$"""{"savedResponsesPath": "{{responses}}"}""";
            // The connector alone (no package) first: its memory apart from the package writer's.
            var alone = await ExportBenchmark.ChildAsync(["source-once", "zendesk", settings, size.ToString(Invariant), folder, "generate"]);
            var figures = await ExportBenchmark.ChildAsync(["source-once", "zendesk", settings, size.ToString(Invariant), folder]);
            Console.WriteLine(string.Create(Invariant,
                $"| zendesk (saved responses) | {size:N0} tickets | {figures.Rows:N0} | {figures.Seconds:F1} s | {figures.RowsPerSecond:N0} rows/s | {figures.PeakRssBytes / 1048576.0:N0} MB | source alone {alone.RowsPerSecond:N0} rows/s, {alone.PeakRssBytes / 1048576.0:N0} MB |"));
            Directory.Delete(folder, recursive: true);
        }
    }

    public static ConnectorPluginChoice Plugin(string name) => name switch
    {
        "sql" => new(new SqlConnectorPlugin()),
        "zendesk" => new(new ZendeskPlugin()),
        _ => new(new ExitKit.Connectors.Sample.SamplePlugin()),
    };

    internal sealed record ConnectorPluginChoice(ExitKit.Connectors.ConnectorPlugin Plugin);

    /// <summary>What one side of the validation benchmark measured in a process of its own.</summary>
    internal sealed record SideFigures(double Seconds, double CpuSeconds, long PeakRssBytes, string Result, long AllocatedBytes = 0, int Gen0 = 0, int Gen1 = 0, int Gen2 = 0,
        double GcPauseSeconds = 0);

    /// <summary>
    /// Validation of a sample package against the demo schedule, and DuckDB computing the same aggregates over the same
    /// files, each in a child process of its own (so peak RSS and CPU time are each side's own), alternately, RUNS times.
    /// </summary>
    public static async Task ValidateAsync(int size, string schedulePath, int runs)
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
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}; package {folder}");
        for (var run = 1; run <= runs; run++)
        {
            var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            var exitKit = await SideAsync(["validate-once", folder, schedulePath]);
            var duck = await SideAsync(["duckdb-validate-once", folder]);
            Console.WriteLine(string.Create(Invariant,
                $"run {run} (load {load}): ExitKit {exitKit.Seconds:F2} s, CPU {exitKit.CpuSeconds:F2} s, peak RSS {exitKit.PeakRssBytes / 1048576.0:N0} MB, " +
                $"{exitKit.AllocatedBytes / 1048576.0:N0} MB allocated, GC {exitKit.Gen0}/{exitKit.Gen1}/{exitKit.Gen2} paused {exitKit.GcPauseSeconds:F2} s ({exitKit.Result}); " +
                $"DuckDB {duck.Seconds:F2} s, CPU {duck.CpuSeconds:F2} s, peak RSS {duck.PeakRssBytes / 1048576.0:N0} MB ({duck.Result}); " +
                $"ratio {exitKit.Seconds / duck.Seconds:F2} (CPU {exitKit.CpuSeconds / duck.CpuSeconds:F2})"));
        }
    }

    private static Task<SideFigures> SideAsync(string[] arguments) => BenchmarkChild.RunAsync<SideFigures>(arguments);

    /// <summary>Child process: one validation, timed from opening the package to the report.</summary>
    public static async Task<SideFigures> ValidateOnceAsync(string folder, string schedulePath)
    {
        var schedule = await ScheduleLoader.LoadAsync(schedulePath);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var report = await Validator.ValidateAsync(new ExitPackageContent(await ExitPackage.OpenAsync(new LocalPackageStore(folder))), schedule);
        watch.Stop();
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return new SideFigures(watch.Elapsed.TotalSeconds, used.TotalSeconds, PeakRss(), $"{report.Counts.Met} met, {report.Counts.NotMet} not met",
            GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration().TotalSeconds);
    }

    /// <summary>Child process: DuckDB computing what the demo schedule's checks compute, timed from opening the connection.</summary>
    public static SideFigures DuckDbOnce(string folder)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var rows = DuckDbAggregates(folder);
        watch.Stop();
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return new SideFigures(watch.Elapsed.TotalSeconds, used.TotalSeconds, PeakRss(), $"{rows} result rows");
    }

    private static long PeakRss()
    {
        var line = File.ReadLines("/proc/self/status").First(line => line.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Invariant) * 1024;
    }

    /// <summary>
    /// What the demo schedule's checks compute, each the cheapest way found: rows per UTC day (coverage,
    /// reconciliation), null counts (from the statistics, as validation does) and allowed-value counts,
    /// the reference anti-joins (with their filters), locales per article, and the files that artefact and original
    /// paths name (against a listing of the package, as validation's file index).
    /// </summary>
    private static long DuckDbAggregates(string package)
    {
        string Table(string name) => $"read_parquet('{package}/data/{name}/*.parquet')";
        // A null reference is not checked (as in validation), so each anti-join reads only the rows that hold one.
        string References(string table, string column, string where = "") =>
            $"(SELECT * FROM {Table(table)} WHERE {column} IS NOT NULL{(where.Length > 0 ? " AND " + where : "")})";
        var files = $"(SELECT substr(file, {package.Length + 2}) AS path FROM glob('{package}/**'))";
        var queries = new[]
        {
            // UTC days as validation counts them; CAST(... AS DATE) would convert each instant through ICU's calendar, 5× slower.
            $"SELECT epoch_ms(started_at) // 86400000 d, count(*) FROM {Table("interactions")} GROUP BY d",
            $"SELECT epoch_ms(sent_at) // 86400000 d, count(*) FROM {Table("messages")} GROUP BY d",
            $"SELECT epoch_ms(joined_at) // 86400000 d, count(*) FROM {Table("participants")} GROUP BY d",
            // Null bodies from the row groups' statistics, as validation takes them, rather than by reading 3.5 GB of text.
            $"SELECT sum(stats_null_count) FROM parquet_metadata('{package}/data/messages/*.parquet') WHERE path_in_schema = 'body'",
            $"SELECT count(*) FILTER (WHERE author_role NOT IN ('customer','agent','bot','system')) FROM {Table("messages")}",
            $"SELECT count(*) FROM {References("messages", "interaction_id")} m ANTI JOIN {Table("interactions")} i ON i.source_id = m.interaction_id",
            $"SELECT count(*) FROM {References("participants", "interaction_id")} m ANTI JOIN {Table("interactions")} i ON i.source_id = m.interaction_id",
            $"SELECT count(*) FROM {References("attachments", "interaction_id")} m ANTI JOIN {Table("interactions")} i ON i.source_id = m.interaction_id",
            $"SELECT count(*) FROM {References("surveys", "interaction_id")} m ANTI JOIN {Table("interactions")} i ON i.source_id = m.interaction_id",
            $"SELECT count(*) FILTER (WHERE artefact_path IS NULL), count(*) FILTER (WHERE artefact_path IS NOT NULL AND f.path IS NULL) FROM {Table("attachments")} a LEFT JOIN {files} f ON f.path = a.artefact_path",
            $"SELECT article_id, bool_or(locale = 'en-gb'), bool_or(locale = 'fr-fr') FROM {Table("kb_articles")} GROUP BY article_id",
            $"SELECT count(*) FROM {References("kb_articles", "section_id")} a ANTI JOIN {Table("kb_sections")} s ON s.source_id = a.section_id",
            $"SELECT count(*) FROM {References("kb_sections", "parent_id")} a ANTI JOIN {Table("kb_sections")} s ON s.source_id = a.parent_id",
            $"SELECT count(*) FROM {References("kb_attachments", "artefact_path")} a ANTI JOIN {files} f ON f.path = a.artefact_path",
            $"SELECT count(*) FROM {References("flows", "original_path")} a ANTI JOIN {files} f ON f.path = a.original_path",
            $"SELECT count(*) FROM {References("flow_edges", "from_node_id")} e ANTI JOIN {Table("flow_nodes")} n ON n.source_id = e.from_node_id",
            $"SELECT count(*) FROM {References("flow_edges", "target_ref", "target_kind = 'queue'")} e ANTI JOIN {Table("queues")} q ON q.source_id = e.target_ref OR q.name = e.target_ref",
            $"SELECT count(*) FROM {References("flow_edges", "target_ref", "target_kind = 'flow'")} e ANTI JOIN {Table("flows")} f ON f.source_id = e.target_ref OR f.name = e.target_ref",
            $"SELECT count(*) FROM {References("training_utterances", "intent_id")} u ANTI JOIN {Table("intents")} i ON i.source_id = u.intent_id",
            $"SELECT count(*) FROM {References("model_files", "artefact_path")} m ANTI JOIN {files} f ON f.path = m.artefact_path",
        };
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        var rows = 0L;
        foreach (var query in queries)
        {
            using var command = connection.CreateCommand();
            command.CommandText = query;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows++;
            }
        }
        return rows;
    }
}
