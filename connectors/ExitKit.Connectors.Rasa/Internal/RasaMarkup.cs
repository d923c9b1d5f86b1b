using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ExitKit.Connectors.Rasa.Internal;

/// <summary>Rasa's entity markup in training examples: <c>[text](entity)</c>, <c>[text](entity:value)</c> (1.x synonyms)
/// and <c>[text]{"entity": "e", "value": "v", "role": "r", "group": "g"}</c>.</summary>
internal static partial class RasaMarkup
{
    [GeneratedRegex("""\[(?<text>[^\]]*)\](?:\((?<short>[^)]+)\)|(?<json>\{[^}]*\}))""")]
    private static partial Regex Annotation();

    /// <summary>The example as plain text and its entity spans as JSON ([{start, end, entity, value, role?, group?}]), or null when it has none.</summary>
    public static (string Text, string? Annotations) Parse(string example)
    {
        var text = new StringBuilder();
        var spans = new List<Dictionary<string, object?>>();
        var position = 0;
        foreach (Match match in Annotation().Matches(example))
        {
            string? entity = null, value = null, role = null, group = null;
            if (match.Groups["short"].Success)
            {
                var parts = match.Groups["short"].Value.Split(':', 2);
                entity = parts[0].Trim();
                value = parts.Length == 2 ? parts[1].Trim() : null;
            }
            else
            {
                try
                {
                    using var json = JsonDocument.Parse(match.Groups["json"].Value);
                    entity = json.RootElement.Text("entity");
                    value = json.RootElement.Text("value");
                    role = json.RootElement.Text("role");
                    group = json.RootElement.Text("group");
                }
                catch (JsonException)
                {
                    // Not markup after all (a literal "[x]{...}"); leave it as text.
                }
            }
            if (string.IsNullOrEmpty(entity))
            {
                continue;
            }
            text.Append(example, position, match.Index - position);
            var spanText = match.Groups["text"].Value;
            var span = new Dictionary<string, object?>
            {
                ["start"] = text.Length,
                ["end"] = text.Length + spanText.Length,
                ["entity"] = entity,
                ["value"] = value ?? spanText,
            };
            if (role is not null)
            {
                span["role"] = role;
            }
            if (group is not null)
            {
                span["group"] = group;
            }
            spans.Add(span);
            text.Append(spanText);
            position = match.Index + match.Length;
        }
        text.Append(example, position, example.Length - position);
        return (text.ToString(), spans.Count == 0 ? null : JsonSerializer.Serialize(spans, Rows.Compact));
    }

    /// <summary>Writes a plain text and its spans back as Rasa markup.</summary>
    public static string Write(string text, string? annotations)
    {
        if (string.IsNullOrEmpty(annotations))
        {
            return text;
        }
        using var document = JsonDocument.Parse(annotations);
        var result = new StringBuilder();
        var position = 0;
        foreach (var span in document.RootElement.EnumerateArray().OrderBy(span => span.GetProperty("start").GetInt32()))
        {
            var start = span.GetProperty("start").GetInt32();
            var end = span.GetProperty("end").GetInt32();
            var entity = span.Text("entity");
            if (start < position || end > text.Length || string.IsNullOrEmpty(entity))
            {
                continue;
            }
            var spanText = text[start..end];
            var value = span.Text("value");
            var role = span.Text("role");
            var group = span.Text("group");
            result.Append(text, position, start - position).Append('[').Append(spanText).Append(']');
            if ((value is null || value == spanText) && role is null && group is null && !entity.Contains(')', StringComparison.Ordinal) && !entity.Contains(':', StringComparison.Ordinal))
            {
                result.Append('(').Append(entity).Append(')');
            }
            else
            {
                var properties = new Dictionary<string, string> { ["entity"] = entity };
                if (value is not null && value != spanText)
                {
                    properties["value"] = value;
                }
                if (role is not null)
                {
                    properties["role"] = role;
                }
                if (group is not null)
                {
                    properties["group"] = group;
                }
                result.Append(JsonSerializer.Serialize(properties, Rows.Compact));
            }
            position = end;
        }
        return result.Append(text, position, text.Length - position).ToString();
    }

    internal static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
