using System.Globalization;
using System.Text.Json;

namespace ExitKit.Testing.Builders;

/// <summary>
/// Writes a folder of saved Zendesk API responses for N tickets, in the layout the API path keeps its originals in
/// (incremental/tickets/cursor/page-NNNN.json, tickets/{id}/comments/page-0001.json, tickets/count/page-0001.json),
/// for benchmarks and volume tests of the saved-responses input.
/// </summary>
public static class ZendeskSavedResponses
{
    /// <summary>Writes the responses: one ticket in ten deleted, the others with <paramref name="commentsPerTicket"/> comments.</summary>
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
