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

    /// <summary>Validation of a sample package against the demo schedule, and DuckDB computing the same aggregates over the same files.</summary>
    public static async Task ValidateAsync(int size, string schedulePath)
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
        var schedule = await ScheduleLoader.LoadAsync(schedulePath);
        var watch = Stopwatch.StartNew();
        var report = await Validator.ValidateAsync(new ExitPackageContent(await ExitPackage.OpenAsync(new LocalPackageStore(folder))), schedule);
        var validate = watch.Elapsed.TotalSeconds;
        watch.Restart();
        var duckRows = DuckDbAggregates(folder);
        var duck = watch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(Invariant,
            $"validate {size:N0} interactions against {Path.GetFileName(schedulePath)}: {report.Counts.Met} met, {report.Counts.NotMet} not met in {validate:F1} s; DuckDB, same aggregates ({duckRows} result rows): {duck:F1} s; ratio {validate / duck:F2}"));
    }

    /// <summary>What the demo schedule's checks compute: rows per day, null counts, and the reference anti-joins.</summary>
    private static long DuckDbAggregates(string package)
    {
        string Table(string name) => $"read_parquet('{package}/data/{name}/*.parquet')";
        var queries = new[]
        {
            $"SELECT CAST(started_at AS DATE) d, count(*) FROM {Table("interactions")} GROUP BY d",
            $"SELECT CAST(sent_at AS DATE) d, count(*) FROM {Table("messages")} GROUP BY d",
            $"SELECT CAST(joined_at AS DATE) d, count(*) FROM {Table("participants")} GROUP BY d",
            $"SELECT count(*) FILTER (WHERE body IS NULL), count(*) FILTER (WHERE author_role NOT IN ('customer','agent','bot','system')) FROM {Table("messages")}",
            $"SELECT count(*) FROM {Table("messages")} m ANTI JOIN {Table("interactions")} i ON i.source_id = m.interaction_id",
            $"SELECT count(*) FROM {Table("participants")} m ANTI JOIN {Table("interactions")} i ON i.source_id = m.interaction_id",
            $"SELECT count(*) FROM {Table("attachments")} m ANTI JOIN {Table("interactions")} i ON i.source_id = m.interaction_id",
            $"SELECT count(*) FROM {Table("surveys")} m ANTI JOIN {Table("interactions")} i ON i.source_id = m.interaction_id",
            $"SELECT count(*) FROM {Table("kb_articles")} a ANTI JOIN {Table("kb_sections")} s ON s.source_id = a.section_id",
            $"SELECT count(*) FROM {Table("training_utterances")} u ANTI JOIN {Table("intents")} i ON i.source_id = u.intent_id",
            $"SELECT count(*) FROM {Table("flow_edges")} e ANTI JOIN {Table("flow_nodes")} n ON n.source_id = e.from_node_id",
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
