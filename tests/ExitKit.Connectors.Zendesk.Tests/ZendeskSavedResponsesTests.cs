using System.Text;
using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Schema;
using ExitKit.Testing;

namespace ExitKit.Connectors.Zendesk.Tests;

public sealed class ZendeskSavedResponsesTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "exitkit-zendesk-" + Guid.NewGuid().ToString("N"));

    public ZendeskSavedResponsesTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly string[] SampleFolders = ["interactions/zendesk-api", "routing/zendesk", "knowledge/zendesk-help-center"];

    private static ISourceConnector Saved(string folder, string? accountName = null)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, string?> { ["savedResponsesPath"] = folder, ["accountName"] = accountName });
        using var document = JsonDocument.Parse(json);
        return new ZendeskPlugin().CreateSource(new ConnectorConfiguration(document.RootElement.Clone(), Path.Combine(folder, "config.json")));
    }

    private void Write(string relative, string content)
    {
        var path = Path.Combine(_folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    [Fact]
    public async Task Saved_responses_replay_gives_the_same_rows_as_the_api()
    {
        await using var account = new FakeZendeskAccount();
        var apiContext = new RecordingExportContext();
        Dictionary<string, List<object?[]>> fromApi;
        await using (var api = account.CreateSource(""", "accountName": "acme" """))
        {
            fromApi = await Export.ReadEverythingAsync(api, apiContext);
        }
        // An earlier run's originals, as a folder; attachment bytes it downloaded beside them under files/<id>/<name>.
        foreach (var (path, bytes) in apiContext.Originals)
        {
            var target = Path.Combine(_folder, path["zendesk/api/".Length..]);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await File.WriteAllBytesAsync(target, bytes, TestContext.Current.CancellationToken);
        }
        Write("files/501/log.txt", Encoding.UTF8.GetString(FakeZendeskAccount.LogFile));
        Directory.CreateDirectory(Path.Combine(_folder, "files", "8001"));
        await File.WriteAllBytesAsync(Path.Combine(_folder, "files", "8001", "diagram.png"), FakeZendeskAccount.Diagram, TestContext.Current.CancellationToken);

        var savedContext = new RecordingExportContext();
        await using var saved = Saved(_folder, "acme");
        var fromSaved = await Export.ReadEverythingAsync(saved, savedContext);
        var savedDescription = await saved.DescribeAsync(ExportRequest.Everything, TestContext.Current.CancellationToken);
        Assert.Equal(4, savedDescription.Tables.Single(t => t.TableName == "interactions").ControlTotal);

        Assert.Equal(fromApi.Keys.Order(StringComparer.Ordinal), fromSaved.Keys.Order(StringComparer.Ordinal));
        foreach (var (table, rows) in fromApi)
        {
            var expected = rows.Select(Export.Text).Order(StringComparer.Ordinal).ToList();
            var actual = fromSaved[table].Select(Export.Text).Order(StringComparer.Ordinal).ToList();
            Assert.True(expected.Count > 0, $"the API gave no {table} rows");
            Assert.Equal(expected, actual);
        }
        // The download that failed in the API run has no saved copy either: named, not dropped.
        Assert.Contains(savedContext.Problems, p => p is { Kind: ProblemKind.Missing, Table: "attachments", Subject: "ticket 1 attachment foo.png" });
        Assert.DoesNotContain(savedContext.Problems, p => p.Kind == ProblemKind.Unparsed);
        Assert.Equal(Directory.GetFiles(_folder, "*", SearchOption.AllDirectories).Length, savedContext.Originals.Count);
    }

    [Fact]
    public async Task Files_that_are_not_zendesk_responses_are_kept_and_reported_unparsed_with_the_reason()
    {
        Write("tickets.json", """{"tickets":[{"id":1,"status":"open","created_at":"2026-01-01T00:00:00Z","via":{"channel":"email"}}],"next_page":null,"count":1}""");
        Write("notes.txt", "call the vendor on Monday");
        Write("export/other.json", """{"conversations":[{"id":"x"}]}""");
        Write("comments-without-ticket.json", """{"comments":[{"id":5,"body":"hi","public":true,"created_at":"2026-01-01T00:00:00Z"}]}""");
        Write("ticket_fields.json", """{"ticket_fields":[{"id":1,"title":"Subject"}]}""");
        Write("search.json", """{"results":[{"id":2,"result_type":"ticket","status":"open","created_at":"2026-01-02T00:00:00Z"},{"id":9,"result_type":"user","name":"Ann"}],"count":2}""");
        var context = new RecordingExportContext();

        await using var source = Saved(_folder);
        var tables = await Export.ReadEverythingAsync(source, context);

        Assert.Equal(["1", "2"], tables["interactions"].Select(row => (string)row[1]!).Order(StringComparer.Ordinal));
        Assert.Equal(6, context.Originals.Count);
        Assert.Contains("not tickets", Assert.Single(context.Problems, p => p is { Kind: ProblemKind.Degraded, Subject: "search.json" }).Reason, StringComparison.Ordinal);
        Assert.Equal(["comments-without-ticket.json", "export/other.json", "notes.txt", "ticket_fields.json"],
            context.Problems.Where(p => p.Kind == ProblemKind.Unparsed).Select(p => p.Subject).Order(StringComparer.Ordinal));
        Assert.Contains("conversations", Assert.Single(context.Problems, p => p.Subject == "export/other.json").Reason, StringComparison.Ordinal);
        Assert.Contains("which ticket", Assert.Single(context.Problems, p => p.Subject == "comments-without-ticket.json").Reason, StringComparison.Ordinal);
        Assert.Contains("not a JSON document", Assert.Single(context.Problems, p => p.Subject == "notes.txt").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audits_give_messages_for_tickets_without_saved_comments()
    {
        Write("ticket.json", """{"ticket":{"id":666,"status":"open","requester_id":77,"created_at":"2026-01-01T00:00:00Z","via":{"channel":"web"}}}""");
        Write("audits.json", """
            {"audits":[{"id":1,"ticket_id":666,"created_at":"2026-01-01T01:00:00Z","author_id":77,
              "events":[{"id":11,"type":"Comment","body":"Customer asks","html_body":"<p>Customer asks</p>","public":true,"attachments":[]},
                        {"id":12,"type":"Change","field_name":"status","value":"open"}]},
             {"id":2,"ticket_id":666,"created_at":"2026-01-01T02:00:00Z","author_id":88,
              "events":[{"id":13,"type":"Comment","body":"private","public":false,"attachments":[]}]}]}
            """);
        await using var source = Saved(_folder);
        var table = NeutralSchema.Messages;

        var rows = (await Export.ReadAsync(source, table, new RecordingExportContext())).Select(row => row.Values).ToList();

        Assert.Equal(["11", "13"], rows.Select(row => (string)row[1]!));
        Assert.Equal(("customer", "turn", 1L), ((string)Export.Value(table, rows[0], "author_role")!, (string)Export.Value(table, rows[0], "kind")!,
            (long)Export.Value(table, rows[0], "sequence")!));
        Assert.Equal(("agent", "note", 2L), ((string)Export.Value(table, rows[1], "author_role")!, (string)Export.Value(table, rows[1], "kind")!,
            (long)Export.Value(table, rows[1], "sequence")!));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 2, 0, 0, TimeSpan.Zero), Export.Value(table, rows[1], "sent_at"));
    }

    [Fact]
    public async Task Shared_samples_become_rows_or_unparsed_problems_with_a_reason()
    {
        var samples = Export.FindSamples();
        if (samples is null)
        {
            Assert.Skip("shared/samples is not beside the repository and EXITKIT_SAMPLES is not set.");
        }
        var folders = SampleFolders.Select(folder => Path.Combine(samples, folder)).Where(Directory.Exists).ToList();
        if (folders.Count == 0)
        {
            Assert.Skip("shared/samples has no Zendesk folders.");
        }
        foreach (var folder in folders)
        {
            var context = new RecordingExportContext();
            await using var source = Saved(folder, "samples");
            var tables = await Export.ReadEverythingAsync(source, context);
            var ids = tables.ToDictionary(pair => pair.Key, pair => pair.Value.Select(row => (string)row[1]!).ToHashSet(StringComparer.Ordinal));
            var articleIds = tables.GetValueOrDefault("kb_articles")?.Select(row => (string)Export.Value(NeutralSchema.KbArticles, row, "article_id")!)
                .ToHashSet(StringComparer.Ordinal) ?? [];

            foreach (var file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(folder, file).Replace('\\', '/');
                Assert.True(context.Originals.ContainsKey($"zendesk/saved/{relative}"), $"{relative} was not kept as an original");
                var problem = context.Problems.FirstOrDefault(p => p.Kind == ProblemKind.Unparsed && p.Subject == relative);
                if (problem is not null)
                {
                    Assert.False(string.IsNullOrWhiteSpace(problem.Reason));
                    continue;
                }
                var expected = RecordsOf(file);
                Assert.True(expected.Count > 0, $"{relative} is neither rows nor an Unparsed problem");
                foreach (var (table, id) in expected)
                {
                    var found = table == "kb_articles" ? articleIds.Contains(id) : ids.GetValueOrDefault(table)?.Contains(id) == true;
                    Assert.True(found, $"{relative}: record {id} is not in {table}");
                }
            }
        }
    }

    /// <summary>What rows a sample should give, read independently of the connector from its top-level keys.</summary>
    private static List<(string Table, string Id)> RecordsOf(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(file));
        var records = new List<(string, string)>();
        IEnumerable<JsonElement> Items(string key) => document.RootElement.TryGetProperty(key, out var value)
            ? value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : value.ValueKind == JsonValueKind.Object ? [value] : []
            : [];
        string Id(JsonElement item) => item.GetProperty("id").ToString();
        foreach (var ticket in Items("tickets").Concat(Items("ticket")).Concat(Items("results")))
        {
            records.Add(("interactions", Id(ticket)));
        }
        foreach (var audit in Items("audits").Concat(Items("audit")))
        {
            records.AddRange(audit.GetProperty("events").EnumerateArray().Where(e => e.GetProperty("type").GetString() == "Comment").Select(e => ("messages", Id(e))));
        }
        foreach (var (key, type) in new[] { ("triggers", "trigger"), ("automations", "automation"), ("sla_policies", "sla_policy"), ("macros", "macro"), ("macro", "macro"), ("views", "view") })
        {
            records.AddRange(Items(key).Select(item => ("routing_rules", $"{type}/{Id(item)}")));
        }
        records.AddRange(Items("groups").Select(item => ("queues", Id(item))));
        records.AddRange(Items("categories").Select(item => ("kb_sections", $"category/{Id(item)}")));
        records.AddRange(Items("sections").Select(item => ("kb_sections", $"section/{Id(item)}")));
        records.AddRange(Items("articles").Concat(Items("article")).Select(item => ("kb_articles", Id(item))));
        return records;
    }

    [Fact]
    public async Task Saved_export_resumes_from_its_cursor_without_duplicate_or_gap()
    {
        for (var page = 1; page <= 3; page++)
        {
            var tickets = Enumerable.Range(page * 10, 3).Select(id => $$"""{"id":{{id}},"status":"open","created_at":"2026-01-01T00:00:00Z","via":{"channel":"email"} }""");
            Write($"incremental/tickets/cursor/page-000{page}.json", $$"""{"tickets":[{{string.Join(",", tickets)}}],"end_of_stream":{{(page == 3 ? "true" : "false")}}}""");
        }
        await using var source = Saved(_folder);
        var all = await Export.ReadAsync(source, NeutralSchema.Interactions, new RecordingExportContext());

        var resumed = await Export.ReadAsync(source, NeutralSchema.Interactions, new RecordingExportContext(), all[4].ResumeCursor);

        Assert.Equal(9, all.Count);
        Assert.Equal(all.Skip(5).Select(row => row.Values[1]), resumed.Select(row => row.Values[1]));
    }
    [Fact]
    public async Task A_ticket_saved_more_than_once_is_exported_once_as_its_latest_copy()
    {
        // An incremental export lists ticket 7 again after it changed (status, requester); a single-ticket response of ticket 8
        // is older than its copy in the list; ticket 9's two copies are equally recent, so the later file's wins.
        Write("incremental/tickets/cursor/page-0001.json", """
            {"tickets":[{"id":7,"status":"open","requester_id":70,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","via":{"channel":"email"}},
                        {"id":8,"status":"solved","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-03T00:00:00Z","via":{"channel":"email"}},
                        {"id":9,"status":"open","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-02T00:00:00Z","via":{"channel":"web"}}],"end_of_stream":false}
            """);
        Write("incremental/tickets/cursor/page-0002.json", """
            {"tickets":[{"id":7,"status":"pending","requester_id":71,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-02T00:00:00Z","via":{"channel":"email"}},
                        {"id":9,"status":"closed","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-02T00:00:00Z","via":{"channel":"web"}}],"end_of_stream":true}
            """);
        Write("tickets/8.json", """{"ticket":{"id":8,"status":"open","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-02T00:00:00Z","via":{"channel":"email"}}}""");
        Write("tickets/7/comments/page-0001.json", """
            {"comments":[{"id":701,"author_id":71,"body":"from the requester","public":true,"created_at":"2026-01-01T00:00:00Z"}]}
            """);
        await using var source = Saved(_folder);
        var context = new RecordingExportContext();
        var interactions = NeutralSchema.Interactions;

        var rows = (await Export.ReadAsync(source, interactions, context)).Select(row => row.Values).ToList();
        var messages = (await Export.ReadAsync(source, NeutralSchema.Messages, context)).Select(row => row.Values).ToList();

        Assert.Equal(["7", "8", "9"], rows.Select(row => (string)row[1]!).Order(StringComparer.Ordinal));
        Assert.Equal("pending", Export.Value(interactions, Export.Row(interactions, rows, "7"), "status"));
        Assert.Equal("71", Export.Value(interactions, Export.Row(interactions, rows, "7"), "customer_id"));
        Assert.Equal("solved", Export.Value(interactions, Export.Row(interactions, rows, "8"), "status"));
        Assert.Equal("closed", Export.Value(interactions, Export.Row(interactions, rows, "9"), "status"));
        // The requester of the latest copy tells who the customer is.
        Assert.Equal("customer", Export.Value(NeutralSchema.Messages, Assert.Single(messages), "author_role"));
    }

    [Fact]
    public async Task Comments_saved_twice_and_apart_are_read_once_in_sequence()
    {
        // Ticket 5's comments are saved by two tools: ticket-5-comments.json and tickets/5/comments/..., with ticket 6's file
        // between them in path order; comment 52 is in both.
        Write("ticket-5-comments.json", """
            {"comments":[{"id":51,"author_id":1,"body":"one","public":true,"created_at":"2026-01-01T00:00:01Z"},
                         {"id":52,"author_id":2,"body":"two","public":true,"created_at":"2026-01-01T00:00:02Z"}]}
            """);
        Write("ticket-6-comments.json", """{"comments":[{"id":61,"author_id":1,"body":"other","public":true,"created_at":"2026-01-01T00:00:01Z"}]}""");
        Write("tickets/5/comments/page-0001.json", """
            {"comments":[{"id":52,"author_id":2,"body":"two","public":true,"created_at":"2026-01-01T00:00:02Z"},
                         {"id":53,"author_id":1,"body":"three","public":true,"created_at":"2026-01-01T00:00:03Z"}]}
            """);
        await using var source = Saved(_folder);
        var table = NeutralSchema.Messages;

        var rows = (await Export.ReadAsync(source, table, new RecordingExportContext())).Select(row => row.Values).ToList();

        Assert.Equal(["51", "52", "61", "53"], rows.Select(row => (string)row[1]!));
        Assert.Equal([1L, 2L, 3L], rows.Where(row => (string?)Export.Value(table, row, "interaction_id") == "5")
            .Select(row => (long)Export.Value(table, row, "sequence")!));
        Assert.Equal(1L, Export.Value(table, Export.Row(table, rows, "61"), "sequence"));
    }

    [Fact]
    public async Task A_folder_that_changes_during_the_export_stops_it_with_the_reason()
    {
        Write("tickets.json", """{"tickets":[{"id":1,"status":"open","created_at":"2026-01-01T00:00:00Z","via":{"channel":"email"}}]}""");
        Write("tickets/1/comments/page-0001.json", """{"comments":[{"id":11,"author_id":1,"body":"hi","public":true,"created_at":"2026-01-01T00:00:00Z"}]}""");
        await using var source = Saved(_folder);
        await source.DescribeAsync(ExportRequest.Everything, TestContext.Current.CancellationToken);
        Write("tickets/1/comments/page-0000.json", """{"comments":[]}""");

        var error = await Assert.ThrowsAsync<ExitKitException>(() => Export.ReadAsync(source, NeutralSchema.Messages, new RecordingExportContext()));

        Assert.Contains("changed while it was exported", error.Message, StringComparison.Ordinal);
        Assert.Contains("tickets/1/comments/page-0000.json", error.Message, StringComparison.Ordinal);
    }
}
