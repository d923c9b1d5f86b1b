using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ExitKit.Connectors.Support;

/// <summary>Small helpers for reading vendor JSON.</summary>
public static class Json
{
    public static JsonElement? Get(this JsonElement element, params string[] path)
    {
        var current = element;
        foreach (var name in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out var next))
            {
                return null;
            }
            current = next;
        }
        return current.ValueKind == JsonValueKind.Null ? null : current;
    }

    public static string? Text(this JsonElement element, params string[] path) => element.Get(path) is { } value
        ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => null,
        }
        : null;

    public static long? Long(this JsonElement element, params string[] path) =>
        element.Get(path) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var number) ? number : null;

    public static DateTimeOffset? Time(this JsonElement element, params string[] path) => ParseTime(element.Get(path));

    public static DateTimeOffset? ParseTime(JsonElement? value)
    {
        if (value is not { } element)
        {
            return null;
        }
        if (element.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(element.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
        {
            return instant.ToUniversalTime();
        }
        // The Describe APIs return epoch seconds (with a fraction) through the AWS CLI.
        if (element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var seconds))
        {
            return DateTimeOffset.UnixEpoch.AddMilliseconds(Math.Round(seconds * 1000));
        }
        return null;
    }

    public static IEnumerable<JsonElement> Array(this JsonElement element, params string[] path) =>
        element.Get(path) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];

    /// <summary>The value as compact JSON, so the same value reads the same whichever file layout it came from.</summary>
    public static string Compact(this JsonElement element) => JsonNode.Parse(element.GetRawText())?.ToJsonString() ?? "null";

    public static bool Has(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out _);

    /// <summary>The object's properties except the named ones, as a JSON object string.</summary>
    public static string Except(this JsonElement element, params string[] names)
    {
        var result = new JsonObject();
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (!names.Contains(property.Name, StringComparer.Ordinal))
                {
                    result[property.Name] = JsonNode.Parse(property.Value.GetRawText());
                }
            }
        }
        return result.ToJsonString();
    }

    public static string Object(params (string Name, object? Value)[] properties)
    {
        var result = new JsonObject();
        foreach (var (name, value) in properties)
        {
            result[name] = value switch
            {
                null => null,
                JsonElement element => JsonNode.Parse(element.GetRawText()),
                JsonNode node => node,
                string text => JsonValue.Create(text),
                long number => JsonValue.Create(number),
                int number => JsonValue.Create(number),
                double number => JsonValue.Create(number),
                bool flag => JsonValue.Create(flag),
                _ => JsonValue.Create(value.ToString()),
            };
        }
        return result.ToJsonString();
    }

    /// <summary>Every JSON value in a file: one document, a JSON array's items are not split; concatenated or newline-delimited values are.</summary>
    public static List<JsonDocument> ReadValues(byte[] bytes)
    {
        var documents = new List<JsonDocument>();
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowMultipleValues = true, CommentHandling = JsonCommentHandling.Skip });
        try
        {
            while (reader.Read())
            {
                documents.Add(JsonDocument.ParseValue(ref reader));
            }
        }
        catch
        {
            foreach (var document in documents)
            {
                document.Dispose();
            }
            throw;
        }
        return documents;
    }
}
