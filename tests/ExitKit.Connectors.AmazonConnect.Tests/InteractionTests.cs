using ExitKit.Connectors;
using ExitKit.Schema;
using static ExitKit.Connectors.AmazonConnect.Tests.Exported;

namespace ExitKit.Connectors.AmazonConnect.Tests;

public sealed class InteractionTests
{
    private static readonly TableSchema Interactions = NeutralSchema.Interactions;
    private static readonly TableSchema Participants = NeutralSchema.Participants;
    private static readonly TableSchema Messages = NeutralSchema.Messages;

    [Fact]
    public async Task Contact_records_are_deduplicated_on_ContactId_keeping_the_newest_LastUpdateTimestamp()
    {
        var export = await RunAsync(Fixtures);

        Assert.Equal(["contact-a", "contact-b", "contact-c"], export.Of(Interactions).Select(row => Value<string>(Interactions, row, "source_id")).Order());
        // contact-a's newest version is in the first file read, contact-c's in the middle one: neither "last read wins" nor "first read wins" passes.
        Assert.Equal(DateTimeOffset.Parse("2026-11-20T09:06:41Z"), export.Get<DateTimeOffset?>(Interactions, "contact-a", "updated_at"));
        Assert.Equal(DateTimeOffset.Parse("2026-11-21T08:30:00Z"), export.Get<DateTimeOffset?>(Interactions, "contact-c", "updated_at"));
        Assert.Equal("customer_disconnect", export.Get<string>(Interactions, "contact-c", "status"));
        Assert.Contains("\"VersionsInExport\":2", export.Get<string>(Interactions, "contact-a", "source_extra"), StringComparison.Ordinal);
        Assert.Equal(3, export.Description.Tables.Single(table => table.TableName == "interactions").ControlTotal);
    }

    [Fact]
    public async Task Contact_records_map_channel_direction_queue_handle_time_and_participants()
    {
        var export = await RunAsync(Fixtures);

        Assert.Equal("voice", export.Get<string>(Interactions, "contact-a", "channel"));
        Assert.Equal("chat", export.Get<string>(Interactions, "contact-c", "channel"));
        Assert.Equal("inbound", export.Get<string>(Interactions, "contact-a", "direction"));
        Assert.Equal("arn:aws:connect:eu-west-1:111122223333:instance/inst-1/queue/queue-billing", export.Get<string>(Interactions, "contact-a", "queue_id"));
        Assert.Equal(360L, export.Get<long?>(Interactions, "contact-a", "duration_seconds"));
        Assert.Equal("+441234567890", export.Get<string>(Interactions, "contact-a", "customer_id"));
        Assert.Null(export.Get<string>(Interactions, "contact-b", "agent_id"));

        Assert.Equal(["contact-a/agent", "contact-a/customer", "contact-b/customer", "contact-c/agent", "contact-c/customer"],
            export.Of(Participants).Select(row => Value<string>(Participants, row, "source_id")).Order());
        Assert.Equal("agent", export.Get<string>(Participants, "contact-a/agent", "role"));
        Assert.Equal("jdoe", export.Get<string>(Participants, "contact-a/agent", "display_name"));
        Assert.Equal(DateTimeOffset.Parse("2026-11-20T09:06:40Z"), export.Get<DateTimeOffset?>(Participants, "contact-a/agent", "left_at"));
    }

