using System.Diagnostics;
using System.Globalization;
using ExitKit.Connectors;
using ExitKit.Connectors.Sql.Internal;
using ExitKit.Schema;
using ExitKit.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ExitKit.Connectors.Sql.Tests;

/// <summary>How fast the seeder fills the generic schema, and how fast the connector reads it back (opt-in: EXITKIT_SEED_BENCHMARK_CONTACTS=N).</summary>
public sealed class SeederBenchmarkTests
{
    private const string Variable = "EXITKIT_SEED_BENCHMARK_CONTACTS";

    private static int Contacts()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var contacts) || contacts <= 0)
        {
            Assert.Skip($"{Variable} is not set (a number of contacts, e.g. 20000, to time the seeder and the read)");
        }
        return contacts;
    }

    private static void Report(string what, long rows, long bytes, TimeSpan elapsed) =>
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: {rows:N0} rows, {bytes / 1e6:N1} MB in {elapsed.TotalSeconds:N2} s = {rows / elapsed.TotalSeconds:N0} rows/s, {bytes / 1e6 / elapsed.TotalSeconds:N1} MB/s"));

    [Fact]
    public async Task Seeding_and_reading_sqlite()
    {
        var contacts = Contacts();
        var folder = Some.Folder();
        var seeder = new GenericContactCentreSeeder { Contacts = contacts };
        var watch = Stopwatch.StartNew();
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "vendor.db")};Pooling=False"))
        {
            await connection.OpenAsync(Some.Ct);
            await GenericContactCentre.CreateSchemaAsync(connection, Some.Ct);
            var seeded = await seeder.SeedAsync(connection, Some.Ct);
            Report("SQLite seed (contacts+turns+participants+surveys)", seeded.Contacts + seeded.Turns + seeded.Participants + seeded.Surveys,
                new FileInfo(Path.Combine(folder, "vendor.db")).Length, watch.Elapsed);
        }
        await ReadMessagesAsync("SQLite read messages", Some.Source(folder, new { provider = "sqlite", databasePath = "vendor.db" }), contacts * 5L);
    }

    [Fact]
    public async Task Seeding_and_reading_postgresql()
    {
        var contacts = Contacts();
        var server = Environment.GetEnvironmentVariable(PostgresVendorDatabase.Variable);
        if (string.IsNullOrEmpty(server))
        {
            Assert.Skip($"{PostgresVendorDatabase.Variable} is not set");
        }
        var name = "exitkit_bench_" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync(Some.Ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync(Some.Ct);
        }
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = false }.ConnectionString;
        try
        {
            var watch = Stopwatch.StartNew();
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync(Some.Ct);
                await GenericContactCentre.CreateSchemaAsync(connection, Some.Ct);
                var seeded = await new GenericContactCentreSeeder { Contacts = contacts }.SeedAsync(connection, Some.Ct);
                var elapsed = watch.Elapsed;
                await using var size = new NpgsqlCommand("SELECT pg_database_size(current_database())", connection);
                Report("PostgreSQL seed, binary COPY (contacts+turns+participants+surveys)", seeded.Contacts + seeded.Turns + seeded.Participants + seeded.Surveys,
                    (long)(await size.ExecuteScalarAsync(Some.Ct))!, elapsed);
            }
            await ReadMessagesAsync("PostgreSQL read messages", Some.Source(Some.Folder(), new { provider = "postgresql", connectionString = "env:DB", batchSize = 5000 },
                new Dictionary<string, string> { ["DB"] = connectionString }), contacts * 5L);
        }
        finally
        {
            await using var admin = new NpgsqlConnection(server);
            await admin.OpenAsync(Some.Ct);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync(Some.Ct);
        }
    }

    private static async Task ReadMessagesAsync(string what, SqlSource source, long expected)
    {
        await using var _ = source;
        var watch = Stopwatch.StartNew();
        long rows = 0, bytes = 0;
        await foreach (var row in source.ReadTableAsync(NeutralSchema.Messages, ExportRequest.Everything, null, new RecordingExportContext(), Some.Ct))
        {
            rows++;
            bytes += ((string?)row.Values[NeutralSchema.Messages.OrdinalOf("body")])?.Length ?? 0;
        }
        Report(what + " (body bytes)", rows, bytes, watch.Elapsed);
        Assert.Equal(expected, rows);
    }
}
