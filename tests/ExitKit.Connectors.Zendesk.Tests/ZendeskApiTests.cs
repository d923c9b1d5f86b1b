using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Schema;
using ExitKit.Testing;
using Reply = ExitKit.Connectors.Zendesk.Tests.LocalHttpServer.Reply;

namespace ExitKit.Connectors.Zendesk.Tests;

public sealed class ZendeskApiTests
{
    private static readonly TableSchema Interactions = NeutralSchema.Interactions;
    private static readonly TableSchema Messages = NeutralSchema.Messages;

    private static string[] Ids(IEnumerable<SourceRow> rows) => rows.Select(row => (string)row.Values[1]!).ToArray();

    [Fact]
    public async Task Incremental_export_follows_after_url_until_end_of_stream()
    {
        await using var account = new FakeZendeskAccount();
        await using var source = account.CreateSource();
        var context = new RecordingExportContext();

        var rows = await Export.ReadAsync(source, Interactions, context);

        Assert.Equal(["1", "2", "3", "4", "5"], Ids(rows));
        var pages = account.Server.Requests.Where(r => r.PathAndQuery.StartsWith("/api/v2/incremental/", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, pages.Count);
        Assert.Contains("start_time=0", pages[0].PathAndQuery, StringComparison.Ordinal);
        Assert.Contains("include=metric_sets", pages[0].PathAndQuery, StringComparison.Ordinal);
        Assert.Contains("cursor=c2", pages[2].PathAndQuery, StringComparison.Ordinal);
        // Zendesk's after_url carries only the cursor; the sideload and page size are kept on every page.
        Assert.All(pages, page => Assert.Contains("include=metric_sets", page.PathAndQuery, StringComparison.Ordinal));
        Assert.Equal(["zendesk/api/incremental/tickets/cursor/page-0001.json", "zendesk/api/incremental/tickets/cursor/page-0002.json",
            "zendesk/api/incremental/tickets/cursor/page-0003.json"], context.Originals.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Tickets_map_channel_status_queue_and_metric_set()
    {
        await using var account = new FakeZendeskAccount();
        await using var source = account.CreateSource();
        var rows = (await Export.ReadAsync(source, Interactions, new RecordingExportContext())).Select(row => row.Values).ToList();

        var solved = Export.Row(Interactions, rows, "2");
        Assert.Equal("web", Export.Value(Interactions, solved, "channel"));
        Assert.Equal("inbound", Export.Value(Interactions, solved, "direction"));
        Assert.Equal("solved", Export.Value(Interactions, solved, "status"));
        Assert.Equal("2001", Export.Value(Interactions, solved, "queue_id"));
        Assert.Equal("1002", Export.Value(Interactions, solved, "customer_id"));
        Assert.Equal(new DateTimeOffset(2026, 1, 7, 8, 0, 0, TimeSpan.Zero), Export.Value(Interactions, solved, "ended_at"));
        Assert.Equal(["printer", "t2"], (string[])Export.Value(Interactions, solved, "tags")!);
        using var extra = JsonDocument.Parse((string)Export.Value(Interactions, solved, "source_extra")!);
        Assert.Equal(1200, extra.RootElement.GetProperty("metric_set").GetProperty("full_resolution_time_in_minutes").GetProperty("calendar").GetInt32());
        Assert.Equal("web", extra.RootElement.GetProperty("via").GetProperty("channel").GetString());
        Assert.Equal("gold", extra.RootElement.GetProperty("custom_fields")[0].GetProperty("value").GetString());
        Assert.Equal("voice", Export.Value(Interactions, Export.Row(Interactions, rows, "5"), "channel"));
        Assert.Equal("chat", Export.Value(Interactions, Export.Row(Interactions, rows, "3"), "channel"));
    }

    [Fact]
    public async Task Archived_and_deleted_tickets_are_exported_and_deleted_comments_are_named_missing()
    {
        await using var account = new FakeZendeskAccount();
        await using var source = account.CreateSource();
        var context = new RecordingExportContext();

        var tickets = (await Export.ReadAsync(source, Interactions, context)).Select(row => row.Values).ToList();
        await Export.ReadAsync(source, Messages, context);

        Assert.Equal("closed", Export.Value(Interactions, Export.Row(Interactions, tickets, "3"), "status"));
        Assert.Equal("deleted", Export.Value(Interactions, Export.Row(Interactions, tickets, "4"), "status"));
        var problem = Assert.Single(context.Problems, p => p.Subject == "ticket 4 comments");
        Assert.Equal(ProblemKind.Missing, problem.Kind);
        Assert.Equal("messages", problem.Table);
        Assert.DoesNotContain(account.Server.Requests, r => r.PathAndQuery.StartsWith("/api/v2/tickets/4/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Comments_follow_links_next_and_tell_customers_agents_and_internal_notes()
    {
        await using var account = new FakeZendeskAccount();
        await using var source = account.CreateSource();
        var rows = (await Export.ReadAsync(source, Messages, new RecordingExportContext())).Select(row => row.Values).ToList();

        Assert.Equal(["101", "102", "103", "201", "202", "301", "501"], rows.Select(row => (string)row[1]!));
        var customer = Export.Row(Messages, rows, "101");
        Assert.Equal(("customer", "turn", "public", 1L), ((string)Export.Value(Messages, customer, "author_role")!,
            (string)Export.Value(Messages, customer, "kind")!, (string)Export.Value(Messages, customer, "visibility")!, (long)Export.Value(Messages, customer, "sequence")!));
        var note = Export.Row(Messages, rows, "102");
        Assert.Equal(("agent", "note", "internal"), ((string)Export.Value(Messages, note, "author_role")!,
            (string)Export.Value(Messages, note, "kind")!, (string)Export.Value(Messages, note, "visibility")!));
        Assert.Equal(3L, Export.Value(Messages, Export.Row(Messages, rows, "103"), "sequence"));
        Assert.Equal("html", Export.Value(Messages, note, "body_format"));
        // Ticket 2's page has no users sideload: the requester is the customer, anyone else an agent.
        Assert.Equal("customer", Export.Value(Messages, Export.Row(Messages, rows, "201"), "author_role"));
        Assert.Equal("agent", Export.Value(Messages, Export.Row(Messages, rows, "202"), "author_role"));
    }

    [Fact]
    public async Task Rate_limited_request_waits_for_Retry_After_and_then_succeeds()
    {
        await using var account = new FakeZendeskAccount();
        account.Fail("/api/v2/incremental/", Reply.Error(429, retryAfter: "1"));
        await using var source = account.CreateSource();

        var rows = await Export.ReadAsync(source, Interactions, new RecordingExportContext());

        Assert.Equal(5, rows.Count);
        var calls = account.Server.Requests.Where(r => r.PathAndQuery.StartsWith("/api/v2/incremental/", StringComparison.Ordinal)).ToList();
        Assert.Equal(429, calls[0].Status);
        Assert.Equal(200, calls[1].Status);
        Assert.True(calls[1].At - calls[0].At >= TimeSpan.FromMilliseconds(900), $"retried after {(calls[1].At - calls[0].At).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff()
    {
        await using var account = new FakeZendeskAccount();
        account.Fail("/api/v2/tickets/1/comments.json", Reply.Error(503), times: 2);
        account.Fail("/api/v2/groups.json", Reply.Error(500));
        await using var source = account.CreateSource();

        var messages = await Export.ReadAsync(source, Messages, new RecordingExportContext());
        var queues = await Export.ReadAsync(source, NeutralSchema.Queues, new RecordingExportContext());

        Assert.Equal(7, messages.Count);
        Assert.Equal(2, queues.Count);
        Assert.Equal([503, 503, 200], account.Server.Requests.Where(r => r.PathAndQuery.StartsWith("/api/v2/tickets/1/comments.json?include", StringComparison.Ordinal))
            .Select(r => r.Status).Take(3));
    }

    [Fact]
    public async Task A_server_that_keeps_failing_stops_the_export_after_the_bounded_attempts_with_a_clear_message()
    {
        await using var account = new FakeZendeskAccount();
        account.Fail("/api/v2/groups.json", Reply.Error(502), times: 10);
        await using var source = account.CreateSource(""", "maxAttempts": 3""");

        var error = await Assert.ThrowsAsync<ExitKitException>(() => Export.ReadAsync(source, NeutralSchema.Queues, new RecordingExportContext()));

        Assert.Contains("/api/v2/groups.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("502 after 3 attempts", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeZendeskAccount.Token, error.Message, StringComparison.Ordinal);
        Assert.Equal(3, account.Server.Requests.Count(r => r.PathAndQuery.StartsWith("/api/v2/groups.json", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Requests_stay_under_the_configured_rate()
    {
        await using var account = new FakeZendeskAccount();
        var sent = new System.Collections.Concurrent.ConcurrentQueue<long>();
        // 600 a minute: one request every 100 ms. Send times are taken where the client sends, free of server-side jitter.
        await using var source = ZendeskPlugin.CreateSource(account.Configuration(""", "requestsPerMinute": 600, "incrementalRequestsPerMinute": 600"""),
            settings => settings.Handler = new SendTimes(sent));

        await Export.ReadAsync(source, Messages, new RecordingExportContext());

        var times = sent.Order().ToList();
        Assert.True(times.Count >= 8);
        var gaps = times.Zip(times.Skip(1), (a, b) => TimeSpan.FromTicks(b - a)).ToList();
        // The pacer spaces requests by 100 ms; the thread that sends one may wake a few ms late, never the whole run early.
        Assert.True(gaps.Average(gap => gap.TotalMilliseconds) >= 99, $"on average {gaps.Average(gap => gap.TotalMilliseconds)} ms apart");
        Assert.All(gaps, gap => Assert.True(gap >= TimeSpan.FromMilliseconds(60), $"two requests only {gap.TotalMilliseconds} ms apart"));
    }

    private sealed class SendTimes(System.Collections.Concurrent.ConcurrentQueue<long> sent) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            sent.Enqueue(DateTime.UtcNow.Ticks);
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Theory]
    [InlineData("interactions", 1)]
    [InlineData("interactions", 3)]
    [InlineData("messages", 2)]
    [InlineData("messages", 4)]
    public async Task Export_stopped_midway_resumes_from_its_cursor_without_duplicate_or_gap(string tableName, int stopAfter)
    {
        var table = NeutralSchema.Get(tableName);
        await using var account = new FakeZendeskAccount();
        List<string> everything;
        await using (var complete = account.CreateSource())
        {
            everything = Ids(await Export.ReadAsync(complete, table, new RecordingExportContext())).ToList();
        }

        // The first run is cancelled after some rows; like the pipeline, keep the rows up to the last one that carries a cursor.
        var kept = new List<string>();
        var pending = new List<string>();
        string? cursor = null;
        using var stop = new CancellationTokenSource();
        await using (var first = account.CreateSource())
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (var row in first.ReadTableAsync(table, ExportRequest.Everything, null, new RecordingExportContext(), stop.Token))
                {
                    pending.Add((string)row.Values[1]!);
                    if (row.ResumeCursor is not null)
                    {
                        kept.AddRange(pending);
                        pending.Clear();
                        cursor = row.ResumeCursor;
                    }
                    if (kept.Count + pending.Count >= stopAfter)
                    {
                        await stop.CancelAsync();
                    }
                }
            });
        }
        Assert.NotNull(cursor);
        Assert.True(kept.Count < everything.Count);

        await using var second = account.CreateSource();
        var resumed = Ids(await Export.ReadAsync(second, table, new RecordingExportContext(), cursor));

        Assert.Equal(everything, kept.Concat(resumed));
    }

    [Fact]
    public async Task Attachment_whose_download_fails_is_reported_by_name_and_its_row_kept()
    {
        await using var account = new FakeZendeskAccount();
        await using var source = account.CreateSource();
        var context = new RecordingExportContext();
        var table = NeutralSchema.Attachments;

        var rows = (await Export.ReadAsync(source, table, context)).Select(row => row.Values).ToList();

        var stored = Export.Row(table, rows, "501");
        var sha = Convert.ToHexStringLower(SHA256.HashData(FakeZendeskAccount.LogFile));
        Assert.Equal(sha, Export.Value(table, stored, "sha256"));
        Assert.Equal(FakeZendeskAccount.LogFile, context.Artefacts[sha]);
        Assert.Equal("102", Export.Value(table, stored, "message_id"));
        Assert.Equal("1", Export.Value(table, stored, "interaction_id"));
        var failed = Export.Row(table, rows, "502");
        Assert.Null(Export.Value(table, failed, "sha256"));
        Assert.Null(Export.Value(table, failed, "artefact_path"));
        Assert.Equal("foo.png", Export.Value(table, failed, "file_name"));
        Assert.Equal(2048L, Export.Value(table, failed, "size_bytes"));
        var problem = Assert.Single(context.Problems, p => p.Table == "attachments");
        Assert.Equal((ProblemKind.Missing, "ticket 1 attachment foo.png"), (problem.Kind, problem.Subject));
        Assert.Contains("404", problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Satisfaction_ratings_become_csat_answers_good_one_bad_zero()
    {
        await using var account = new FakeZendeskAccount();
        await using var source = account.CreateSource();
        var table = NeutralSchema.Surveys;

        var rows = (await Export.ReadAsync(source, table, new RecordingExportContext())).Select(row => row.Values).ToList();

        Assert.Equal(["9001", "9002"], rows.Select(row => (string)row[1]!));
        var good = Export.Row(table, rows, "9001");
        Assert.Equal((1.0, 1.0, "csat", "2", "Fast!"), ((double)Export.Value(table, good, "score")!, (double)Export.Value(table, good, "scale_max")!,
            (string)Export.Value(table, good, "survey_type")!, (string)Export.Value(table, good, "interaction_id")!, (string)Export.Value(table, good, "comment")!));
        Assert.Equal(0.0, Export.Value(table, Export.Row(table, rows, "9002"), "score"));
    }

    [Fact]
    public async Task Help_center_becomes_sections_articles_per_locale_and_attachments()
    {
        await using var account = new FakeZendeskAccount();
        await using var source = account.CreateSource();
        var context = new RecordingExportContext();

        var sections = (await Export.ReadAsync(source, NeutralSchema.KbSections, context)).Select(row => row.Values).ToList();
        var articles = (await Export.ReadAsync(source, NeutralSchema.KbArticles, context)).Select(row => row.Values).ToList();
        var files = (await Export.ReadAsync(source, NeutralSchema.KbAttachments, context)).Select(row => row.Values).ToList();

        Assert.Equal(["category/5001", "section/6001", "section/6002"], sections.Select(row => (string)row[1]!));
        Assert.Equal("category/5001", Export.Value(NeutralSchema.KbSections, sections[1], "parent_id"));
        Assert.Equal("section/6001", Export.Value(NeutralSchema.KbSections, sections[2], "parent_id"));
        Assert.Equal(["7001/en-us/1", "7001/fr/1", "7002/en-us/1"], articles.Select(row => (string)row[1]!));
        var french = Export.Row(NeutralSchema.KbArticles, articles, "7001/fr/1");
        Assert.Equal(("Éteindre un feu d'imprimante", "section/6002", "published"), ((string)Export.Value(NeutralSchema.KbArticles, french, "title")!,
            (string)Export.Value(NeutralSchema.KbArticles, french, "section_id")!, (string)Export.Value(NeutralSchema.KbArticles, french, "state")!));
        Assert.Equal("draft", Export.Value(NeutralSchema.KbArticles, Export.Row(NeutralSchema.KbArticles, articles, "7002/en-us/1"), "state"));
        var diagram = Assert.Single(files);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(FakeZendeskAccount.Diagram)), Export.Value(NeutralSchema.KbAttachments, diagram, "sha256"));
        Assert.Equal("7001", Export.Value(NeutralSchema.KbAttachments, diagram, "article_id"));
    }

    [Fact]
    public async Task Groups_become_queues_and_rules_keep_conditions_and_actions_structured()
    {
        await using var account = new FakeZendeskAccount();
        await using var source = account.CreateSource();
        var table = NeutralSchema.RoutingRules;

        var queues = (await Export.ReadAsync(source, NeutralSchema.Queues, new RecordingExportContext())).Select(row => row.Values).ToList();
        var rules = (await Export.ReadAsync(source, table, new RecordingExportContext())).Select(row => row.Values).ToList();

        Assert.Equal(["2001", "2002"], queues.Select(row => (string)row[1]!));
        Assert.Equal(["trigger/360001", "automation/360002", "sla_policy/360003", "macro/360004", "view/360005"], rules.Select(row => (string)row[1]!));
        var trigger = rules[0];
        Assert.Equal("2002", Export.Value(table, trigger, "queue_id"));
        Assert.Equal(1L, Export.Value(table, trigger, "position"));
        using var conditions = JsonDocument.Parse((string)Export.Value(table, trigger, "conditions")!);
        Assert.Equal("subject_includes_word", conditions.RootElement.GetProperty("all")[1].GetProperty("field").GetString());
        using var sla = JsonDocument.Parse((string)Export.Value(table, rules[2], "actions")!);
        Assert.Equal("first_reply_time", sla.RootElement[0].GetProperty("metric").GetString());
    }

    [Fact]
    public async Task Describe_reports_control_totals_from_the_count_endpoints()
    {
        await using var account = new FakeZendeskAccount();
        await using var source = account.CreateSource();

        var description = await source.DescribeAsync(ExportRequest.Everything, TestContext.Current.CancellationToken);

        var totals = description.Tables.ToDictionary(t => t.TableName, t => t.ControlTotal);
        Assert.Equal($"zendesk:127.0.0.1", description.SourceSystem);
        Assert.Equal(4, totals["interactions"]);
        Assert.Equal(3, totals["kb_sections"]);
        Assert.Equal(2, totals["kb_articles"]);
        Assert.Equal(2, totals["queues"]);
        Assert.Equal(5, totals["routing_rules"]);
        Assert.Null(totals["messages"]);
        var context = new RecordingExportContext();
        await source.ExportOriginalsAsync(ExportRequest.Everything, context, TestContext.Current.CancellationToken);
        Assert.Contains("zendesk/api/tickets/count/page-0001.json", context.Originals.Keys);
    }

    [Fact]
    public async Task Api_token_appears_in_no_row_original_or_problem()
    {
        await using var account = new FakeZendeskAccount();
        await using var source = account.CreateSource();
        var context = new RecordingExportContext();

        var tables = await Export.ReadEverythingAsync(source, context);

        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{FakeZendeskAccount.Email}/token:{FakeZendeskAccount.Token}"));
        Assert.Contains(account.Server.Requests, r => r.Authorization == $"Basic {encoded}");
        var everything = new StringBuilder();
        foreach (var row in tables.Values.SelectMany(rows => rows))
        {
            everything.AppendLine(Export.Text(row));
        }
        foreach (var (path, bytes) in context.Originals)
        {
            everything.AppendLine(path).AppendLine(Encoding.UTF8.GetString(bytes));
        }
        foreach (var problem in context.Problems)
        {
            everything.AppendLine(problem.ToString());
        }
        Assert.True(tables.Values.Sum(rows => rows.Count) > 20);
        Assert.NotEmpty(context.Originals);
        Assert.NotEmpty(context.Problems);
        Assert.DoesNotContain(FakeZendeskAccount.Token, everything.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(encoded, everything.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Personal_fields_in_source_extra_pass_through_the_pseudonymiser_once()
    {
        await using var account = new FakeZendeskAccount();
        await using var source = account.CreateSource();
        var context = new RecordingExportContext(value => value is null ? null : "h:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..12]);

        var tickets = (await Export.ReadAsync(source, Interactions, context)).Select(row => row.Values).ToList();

        var ticket = Export.Row(Interactions, tickets, "1");
        // Columns the schema marks personal are hashed by the package writer, so the connector leaves them as they are.
        Assert.Equal("1001", Export.Value(Interactions, ticket, "customer_id"));
        var extra = (string)Export.Value(Interactions, ticket, "source_extra")!;
        Assert.DoesNotContain("customer1001@example.org", extra, StringComparison.Ordinal);
        Assert.DoesNotContain("Customer 1001", extra, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(extra);
        Assert.Equal(context.Pseudonymise("1001"), document.RootElement.GetProperty("submitter_id").GetString());
        Assert.Equal(context.Pseudonymise("customer1001@example.org"),
            document.RootElement.GetProperty("via").GetProperty("source").GetProperty("from").GetProperty("address").GetString());
        Assert.Equal("Ticket 1", Export.Value(Interactions, ticket, "subject"));
    }

    [Fact]
    public async Task Config_that_requires_pseudonyms_refuses_an_export_without_a_pseudonym_key()
    {
        await using var account = new FakeZendeskAccount();
        await using var source = account.CreateSource(""", "pseudonymise": true""");

        var error = await Assert.ThrowsAsync<ExitKitException>(() => Export.ReadAsync(source, Interactions, new RecordingExportContext()));

        Assert.Contains("--pseudonym-key", error.Message, StringComparison.Ordinal);
        Assert.Empty(account.Server.Requests);
    }

    [Fact]
    public async Task Export_window_starts_the_incremental_export_at_its_start_and_keeps_tickets_created_inside_it()
    {
        await using var account = new FakeZendeskAccount();
        await using var source = account.CreateSource();
        var from = new DateTimeOffset(2026, 1, 6, 0, 0, 0, TimeSpan.Zero);
        var request = new ExportRequest(from, new DateTimeOffset(2026, 1, 9, 0, 0, 0, TimeSpan.Zero));

        var rows = await Export.ReadAsync(source, Interactions, new RecordingExportContext(), request: request);

        Assert.Equal(["2", "4"], Ids(rows));
        Assert.Contains($"start_time={from.ToUnixTimeSeconds()}", account.Server.Requests.First().PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_credentials_stop_the_export_with_a_message_that_says_what_to_check()
    {
        await using var account = new FakeZendeskAccount();
        account.Fail("/api/v2/groups.json", Reply.Error(401));
        await using var source = account.CreateSource();

        var error = await Assert.ThrowsAsync<ExitKitException>(() => Export.ReadAsync(source, NeutralSchema.Queues, new RecordingExportContext()));

        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.Contains("API token", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeZendeskAccount.Token, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_next_page_on_another_host_is_refused_so_credentials_stay_with_the_account()
    {
        await using var account = new FakeZendeskAccount();
        account.Fail("/api/v2/groups.json", Reply.Json("""{"groups":[{"id":1,"name":"A"}],"next_page":"https://elsewhere.example/api/v2/groups.json?page=2","count":2}"""));
        await using var source = account.CreateSource();

        var error = await Assert.ThrowsAsync<ExitKitException>(() => Export.ReadAsync(source, NeutralSchema.Queues, new RecordingExportContext()));

        Assert.Contains("elsewhere.example", error.Message, StringComparison.Ordinal);
        Assert.Single(account.Server.Requests);
    }

    [Fact]
    public async Task Rate_limiting_that_never_ends_fails_after_a_bound_instead_of_waiting_forever()
    {
        await using var account = new FakeZendeskAccount();
        account.Fail("/api/v2/groups.json", Reply.Error(429, retryAfter: "0"), times: 100);
        var configuration = account.Configuration();
        await using var source = ZendeskPlugin.CreateSource(configuration, settings => settings.MaxRateLimitWaits = 3);

        var error = await Assert.ThrowsAsync<ExitKitException>(() => Export.ReadAsync(source, NeutralSchema.Queues, new RecordingExportContext()));

        Assert.Contains("429", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, account.Server.Requests.Count);
    }

    [Fact]
    public void Literal_api_token_in_the_config_is_refused_without_echoing_it()
    {
        using var document = JsonDocument.Parse("""{"subdomain":"acme","email":"a@example.com","apiToken":"plain-secret-123"}""");
        var configuration = new ConnectorConfiguration(document.RootElement.Clone(), "zendesk.json");

        var error = Assert.Throws<ExitKitException>(() => new ZendeskPlugin().CreateSource(configuration));

        Assert.Contains("apiToken", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("plain-secret-123", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Saved_responses_and_live_api_settings_together_are_refused()
    {
        using var document = JsonDocument.Parse("""{"subdomain":"acme","savedResponsesPath":"."}""");
        var configuration = new ConnectorConfiguration(document.RootElement.Clone(), "zendesk.json");

        var error = Assert.Throws<ExitKitException>(() => new ZendeskPlugin().CreateSource(configuration));

        Assert.Contains("savedResponsesPath", error.Message, StringComparison.Ordinal);
    }
}
