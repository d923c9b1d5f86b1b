using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ExitKit.Schema;

namespace ExitKit.Connectors.DialogflowEs;

/// <summary>Writes neutral intents and training utterances as a Dialogflow ES agent folder (agent.json, package.json, intents, entities).</summary>
/// <remarks>
/// Zip the folder and use "Restore from ZIP" or "Import from ZIP" in the Dialogflow ES console. Each annotated span becomes a
/// phrase segment with its alias and <c>@entity</c> meta; custom entities referenced by spans are written with the span values as entries.
/// </remarks>
public static partial class DialogflowEsFormatWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Dialogflow replaces the characters a file name cannot hold with '_' in its exports.
    [GeneratedRegex("[\\\\/:*?\"<>|]")]
    private static partial Regex NotAllowedInFileName();

    /// <summary>Writes the agent below <paramref name="outputFolder"/>.</summary>
    /// <param name="intents">Rows of <see cref="NeutralSchema.Intents"/>.</param>
    /// <param name="utterances">Rows of <see cref="NeutralSchema.TrainingUtterances"/>; grouped by intent in memory (agents are small).</param>
    /// <param name="outputFolder">Where agent.json goes; created when missing.</param>
    /// <param name="agentName">The agent's display name.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    public static async Task WriteAsync(IAsyncEnumerable<object?[]> intents, IAsyncEnumerable<object?[]> utterances, string outputFolder,
        string agentName = "ExitKit agent", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(intents);
        ArgumentNullException.ThrowIfNull(utterances);
        var intentTable = NeutralSchema.Intents;
        var utteranceTable = NeutralSchema.TrainingUtterances;
        var byIntent = new Dictionary<string, List<object?[]>>(StringComparer.Ordinal);
        await foreach (var utterance in utterances.WithCancellation(cancellationToken))
        {
            var intentId = (string)utterance[utteranceTable.OrdinalOf("intent_id")]!;
            if (!byIntent.TryGetValue(intentId, out var list))
            {
                byIntent[intentId] = list = [];
            }
            list.Add(utterance);
        }
        Directory.CreateDirectory(Path.Combine(outputFolder, "intents"));
        var languages = new SortedSet<string>(StringComparer.Ordinal);
        var entityValues = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        var index = 0;
        await foreach (var intent in intents.WithCancellation(cancellationToken))
        {
            index++;
            var sourceId = (string)intent[intentTable.OrdinalOf("source_id")]!;
            var name = (string)intent[intentTable.OrdinalOf("name")]!;
            var fileStem = NotAllowedInFileName().Replace(name, "_");
            var phrasesByLanguage = new SortedDictionary<string, JsonArray>(StringComparer.Ordinal);
            var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var utterance in byIntent.GetValueOrDefault(sourceId) ?? [])
            {
                var language = Language(utterance[utteranceTable.OrdinalOf("locale")] as string ?? intent[intentTable.OrdinalOf("locale")] as string);
                if (!phrasesByLanguage.TryGetValue(language, out var phrases))
                {
                    phrasesByLanguage[language] = phrases = [];
                }
                phrases.Add(new JsonObject
                {
                    ["data"] = Segments((string)utterance[utteranceTable.OrdinalOf("text")]!, utterance[utteranceTable.OrdinalOf("annotations")] as string, parameters, entityValues),
                    ["isTemplate"] = false,
                    ["count"] = 0,
                });
            }
            var responses = intent[intentTable.OrdinalOf("responses")] is string json && JsonNode.Parse(json) is JsonArray array
                ? array
                : new JsonArray(new JsonObject
                {
                    ["resetContexts"] = false,
                    ["affectedContexts"] = new JsonArray(),
                    ["parameters"] = new JsonArray([.. parameters.Select(pair => (JsonNode)new JsonObject
                    {
                        ["name"] = pair.Key, ["dataType"] = pair.Value, ["value"] = "$" + pair.Key, ["required"] = false, ["isList"] = false,
                    })]),
                    ["messages"] = new JsonArray(),
                    ["speech"] = new JsonArray(),
                });
            await WriteJsonAsync(Path.Combine(outputFolder, "intents", fileStem + ".json"), new JsonObject
            {
                ["id"] = DeterministicId(sourceId),
                ["name"] = name,
                ["auto"] = true,
                ["contexts"] = new JsonArray(),
                ["responses"] = responses,
                ["priority"] = 500000,
                ["webhookUsed"] = false,
                ["webhookForSlotFilling"] = false,
                ["fallbackIntent"] = false,
                ["events"] = new JsonArray(),
            }, cancellationToken);
            foreach (var (language, phrases) in phrasesByLanguage)
            {
                languages.Add(language);
                await WriteJsonAsync(Path.Combine(outputFolder, "intents", $"{fileStem}_usersays_{language}.json"), phrases, cancellationToken);
            }
        }
        var defaultLanguage = languages.FirstOrDefault() ?? "en";
        foreach (var (entity, values) in entityValues)
        {
            var stem = NotAllowedInFileName().Replace(entity, "_");
            await WriteJsonAsync(Path.Combine(outputFolder, "entities", stem + ".json"), new JsonObject
            {
                ["id"] = DeterministicId("entity/" + entity), ["name"] = entity, ["isOverridable"] = true, ["isEnum"] = false, ["automatedExpansion"] = true,
            }, cancellationToken);
            await WriteJsonAsync(Path.Combine(outputFolder, "entities", $"{stem}_entries_{defaultLanguage}.json"),
                new JsonArray([.. values.Select(value => (JsonNode)new JsonObject { ["value"] = value, ["synonyms"] = new JsonArray(value) })]), cancellationToken);
        }
        await WriteJsonAsync(Path.Combine(outputFolder, "agent.json"), new JsonObject
        {
            ["displayName"] = agentName,
            ["description"] = "Exported by ExitKit from neutral intents.",
            ["language"] = defaultLanguage,
            ["supportedLanguages"] = new JsonArray([.. languages.Where(language => language != defaultLanguage).Select(language => (JsonNode)language)]),
            ["defaultTimezone"] = "Etc/UTC",
        }, cancellationToken);
        await WriteJsonAsync(Path.Combine(outputFolder, "package.json"), new JsonObject { ["version"] = "1.0.0" }, cancellationToken);
    }

    /// <summary>Cuts the text into plain and annotated segments; annotated ones carry alias and meta as Dialogflow does.</summary>
    private static JsonArray Segments(string text, string? annotations, SortedDictionary<string, string> parameters,
        SortedDictionary<string, SortedSet<string>> entityValues)
    {
        var data = new JsonArray();
        var position = 0;
        if (!string.IsNullOrEmpty(annotations))
        {
            using var document = JsonDocument.Parse(annotations);
            foreach (var span in document.RootElement.EnumerateArray().OrderBy(span => span.GetProperty("start").GetInt32()))
            {
                var start = span.GetProperty("start").GetInt32();
                var end = span.GetProperty("end").GetInt32();
                if (start < position || end > text.Length)
                {
                    continue;
                }
                if (start > position)
                {
                    data.Add(new JsonObject { ["text"] = text[position..start], ["userDefined"] = false });
                }
                var entity = span.GetProperty("entity").GetString() ?? "entity";
                var typed = span.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String;
                var meta = typed ? type.GetString()! : "@" + entity;
                // A span read from Dialogflow keeps its alias; one from another platform names its parameter after the entity.
                var alias = span.TryGetProperty("alias", out var aliasValue) && aliasValue.ValueKind == JsonValueKind.String
                    ? aliasValue.GetString()
                    : typed ? null : entity;
                var segment = new JsonObject { ["text"] = text[start..end] };
                if (alias is not null)
                {
                    segment["alias"] = alias;
                    parameters.TryAdd(alias, meta);
                }
                segment["meta"] = meta;
                segment["userDefined"] = !span.TryGetProperty("user_defined", out var userDefined) || userDefined.ValueKind != JsonValueKind.False;
                data.Add(segment);
                if (!meta.StartsWith("@sys.", StringComparison.Ordinal))
                {
                    var entityName = meta.TrimStart('@');
                    if (!entityValues.TryGetValue(entityName, out var values))
                    {
                        entityValues[entityName] = values = new SortedSet<string>(StringComparer.Ordinal);
                    }
                    values.Add(span.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : text[start..end]);
                }
                position = end;
            }
        }
        if (position < text.Length || data.Count == 0)
        {
            data.Add(new JsonObject { ["text"] = text[position..], ["userDefined"] = false });
        }
        return data;
    }

    /// <summary>Dialogflow ES language codes are lower case with a hyphen (en, en-gb, pt-br).</summary>
    private static string Language(string? locale) =>
        string.IsNullOrWhiteSpace(locale) ? "en" : locale.Replace('_', '-').ToLowerInvariant() switch
        {
            "en-us" => "en",
            var other => other,
        };

    // Stable ids, so writing the same rows twice gives the same agent.
    private static string DeterministicId(string key)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key));
        return new Guid(hash.AsSpan(0, 16)).ToString("D", CultureInfo.InvariantCulture);
    }

    private static async Task WriteJsonAsync(string path, JsonNode node, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, node.ToJsonString(Indented), cancellationToken);
    }
}
