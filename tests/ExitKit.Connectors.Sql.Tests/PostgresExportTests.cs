using System.Text;
using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Connectors.Sql.Internal;
using ExitKit.Schema;
using ExitKit.Testing;
using Npgsql;

namespace ExitKit.Connectors.Sql.Tests;

/// <summary>Against a real PostgreSQL server (EXITKIT_TEST_POSTGRES; `bash .ci/test` starts one).</summary>
public sealed class PostgresExportTests(PostgresVendorDatabase database) : IClassFixture<PostgresVendorDatabase>
{
    private const string Password = "Canary-Pa55word-4c7e";

    private static SqlSource Source(string connectionString, object? extra = null, string? mapping = null, int batchSize = 1000, string folder = "")
    {
        var settings = new Dictionary<string, object?>
        {
            ["provider"] = "postgresql",
            ["connectionString"] = "env:VENDOR_DB",
            ["sourceSystem"] = "generic-cc-pg",
            ["batchSize"] = batchSize,
            ["retryDelayMilliseconds"] = 50,
        };
        if (mapping is not null)
        {
            settings["mapping"] = mapping;
        }
        return Some.Source(folder.Length > 0 ? folder : Some.Folder(), settings, new Dictionary<string, string> { ["VENDOR_DB"] = connectionString });
    }

    [Fact]
    public async Task Export_gives_every_mapped_table_with_neutral_types_and_control_totals_per_day()
    {
        database.SkipWhenAbsent();
        var window = new ExportRequest(new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));
        var expected = Enumerable.Range(1, database.Seeder.Contacts).Select(n => database.Seeder.StartOf(n)).Where(window.Contains)
            .GroupBy(instant => DateOnly.FromDateTime(instant.UtcDateTime)).ToDictionary(day => day.Key, day => (long)day.Count());

        await using var source = Source(database.ConnectionString);
        var description = await source.DescribeAsync(window, Some.Ct);
        var interactions = description.Tables.Single(t => t.TableName == "interactions");
        Assert.Equal(expected.Values.Sum(), interactions.ControlTotal);
        Assert.Equal(expected, interactions.DailyTotals);
        Assert.Contains("CAST((started_at) AS date)", interactions.TotalMethod, StringComparison.Ordinal);

        var context = new RecordingExportContext();
        foreach (var described in description.Tables)
        {
            var table = NeutralSchema.Get(described.TableName);
            var rows = await Some.ReadAllAsync(source, table, window, context: context);
            Assert.Equal(described.ControlTotal, rows.Count);
            Assert.All(rows, row => Assert.Null(table.Describe(row.Values)));
            if (described.DailyTotals is { } daily)
            {
                var counted = rows.GroupBy(row => DateOnly.FromDateTime(((DateTimeOffset)row.Value(table, table.TimeColumn!)!).UtcDateTime))
                    .ToDictionary(day => day.Key, day => (long)day.Count());
                Assert.Equal(daily, counted);
            }
        }
        Assert.Empty(context.Problems);

        var contacts = await Some.ReadAllAsync(source, NeutralSchema.Interactions, window);
        var first = contacts[0];
        var number = long.Parse((string)first.Value(NeutralSchema.Interactions, "source_id")!, System.Globalization.CultureInfo.InvariantCulture);
        var started = Assert.IsType<DateTimeOffset>(first.Value(NeutralSchema.Interactions, "started_at"));
        Assert.Equal(database.Seeder.StartOf(number), started);
        Assert.Equal(TimeSpan.Zero, started.Offset);
        Assert.Equal(360L, first.Value(NeutralSchema.Interactions, "duration_seconds"));
        Assert.IsType<string[]>(first.Value(NeutralSchema.Interactions, "tags"));
        Assert.Equal($"s:{number}", first.ResumeCursor);
        using var extra = JsonDocument.Parse((string)first.Value(NeutralSchema.Interactions, "source_extra")!);
        Assert.Equal($"EXT-{number}", extra.RootElement.GetProperty("external_ref").GetString());

