using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Schema;
using ExitKit.Testing;
using Microsoft.Data.Sqlite;

namespace ExitKit.Connectors.Sql.Tests;

public sealed class SqliteExportTests
{
    private static readonly DateTimeOffset Day1 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Export_gives_every_mapped_table_with_neutral_types()
    {
        var database = await SqliteVendorDatabase.CreateAsync();
        await using var source = database.Source();
        var description = await source.DescribeAsync(ExportRequest.Everything, Some.Ct);
        Assert.Equal("generic-cc", description.SourceSystem);
        Assert.Equal("Generic contact centre", description.Vendor);

        var context = new RecordingExportContext();
        foreach (var described in description.Tables)
        {
            var table = NeutralSchema.Get(described.TableName);
            var rows = await Some.ReadAllAsync(source, table, context: context);
            Assert.Equal(described.ControlTotal, rows.Count);
            Assert.All(rows, row => Assert.Null(table.Describe(row.Values)));
            Assert.All(rows, row => Assert.Equal("generic-cc", row.Value(table, "source_system")));
            Assert.Equal(rows.Count, rows.Select(row => row.Value(table, "source_id")).Distinct().Count());
        }
        Assert.Empty(context.Problems);
        Assert.Equal(300, description.Tables.Single(t => t.TableName == "interactions").ControlTotal);
        Assert.Equal(1500, description.Tables.Single(t => t.TableName == "messages").ControlTotal);
        Assert.Null(description.Tables.Single(t => t.TableName == "queues").DailyTotals);

        var interactions = await Some.ReadAllAsync(source, NeutralSchema.Interactions);
        var tenth = interactions.Single(row => (string?)row.Value(NeutralSchema.Interactions, "source_id") == "10");
        Assert.Equal("voice", tenth.Value(NeutralSchema.Interactions, "channel"));
        Assert.Equal("outbound", tenth.Value(NeutralSchema.Interactions, "direction"));
        var started = Assert.IsType<DateTimeOffset>(tenth.Value(NeutralSchema.Interactions, "started_at"));
        Assert.Equal(database.Seeder.StartOf(10), started);
        Assert.Equal(TimeSpan.Zero, started.Offset);
        Assert.Equal(360L, tenth.Value(NeutralSchema.Interactions, "duration_seconds"));
        Assert.Equal(["billing", "vip"], Assert.IsType<string[]>(tenth.Value(NeutralSchema.Interactions, "tags")));
        Assert.Equal("resolved", tenth.Value(NeutralSchema.Interactions, "disposition"));
        using (var extra = JsonDocument.Parse((string)tenth.Value(NeutralSchema.Interactions, "source_extra")!))
        {
            Assert.Equal("EXT-10", extra.RootElement.GetProperty("external_ref").GetString());
            Assert.False(extra.RootElement.TryGetProperty("channel", out _), "mapped columns are not repeated in source_extra");
        }
        Assert.Equal("s:10", tenth.ResumeCursor); // identifiers are text in the generic schema

        var messages = await Some.ReadAllAsync(source, NeutralSchema.Messages);
        var first = messages[0];
        Assert.Equal("1", first.Value(NeutralSchema.Messages, "interaction_id"));
        Assert.Equal(1L, first.Value(NeutralSchema.Messages, "sequence"));
        Assert.Equal("public", first.Value(NeutralSchema.Messages, "visibility"));
        Assert.Equal(-0.25, first.Value(NeutralSchema.Messages, "sentiment"));
        Assert.Equal(120, Assert.IsType<string>(first.Value(NeutralSchema.Messages, "body")).Length);

        var articles = await Some.ReadAllAsync(source, NeutralSchema.KbArticles);
        var article = articles[0];
        Assert.Equal("art1/en-us/1", article.Value(NeutralSchema.KbArticles, "source_id"));
        Assert.Equal(1L, article.Value(NeutralSchema.KbArticles, "version"));
        Assert.Equal(["howto", "faq"], Assert.IsType<string[]>(article.Value(NeutralSchema.KbArticles, "labels")));
        using (var extra = JsonDocument.Parse((string)article.Value(NeutralSchema.KbArticles, "source_extra")!))
        {
            Assert.Equal(1, extra.RootElement.GetProperty("revision_id").GetInt64());
            Assert.Equal(10, extra.RootElement.GetProperty("view_count").GetInt64());
        }
    }

