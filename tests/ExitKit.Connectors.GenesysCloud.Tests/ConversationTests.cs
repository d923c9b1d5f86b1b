using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Schema;
using static ExitKit.Connectors.GenesysCloud.Tests.Exported;

namespace ExitKit.Connectors.GenesysCloud.Tests;

public sealed class ConversationTests
{
    private static readonly TableSchema Interactions = NeutralSchema.Interactions;
    private static readonly TableSchema Participants = NeutralSchema.Participants;

    [Fact]
    public async Task Conversation_details_become_interactions_once_each_with_their_participants()
    {
        var export = await RunAsync(Fixtures);

        Assert.Equal(["conv-chat-2", "conv-voice-1"], export.Of(Interactions).Select(row => Value<string>(Interactions, row, "source_id")).Order());
        Assert.Equal(2, export.Description.Tables.Single(table => table.TableName == "interactions").ControlTotal);
        Assert.Equal("voice", export.Get<string>(Interactions, "conv-voice-1", "channel"));
        Assert.Equal("chat", export.Get<string>(Interactions, "conv-chat-2", "channel"));
        Assert.Equal("inbound", export.Get<string>(Interactions, "conv-voice-1", "direction"));
        Assert.Equal("queue-billing", export.Get<string>(Interactions, "conv-voice-1", "queue_id"));
        Assert.Equal("user-42", export.Get<string>(Interactions, "conv-voice-1", "agent_id"));
        Assert.Equal("tel:+15550001111", export.Get<string>(Interactions, "conv-voice-1", "customer_id"));
        Assert.Equal(600L, export.Get<long?>(Interactions, "conv-voice-1", "duration_seconds"));
        Assert.Equal(DateTimeOffset.Parse("2026-11-20T09:10:00Z"), export.Get<DateTimeOffset?>(Interactions, "conv-voice-1", "ended_at"));

        Assert.Equal(6, export.Of(Participants).Count());
        Assert.Equal("customer", export.Get<string>(Participants, "conv-voice-1/p-cust", "role"));
        Assert.Equal("agent", export.Get<string>(Participants, "conv-voice-1/p-agent", "role"));
        Assert.Equal("system", export.Get<string>(Participants, "conv-voice-1/p-ivr", "role"));
        Assert.Equal(DateTimeOffset.Parse("2026-11-20T09:00:58Z"), export.Get<DateTimeOffset?>(Participants, "conv-voice-1/p-agent", "joined_at"));
        Assert.Equal(DateTimeOffset.Parse("2026-11-20T09:10:30Z"), export.Get<DateTimeOffset?>(Participants, "conv-voice-1/p-agent", "left_at"));
        Assert.Contains("wrap-resolved", export.Get<string>(Participants, "conv-voice-1/p-agent", "source_extra"), StringComparison.Ordinal);

        var broken = Assert.Single(export.Context.Problems, problem => problem.Subject.EndsWith("details-job-page-1.json#3", StringComparison.Ordinal));
        Assert.Equal(ProblemKind.Unparsed, broken.Kind);
    }

    [Fact]
    public async Task Customer_addresses_and_names_reach_rows_only_through_the_pseudonymiser()
    {
        var context = new ExitKit.Testing.RecordingExportContext(value => value is null ? null : $"h({value.Length})");
        await using var source = new GenesysCloudPlugin().CreateSource(Config(Fixtures));
        var rows = new List<object?[]>();
        foreach (var table in new[] { Interactions, Participants })
        {
            await foreach (var row in source.ReadTableAsync(table, ExportRequest.Everything, null, context, TestContext.Current.CancellationToken))
            {
                rows.Add(row.Values);
            }
        }
        var text = JsonSerializer.Serialize(rows);
        Assert.DoesNotContain("+15550001111", text, StringComparison.Ordinal);
        Assert.DoesNotContain("visitor@example.com", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Robin Customer", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_shared_analytics_sample_becomes_one_interaction_with_every_participant()
    {
        var samples = SharedSamples.Find("interactions/genesys-cloud-analytics");
        if (samples is null)
        {
            Assert.Skip("shared/samples/interactions/genesys-cloud-analytics is not on this machine");
        }
        var export = await RunAsync(samples);
        var files = Directory.GetFiles(samples, "*.json");
        var expectedParticipants = files.Sum(file => JsonDocument.Parse(File.ReadAllBytes(file)).RootElement.GetProperty("participants").GetArrayLength());

        Assert.Equal(files.Length, export.Of(Interactions).Count());
        Assert.Equal(expectedParticipants, export.Of(Participants).Count());
        Assert.Empty(export.Context.Problems);
    }

    [Fact]
    public async Task The_export_window_keeps_only_conversations_that_started_inside_it()
    {
        var export = await RunAsync(Fixtures, new ExportRequest(DateTimeOffset.Parse("2026-11-21T00:00:00Z"), null));

        Assert.Equal(["conv-chat-2"], export.Of(Interactions).Select(row => Value<string>(Interactions, row, "source_id")));
        Assert.All(export.Of(Participants), row => Assert.Equal("conv-chat-2", Value<string>(Participants, row, "interaction_id")));
    }
}
