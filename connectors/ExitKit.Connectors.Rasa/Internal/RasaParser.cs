using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ExitKit.Connectors.Rasa.Internal;

/// <summary>Something a Rasa file contributes to the neutral tables.</summary>
internal abstract record RasaItem;

/// <summary>An intent the domain or the training data names.</summary>
internal sealed record IntentItem(string Name, string? Extra) : RasaItem;

/// <summary>A training example of an intent, as plain text with its entity spans.</summary>
internal sealed record ExampleItem(string Intent, string Text, string? Annotations, string? Extra) : RasaItem;

/// <summary>An entity, slot, synonym, regex or lookup table.</summary>
internal sealed record EntityItem(string Kind, string Name, string? Values, string? Extra) : RasaItem;

/// <summary>Project settings with no neutral column (config, responses, actions, forms), kept in models.source_extra.</summary>
internal sealed record SettingItem(string Key, JsonNode? Value) : RasaItem;

/// <summary>What one file holds, or why it could not be read.</summary>
internal sealed record RasaFile(IReadOnlyList<RasaItem> Items, string? UnparsedReason);

/// <summary>Reads Rasa training data (3.x YAML, 1.x Markdown and JSON), domain and config files.</summary>
internal static partial class RasaParser
{
    private static readonly string[] DomainKeys = ["intents", "entities", "slots", "responses", "actions", "forms", "session_config", "e2e_actions"];
    private static readonly string[] ConfigKeys = ["pipeline", "policies", "language", "recipe", "assistant_id"];

    /// <summary>Files that hold channel and service credentials: never read, never kept.</summary>
    public static bool IsSecretBearing(string entry) =>
        Path.GetFileName(entry) is "credentials.yml" or "credentials.yaml" or "endpoints.yml" or "endpoints.yaml";

    public static RasaFile Parse(string entry, byte[] bytes)
    {
        var extension = Path.GetExtension(entry).ToLowerInvariant();
        string content;
        try
        {
            content = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            return new RasaFile([], "not UTF-8 text (binary, e.g. a trained model or an image); kept as an original.");
        }
        return extension switch
        {
            ".yml" or ".yaml" => ParseYaml(content),
            ".md" => ParseMarkdown(content),
            ".json" => ParseJson(content),
            _ => new RasaFile([], $"not Rasa training data, domain or config ({(extension.Length == 0 ? "no extension" : extension)} file); kept as an original."),
        };
    }

