using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Schema;
using ExitKit.Testing;

namespace ExitKit.Connectors.Zendesk.Tests;

/// <summary>
/// Writes a folder of saved Zendesk API responses for N tickets, in the layout the API path keeps its originals in
/// (incremental/tickets/cursor/page-NNNN.json, tickets/{id}/comments/page-0001.json, tickets/count/page-0001.json),
/// for benchmarks and volume tests of the saved-responses input.
/// </summary>
internal static class SavedResponsesGenerator
{
    public static void Write(string folder, int tickets, int commentsPerTicket, int pageSize = 1000)
    {
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var pages = (tickets + pageSize - 1) / pageSize;
        Directory.CreateDirectory(Path.Combine(folder, "incremental", "tickets", "cursor"));
        for (var page = 0; page < pages; page++)
        {
            var path = Path.Combine(folder, "incremental", "tickets", "cursor", string.Create(CultureInfo.InvariantCulture, $"page-{page + 1:0000}.json"));
            using var stream = File.Create(path);
            using var json = new Utf8JsonWriter(stream);
            json.WriteStartObject();
            json.WriteStartArray("tickets");
            var first = page * pageSize + 1;
            var last = Math.Min(tickets, first + pageSize - 1);
            for (var id = first; id <= last; id++)
            {
                var created = start.AddMinutes(id);
                json.WriteStartObject();
                json.WriteNumber("id", id);
                json.WriteStartObject("via");
                json.WriteString("channel", (id % 3) switch { 0 => "email", 1 => "web", _ => "chat" });
                json.WriteEndObject();
                json.WriteString("created_at", created.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                json.WriteString("updated_at", created.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                json.WriteString("subject", string.Create(CultureInfo.InvariantCulture, $"Generated ticket {id}"));
                json.WriteString("status", id % 10 == 0 ? "deleted" : "closed");
                json.WriteNumber("requester_id", 1_000_000 + id);
                json.WriteNumber("assignee_id", 42);
                json.WriteNumber("group_id", 7);
                json.WriteString("priority", "normal");
                json.WriteStartArray("tags");
                json.WriteStringValue("generated");
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteBoolean("end_of_stream", page == pages - 1);
            json.WriteString("after_cursor", string.Create(CultureInfo.InvariantCulture, $"c{page + 1}"));
            json.WriteEndObject();
        }
        for (var id = 1; id <= tickets; id++)
        {
            if (id % 10 == 0)
            {
                continue;
            }
            var directory = Path.Combine(folder, "tickets", id.ToString(CultureInfo.InvariantCulture), "comments");
            Directory.CreateDirectory(directory);
            using var stream = File.Create(Path.Combine(directory, "page-0001.json"));
            using var json = new Utf8JsonWriter(stream);
            json.WriteStartObject();
            json.WriteStartArray("comments");
            for (var n = 0; n < commentsPerTicket; n++)
            {
                json.WriteStartObject();
                json.WriteNumber("id", (long)id * 1000 + n);
                json.WriteNumber("author_id", n % 2 == 0 ? 1_000_000 + id : 42);
                json.WriteString("body", "A generated comment with a little text in it.");
                json.WriteBoolean("public", n % 3 != 2);
                json.WriteStartArray("attachments");
                json.WriteEndArray();
                json.WriteString("created_at", start.AddMinutes(id).AddSeconds(n).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartObject("meta");
            json.WriteBoolean("has_more", false);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        Directory.CreateDirectory(Path.Combine(folder, "tickets", "count"));
        File.WriteAllText(Path.Combine(folder, "tickets", "count", "page-0001.json"),
            string.Create(CultureInfo.InvariantCulture, $$"""{"count":{"value":{{tickets}},"refreshed_at":"2025-01-01T00:00:00Z"} }"""));
    }
}

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
        SavedResponsesGenerator.Write(_folder, tickets, commentsPerTicket: 4, pageSize: 100);
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
