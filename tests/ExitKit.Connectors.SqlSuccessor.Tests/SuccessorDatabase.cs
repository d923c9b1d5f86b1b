using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ExitKit.Connectors.SqlSuccessor.Tests;

/// <summary>A private, empty successor database for one test: a SQLite file, or a fresh schema on the test PostgreSQL or SQL Server.</summary>
/// <remarks>PostgreSQL and SQL Server tests skip, saying why, when EXITKIT_TEST_POSTGRES or EXITKIT_TEST_SQLSERVER is not set.</remarks>
public sealed class SuccessorDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "EXITKIT_TEST_POSTGRES";
    public const string SqlServerVariable = "EXITKIT_TEST_SQLSERVER";

    private SuccessorDatabase(string provider, string folder, string schema)
    {
        Provider = provider;
        Folder = folder;
        Schema = schema;
    }

    public string Provider { get; }
    public string Folder { get; }
    public string Schema { get; }
    public string DatabasePath => Path.Combine(Folder, "successor.db");
    public string ConfigPath => Path.Combine(Folder, "successor.json");

    public static SuccessorDatabase Create(string provider)
    {
        var variable = provider switch { "postgresql" => PostgresVariable, "sqlserver" => SqlServerVariable, _ => null };
        if (variable is not null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
        {
            Assert.Skip($"{variable} is not set");
        }
        var folder = Directory.CreateTempSubdirectory("exitkit-successor-").FullName;
        var database = new SuccessorDatabase(provider, folder, "t_" + Guid.NewGuid().ToString("N")[..12]);
        var settings = provider == "sqlite"
            ? new Dictionary<string, string> { ["provider"] = "sqlite", ["databasePath"] = "successor.db" }
            : new Dictionary<string, string> { ["provider"] = provider, ["connectionString"] = "env:" + variable, ["schema"] = database.Schema };
        File.WriteAllText(database.ConfigPath, JsonSerializer.Serialize(settings));
        return database;
    }

    public ConnectorConfiguration Configuration => ConnectorConfiguration.Load(ConfigPath);

    public ISuccessorConnector Connect() => new SqlSuccessorPlugin().CreateSuccessor(Configuration);

    /// <summary>The schema-qualified name of a table, for test SQL.</summary>
    public string Table(string name) => Provider switch
    {
        "sqlite" => $"\"{name}\"",
        "sqlserver" => $"[{Schema}].[{name}]",
        _ => $"\"{Schema}\".\"{name}\"",
    };

    /// <summary>Runs SQL against the successor behind ExitKit's back (what a DBA or a broken process would do).</summary>
    public async Task<object?> ExecuteAsync(string sql)
    {
        await using var connection = Open();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    public async Task<long> CountAsync(string table, string where = "1 = 1") =>
        Convert.ToInt64(await ExecuteAsync($"SELECT COUNT(*) FROM {Table(table)} WHERE {where}"), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>True when the successor holds anything at all: the SQLite file, or the schema.</summary>
    public async Task<bool> ExistsAsync() => Provider switch
    {
        "sqlite" => File.Exists(DatabasePath),
        "postgresql" => Convert.ToInt64(await ExecuteAsync($"SELECT COUNT(*) FROM pg_namespace WHERE nspname = '{Schema}'"), System.Globalization.CultureInfo.InvariantCulture) > 0,
        _ => Convert.ToInt64(await ExecuteAsync($"SELECT COUNT(*) FROM sys.schemas WHERE name = '{Schema}'"), System.Globalization.CultureInfo.InvariantCulture) > 0,
    };

    private DbConnection Open() => Provider switch
    {
        "sqlite" => new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString()),
        "postgresql" => new NpgsqlConnection(Environment.GetEnvironmentVariable(PostgresVariable)),
        _ => new SqlConnection(Environment.GetEnvironmentVariable(SqlServerVariable)),
    };

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Provider == "postgresql")
            {
                await ExecuteAsync($"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE");
            }
            else if (Provider == "sqlserver")
            {
                await ExecuteAsync($"""
                    DECLARE @sql nvarchar(max) = N'';
                    SELECT @sql += N'DROP TABLE [{Schema}].' + QUOTENAME(name) + N';' FROM sys.tables WHERE schema_id = SCHEMA_ID(N'{Schema}');
                    EXEC (@sql);
                    IF SCHEMA_ID(N'{Schema}') IS NOT NULL EXEC (N'DROP SCHEMA [{Schema}]');
                    """);
            }
        }
        finally
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
