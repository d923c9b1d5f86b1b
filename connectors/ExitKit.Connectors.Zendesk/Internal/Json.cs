using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ExitKit.Connectors.Zendesk.Internal;

/// <summary>Small readers over Zendesk's JSON, tolerant of missing and null fields.</summary>
internal static class Json
{
    public static JsonElement? Get(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    public static string? Text(this JsonElement element, string name) => element.Get(name) is { } value ? AsText(value) : null;

    public static string? AsText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value.GetRawText(),
    };

    public static long? Long(this JsonElement element, string name) => element.Get(name) switch
    {
        { ValueKind: JsonValueKind.Number } value when value.TryGetInt64(out var number) => number,
        { ValueKind: JsonValueKind.String } value when long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) => number,
        _ => null,
    };

    public static bool? Bool(this JsonElement element, string name) => element.Get(name) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => null,
    };

    public static DateTimeOffset? Time(this JsonElement element, string name) =>
        element.Text(name) is { Length: > 0 } text
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant)
            ? instant.ToUniversalTime()
            : null;

    public static string[]? TextList(this JsonElement element, string name) =>
        element.Get(name) is { ValueKind: JsonValueKind.Array } array
            ? array.EnumerateArray().Select(AsText).OfType<string>().ToArray()
            : null;

    public static IEnumerable<JsonElement> Array(this JsonElement element, string name) =>
        element.Get(name) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];

    /// <summary>A JSON value as compact text, or null.</summary>
    public static string? Raw(this JsonElement element, string name) => element.Get(name)?.GetRawText();

    /// <summary>The top-level property names of a document, for telling what kind of response a file holds.</summary>
    public static IReadOnlyList<string> Keys(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object ? element.EnumerateObject().Select(property => property.Name).ToList() : [];

    public static string Compact(JsonElement element) => element.GetRawText();

    /// <summary>Writes an object's properties that have no neutral home, pseudonymising personal ones, plus extra values.</summary>
    public static string Extra(JsonElement source, IReadOnlySet<string> consumed, Func<string?, string?> pseudonymise,
        IEnumerable<KeyValuePair<string, JsonElement>>? additions = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (source.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in source.EnumerateObject())
                {
                    if (consumed.Contains(property.Name))
                    {
                        continue;
                    }
                    writer.WritePropertyName(property.Name);
                    WriteValue(writer, property.Name, property.Value, pseudonymise, personalContext: false);
                }
            }
            foreach (var (name, value) in additions ?? [])
            {
                writer.WritePropertyName(name);
                WriteValue(writer, name, value, pseudonymise, personalContext: false);
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    // Ids and contact details of people; their values pass through the package's pseudonymiser.
    private static readonly HashSet<string> PersonalKeys = new(StringComparer.Ordinal)
    {
        "requester_id", "submitter_id", "assignee_id", "author_id", "collaborator_ids", "follower_ids", "email_cc_ids",
        "recipient", "user_id", "updated_by_id", "created_by_id", "email", "phone", "original_recipients",
    };

    // Inside via.source.from / via.source.to every contact field is personal (address, name, phone...).
    private static readonly HashSet<string> ContactKeys = new(StringComparer.Ordinal) { "address", "name", "phone", "email", "username", "profile_url" };

    private static void WriteValue(Utf8JsonWriter writer, string name, JsonElement value, Func<string?, string?> pseudonymise, bool personalContext)
    {
        var personal = PersonalKeys.Contains(name) || (personalContext && ContactKeys.Contains(name));
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                var contacts = personalContext || name is "from" or "to";
                foreach (var property in value.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    WriteValue(writer, property.Name, property.Value, pseudonymise, contacts);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteValue(writer, personal ? name : string.Empty, item, pseudonymise, personalContext);
                }
                writer.WriteEndArray();
                break;
            case JsonValueKind.String or JsonValueKind.Number when personal:
                var text = AsText(value);
                var hidden = pseudonymise(text);
                if (string.Equals(hidden, text, StringComparison.Ordinal))
                {
                    value.WriteTo(writer);
                }
                else if (hidden is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    writer.WriteStringValue(hidden);
                }
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }
}
