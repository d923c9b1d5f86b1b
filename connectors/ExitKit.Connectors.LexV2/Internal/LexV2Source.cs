using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using ExitKit.Schema;

namespace ExitKit.Connectors.LexV2.Internal;

/// <summary>What a file in a Lex V2 export is, from its place in the tree.</summary>
internal enum LexFileKind { Manifest, Bot, BotLocale, Intent, Slot, SlotType, Other }

/// <summary>One file of the export with its place: bot folder, locale, intent, slot or slot type name.</summary>
internal sealed record LexFile(string Entry, LexFileKind Kind, string Bot, string? Locale, string? Intent, string? Name);

internal sealed partial class LexV2Source(string path) : ISourceConnector
{
    private const string Connector = LexV2Plugin.Name;
    private readonly ExportTree _tree = ExportTree.Open(path, Connector);
    private readonly HashSet<string> _unparsed = new(StringComparer.Ordinal);
    private List<LexFile>? _files;
    private bool _problemsReported;
    private string? _sourceSystem;

    // Lex V2 slot references in sample utterances: {SlotName}; slot names are letters, digits, '_' and '-'.
    [GeneratedRegex(@"\{([0-9A-Za-z][0-9A-Za-z_\-]*)\}")]
    internal static partial Regex SlotReference();

    public async Task<SourceDescription> DescribeAsync(ExportRequest request, CancellationToken cancellationToken = default)
    {
        await ScanAsync(null, cancellationToken);
        // The export's own file listing is the source's count of bots and intents: an Intent.json that cannot be read shows as a shortfall.
        return new SourceDescription(_sourceSystem!, "Amazon Lex V2",
        [
            new SourceTable(NeutralSchema.Models.Name, _files!.Count(file => file.Kind == LexFileKind.Bot), TotalMethod: "Bot.json files in the export"),
            new SourceTable(NeutralSchema.Intents.Name, _files!.Count(file => file.Kind == LexFileKind.Intent), TotalMethod: "Intent.json files in the export"),
            new SourceTable(NeutralSchema.TrainingUtterances.Name, null),
            new SourceTable(NeutralSchema.Entities.Name, null),
        ]);
    }

    public async Task ExportOriginalsAsync(ExportRequest request, IExportContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        await _tree.StoreOriginalsAsync(context, Connector, cancellationToken);
        await ScanAsync(context, cancellationToken);
    }

    public async IAsyncEnumerable<SourceRow> ReadTableAsync(TableSchema table, ExportRequest request, string? resumeAfter, IExportContext context,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(context);
        await ScanAsync(context, cancellationToken);
        var rows = table.Name switch
        {
            "models" => ReadModelsAsync(cancellationToken),
            "intents" => ReadIntentsAsync(cancellationToken),
            "training_utterances" => ReadUtterancesAsync(context, cancellationToken),
            "entities" => ReadEntitiesAsync(cancellationToken),
            _ => AsyncEnumerable.Empty<object?[]>(),
        };
        await foreach (var row in Rows.ResumeAfter(rows, table, resumeAfter, Connector, cancellationToken))
        {
            yield return row;
        }
    }

