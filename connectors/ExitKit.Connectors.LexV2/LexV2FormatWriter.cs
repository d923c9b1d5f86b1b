using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ExitKit.Schema;

namespace ExitKit.Connectors.LexV2;

/// <summary>Writes neutral intents and training utterances as a Lex V2 bot import tree (Manifest.json, Bot.json, locales, intents, slots).</summary>
/// <remarks>
/// The tree can be zipped and imported with Lex V2's import. Annotated entity spans become <c>{Slot}</c> references,
/// and each referenced slot gets a Slot.json whose slot type is the annotation's <c>slot_type</c> (or <c>AMAZON.AlphaNumeric</c>).
/// Names Lex does not accept (spaces, dots) are rewritten with '_'; two-letter locales get a default region (<c>en</c> → <c>en_US</c>).
/// </remarks>
public static partial class LexV2FormatWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [GeneratedRegex("[^0-9A-Za-z_-]")]
    private static partial Regex NotAllowedInName();

    /// <summary>Writes the tree below <paramref name="outputFolder"/>.</summary>
    /// <param name="intents">Rows of <see cref="NeutralSchema.Intents"/>.</param>
    /// <param name="utterances">Rows of <see cref="NeutralSchema.TrainingUtterances"/>; grouped by intent in memory (bots are small).</param>
    /// <param name="outputFolder">Where Manifest.json and the bot folder go; created when missing.</param>
    /// <param name="botName">The bot's name.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    public static async Task WriteAsync(IAsyncEnumerable<object?[]> intents, IAsyncEnumerable<object?[]> utterances, string outputFolder,
        string botName = "ExitKitBot", CancellationToken cancellationToken = default)
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

        var bot = SafeName(botName);
        var botFolder = Path.Combine(outputFolder, bot);
        Directory.CreateDirectory(botFolder);
        await WriteJsonAsync(Path.Combine(outputFolder, "Manifest.json"),
            new JsonObject { ["metaData"] = new JsonObject { ["fileFormat"] = "LexJson", ["resourceType"] = "BOT", ["schemaVersion"] = "1" } }, cancellationToken);
        await WriteJsonAsync(Path.Combine(botFolder, "Bot.json"), new JsonObject
        {
            ["name"] = bot,
            ["version"] = "DRAFT",
            ["description"] = "Exported by ExitKit from neutral intents.",
            ["identifier"] = "",
            ["dataPrivacy"] = new JsonObject { ["childDirected"] = false },
            ["idleSessionTTLInSeconds"] = 300,
        }, cancellationToken);

        var locales = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var intent in intents.WithCancellation(cancellationToken))
        {
            var name = SafeName((string)intent[intentTable.OrdinalOf("name")]!);
            var locale = LexLocale(intent[intentTable.OrdinalOf("locale")] as string);
            var localeFolder = Path.Combine(botFolder, "BotLocales", locale);
            if (locales.Add(locale))
            {
                await WriteJsonAsync(Path.Combine(localeFolder, "BotLocale.json"), new JsonObject
                {
                    ["name"] = locale,
                    ["identifier"] = locale,
                    ["version"] = null,
                    ["description"] = null,
                    ["voiceSettings"] = null,
                    ["nluConfidenceThreshold"] = 0.4,
                }, cancellationToken);
            }
            var intentFolder = Path.Combine(localeFolder, "Intents", name);
            var samples = new JsonArray();
            var slots = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var utterance in byIntent.GetValueOrDefault((string)intent[intentTable.OrdinalOf("source_id")]!) ?? [])
            {
                var text = (string)utterance[utteranceTable.OrdinalOf("text")]!;
                samples.Add(new JsonObject { ["utterance"] = ToLexUtterance(text, utterance[utteranceTable.OrdinalOf("annotations")] as string, slots) });
            }
            await WriteJsonAsync(Path.Combine(intentFolder, "Intent.json"), new JsonObject
            {
                ["name"] = name,
                ["identifier"] = "",
                ["description"] = intent[intentTable.OrdinalOf("description")] as string,
                ["parentIntentSignature"] = null,
                ["sampleUtterances"] = samples.Count == 0 ? null : samples,
                ["slotPriorities"] = new JsonArray([.. slots.Keys.Select((slot, index) => (JsonNode)new JsonObject { ["priority"] = index + 1, ["slotName"] = slot })]),
            }, cancellationToken);
            foreach (var (slot, slotType) in slots)
            {
                await WriteJsonAsync(Path.Combine(intentFolder, "Slots", slot, "Slot.json"), new JsonObject
                {
                    ["name"] = slot,
                    ["identifier"] = "",
                    ["description"] = null,
                    ["slotTypeName"] = slotType,
                    ["valueElicitationSetting"] = new JsonObject { ["slotConstraint"] = "Optional" },
                }, cancellationToken);
            }
        }
    }

    /// <summary>Replaces each annotated span with a {Slot} reference and collects the slots it names.</summary>
    private static string ToLexUtterance(string text, string? annotations, Dictionary<string, string> slots)
    {
        if (string.IsNullOrEmpty(annotations))
        {
            return text;
        }
        using var document = JsonDocument.Parse(annotations);
        var spans = document.RootElement.EnumerateArray()
            .Select(span => (Start: span.GetProperty("start").GetInt32(), End: span.GetProperty("end").GetInt32(),
                Entity: SafeName(span.GetProperty("entity").GetString() ?? "Slot"),
                SlotType: span.TryGetProperty("slot_type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString()! : "AMAZON.AlphaNumeric"))
            .OrderBy(span => span.Start)
            .ToList();
        var result = new StringBuilder();
        var position = 0;
        foreach (var span in spans)
        {
            if (span.Start < position || span.End > text.Length)
            {
                continue;
            }
            result.Append(text, position, span.Start - position).Append('{').Append(span.Entity).Append('}');
            position = span.End;
            slots.TryAdd(span.Entity, span.SlotType);
        }
        return result.Append(text, position, text.Length - position).ToString();
    }

    private static string SafeName(string name) => NotAllowedInName().Replace(name.Trim(), "_");

    private static readonly Dictionary<string, string> DefaultRegions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["en"] = "en_US", ["de"] = "de_DE", ["fr"] = "fr_FR", ["es"] = "es_ES", ["it"] = "it_IT",
        ["ja"] = "ja_JP", ["ko"] = "ko_KR", ["pt"] = "pt_BR", ["zh"] = "zh_CN", ["nl"] = "nl_NL",
    };

    private static string LexLocale(string? locale)
    {
        if (string.IsNullOrWhiteSpace(locale))
        {
            return "en_US";
        }
        var normalised = locale.Replace('-', '_');
        var parts = normalised.Split('_');
        return parts.Length == 2
            ? string.Create(CultureInfo.InvariantCulture, $"{parts[0].ToLowerInvariant()}_{parts[1].ToUpperInvariant()}")
            : DefaultRegions.GetValueOrDefault(normalised, normalised);
    }

    private static async Task WriteJsonAsync(string path, JsonNode node, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, node.ToJsonString(Indented), cancellationToken);
    }
}