    [Fact]
    public async Task Control_totals_count_each_table_and_each_utc_day_of_the_window()
    {
        var database = await SqliteVendorDatabase.CreateAsync();
        var window = new ExportRequest(Day1.AddHours(12), Day1.AddDays(1).AddHours(6));
        var expected = Enumerable.Range(1, 300).Select(n => database.Seeder.StartOf(n)).Where(window.Contains)
            .GroupBy(instant => DateOnly.FromDateTime(instant.UtcDateTime)).ToDictionary(day => day.Key, day => (long)day.Count());
        Assert.Equal(2, expected.Count);

        await using var source = database.Source();
        var description = await source.DescribeAsync(window, Some.Ct);
        var interactions = description.Tables.Single(t => t.TableName == "interactions");
        Assert.Equal(expected.Values.Sum(), interactions.ControlTotal);
        Assert.Equal(expected, interactions.DailyTotals);
        Assert.StartsWith("SELECT COUNT(*) FROM contacts", interactions.TotalMethod, StringComparison.Ordinal);
        Assert.Contains("date(started_at)", interactions.TotalMethod, StringComparison.Ordinal);

        var rows = await Some.ReadAllAsync(source, NeutralSchema.Interactions, window);
        Assert.Equal(interactions.ControlTotal, rows.Count);
        Assert.All(rows, row => Assert.True(window.Contains((DateTimeOffset)row.Value(NeutralSchema.Interactions, "started_at")!)));

        var messages = description.Tables.Single(t => t.TableName == "messages");
        Assert.Equal(messages.ControlTotal, (await Some.ReadAllAsync(source, NeutralSchema.Messages, window)).Count);
        Assert.Equal(messages.ControlTotal, messages.DailyTotals!.Values.Sum());
    }

