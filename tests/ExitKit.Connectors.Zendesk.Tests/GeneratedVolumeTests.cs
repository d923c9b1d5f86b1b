using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Connectors.Zendesk;
using ExitKit.Schema;
using ExitKit.Testing;
using ExitKit.Testing.Builders;

namespace ExitKit.Connectors.Zendesk.Tests;


public sealed class GeneratedVolumeTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "exitkit-zendesk-volume-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Generated_saved_responses_export_every_ticket_and_comment()
    {
        // EXITKIT_ZENDESK_BENCH_TICKETS scales this up into a benchmark of the saved-responses input.
        var tickets = int.TryParse(Environment.GetEnvironmentVariable("EXITKIT_ZENDESK_BENCH_TICKETS"), CultureInfo.InvariantCulture, out var n) ? n : 250;
        ZendeskSavedResponses.Write(_folder, tickets, commentsPerTicket: 4, pageSize: 100);
        using var document = JsonDocument.Parse($$"""{"savedResponsesPath": {{JsonSerializer.Serialize(_folder)}} }""");
        await using var source = new ZendeskPlugin().CreateSource(new ConnectorConfiguration(document.RootElement.Clone(), Path.Combine(_folder, "config.json")));
        var context = new RecordingExportContext();

        var clock = Stopwatch.StartNew();
        var description = await source.DescribeAsync(ExportRequest.Everything, TestContext.Current.CancellationToken);
        long interactions = 0, messages = 0;
        await foreach (var _ in source.ReadTableAsync(NeutralSchema.Interactions, ExportRequest.Everything, null, context, TestContext.Current.CancellationToken))
        {
            interactions++;
        }
        await foreach (var _ in source.ReadTableAsync(NeutralSchema.Messages, ExportRequest.Everything, null, context, TestContext.Current.CancellationToken))
        {
            messages++;
        }
        clock.Stop();

        var deleted = tickets / 10;
        Assert.Equal(tickets, description.Tables.Single(t => t.TableName == "interactions").ControlTotal);
        Assert.Equal(tickets, interactions);
        Assert.Equal((tickets - deleted) * 4L, messages);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{interactions} tickets and {messages} comments in {clock.ElapsedMilliseconds} ms ({(interactions + messages) / Math.Max(clock.Elapsed.TotalSeconds, 0.001):F0} rows/s)"));
    }
}