    private static RasaFile ParseYaml(string content)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(content));
        }
        catch (YamlException error)
        {
            return new RasaFile([], $"not valid YAML at line {error.Start.Line}, column {error.Start.Column} ({error.Message}); kept as an original. Fix the file and export again.");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return new RasaFile([], "a YAML file without a top-level mapping, so not Rasa training data, domain or config; kept as an original.");
        }
        var items = new List<RasaItem>();
        var understood = false;
        if (root.Get("nlu") is YamlSequenceNode nlu)
        {
            understood = true;
            ReadNlu(nlu, items);
        }
        if (DomainKeys.Any(key => root.Get(key) is not null))
        {
            understood = true;
            ReadDomain(root, items);
        }
        if (ConfigKeys.Any(key => root.Get(key) is not null))
        {
            understood = true;
            items.Add(new SettingItem("config", YamlJson.ToJson(root)));
        }
        if (!understood)
        {
            var keys = string.Join(", ", root.Children.Keys.OfType<YamlScalarNode>().Select(key => key.Value));
            var what = root.Get("stories") is not null || root.Get("rules") is not null
                ? "Rasa stories and rules are dialogue flows, which the models tables do not hold"
                : $"its keys ({keys}) are not Rasa training data (nlu), domain or config";
            return new RasaFile([], $"{what}; kept as an original.");
        }
        return new RasaFile(items, null);
    }

    private static void ReadNlu(YamlSequenceNode nlu, List<RasaItem> items)
    {
        foreach (var node in nlu.Children.OfType<YamlMappingNode>())
        {
            var examples = Examples(node.Get("examples")).ToList();
            var extra = Extra(node, "intent", "synonym", "regex", "lookup", "examples");
            if (node.Text("intent") is { } intent)
            {
                items.Add(new IntentItem(intent, extra));
                foreach (var (example, metadata) in examples)
                {
                    var (text, annotations) = RasaMarkup.Parse(example);
                    items.Add(new ExampleItem(intent, text, annotations, metadata));
                }
                continue;
            }
            foreach (var kind in new[] { "synonym", "regex", "lookup" })
            {
                if (node.Text(kind) is { } name)
                {
                    var values = node.Get("examples") is YamlScalarNode { Style: not ScalarStyle.Literal and not ScalarStyle.Folded } file
                        ? JsonSerializer.Serialize(new { file = file.Value }, Rows.Compact)
                        : JsonSerializer.Serialize(examples.Select(example => example.Text), Rows.Compact);
                    items.Add(new EntityItem(kind, name, values, extra));
                }
            }
        }
    }

    /// <summary>Examples are a literal block of "- example" lines, or (3.x) a list of {text, metadata}.</summary>
    private static IEnumerable<(string Text, string? Metadata)> Examples(YamlNode? node)
    {
        switch (node)
        {
            case YamlScalarNode scalar when scalar.Value is not null:
                foreach (var line in scalar.Value.Split('\n'))
                {
                    if (ListItem(line) is { } example)
                    {
                        yield return (example, null);
                    }
                }
                break;
            case YamlSequenceNode sequence:
                foreach (var child in sequence.Children)
                {
                    if (child is YamlMappingNode mapping && mapping.Text("text") is { } text)
                    {
                        yield return (text.TrimEnd('\n', '\r'), mapping.Get("metadata") is { } metadata ? YamlJson.ToJson(metadata)?.ToJsonString(Rows.Compact) : null);
                    }
                    else if (child is YamlScalarNode { Value: { } value })
                    {
                        yield return (value, null);
                    }
                }
                break;
        }
    }

    private static string? ListItem(string line)
    {
        var trimmed = line.Trim();
        return trimmed.Length >= 2 && trimmed[0] is '-' or '*' or '+' && trimmed[1] == ' ' ? trimmed[2..].Trim() : null;
    }

    private static void ReadDomain(YamlMappingNode root, List<RasaItem> items)
    {
        if (root.Get("intents") is YamlSequenceNode intents)
        {
            foreach (var intent in intents.Children)
            {
                switch (intent)
                {
                    case YamlScalarNode { Value: { } name }:
                        items.Add(new IntentItem(name, null));
                        break;
                    case YamlMappingNode mapping:
                        foreach (var (key, value) in mapping.Children)
                        {
                            items.Add(new IntentItem(((YamlScalarNode)key).Value!, YamlJson.ToJson(value)?.ToJsonString(Rows.Compact)));
                        }
                        break;
                }
            }
        }
        if (root.Get("entities") is YamlSequenceNode entities)
        {
            foreach (var entity in entities.Children)
            {
                switch (entity)
                {
                    case YamlScalarNode { Value: { } name }:
                        items.Add(new EntityItem("entity", name, null, null));
                        break;
                    case YamlMappingNode mapping:
                        foreach (var (key, value) in mapping.Children)
                        {
                            items.Add(new EntityItem("entity", ((YamlScalarNode)key).Value!, YamlJson.ToJson(value)?.ToJsonString(Rows.Compact), null));
                        }
                        break;
                }
            }
        }
        if (root.Get("slots") is YamlMappingNode slots)
        {
            foreach (var (key, value) in slots.Children)
            {
                items.Add(new EntityItem("slot", ((YamlScalarNode)key).Value!, YamlJson.ToJson(value)?.ToJsonString(Rows.Compact), null));
            }
        }
        foreach (var (key, value) in root.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            if (name is not ("intents" or "entities" or "slots"))
            {
                items.Add(new SettingItem(name == "version" ? "domain_version" : name, YamlJson.ToJson(value)));
            }
        }
    }

    private static string? Extra(YamlMappingNode node, params string[] except)
    {
        var extra = new JsonObject();
        foreach (var (key, value) in node.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            if (!except.Contains(name, StringComparer.Ordinal))
            {
                extra[name] = YamlJson.ToJson(value);
            }
        }
        return extra.Count == 0 ? null : extra.ToJsonString(Rows.Compact);
    }

    [GeneratedRegex(@"^##\s*(?<kind>intent|synonym|regex|lookup)\s*:\s*(?<name>.+?)\s*$")]
    private static partial Regex MarkdownSection();

    [GeneratedRegex("<!--.*?-->", RegexOptions.Singleline)]
    private static partial Regex MarkdownComment();

    /// <summary>Rasa 1.x Markdown: "## intent:name" followed by "- example" lines; also synonym, regex and lookup sections.</summary>
    private static RasaFile ParseMarkdown(string content)
    {
        var items = new List<RasaItem>();
        string? kind = null, name = null;
        var values = new List<string>();
        var anySection = false;
        void Flush()
        {
            if (kind is "synonym" or "regex" or "lookup")
            {
                // A 1.x lookup section may name a file of values instead of listing them.
                items.Add(new EntityItem(kind, name!, JsonSerializer.Serialize(values, Rows.Compact), null));
            }
            values.Clear();
        }
        foreach (var raw in MarkdownComment().Replace(content, "").Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var section = MarkdownSection().Match(line.Trim());
            if (section.Success)
            {
                Flush();
                anySection = true;
                kind = section.Groups["kind"].Value;
                name = section.Groups["name"].Value;
                if (kind == "intent")
                {
                    items.Add(new IntentItem(name, null));
                }
                continue;
            }
            if (line.TrimStart().StartsWith('#'))
            {
                Flush();
                kind = null;
                continue;
            }
            var example = ListItem(line);
            if (kind == "intent" && example is not null)
            {
                var (text, annotations) = RasaMarkup.Parse(example);
                items.Add(new ExampleItem(name!, text, annotations, null));
            }
            else if (kind is not null && kind != "intent" && (example ?? (line.Trim().Length > 0 ? line.Trim() : null)) is { } value)
            {
                values.Add(value);
            }
        }
        Flush();
        return anySection
            ? new RasaFile(items, null)
            : new RasaFile([], "Markdown without \"## intent:\", \"## synonym:\", \"## regex:\" or \"## lookup:\" sections (Rasa 1.x stories or documentation); dialogue flows have no models table, so it is kept as an original.");
    }

    /// <summary>Rasa 1.x JSON: {"rasa_nlu_data": {"common_examples": [{text, intent, entities}], "entity_synonyms", "regex_features", "lookup_tables"}}.</summary>
    private static RasaFile ParseJson(string content)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(content, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException error)
        {
            return new RasaFile([], $"not valid JSON ({error.Message}); kept as an original.");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("rasa_nlu_data", out var data) || data.ValueKind != JsonValueKind.Object)
            {
                return new RasaFile([], "JSON without \"rasa_nlu_data\", so not Rasa training data (e.g. a tracker dump or test fixture); kept as an original.");
            }
            var items = new List<RasaItem>();
            if (data.TryGetProperty("common_examples", out var examples) && examples.ValueKind == JsonValueKind.Array)
            {
                foreach (var example in examples.EnumerateArray())
                {
                    var intent = example.Text("intent");
                    var text = example.Text("text");
                    if (intent is null || text is null)
                    {
                        continue;
                    }
                    items.Add(new IntentItem(intent, null));
                    string? annotations = null;
                    if (example.TryGetProperty("entities", out var entities) && entities.ValueKind == JsonValueKind.Array && entities.GetArrayLength() > 0)
                    {
                        annotations = JsonSerializer.Serialize(entities.EnumerateArray().Select(entity => new Dictionary<string, object?>
                        {
                            ["start"] = entity.TryGetProperty("start", out var start) && start.TryGetInt32(out var s) ? s : 0,
                            ["end"] = entity.TryGetProperty("end", out var end) && end.TryGetInt32(out var e) ? e : 0,
                            ["entity"] = entity.Text("entity"),
                            ["value"] = entity.TryGetProperty("value", out var value) ? value.ToString() : null,
                        }), Rows.Compact);
                    }
                    items.Add(new ExampleItem(intent, text, annotations, Rows.Extra(example, "text", "intent", "entities") is var extra && extra.Length > 2 ? extra : null));
                }
            }
            if (data.TryGetProperty("entity_synonyms", out var synonyms) && synonyms.ValueKind == JsonValueKind.Array)
            {
                foreach (var synonym in synonyms.EnumerateArray())
                {
                    if (synonym.Text("value") is { } value)
                    {
                        items.Add(new EntityItem("synonym", value, synonym.TryGetProperty("synonyms", out var list) ? list.GetRawText() : null, null));
                    }
                }
            }
            foreach (var (property, kind) in new[] { ("regex_features", "regex"), ("lookup_tables", "lookup") })
            {
                if (data.TryGetProperty(property, out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in list.EnumerateArray())
                    {
                        if (item.Text("name") is { } name)
                        {
                            items.Add(new EntityItem(kind, name, Rows.Extra(item, "name"), null));
                        }
                    }
                }
            }
            return new RasaFile(items, null);
        }
    }
}