    [Fact]
    public async Task Export_resumes_from_saved_cursor_without_duplicates()
    {
        var database = await SqliteVendorDatabase.CreateAsync();
        await using var source = database.Source(batchSize: 40);
        var context = new RecordingExportContext();

        var before = new List<SourceRow>();
        await foreach (var row in source.ReadTableAsync(NeutralSchema.Messages, ExportRequest.Everything, null, context, Some.Ct))
        {
            before.Add(row);
            if (before.Count == 123)
            {
                break; // as if the export crashed here, mid-page
            }
        }
        var after = await Some.ReadAllAsync(source, NeutralSchema.Messages, resumeAfter: before[^1].ResumeCursor, context: context);

        var ids = before.Concat(after).Select(row => (string)row.Value(NeutralSchema.Messages, "source_id")!).ToList();
        Assert.Equal(1500, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 1500).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(), ids.Order());
    }

    [Fact]
    public async Task A_cursor_this_connector_did_not_write_is_refused()
    {
        var database = await SqliteVendorDatabase.CreateAsync(contacts: 2);
        await using var source = database.Source();
        var error = await Assert.ThrowsAsync<ExitKitException>(() => Some.ReadAllAsync(source, NeutralSchema.Interactions, resumeAfter: "page=7"));
        Assert.Contains("resume cursor 'page=7' was not written by this connector", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mapping_naming_a_missing_table_fails_at_describe_naming_the_mapping_line()
    {
        var database = await SqliteVendorDatabase.CreateAsync(contacts: 5);
        Some.Mapping(database.Folder, """
            tables:
              interactions:
                from: contactz
                key: contact_id
                columns: { source_id: contact_id, channel: channel, started_at: started_at }
            """);
        await using var source = database.Source("mapping.yaml");
        var error = await Assert.ThrowsAsync<ExitKitException>(() => source.DescribeAsync(ExportRequest.Everything, Some.Ct));
        Assert.Contains("mapping.yaml:3:11", error.Message, StringComparison.Ordinal);
        Assert.Contains("'contactz' cannot be read", error.Message, StringComparison.Ordinal);
        Assert.Contains("no such table", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mapping_naming_a_missing_column_fails_at_describe_naming_the_mapping_line()
    {
        var database = await SqliteVendorDatabase.CreateAsync(contacts: 5);
        Some.Mapping(database.Folder, """
            tables:
              interactions:
                from: contacts
                key: contact_id
                columns:
                  source_id: contact_id
                  channel: chanel
                  started_at: started_at
            """);
        await using var source = database.Source("mapping.yaml");
        var error = await Assert.ThrowsAsync<ExitKitException>(() => source.DescribeAsync(ExportRequest.Everything, Some.Ct));
        Assert.Contains("mapping.yaml:7:16", error.Message, StringComparison.Ordinal);
        Assert.Contains("column channel: 'chanel'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_connection_is_opened_read_only()
    {
        var database = await SqliteVendorDatabase.CreateAsync(contacts: 5);
        await using var source = database.Source();
        await using var connection = await source.OpenAsync(Some.Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM contacts";
        var error = await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync(Some.Ct));
        Assert.Contains("readonly", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(5, await database.CountAsync("SELECT COUNT(*) FROM contacts"));
    }

    [Fact]
    public async Task A_mapping_whose_query_writes_is_refused_and_the_database_is_untouched()
    {
        var database = await SqliteVendorDatabase.CreateAsync(contacts: 5);
        Some.Mapping(database.Folder, """
            tables:
              interactions:
                query: |
                  SELECT * FROM contacts;
                  DELETE FROM contacts
                key: contact_id
                columns: { source_id: contact_id, channel: channel, started_at: started_at }
            """);
        var error = Assert.Throws<ExitKitException>(() => database.Source("mapping.yaml"));
        Assert.Contains("mapping.yaml:3:12", error.Message, StringComparison.Ordinal);
        Assert.Contains("more than one statement", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, await database.CountAsync("SELECT COUNT(*) FROM contacts"));
    }

    [Fact]
    public async Task Values_that_do_not_convert_are_reported_never_dropped_silently()
    {
        var database = await SqliteVendorDatabase.CreateAsync(contacts: 4);
        await database.ExecuteAsync("UPDATE contacts SET started_at = 'not a date' WHERE contact_id = 2");
        Some.Mapping(database.Folder, """
            tables:
              interactions:
                from: contacts
                key: contact_id
                columns:
                  source_id: contact_id
                  channel: channel
                  started_at: started_at
                  duration_seconds: subject
            """);
        await using var source = database.Source("mapping.yaml");
        var context = new RecordingExportContext();
        var rows = await Some.ReadAllAsync(source, NeutralSchema.Interactions, context: context);

        Assert.Equal(["1", "3", "4"], rows.Select(row => (string)row.Value(NeutralSchema.Interactions, "source_id")!));
        Assert.All(rows, row => Assert.Null(row.Value(NeutralSchema.Interactions, "duration_seconds")));
        var missing = Assert.Single(context.Problems, problem => problem.Kind == ProblemKind.Missing);
        Assert.Equal(("interactions", "2"), (missing.Table, missing.Subject));
        Assert.Contains("started_at is required", missing.Reason, StringComparison.Ordinal);
        Assert.Equal(4, context.Problems.Count(problem => problem.Kind == ProblemKind.Degraded && problem.Reason.Contains("duration_seconds", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Personal_columns_are_pseudonymised_when_the_export_asks()
    {
        var database = await SqliteVendorDatabase.CreateAsync(contacts: 3);
        await using var source = database.Source();
        var context = new RecordingExportContext(value => value is null ? null : "h:" + value.Length);
        var rows = await Some.ReadAllAsync(source, NeutralSchema.Interactions, context: context);
        Assert.All(rows, row => Assert.StartsWith("h:", (string)row.Value(NeutralSchema.Interactions, "customer_id")!, StringComparison.Ordinal));
        Assert.All(rows, row => Assert.StartsWith("h:", (string)row.Value(NeutralSchema.Interactions, "agent_id")!, StringComparison.Ordinal));
        Assert.All(rows, row => Assert.Equal("en", row.Value(NeutralSchema.Interactions, "language")));
    }

    [Fact]
    public async Task The_mapping_is_kept_byte_exact_as_an_original()
    {
        var database = await SqliteVendorDatabase.CreateAsync(contacts: 1);
        await using var source = database.Source();
        var context = new RecordingExportContext();
        await source.ExportOriginalsAsync(ExportRequest.Everything, context, Some.Ct);
        var shipped = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "mappings", "generic-contact-centre.yaml"), Some.Ct);
        Assert.Equal(shipped, context.Originals["sql/mapping/generic-contact-centre.yaml"]);
    }

    [Fact]
    public void Settings_that_cannot_work_are_refused_without_echoing_a_secret()
    {
        var folder = Some.Folder();
        var noProvider = Assert.Throws<ExitKitException>(() => Some.Source(folder, new { databasePath = "x.db" }));
        Assert.Contains("setting 'provider' is missing", noProvider.Message, StringComparison.Ordinal);

        var literal = Assert.Throws<ExitKitException>(() => Some.Source(folder,
            new { provider = "postgresql", connectionString = "Host=db;Username=u;Password=hunter2-literal" }));
        Assert.Contains("must be a secret reference", literal.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-literal", literal.ToString(), StringComparison.Ordinal);

        var unparsable = Assert.Throws<ExitKitException>(() => Some.Source(folder,
            new { provider = "postgresql", connectionString = "env:DB" }, new Dictionary<string, string> { ["DB"] = "Host=db;Pasword=hunter2-typo" }));
        Assert.Contains("'env:DB' cannot be parsed", unparsable.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-typo", unparsable.ToString(), StringComparison.Ordinal);

        var missingFile = Assert.Throws<ExitKitException>(() => Some.Source(folder, new { provider = "sqlite", databasePath = "absent.db" }));
        Assert.Contains("absent.db' does not exist", missingFile.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_become_artefacts_definitions_become_originals_and_boolean_extras_stay_booleans()
    {
        var database = await SqliteVendorDatabase.CreateAsync(contacts: 3);
        var recording = "RIFF fake recording"u8.ToArray();
        await database.ExecuteAsync($$"""
            INSERT INTO contact_attachments (attachment_id, contact_id, turn_id, kind, file_name, media_type, content, created_at) VALUES
              ('a1', '1', '1', 'recording', 'call.wav', 'audio/wav', X'{{Convert.ToHexString(recording)}}', '2026-01-01T00:01:00Z'),
              ('a2', '2', NULL, 'attachment', 'note.txt', 'text/plain', 'plain text', '2026-01-01T00:08:00Z'),
              ('a3', '3', NULL, 'attachment', 'lost.pdf', 'application/pdf', NULL, '2026-01-01T00:15:00Z');
            INSERT INTO ivr_flows (flow_id, name, definition_format, definition_file, definition) VALUES
              ('f1', 'Main', 'acme-json', 'flows/main.json', '{"start":"a"}'),
              ('f2', 'Sneaky', 'acme-json', '../escape.json', '{}'),
              ('f3', 'No document', 'acme-json', NULL, NULL);
            UPDATE contacts SET csat_requested = 1, wrap_up_seconds = 30 WHERE contact_id = '1';
            UPDATE contacts SET csat_requested = 0 WHERE contact_id = '2';
            """);
        await using var source = database.Source();
        var context = new RecordingExportContext();

        var attachments = (await Some.ReadAllAsync(source, NeutralSchema.Attachments, context: context))
            .ToDictionary(row => (string)row.Value(NeutralSchema.Attachments, "source_id")!);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(recording));
        Assert.Equal(sha, attachments["a1"].Value(NeutralSchema.Attachments, "sha256"));
        Assert.Equal((long)recording.Length, attachments["a1"].Value(NeutralSchema.Attachments, "size_bytes"));
        Assert.Equal($"data/artefacts/{sha[..2]}/{sha}", attachments["a1"].Value(NeutralSchema.Attachments, "artefact_path"));
        Assert.Equal(recording, context.Artefacts[sha]);
        var text = (string)attachments["a2"].Value(NeutralSchema.Attachments, "sha256")!;
        Assert.Equal("plain text"u8.ToArray(), context.Artefacts[text]); // a text column's file is its UTF-8
        Assert.Null(attachments["a3"].Value(NeutralSchema.Attachments, "sha256")); // no file: the row says so
        Assert.Null(attachments["a1"].Value(NeutralSchema.Attachments, "source_extra")); // the content column is not repeated

        var flows = (await Some.ReadAllAsync(source, NeutralSchema.Flows, context: context))
            .ToDictionary(row => (string)row.Value(NeutralSchema.Flows, "source_id")!);
        Assert.Equal("data/originals/generic-cc/flows/main.json", flows["f1"].Value(NeutralSchema.Flows, "original_path"));
        Assert.Equal("""{"start":"a"}"""u8.ToArray(), context.Originals["generic-cc/flows/main.json"]);
        Assert.Null(flows["f2"].Value(NeutralSchema.Flows, "original_path"));
        Assert.Null(flows["f3"].Value(NeutralSchema.Flows, "original_path"));
        var problem = Assert.Single(context.Problems);
        Assert.Equal(("flows", "f2", ProblemKind.Degraded), (problem.Table, problem.Subject, problem.Kind));
        Assert.Contains("'../escape.json'", problem.Reason, StringComparison.Ordinal);

        var interactions = (await Some.ReadAllAsync(source, NeutralSchema.Interactions))
            .ToDictionary(row => (string)row.Value(NeutralSchema.Interactions, "source_id")!, row => (string?)row.Value(NeutralSchema.Interactions, "source_extra"));
        Assert.Equal("""{"external_ref":"EXT-1","csat_requested":true,"wrap_up_seconds":30}""", interactions["1"]);
        Assert.Equal("""{"external_ref":"EXT-2","csat_requested":false}""", interactions["2"]);
        var messages = await Some.ReadAllAsync(source, NeutralSchema.Messages);
        Assert.All(messages, row => Assert.Null(row.Value(NeutralSchema.Messages, "source_extra"))); // is_public is read by the visibility expression
    }
}
