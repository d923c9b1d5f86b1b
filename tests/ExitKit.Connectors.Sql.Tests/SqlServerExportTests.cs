using ExitKit.Connectors;
using ExitKit.Schema;
using ExitKit.Testing;
using Microsoft.Data.SqlClient;

namespace ExitKit.Connectors.Sql.Tests;

/// <summary>Against a real SQL Server (EXITKIT_TEST_SQLSERVER, a connection string to a database the tests may create tables in).</summary>
/// <remarks>SQL Server cannot run on the project's machines, so these are skipped there; run them against any SQL Server 2019+.</remarks>
public sealed class SqlServerExportTests
{
    private const string Variable = "EXITKIT_TEST_SQLSERVER";

    private static string ConnectionString()
    {
        var connectionString = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(connectionString))
        {
            Assert.Skip($"{Variable} is not set");
        }
        return connectionString;
    }

    [Fact]
    public async Task Export_pages_with_top_and_counts_per_day_on_sql_server()
    {
        var connectionString = ConnectionString();
        var table = "exitkit_contacts_" + Guid.NewGuid().ToString("N")[..8];
        await using (var connection = new SqlConnection(connectionString))
        {
            await connection.OpenAsync(Some.Ct);
            await using var create = connection.CreateCommand();
            create.CommandText = $"""
                CREATE TABLE {table} (contact_id BIGINT PRIMARY KEY, channel NVARCHAR(20) NOT NULL, started_at DATETIME2 NOT NULL, handle_seconds INT, note NVARCHAR(100));
                INSERT INTO {table} VALUES (1, 'chat', '2026-01-01T10:00:00', 60, 'a'), (2, 'voice', '2026-01-01T23:59:00', NULL, NULL), (3, 'email', '2026-01-02T00:00:00', 5, 'c');
                """;
            await create.ExecuteNonQueryAsync(Some.Ct);
        }
        try
        {
            var folder = Some.Folder();
            Some.Mapping(folder, $$"""
                tables:
                  interactions:
                    from: {{table}}
                    key: contact_id
                    columns: { source_id: contact_id, channel: channel, started_at: started_at, duration_seconds: handle_seconds }
                """);
            await using var source = Some.Source(folder,
                new { provider = "sqlserver", connectionString = "env:DB", mapping = "mapping.yaml", batchSize = 2 },
                new Dictionary<string, string> { ["DB"] = connectionString });
            var description = await source.DescribeAsync(ExportRequest.Everything, Some.Ct);
            var interactions = Assert.Single(description.Tables);
            Assert.Equal(3, interactions.ControlTotal);
            Assert.Equal(new Dictionary<DateOnly, long> { [new(2026, 1, 1)] = 2, [new(2026, 1, 2)] = 1 }, interactions.DailyTotals);

            var rows = await Some.ReadAllAsync(source, NeutralSchema.Interactions);
            Assert.Equal(["1", "2", "3"], rows.Select(row => (string)row.Value(NeutralSchema.Interactions, "source_id")!));
            Assert.Equal(new DateTimeOffset(2026, 1, 1, 10, 0, 0, TimeSpan.Zero), rows[0].Value(NeutralSchema.Interactions, "started_at"));
            Assert.Equal(60L, rows[0].Value(NeutralSchema.Interactions, "duration_seconds"));
            Assert.Contains("\"note\":\"a\"", (string)rows[0].Value(NeutralSchema.Interactions, "source_extra")!, StringComparison.Ordinal);
        }
        finally
        {
            await using var connection = new SqlConnection(connectionString);
            await connection.OpenAsync(Some.Ct);
            await using var drop = connection.CreateCommand();
            drop.CommandText = $"DROP TABLE {table}";
            await drop.ExecuteNonQueryAsync(Some.Ct);
        }
    }

    [Fact]
    public async Task Wrong_credentials_on_sql_server_give_a_clear_error_without_the_password()
    {
        var builder = new SqlConnectionStringBuilder(ConnectionString()) { UserID = "exitkit_nobody", Password = "Canary-Pa55word-9d1f", IntegratedSecurity = false, ConnectTimeout = 5 };
        await using var source = Some.Source(Some.Folder(), new { provider = "sqlserver", connectionString = "env:DB", maxRetries = 0 },
            new Dictionary<string, string> { ["DB"] = builder.ConnectionString });
        var error = await Assert.ThrowsAsync<ExitKitException>(() => source.DescribeAsync(ExportRequest.Everything, Some.Ct));
        Assert.Contains("cannot connect to the SQL Server database", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Canary-Pa55word-9d1f", error.ToString(), StringComparison.Ordinal);
    }
}
