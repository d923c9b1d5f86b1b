using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Connectors.Sql;
using ExitKit.Connectors.Sql.Internal;
using ExitKit.Schema;
using ExitKit.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

[assembly: AssemblyFixture(typeof(ExitKit.Connectors.Sql.Tests.TestFolders))]

namespace ExitKit.Connectors.Sql.Tests;

/// <summary>The run's temporary folders, under one root that is removed when the run ends.</summary>
public sealed class TestFolders : IDisposable
{
    public static string Root { get; } = Path.Combine(Path.GetTempPath(), "exitkit-sql-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow file system stays behind in the temp folder; nothing depends on it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Builds sources from settings as a config file would hold them, and reads tables to the end.</summary>
internal static class Some
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A fresh folder for a test's config, mapping and database files.</summary>
    public static string Folder()
    {
        var folder = Path.Combine(TestFolders.Root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>A source made by the plugin from settings, as if read from <c>{folder}/config.json</c>.</summary>
    public static SqlSource Source(string folder, object settings, IReadOnlyDictionary<string, string>? environment = null)
    {
        var configuration = new ConnectorConfiguration(JsonSerializer.SerializeToElement(settings), Path.Combine(folder, "config.json"),
            name => environment is not null && environment.TryGetValue(name, out var value) ? value : null);
        return (SqlSource)new SqlConnectorPlugin().CreateSource(configuration);
    }

    public static async Task<List<SourceRow>> ReadAllAsync(ISourceConnector source, TableSchema table, ExportRequest? request = null,
        string? resumeAfter = null, RecordingExportContext? context = null)
    {
        var rows = new List<SourceRow>();
        await foreach (var row in source.ReadTableAsync(table, request ?? ExportRequest.Everything, resumeAfter, context ?? new RecordingExportContext(), Ct))
        {
            rows.Add(row);
        }
        return rows;
    }

    public static object? Value(this SourceRow row, TableSchema table, string column) => row.Values[table.OrdinalOf(column)];

    /// <summary>Writes a mapping file into the folder and returns its path.</summary>
    public static string Mapping(string folder, string yaml, string name = "mapping.yaml")
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, yaml);
        return path;
    }
}

/// <summary>A SQLite file with the generic contact-centre schema, seeded.</summary>
internal sealed class SqliteVendorDatabase
{
    private SqliteVendorDatabase(string folder, string path, GenericContactCentreSeeder seeder, GenericContactCentreSeedResult seeded)
    {
        Folder = folder;
        Path = path;
        Seeder = seeder;
        Seeded = seeded;
    }

    public string Folder { get; }

    public string Path { get; }

    public GenericContactCentreSeeder Seeder { get; }

    public GenericContactCentreSeedResult Seeded { get; }

    public static async Task<SqliteVendorDatabase> CreateAsync(int contacts = 300)
    {
        var folder = Some.Folder();
        var path = System.IO.Path.Combine(folder, "vendor.db");
        var seeder = new GenericContactCentreSeeder { Contacts = contacts, BodyBytes = 120 };
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ConnectionString);
        await connection.OpenAsync(Some.Ct);
        await GenericContactCentre.CreateSchemaAsync(connection, Some.Ct);
        var seeded = await seeder.SeedAsync(connection, Some.Ct);
        return new SqliteVendorDatabase(folder, path, seeder, seeded);
    }

    public SqlSource Source(string? mapping = null, int batchSize = 1000) =>
        Some.Source(Folder, mapping is null
            ? new { provider = "sqlite", databasePath = "vendor.db", sourceSystem = "generic-cc", batchSize }
            : new { provider = "sqlite", databasePath = "vendor.db", sourceSystem = "generic-cc", batchSize, mapping });

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ConnectionString);
        await connection.OpenAsync(Some.Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Some.Ct);
    }

    public async Task<long> CountAsync(string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ConnectionString);
        await connection.OpenAsync(Some.Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync(Some.Ct))!;
    }
}

/// <summary>A PostgreSQL database of its own on the test server (EXITKIT_TEST_POSTGRES), with the generic schema seeded.</summary>
public sealed class PostgresVendorDatabase : IAsyncLifetime
{
    public const string Variable = "EXITKIT_TEST_POSTGRES";
    private readonly string? _server = Environment.GetEnvironmentVariable(Variable);
    private readonly string _name = "exitkit_sql_" + Guid.NewGuid().ToString("N")[..12];

    public GenericContactCentreSeeder Seeder { get; } = new() { Contacts = 2000 };

    public GenericContactCentreSeedResult? Seeded { get; private set; }

    /// <summary>The connection string of the test database (trust authentication, no password).</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder(_server) { Database = _name, Pooling = false }.ConnectionString;

    public string ServerConnectionString => _server!;

    /// <summary>Skips the test when no PostgreSQL server was given.</summary>
    public void SkipWhenAbsent()
    {
        if (string.IsNullOrEmpty(_server))
        {
            Assert.Skip($"{Variable} is not set (`bash .ci/test` starts a local PostgreSQL; or run `bash .ci/services/postgresql.sh /tmp` and export what it writes to /tmp/env)");
        }
    }

    public async ValueTask InitializeAsync()
    {
        if (string.IsNullOrEmpty(_server))
        {
            return;
        }
        await using (var admin = new NpgsqlConnection(_server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {_name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await GenericContactCentre.CreateSchemaAsync(connection);
        Seeded = await Seeder.SeedAsync(connection);
    }

    public async ValueTask DisposeAsync()
    {
        if (string.IsNullOrEmpty(_server))
        {
            return;
        }
        await using var admin = new NpgsqlConnection(_server);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
