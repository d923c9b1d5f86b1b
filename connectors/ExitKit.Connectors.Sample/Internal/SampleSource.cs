using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ExitKit.Schema;

namespace ExitKit.Connectors.Sample.Internal;

/// <summary>Reads the sample centre as a source connector would read a vendor's system.</summary>
internal sealed class SampleSource(SampleOptions options) : ISourceConnector
{
    private const string System = SampleCentre.System;
    private readonly SampleCentre _centre = new(options);

    private static readonly string[] InteractionTables = ["interactions", "messages", "participants", "attachments", "surveys"];

    public Task<SourceDescription> DescribeAsync(ExportRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The centre's own counts, as its reporting database would give them: lost days are counted, because the source
        // had those rows; it is the export that cannot deliver them.
        var daily = InteractionTables.ToDictionary(table => table, _ => new Dictionary<DateOnly, long>());
        void Count(string table, DateTimeOffset instant)
        {
            if (request.Contains(instant))
            {
                var day = DateOnly.FromDateTime(instant.UtcDateTime);
                daily[table][day] = daily[table].GetValueOrDefault(day) + 1;
            }
        }
        for (var index = 0; index < _centre.Count; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Count("interactions", _centre.StartedAt(index));
            for (var turn = 1; turn <= SampleCentre.MessageCount(index); turn++)
            {
                Count("messages", _centre.MessageSentAt(index, turn));
            }
            Count("participants", _centre.StartedAt(index));
            Count("participants", _centre.StartedAt(index));
            if (SampleCentre.HasAttachment(index))
            {
                Count("attachments", _centre.AttachmentCreatedAt(index));
            }
            if (SampleCentre.HasSurvey(index))
            {
                Count("surveys", _centre.SurveyAnsweredAt(index));
            }
        }
        var tables = new List<SourceTable>();
        foreach (var table in InteractionTables)
        {
            tables.Add(new SourceTable(table, daily[table].Values.Sum(), daily[table], "sample centre reporting counts"));
        }
        tables.Add(Fixed("kb_sections", SampleCatalogue.KbSections().Count()));
        tables.Add(Fixed("kb_articles", SampleCatalogue.KbArticles().Count()));
        tables.Add(Fixed("kb_attachments", SampleCatalogue.ArticlesWithImages().Count()));
        tables.Add(Fixed("business_hours", SampleCatalogue.BusinessHours().Count()));
        tables.Add(Fixed("queues", SampleCatalogue.Queues.Length));
        tables.Add(Fixed("skills", SampleCatalogue.Skills().Count()));
        tables.Add(Fixed("routing_rules", SampleCatalogue.RoutingRules().Count()));
        var flows = new[] { Flow.Parse(SampleCatalogue.MainFlowJson), Flow.Parse(SampleCatalogue.FrenchFlowJson) };
        tables.Add(Fixed("flows", flows.Length));
        tables.Add(Fixed("flow_nodes", flows.Sum(flow => flow.Nodes.Count)));
        tables.Add(Fixed("flow_edges", flows.Sum(flow => flow.Edges.Count)));
        var bot = Bot.Parse();
        tables.Add(Fixed("models", 2));
        tables.Add(Fixed("intents", bot.Intents.Count));
        tables.Add(Fixed("training_utterances", bot.Intents.Sum(intent => intent.Utterances.Count)));
        tables.Add(Fixed("entities", bot.Entities.Count));
        tables.Add(Fixed("model_files", 1));
        return Task.FromResult(new SourceDescription(System, "Northwind Contact (sample vendor stack)", tables));
    }

    // Time-windowed exports take configuration tables whole: they are the state at exit, not history.
    private static SourceTable Fixed(string table, long count) => new(table, count, null, "sample centre configuration");