        var turns = await Some.ReadAllAsync(source, NeutralSchema.Messages, window);
        Assert.Equal(700, Assert.IsType<string>(turns[0].Value(NeutralSchema.Messages, "body")).Length);
        Assert.IsType<double>(turns[0].Value(NeutralSchema.Messages, "sentiment"));
        Assert.IsType<long>(turns[0].Value(NeutralSchema.Messages, "sequence"));
        Assert.Equal("public", turns[0].Value(NeutralSchema.Messages, "visibility"));

        var queues = await Some.ReadAllAsync(source, NeutralSchema.Queues);
        Assert.Equal(8, queues.Count);
        Assert.Equal("bh1", queues[0].Value(NeutralSchema.Queues, "business_hours_id"));
        Assert.Equal("s:q1", queues[0].ResumeCursor);
    }

    [Fact]
    public async Task Native_postgresql_types_become_neutral_types()
    {
        database.SkipWhenAbsent();
        var folder = Some.Folder();
        Some.Mapping(folder, """
            tables:
              interactions:
                query: |
                  WITH c AS (SELECT * FROM contacts WHERE CAST(contact_id AS bigint) <= 50)
                  SELECT contact_id, CAST(contact_id AS bigint) AS contact_number, channel, started_at AT TIME ZONE 'UTC' AS started_local, string_to_array(tags, ',') AS tag_array,
                         CAST(handle_seconds AS numeric(10, 0)) AS handle, jsonb_build_object('ref', external_ref) AS extra,
                         CAST(contact_id AS numeric) / 4 AS quarter, gen_random_uuid() AS token
                  FROM c
                key: contact_number
                time: started_local
                columns:
                  source_id: contact_id
                  channel: channel
                  started_at: started_local
                  tags: tag_array
                  duration_seconds: handle
                  source_extra: extra
                  subject: quarter
            """);
        await using var source = Source(database.ConnectionString, mapping: "mapping.yaml", folder: folder);
        var description = await source.DescribeAsync(ExportRequest.Everything, Some.Ct);
        Assert.Equal(50, Assert.Single(description.Tables).ControlTotal);
        var context = new RecordingExportContext();
        var rows = await Some.ReadAllAsync(source, NeutralSchema.Interactions, context: context);
        Assert.Empty(context.Problems);
        Assert.Equal(50, rows.Count);
        var second = rows[1];
        Assert.Equal(database.Seeder.StartOf(2), second.Value(NeutralSchema.Interactions, "started_at"));
        Assert.Equal(["billing", "vip"], Assert.IsType<string[]>(second.Value(NeutralSchema.Interactions, "tags")));
        Assert.Equal(360L, second.Value(NeutralSchema.Interactions, "duration_seconds"));
        Assert.Equal("0.50000000000000000000", second.Value(NeutralSchema.Interactions, "subject")); // a numeric keeps its scale as text
        using var extra = JsonDocument.Parse((string)second.Value(NeutralSchema.Interactions, "source_extra")!);
        Assert.Equal("EXT-2", extra.RootElement.GetProperty("ref").GetString());
        Assert.All(rows, row => Assert.Null(NeutralSchema.Interactions.Describe(row.Values)));
    }

    [Fact]
    public async Task A_connection_killed_mid_read_is_retried_and_resumes_after_the_last_key_read()
    {
        database.SkipWhenAbsent();
        var application = "exitkit-kill-" + Guid.NewGuid().ToString("N")[..8];
        // Pooled, as in production: the killed connection must not come back from the pool.
        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = application, Pooling = true }.ConnectionString;
        await using var source = Source(connectionString, batchSize: 2000);

        var ids = new List<string>();
        var killed = 0;
        await foreach (var row in source.ReadTableAsync(NeutralSchema.Messages, ExportRequest.Everything, null, new RecordingExportContext(), Some.Ct))
        {
            ids.Add((string)row.Value(NeutralSchema.Messages, "source_id")!);
            if (ids.Count is 700 or 4100)
            {
                // Mid-page: 2000 rows of ~700 bytes are far more than the driver has buffered.
                killed += await TerminateAsync(application);
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"terminated {killed} backends, reconnected {source.Reconnections} times, read {ids.Count} rows");
        Assert.Equal(2, killed);
        Assert.True(source.Reconnections >= 2, $"expected reconnections after each kill, saw {source.Reconnections}");
        var total = database.Seeded!.Turns;
        Assert.Equal(total, ids.Count);
        Assert.Equal(total, ids.Distinct().LongCount());
        // Identifiers are text: the keyset runs in text order ("1", "10", "100", …), each exactly once.
        Assert.Equal(Enumerable.Range(1, (int)total).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal), ids);
    }

    [Fact]
    public async Task A_read_that_keeps_failing_stops_with_an_error_that_says_it_resumes()
    {
        database.SkipWhenAbsent();
        var application = "exitkit-fail-" + Guid.NewGuid().ToString("N")[..8];
        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = application, Password = Password }.ConnectionString;
        var settings = new Dictionary<string, object?>
        {
            ["provider"] = "postgresql", ["connectionString"] = "env:VENDOR_DB", ["batchSize"] = 2000, ["maxRetries"] = 0,
        };
        await using var source = Some.Source(Some.Folder(), settings, new Dictionary<string, string> { ["VENDOR_DB"] = connectionString });
        var read = 0;
        var error = await Assert.ThrowsAsync<ExitKitException>(async () =>
        {
            await foreach (var _ in source.ReadTableAsync(NeutralSchema.Messages, ExportRequest.Everything, null, new RecordingExportContext(), Some.Ct))
            {
                if (++read == 100)
                {
                    await TerminateAsync(application);
                }
            }
        });
        TestContext.Current.TestOutputHelper?.WriteLine(error.Message);
        Assert.StartsWith("Connector sql: table messages: reading 127.0.0.1:", error.Message, StringComparison.Ordinal);
        Assert.Contains("failed: 57P01: terminating connection", error.Message, StringComparison.Ordinal);
        Assert.Contains("resumes after the last row read", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_early_cancels_the_page_and_closes_the_connection()
    {
        database.SkipWhenAbsent();
        var application = "exitkit-stop-" + Guid.NewGuid().ToString("N")[..8];
        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = application }.ConnectionString;
        await using var source = Source(connectionString, batchSize: 10_000);
        var read = 0;
        await foreach (var row in source.ReadTableAsync(NeutralSchema.Messages, ExportRequest.Everything, null, new RecordingExportContext(), Some.Ct))
        {
            if (++read == 10)
            {
                break;
            }
        }
        Assert.Equal(10, read);
        // The server ends a closed connection's backend asynchronously: give it a moment before counting.
        var backends = await BackendsAsync(application);
        for (var attempt = 0; attempt < 50 && backends > 0; attempt++)
        {
            await Task.Delay(100, Some.Ct);
            backends = await BackendsAsync(application);
        }
        Assert.Equal(0, backends);
        Assert.Equal(0, source.Reconnections);
    }

    private async Task<long> BackendsAsync(string application)
    {
        await using var admin = new NpgsqlConnection(database.ServerConnectionString);
        await admin.OpenAsync(Some.Ct);
        await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = @app", admin);
        count.Parameters.AddWithValue("app", application);
        return (long)(await count.ExecuteScalarAsync(Some.Ct))!;
    }

    private async Task<int> TerminateAsync(string application)
    {
        await using var admin = new NpgsqlConnection(database.ServerConnectionString);
        await admin.OpenAsync(Some.Ct);
        await using var kill = new NpgsqlCommand(
            "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = @app AND pid <> pg_backend_pid()) AS killed", admin);
        kill.Parameters.AddWithValue("app", application);
        return (int)(long)(await kill.ExecuteScalarAsync(Some.Ct))!;
    }

    [Fact]
    public async Task Wrong_credentials_give_a_clear_error_without_the_password()
    {
        database.SkipWhenAbsent();
        var user = Environment.GetEnvironmentVariable("EXITKIT_TEST_POSTGRES_PASSWORD_USER") ?? "exitkit_pw";
        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = user, Password = Password }.ConnectionString;
        await using var source = Source(connectionString);

        var error = await Assert.ThrowsAsync<ExitKitException>(() => source.DescribeAsync(ExportRequest.Everything, Some.Ct));
        TestContext.Current.TestOutputHelper?.WriteLine(error.Message);
        Assert.Equal(FailureKind.UnusableInput, error.Kind);
        Assert.StartsWith("Connector sql: cannot connect to the PostgreSQL database", error.Message, StringComparison.Ordinal);
        Assert.Contains($"as user '{user}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("password authentication failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("'env:VENDOR_DB'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);

        var read = await Assert.ThrowsAsync<ExitKitException>(() => Some.ReadAllAsync(source, NeutralSchema.Interactions));
        Assert.DoesNotContain(Password, read.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_password_appears_in_no_row_problem_original_or_error()
    {
        database.SkipWhenAbsent();
        // The test user logs in by trust, so the password is carried but never checked: the export runs through.
        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Password = Password }.ConnectionString;
        var seen = new StringBuilder();
        var context = new RecordingExportContext();
        await using (var source = Source(connectionString))
        {
            var description = await source.DescribeAsync(ExportRequest.Everything, Some.Ct);
            seen.Append(JsonSerializer.Serialize(description));
            await source.ExportOriginalsAsync(ExportRequest.Everything, context, Some.Ct);
            foreach (var table in description.Tables)
            {
                await foreach (var row in source.ReadTableAsync(NeutralSchema.Get(table.TableName), ExportRequest.Everything, null, context, Some.Ct))
                {
                    seen.Append(JsonSerializer.Serialize(row.Values)).Append(row.ResumeCursor);
                }
            }
        }
        foreach (var original in context.Originals)
        {
            seen.Append(original.Key).Append(Encoding.UTF8.GetString(original.Value));
        }
        seen.Append(JsonSerializer.Serialize(context.Problems));

        var folder = Some.Folder();
        Some.Mapping(folder, """
            tables:
              queues:
                from: queues
                key: queue_id
                columns: { source_id: queue_id, name: no_such_column }
            """);
        await using (var broken = Source(connectionString, mapping: "mapping.yaml", folder: folder))
        {
            var error = await Assert.ThrowsAsync<ExitKitException>(() => broken.DescribeAsync(ExportRequest.Everything, Some.Ct));
            TestContext.Current.TestOutputHelper?.WriteLine(error.Message);
            Assert.Contains("mapping.yaml:5:43", error.Message, StringComparison.Ordinal);
            Assert.Contains("no_such_column", error.Message, StringComparison.Ordinal);
            seen.Append(error);
        }

        Assert.True(seen.Length > 100_000, "the export produced output to search");
        Assert.DoesNotContain(Password, seen.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_connection_is_opened_read_only()
    {
        database.SkipWhenAbsent();
        await using var source = Source(database.ConnectionString);
        await using var connection = await source.OpenAsync(Some.Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE contacts SET status = 'tampered' WHERE contact_id = '1'";
        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync(Some.Ct));
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, error.SqlState);
    }

    [Fact]
    public async Task A_mapping_naming_a_missing_table_fails_at_describe_naming_the_mapping_line()
    {
        database.SkipWhenAbsent();
        var folder = Some.Folder();
        Some.Mapping(folder, """
            vendor: Acme CC
            tables:
              surveys:
                from: csat_responsez
                key: response_id
                columns: { source_id: response_id, survey_type: survey_type, answered_at: answered_at }
            """);
        await using var source = Source(database.ConnectionString, mapping: "mapping.yaml", folder: folder);
        var error = await Assert.ThrowsAsync<ExitKitException>(() => source.DescribeAsync(ExportRequest.Everything, Some.Ct));
        TestContext.Current.TestOutputHelper?.WriteLine(error.Message);
        Assert.Contains("mapping.yaml:4:11", error.Message, StringComparison.Ordinal);
        Assert.Contains("42P01", error.Message, StringComparison.Ordinal); // undefined_table
    }
}
