using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using ExitKit.Schema;

namespace ExitKit.Connectors.Rasa.Internal;

internal sealed class RasaSource(string path) : ISourceConnector
{
    private const string Connector = RasaPlugin.Name;
    private readonly ExportTree _tree = ExportTree.Open(path, Connector);
    private readonly Dictionary<string, string> _unparsed = new(StringComparer.Ordinal);
    private bool _scanned;
    private bool _problemsReported;
    private bool _hasDomain;
    private string? _language;

    private string SourceSystem => $"{Connector}:{_tree.Name}";

    private string ModelId => _tree.Name;

    public async Task<SourceDescription> DescribeAsync(ExportRequest request, CancellationToken cancellationToken = default)
    {
        await ScanAsync(null, cancellationToken);
        return new SourceDescription(SourceSystem, "Rasa",
            [.. new[] { NeutralSchema.Models, NeutralSchema.Intents, NeutralSchema.TrainingUtterances, NeutralSchema.Entities }
                .Select(table => new SourceTable(table.Name, null))]);
    }

    public async Task ExportOriginalsAsync(ExportRequest request, IExportContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        await _tree.StoreOriginalsAsync(context, Connector, cancellationToken, RasaParser.IsSecretBearing);
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
            "training_utterances" => ReadUtterancesAsync(cancellationToken),
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
        if (!_scanned)
        {
            _scanned = true;
            foreach (var entry in _tree.Entries.Where(entry => !RasaParser.IsSecretBearing(entry)))
            {
                var file = RasaParser.Parse(entry, await _tree.ReadAllBytesAsync(entry, cancellationToken));
                if (file.UnparsedReason is not null)
                {
                    _unparsed[entry] = file.UnparsedReason;
                    continue;
                }
                foreach (var setting in file.Items.OfType<SettingItem>())
                {
                    if (setting.Key == "config" && setting.Value?["language"] is JsonValue language)
                    {
                        _language ??= language.ToString();
                    }
                    _hasDomain |= setting.Key is "responses" or "actions" or "forms" or "session_config";
                }
            }
        }
        if (context is null || _problemsReported)
        {
            return;
        }
        _problemsReported = true;
        foreach (var entry in _tree.Entries)
        {
            if (RasaParser.IsSecretBearing(entry))
            {
                context.ReportProblem(new ExportProblem(ProblemKind.Degraded, null, _tree.Describe(entry),
                    "holds channel or service credentials; ExitKit neither reads nor keeps it. Recreate it in the successor from your secret store."));
            }
            else if (_unparsed.TryGetValue(entry, out var reason))
            {
                context.ReportProblem(new ExportProblem(ProblemKind.Unparsed, null, _tree.Describe(entry), reason));
            }
        }
    }

    /// <summary>The items of every readable file, file by file in a stable order.</summary>
    private async IAsyncEnumerable<RasaItem> ItemsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var entry in _tree.Entries)
        {
            if (RasaParser.IsSecretBearing(entry) || _unparsed.ContainsKey(entry))
            {
                continue;
            }
            var file = RasaParser.Parse(entry, await _tree.ReadAllBytesAsync(entry, cancellationToken));
            foreach (var item in file.Items)
            {
                yield return item;
            }
        }
    }

    private async IAsyncEnumerable<object?[]> ReadModelsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var extra = new JsonObject();
        await foreach (var setting in ItemsAsync(cancellationToken))
        {
            if (setting is not SettingItem { Key: var key, Value: var value })
            {
                continue;
            }
            // A domain split over several files contributes the same keys more than once: merge them.
            switch (extra[key], value)
            {
                case (JsonObject existing, JsonObject more):
                    foreach (var (name, node) in more.ToList())
                    {
                        more.Remove(name);
                        existing[name] = node;
                    }
                    break;
                case (JsonArray existing, JsonArray more):
                    foreach (var node in more.ToList())
                    {
                        more.Remove(node);
                        existing.Add(node);
                    }
                    break;
                default:
                    extra[key] = value;
                    break;
            }
        }
        yield return Rows.Make(NeutralSchema.Models, SourceSystem, ModelId,
            ("name", _tree.Name),
            ("model_type", _hasDomain ? "bot" : "intent_classifier"),
            ("platform", Connector),
            ("locale", _language),
            ("source_extra", extra.ToJsonString(Rows.Compact)));
    }

    private async IAsyncEnumerable<object?[]> ReadIntentsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Intents are named in the domain and in the training data; one row each, with every extra found.
        var intents = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        await foreach (var item in ItemsAsync(cancellationToken))
        {
            if (item is not IntentItem intent)
            {
                continue;
            }
            if (!intents.TryGetValue(intent.Name, out var extra))
            {
                intents[intent.Name] = extra = [];
            }
            if (intent.Extra is not null && JsonNode.Parse(intent.Extra) is JsonObject more)
            {
                foreach (var (name, node) in more.ToList())
                {
                    more.Remove(name);
                    extra[name] = node;
                }
            }
        }
        foreach (var (name, extra) in intents)
        {
            yield return Rows.Make(NeutralSchema.Intents, SourceSystem, name,
                ("model_id", ModelId),
                ("name", name),
                ("locale", _language),
                ("source_extra", extra.ToJsonString(Rows.Compact)));
        }
    }

    private async IAsyncEnumerable<object?[]> ReadUtterancesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var counters = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var item in ItemsAsync(cancellationToken))
        {
            if (item is not ExampleItem example)
            {
                continue;
            }
            var number = counters[example.Intent] = counters.GetValueOrDefault(example.Intent) + 1;
            yield return Rows.Make(NeutralSchema.TrainingUtterances, SourceSystem, $"{example.Intent}/{RasaMarkup.Number(number)}",
                ("model_id", ModelId),
                ("intent_id", example.Intent),
                ("locale", _language),
                ("text", example.Text),
                ("annotations", example.Annotations),
                ("source_extra", example.Extra is null ? null : $"{{\"metadata\":{example.Extra}}}"));
        }
    }

    private async IAsyncEnumerable<object?[]> ReadEntitiesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var item in ItemsAsync(cancellationToken))
        {
            if (item is not EntityItem entity)
            {
                continue;
            }
            var id = $"{entity.Kind}/{entity.Name}";
            var occurrence = seen[id] = seen.GetValueOrDefault(id) + 1;
            yield return Rows.Make(NeutralSchema.Entities, SourceSystem, occurrence == 1 ? id : $"{id}#{RasaMarkup.Number(occurrence)}",
                ("model_id", ModelId),
                ("name", entity.Name),
                ("entity_type", entity.Kind),
                ("locale", _language),
                ("values", entity.Values),
                ("source_extra", entity.Extra));
        }
    }
}