    [Fact]
    public async Task Personal_values_go_through_the_pseudonymiser_and_do_not_leak_into_source_extra()
    {
        var context = new ExitKit.Testing.RecordingExportContext(value => value is null ? null : $"h({value.Length})");
        await using var source = new AmazonConnectPlugin().CreateSource(Config(Fixtures));
        var rows = new List<object?[]>();
        foreach (var table in new[] { Interactions, Participants, Messages })
        {
            await foreach (var row in source.ReadTableAsync(table, ExportRequest.Everything, null, context, TestContext.Current.CancellationToken))
            {
                rows.Add(row.Values);
            }
        }
        var text = System.Text.Json.JsonSerializer.Serialize(rows);
        Assert.DoesNotContain("+441234567890", text, StringComparison.Ordinal);
        Assert.DoesNotContain("jdoe", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Alex\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Contact_Lens_turns_become_messages_with_author_roles_and_sentiment()
    {
        var export = await RunAsync(Fixtures);
        var voice = export.Of(Messages).Where(row => Value<string>(Messages, row, "interaction_id") == "contact-a")
            .OrderBy(row => Value<long>(Messages, row, "sequence")).ToList();

        Assert.Equal(["agent", "customer", "agent", "customer"], voice.Select(row => Value<string>(Messages, row, "author_role")));
        Assert.Equal([0.0, -1.0, 1.0, 0.0], voice.Select(row => Value<double?>(Messages, row, "sentiment")!.Value));
        Assert.Contains("\"SentimentLabel\":\"MIXED\"", Value<string>(Messages, voice[3], "source_extra"), StringComparison.Ordinal);
        // The raw analysis wins over its redacted copy.
        Assert.Equal("I have corrected it and refunded the difference.", Value<string>(Messages, voice[2], "body"));
        // Voice turns are placed from the moment the agent connected (the CTR) plus the turn's offset.
        Assert.Equal(DateTimeOffset.Parse("2026-11-20T09:00:37Z"), Value<DateTimeOffset>(Messages, voice[2], "sent_at"));
        Assert.Equal("en-GB", Value<string>(Messages, voice[0], "language"));

        var chat = export.Of(Messages).Where(row => Value<string>(Messages, row, "interaction_id") == "contact-c")
            .OrderBy(row => Value<long>(Messages, row, "sequence")).ToList();
        Assert.Equal(["event", "turn", "turn"], chat.Select(row => Value<string>(Messages, row, "kind")));
        Assert.Equal(["customer", "customer", "agent"], chat.Select(row => Value<string>(Messages, row, "author_role")));
        Assert.Equal(1.0, Value<double?>(Messages, chat[1], "sentiment"));
        Assert.Equal("markdown", Value<string>(Messages, chat[1], "body_format"));
        Assert.Equal(DateTimeOffset.Parse("2026-11-21T08:00:09Z"), Value<DateTimeOffset>(Messages, chat[1], "sent_at"));
    }

    [Fact]
    public async Task The_shared_Contact_Lens_samples_become_messages_or_are_reported()
    {
        var samples = SharedSamples.Find("interactions/amazon-connect-contact-lens");
        if (samples is null)
        {
            Assert.Skip("shared/samples/interactions/amazon-connect-contact-lens is not on this machine");
        }
        var export = await RunAsync(samples);
        var transcript = System.Text.Json.JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(samples, "chat-analyzed-output-example.json"), TestContext.Current.CancellationToken))
            .RootElement.GetProperty("Transcript").GetArrayLength();

        // The raw and the redacted analysis are of the same contact: the raw one's turns, each once.
        Assert.Equal(transcript, export.Of(Messages).Count());
        Assert.Contains(export.Of(Messages), row => Value<string>(Messages, row, "author_role") == "agent");
        Assert.Contains(export.Of(Messages), row => Value<string>(Messages, row, "author_role") == "customer");
        // The evaluation form output is not a transcript: reported, not dropped.
        Assert.Contains(export.Context.Problems, problem => problem.Kind == ProblemKind.Unparsed && problem.Subject.EndsWith("evaluation-form-output-example.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Queues_routing_profiles_and_hours_map_to_their_tables_and_a_Describe_response_wins_over_a_List_summary()
    {
        var export = await RunAsync(Fixtures);
        const string billing = "arn:aws:connect:eu-west-1:111122223333:instance/inst-1/queue/queue-billing";
        const string hours = "arn:aws:connect:eu-west-1:111122223333:instance/inst-1/operating-hours/hours-office";

        Assert.Equal(2, export.Of(NeutralSchema.Queues).Count());
        Assert.Equal("Billing questions", export.Get<string>(NeutralSchema.Queues, billing, "description"));
        Assert.Equal(hours, export.Get<string>(NeutralSchema.Queues, billing, "business_hours_id"));
        Assert.Equal("VIP", export.Get<string>(NeutralSchema.Queues, "arn:aws:connect:eu-west-1:111122223333:instance/inst-1/queue/queue-vip", "name"));

        var profile = Assert.Single(export.Of(NeutralSchema.RoutingRules));
        Assert.Equal("routing_profile", Value<string>(NeutralSchema.RoutingRules, profile, "rule_type"));
        Assert.Equal(billing, Value<string>(NeutralSchema.RoutingRules, profile, "queue_id"));
        Assert.Contains("CHAT", Value<string>(NeutralSchema.RoutingRules, profile, "conditions"), StringComparison.Ordinal);

        Assert.Equal("Europe/London", export.Get<string>(NeutralSchema.BusinessHours, hours, "time_zone"));
        Assert.Equal("""{"monday":[{"start":"09:00","end":"17:30"}],"tuesday":[{"start":"09:00","end":"17:30"}]}""",
            export.Get<string>(NeutralSchema.BusinessHours, hours, "weekly_schedule"));
    }

    [Fact]
    public async Task The_export_window_keeps_only_contacts_that_started_inside_it()
    {
        var export = await RunAsync(Fixtures, new ExportRequest(DateTimeOffset.Parse("2026-11-21T00:00:00Z"), DateTimeOffset.Parse("2026-11-22T00:00:00Z")));

        Assert.Equal(["contact-c"], export.Of(Interactions).Select(row => Value<string>(Interactions, row, "source_id")));
        Assert.Equal(1, export.Description.Tables.Single(table => table.TableName == "interactions").ControlTotal);
        Assert.All(export.Of(Messages), row => Assert.Equal("contact-c", Value<string>(Messages, row, "interaction_id")));
    }
}