    public ValueTask DisposeAsync()
    {
        _tree.Dispose();
        _scanGate.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Classifies every file once, finds those that are not valid JSON, and reports them once a context is there.</summary>
    // The pipeline reads tables in parallel; the scan (and its one-time problem report) runs once, under this gate.
    private readonly SemaphoreSlim _scanGate = new(1, 1);

    private async Task ScanAsync(IExportContext? context, CancellationToken cancellationToken)
    {
        await _scanGate.WaitAsync(cancellationToken);
        try
        {
            await ScanOnceAsync(context, cancellationToken);
        }
        finally
        {
            _scanGate.Release();
        }
    }

    private async Task ScanOnceAsync(IExportContext? context, CancellationToken cancellationToken)
    {
        if (_files is null)
        {
            _files = [.. _tree.Entries.Select(Classify)];
            foreach (var file in _files.Where(file => file.Kind != LexFileKind.Other))
            {
                try
                {
                    using var document = Rows.ParseJson(await _tree.ReadAllBytesAsync(file.Entry, cancellationToken));
                    if (document.RootElement.ValueKind != JsonValueKind.Object)
                    {
                        _unparsed.Add(file.Entry);
                    }
                    else if (file.Kind == LexFileKind.Bot && _sourceSystem is null)
                    {
                        _sourceSystem = $"{Connector}:{document.RootElement.Text("name") ?? file.Bot}";
                    }
                }
                catch (JsonException)
                {
                    _unparsed.Add(file.Entry);
                }
            }
            _sourceSystem ??= $"{Connector}:{_tree.Name}";
        }
        if (context is null || _problemsReported)
        {
            return;
        }
        _problemsReported = true;
        foreach (var file in _files)
        {
            if (file.Kind == LexFileKind.Other)
            {
                context.ReportProblem(new ExportProblem(ProblemKind.Unparsed, null, _tree.Describe(file.Entry),
                    "not a file of a Lex V2 bot export (Manifest.json, Bot.json, BotLocale.json, Intent.json, Slot.json, SlotType.json); kept as an original only."));
            }
            else if (_unparsed.Contains(file.Entry))
            {
                context.ReportProblem(new ExportProblem(ProblemKind.Unparsed, TableOf(file.Kind), _tree.Describe(file.Entry),
                    "not a JSON object (invalid JSON, binary or an unrendered template); kept as an original. Export the bot again from the Lex console to recover its rows."));
            }
        }
    }

    private static string TableOf(LexFileKind kind) => kind switch
    {
        LexFileKind.Intent => "intents",
        LexFileKind.Slot or LexFileKind.SlotType => "entities",
        _ => "models",
    };

    private static LexFile Classify(string entry)
    {
        var parts = entry.Split('/');
        var fileName = parts[^1];
        if (fileName == "Manifest.json")
        {
            return new LexFile(entry, LexFileKind.Manifest, string.Join('/', parts[..^1]), null, null, null);
        }
        // Every other file sits below <Bot>/ ; Bot.json is the anchor.
        var locales = Array.IndexOf(parts, "BotLocales");
        if (fileName == "Bot.json" && locales < 0)
        {
            return new LexFile(entry, LexFileKind.Bot, string.Join('/', parts[..^1]), null, null, null);
        }
        if (locales >= 0 && locales + 2 < parts.Length)
        {
            var bot = string.Join('/', parts[..locales]);
            var locale = parts[locales + 1];
            var rest = parts[(locales + 2)..];
            switch (rest)
            {
                case ["BotLocale.json"]:
                    return new LexFile(entry, LexFileKind.BotLocale, bot, locale, null, null);
                case ["Intents", var intent, "Intent.json"]:
                    return new LexFile(entry, LexFileKind.Intent, bot, locale, intent, intent);
                case ["Intents", var intent, "Slots", var slot, "Slot.json"]:
                    return new LexFile(entry, LexFileKind.Slot, bot, locale, intent, slot);
                case ["SlotTypes", var slotType, "SlotType.json"]:
                    return new LexFile(entry, LexFileKind.SlotType, bot, locale, null, slotType);
            }
        }
        return new LexFile(entry, LexFileKind.Other, "", null, null, null);
    }

    private IEnumerable<LexFile> Parsed(LexFileKind kind) => _files!.Where(file => file.Kind == kind && !_unparsed.Contains(file.Entry));

    private async Task<JsonDocument> ReadAsync(LexFile file, CancellationToken cancellationToken) =>
        Rows.ParseJson(await _tree.ReadAllBytesAsync(file.Entry, cancellationToken));

    private static string ModelId(string bot) => bot.Length == 0 ? "bot" : bot;

    private async IAsyncEnumerable<object?[]> ReadModelsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var manifests = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var manifest in Parsed(LexFileKind.Manifest))
        {
            using var document = await ReadAsync(manifest, cancellationToken);
            manifests[manifest.Bot] = document.RootElement.GetRawText();
        }
        foreach (var botFile in Parsed(LexFileKind.Bot))
        {
            using var bot = await ReadAsync(botFile, cancellationToken);
            var root = bot.RootElement;
            var locales = new List<(string Id, string Json)>();
            foreach (var localeFile in Parsed(LexFileKind.BotLocale).Where(file => file.Bot == botFile.Bot))
            {
                using var locale = await ReadAsync(localeFile, cancellationToken);
                locales.Add((locale.RootElement.Text("identifier") ?? localeFile.Locale!, locale.RootElement.GetRawText()));
            }
            // The manifest sits at the root of the zip, one level above the bot folder.
            var manifest = manifests.Where(pair => botFile.Bot.StartsWith(pair.Key, StringComparison.Ordinal))
                .OrderByDescending(pair => pair.Key.Length).Select(pair => pair.Value).FirstOrDefault();
            using var extraBuffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(extraBuffer))
            {
                writer.WriteStartObject();
                foreach (var property in root.EnumerateObject().Where(p => p.Name is not ("name" or "version" or "description")))
                {
                    property.WriteTo(writer);
                }
                if (manifest is not null)
                {
                    writer.WritePropertyName("manifest");
                    writer.WriteRawValue(manifest);
                }
                writer.WriteStartObject("botLocales");
                foreach (var (id, json) in locales)
                {
                    writer.WritePropertyName(id);
                    writer.WriteRawValue(json);
                }
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            yield return Rows.Make(NeutralSchema.Models, _sourceSystem!, ModelId(botFile.Bot),
                ("name", root.Text("name") ?? Path.GetFileName(botFile.Bot)),
                ("model_type", "bot"),
                ("platform", Connector),
                ("version", root.Text("version")),
                ("locale", locales.Select(locale => locale.Id).Order(StringComparer.Ordinal).FirstOrDefault()),
                ("description", root.Text("description")),
                ("source_extra", System.Text.Encoding.UTF8.GetString(extraBuffer.ToArray())));
        }
    }

    private static readonly string[] ResponseProperties =
        ["initialResponseSetting", "intentConfirmationSetting", "intentClosingSetting", "fulfillmentCodeHook", "dialogCodeHook"];

    private async IAsyncEnumerable<object?[]> ReadIntentsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var file in Parsed(LexFileKind.Intent))
        {
            using var intent = await ReadAsync(file, cancellationToken);
            var root = intent.RootElement;
            var responses = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var name in ResponseProperties)
            {
                if (root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
                {
                    responses[name] = value;
                }
            }
            yield return Rows.Make(NeutralSchema.Intents, _sourceSystem!, IntentId(file),
                ("model_id", ModelId(file.Bot)),
                ("name", root.Text("name") ?? file.Intent),
                ("locale", file.Locale),
                ("description", root.Text("description")),
                ("responses", responses.Count == 0 ? null : JsonSerializer.Serialize(responses, Rows.Compact)),
                ("source_extra", Rows.Extra(root, [.. ResponseProperties, "name", "description", "sampleUtterances"])));
        }
    }

    private static string IntentId(LexFile file) => $"{ModelId(file.Bot)}/{file.Locale}/{file.Intent}";

    private async IAsyncEnumerable<object?[]> ReadUtterancesAsync(IExportContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var file in Parsed(LexFileKind.Intent))
        {
            var slotTypes = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var slotFile in Parsed(LexFileKind.Slot).Where(slot => slot.Bot == file.Bot && slot.Locale == file.Locale && slot.Intent == file.Intent))
            {
                using var slot = await ReadAsync(slotFile, cancellationToken);
                slotTypes[slot.RootElement.Text("name") ?? slotFile.Name!] = slot.RootElement.Text("slotTypeName");
            }
            using var intent = await ReadAsync(file, cancellationToken);
            if (!intent.RootElement.TryGetProperty("sampleUtterances", out var samples) || samples.ValueKind != JsonValueKind.Array)
            {
                continue;
            }
            var index = 0;
            foreach (var sample in samples.EnumerateArray())
            {
                index++;
                var text = sample.Text("utterance");
                if (text is null)
                {
                    context.ReportProblem(new ExportProblem(ProblemKind.Degraded, "training_utterances", $"{_tree.Describe(file.Entry)}#sampleUtterances[{index - 1}]",
                        "a sample utterance without an \"utterance\" text; it is in the original Intent.json but has no row."));
                    continue;
                }
                yield return Rows.Make(NeutralSchema.TrainingUtterances, _sourceSystem!, $"{IntentId(file)}/{index}",
                    ("model_id", ModelId(file.Bot)),
                    ("intent_id", IntentId(file)),
                    ("locale", file.Locale),
                    ("text", text),
                    ("annotations", Annotations(text, slotTypes)),
                    ("source_extra", Rows.Extra(sample, "utterance")));
            }
        }
    }

    /// <summary>Each {Slot} reference becomes a span over the reference itself; Lex gives no example value, so value is null.</summary>
    internal static string? Annotations(string text, IReadOnlyDictionary<string, string?> slotTypes)
    {
        var matches = SlotReference().Matches(text);
        if (matches.Count == 0)
        {
            return null;
        }
        var spans = matches.Select(match => new Dictionary<string, object?>
        {
            ["start"] = match.Index,
            ["end"] = match.Index + match.Length,
            ["entity"] = match.Groups[1].Value,
            ["value"] = null,
            ["slot_type"] = slotTypes.GetValueOrDefault(match.Groups[1].Value),
        });
        return JsonSerializer.Serialize(spans, Rows.Compact);
    }

    private async IAsyncEnumerable<object?[]> ReadEntitiesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var file in Parsed(LexFileKind.SlotType))
        {
            using var slotType = await ReadAsync(file, cancellationToken);
            var root = slotType.RootElement;
            var values = new List<object>();
            if (root.TryGetProperty("slotTypeValues", out var slotTypeValues) && slotTypeValues.ValueKind == JsonValueKind.Array)
            {
                foreach (var value in slotTypeValues.EnumerateArray())
                {
                    var synonyms = value.TryGetProperty("synonyms", out var list) && list.ValueKind == JsonValueKind.Array
                        ? list.EnumerateArray().Select(synonym => synonym.Text("value")).OfType<string>().ToArray()
                        : [];
                    var sample = value.TryGetProperty("sampleValue", out var sampleValue) ? sampleValue.Text("value") : null;
                    values.Add(new { value = sample, synonyms });
                }
            }
            yield return Rows.Make(NeutralSchema.Entities, _sourceSystem!, $"{ModelId(file.Bot)}/{file.Locale}/slotTypes/{file.Name}",
                ("model_id", ModelId(file.Bot)),
                ("name", root.Text("name") ?? file.Name),
                ("entity_type", "slot_type"),
                ("locale", file.Locale),
                ("values", JsonSerializer.Serialize(values, Rows.Compact)),
                ("source_extra", Rows.Extra(root, "name", "slotTypeValues")));
        }
        foreach (var file in Parsed(LexFileKind.Slot))
        {
            using var slot = await ReadAsync(file, cancellationToken);
            var root = slot.RootElement;
            yield return Rows.Make(NeutralSchema.Entities, _sourceSystem!, $"{ModelId(file.Bot)}/{file.Locale}/{file.Intent}/slots/{file.Name}",
                ("model_id", ModelId(file.Bot)),
                ("name", root.Text("name") ?? file.Name),
                ("entity_type", "slot"),
                ("locale", file.Locale),
                ("values", root.GetRawText()),
                ("source_extra", JsonSerializer.Serialize(new { intent = file.Intent }, Rows.Compact)));
        }
    }
}