    public async Task ExportOriginalsAsync(ExportRequest request, IExportContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var (json, path) in FlowDefinitions)
        {
            await StoreTextAsync(context, path, json, cancellationToken);
        }
        await StoreTextAsync(context, BotOriginalPath, SampleCatalogue.BotExportJson, cancellationToken);
    }

    private static async Task StoreTextAsync(IExportContext context, string path, string text, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(text));
        await context.StoreOriginalAsync(path, content, cancellationToken);
    }

    public async IAsyncEnumerable<SourceRow> ReadTableAsync(TableSchema table, ExportRequest request, string? resumeAfter, IExportContext context,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (InteractionTables.Contains(table.Name))
        {
            // The cursor is the index of the last interaction whose rows were all delivered.
            var first = resumeAfter is null ? 0 : int.Parse(resumeAfter, CultureInfo.InvariantCulture) + 1;
            var timeOrdinal = table.OrdinalOf(table.TimeColumn!);
            for (var index = first; index < _centre.Count; index++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (index % 4096 == 0)
                {
                    await Task.Yield();
                }
                var cursor = index.ToString(CultureInfo.InvariantCulture);
                if (table.Name == "attachments" && SampleCentre.HasAttachment(index)
                    && (!request.Contains(_centre.AttachmentCreatedAt(index)) || _centre.IsLost(_centre.AttachmentCreatedAt(index))))
                {
                    // Outside the window (another shard's days): its file is not this export's to store.
                    continue;
                }
                var rows = await RowsOfAsync(table.Name, index, context, cancellationToken);
                for (var position = 0; position < rows.Count; position++)
                {
                    var instant = (DateTimeOffset)rows[position][timeOrdinal]!;
                    if (request.Contains(instant) && !_centre.IsLost(instant))
                    {
                        yield return new SourceRow(rows[position], position == rows.Count - 1 ? cursor : null);
                    }
                }
            }
            yield break;
        }
        foreach (var row in await FixedRowsAsync(table.Name, context, cancellationToken))
        {
            yield return new SourceRow(row);
        }
    }

    private async ValueTask<IReadOnlyList<object?[]>> RowsOfAsync(string table, int index, IExportContext context, CancellationToken cancellationToken)
    {
        switch (table)
        {
            case "interactions":
                return [_centre.Interaction(index)];
            case "messages":
                var messages = new object?[SampleCentre.MessageCount(index)][];
                for (var turn = 1; turn <= messages.Length; turn++)
                {
                    messages[turn - 1] = _centre.Message(index, turn);
                }
                return messages;
            case "participants":
                return [.. _centre.Participants(index)];
            case "attachments":
                if (!SampleCentre.HasAttachment(index))
                {
                    return [];
                }
                using (var content = new MemoryStream(SampleCentre.AttachmentContent(index)))
                {
                    var stored = await context.StoreArtefactAsync(content, cancellationToken);
                    return [_centre.Attachment(index, stored.Sha256, stored.SizeBytes, stored.PackagePath)];
                }
            case "surveys":
                return SampleCentre.HasSurvey(index) ? [_centre.Survey(index)] : [];
            default:
                throw new InvalidOperationException($"{table} is not an interaction table.");
        }
    }

    private static async Task<IReadOnlyList<object?[]>> FixedRowsAsync(string table, IExportContext context, CancellationToken cancellationToken)
    {
        switch (table)
        {
            case "kb_sections": return [.. SampleCatalogue.KbSections()];
            case "kb_articles": return [.. SampleCatalogue.KbArticles()];
            case "kb_attachments":
                var images = new List<object?[]>();
                foreach (var article in SampleCatalogue.ArticlesWithImages())
                {
                    using var content = new MemoryStream(SampleCatalogue.TinyPng);
                    var stored = await context.StoreArtefactAsync(content, cancellationToken);
                    images.Add(SampleCatalogue.KbAttachment(article, stored.Sha256, stored.SizeBytes, stored.PackagePath));
                }
                return images;
            case "business_hours": return [.. SampleCatalogue.BusinessHours()];
            case "queues": return [.. SampleCatalogue.QueueRows()];
            case "skills": return [.. SampleCatalogue.Skills()];
            case "routing_rules": return [.. SampleCatalogue.RoutingRules()];
            case "flows" or "flow_nodes" or "flow_edges":
                var flows = FlowDefinitions.Select(definition => (Flow.Parse(definition.Json), definition.OriginalPath)).ToArray();
                return table switch
                {
                    "flows" => flows.Select(pair => pair.Item1.Row("data/originals/" + pair.Item2)).ToArray(),
                    "flow_nodes" => flows.SelectMany(pair => pair.Item1.Nodes).ToArray(),
                    _ => flows.SelectMany(pair => pair.Item1.Edges).ToArray(),
                };
            case "models" or "intents" or "training_utterances" or "entities":
                var bot = Bot.Parse();
                return table switch
                {
                    "models" => [Bot.ModelRow(), Bot.ClassifierRow()],
                    "intents" => bot.Intents.Select(intent => intent.Row).ToArray(),
                    "training_utterances" => bot.Intents.SelectMany(intent => intent.Utterances).ToArray(),
                    _ => bot.Entities,
                };
            case "model_files":
                using (var content = new MemoryStream(SampleModelFile.Build()))
                {
                    var stored = await context.StoreArtefactAsync(content, cancellationToken);
                    return [ModelFileRow(stored.Sha256, stored.SizeBytes, stored.PackagePath)];
                }
            default:
                return [];
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The vendor's flow definitions: the document as exported, and where the sample keeps it under data/originals/.</summary>
    public static readonly (string Json, string OriginalPath)[] FlowDefinitions =
        [(SampleCatalogue.MainFlowJson, "sample/flows/main-ivr.json"), (SampleCatalogue.FrenchFlowJson, "sample/flows/fr-ivr.json")];

    public const string BotOriginalPath = "sample/bot/northwind-helper.json";

    public static object?[] ModelFileRow(string sha256, long size, string path) =>
    [
        System, "mf-intent-scorer", "model-intent-scorer", "northwind-intent-scorer.onnx", "onnx", size, sha256, path,
        13L, "exitkit-sample 1.0", """[{"name":"features","type":"float","shape":[1,4]}]""", """[{"name":"scores","type":"float","shape":[1,4]}]""", null,
    ];

    /// <summary>The vendor's flow definition turned into nodes and edges.</summary>
    internal sealed record Flow(string Id, string Name, string Type, string Start, List<object?[]> Nodes, List<object?[]> Edges)
    {
        public static Flow Parse(string json)
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var id = root.GetProperty("flow").GetString()!;
            var flowId = id == "Main IVR" ? "main-ivr" : id;
            var nodes = new List<object?[]>();
            var edges = new List<object?[]>();
            void Edge(string from, string condition, string kind, string? target)
            {
                var toNode = kind == "node" ? $"{flowId}/{target}" : null;
                edges.Add([System, $"{flowId}/{from}/{condition}", flowId, $"{flowId}/{from}", toNode, condition, kind, kind == "node" ? null : target, null]);
            }
            foreach (var block in root.GetProperty("blocks").EnumerateArray())
            {
                var blockId = block.GetProperty("id").GetString()!;
                var type = block.GetProperty("type").GetString()!;
                var parameters = new Dictionary<string, JsonElement>();
                foreach (var property in block.EnumerateObject().Where(property => property.Name is not ("id" or "type" or "next" or "error" or "open" or "closed" or "choices" or "timeout")))
                {
                    parameters[property.Name] = property.Value;
                }
                nodes.Add([System, $"{flowId}/{blockId}", flowId, type, blockId, JsonSerializer.Serialize(parameters), null]);
                foreach (var branch in new[] { "next", "open", "closed", "timeout" })
                {
                    if (block.TryGetProperty(branch, out var target))
                    {
                        Edge(blockId, branch == "next" ? "next" : branch, "node", target.GetString());
                    }
                }
                if (block.TryGetProperty("choices", out var choices))
                {
                    foreach (var choice in choices.EnumerateObject())
                    {
                        Edge(blockId, "pressed:" + choice.Name, "node", choice.Value.GetString());
                    }
                }
                if (block.TryGetProperty("error", out var error))
                {
                    Edge(blockId, "error", "node", error.GetString());
                }
                if (block.TryGetProperty("queue", out var queue))
                {
                    Edge(blockId, "transfer", "queue", queue.GetString());
                }
                if (block.TryGetProperty("flow", out var flow))
                {
                    Edge(blockId, "transfer", "flow", flow.GetString());
                }
                if (block.TryGetProperty("prompt", out var prompt))
                {
                    Edge(blockId, "plays", "prompt", prompt.GetString());
                }
                if (block.TryGetProperty("hours", out var hours))
                {
                    Edge(blockId, "checks", "schedule", hours.GetString());
                }
            }
            return new Flow(flowId, id, root.GetProperty("type").GetString()!, $"{flowId}/{root.GetProperty("start").GetString()}", nodes, edges);
        }

        public object?[] Row(string originalPath) =>
        [
            System, Id, Name, Type, null, Start, "sample-ivr-json", originalPath, new DateTimeOffset(2022, 11, 1, 9, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2024, 6, 1, 9, 0, 0, TimeSpan.Zero), null,
        ];
    }

    internal sealed record Intent(object?[] Row, List<object?[]> Utterances);

    /// <summary>The bot export turned into model, intent, utterance and entity rows.</summary>
    internal sealed record Bot(List<Intent> Intents, List<object?[]> Entities)
    {
        private const string ModelId = "model-northwind-helper";

        public static Bot Parse()
        {
            using var document = JsonDocument.Parse(SampleCatalogue.BotExportJson);
            var intents = new List<Intent>();
            foreach (var intent in document.RootElement.GetProperty("intents").EnumerateObject())
            {
                var intentId = $"{ModelId}/{intent.Name}";
                var utterances = new List<object?[]>();
                var number = 0;
                foreach (var utterance in intent.Value.EnumerateArray())
                {
                    var text = utterance.GetString()!;
                    var slot = text.IndexOf('{', StringComparison.Ordinal);
                    var annotations = slot < 0 ? null
                        : $$"""[{"start":{{slot}},"end":{{text.IndexOf('}', StringComparison.Ordinal) + 1}},"entity":"{{text[(slot + 1)..text.IndexOf('}', StringComparison.Ordinal)]}}"}]""";
                    utterances.Add([System, $"{intentId}/{++number}", ModelId, intentId, "en-GB", text, annotations, null]);
                }
                intents.Add(new Intent([System, intentId, ModelId, intent.Name, "en-GB", null, null, null], utterances));
            }
            var entities = new List<object?[]>();
            foreach (var entity in document.RootElement.GetProperty("entities").EnumerateObject())
            {
                var kind = entity.Value.GetProperty("kind").GetString()!;
                entities.Add([System, $"{ModelId}/{entity.Name}", ModelId, entity.Name, kind, "en-GB", entity.Value.GetRawText(), null]);
            }
            return new Bot(intents, entities);
        }

        public static object?[] ModelRow() =>
        [
            System, ModelId, "Northwind Helper", "bot", "sample-bot-json", "2024.06", "en-GB", "Customer-facing chat bot for orders and accounts.", "CX automation team",
            """{"intent_accuracy":0.91,"evaluated_on":"2024-06-01"}""", null, new DateTimeOffset(2023, 3, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero), null,
        ];

        public static object?[] ClassifierRow() =>
        [
            System, "model-intent-scorer", "Northwind intent scorer", "intent_classifier", "onnx", "1.0", "en-GB", "Scores chat openings against the bot's intents.",
            "CX automation team", """{"macro_f1":0.88}""", "# Northwind intent scorer\n\nTrained on 2023 chat openings. Owner: CX automation team.",
            new DateTimeOffset(2024, 1, 10, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero), null,
        ];
    }
}
