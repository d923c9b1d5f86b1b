using System.Text;
using System.Text.Json;

namespace ExitKit.Connectors.Zendesk.Internal;

/// <summary>Writing request bodies and reading Zendesk's answers for the successor side.</summary>
internal static class ZendeskReplies
{
    /// <summary>Zendesk's reason for refusing a record, from its error body, in one line.</summary>
    /// <remarks>
    /// Support answers 422 with <c>{"error":"RecordInvalid","description":"Record validation errors","details":{"subject":[{"description":"…","error":"TooLong"}]}}</c>;
    /// Help Center answers with <c>{"error":"…","errors":{…}}</c> or <c>{"error":{"title":"…","message":"…"}}</c>. Every description found is kept.
    /// </remarks>
    public static string Reason(ZendeskReply reply)
    {
        var label = reply.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var parts = new List<string>();
        try
        {
            using var document = JsonDocument.Parse(reply.Body);
            var root = document.RootElement;
            if (root.Get("error") is { } error)
            {
                if (error.ValueKind == JsonValueKind.String)
                {
                    label += " " + error.GetString();
                }
                else
                {
                    Collect(error, parts);
                }
            }
            if (root.Get("details") is { } details)
            {
                Collect(details, parts);
            }
            if (root.Get("errors") is { } errors)
            {
                Collect(errors, parts);
            }
            if (parts.Count == 0 && root.Text("description") is { } description)
            {
                parts.Add(description);
            }
        }
        catch (JsonException)
        {
            var text = Encoding.UTF8.GetString(reply.Body).Trim();
            parts.Add(text.Length > 300 ? text[..300] + "…" : text);
        }
        return $"Zendesk refused it ({label}): {(parts.Count == 0 ? "no reason given" : string.Join("; ", parts.Distinct(StringComparer.Ordinal)))}";
    }

    private static void Collect(JsonElement element, List<string> parts)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                parts.Add(element.GetString()!);
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, parts);
                }
                break;
            case JsonValueKind.Object:
                var text = element.Text("description") ?? element.Text("message") ?? element.Text("title");
                if (text is not null)
                {
                    parts.Add(text);
                    break;
                }
                foreach (var property in element.EnumerateObject())
                {
                    Collect(property.Value, parts);
                }
                break;
        }
    }

    /// <summary>A JSON body built with a writer.</summary>
    public static byte[] Body(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }
        return buffer.ToArray();
    }

    /// <summary>Zendesk keeps times to the second, in UTC: what is sent, and what reads back.</summary>
    public static DateTimeOffset ToSecond(DateTimeOffset instant) =>
        new(instant.UtcTicks - instant.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    public static string Time(DateTimeOffset instant) =>
        ToSecond(instant).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A comment's html_body without the <c>&lt;div class="zd-comment"&gt;</c> wrapper Zendesk puts around what it was given.</summary>
    public static string? Unwrap(string? html)
    {
        const string Close = "</div>";
        if (html is null || !html.StartsWith("<div class=\"zd-comment\"", StringComparison.Ordinal) || !html.EndsWith(Close, StringComparison.Ordinal))
        {
            return html;
        }
        var start = html.IndexOf('>', StringComparison.Ordinal) + 1;
        return html[start..^Close.Length];
    }
}
