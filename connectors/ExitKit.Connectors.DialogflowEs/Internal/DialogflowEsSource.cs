using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ExitKit.Schema;

namespace ExitKit.Connectors.DialogflowEs.Internal;

/// <summary>What a file in an agent export is.</summary>
internal enum DialogflowFileKind { Agent, Package, Intent, UserSays, Entity, Entries, Other }

/// <summary>One file with its place: the intent or entity it belongs to (the file name stem) and the language of phrases or entries.</summary>
internal sealed record DialogflowFile(string Entry, DialogflowFileKind Kind, string? Stem, string? Language);

internal sealed class DialogflowEsSource(string path) : ISourceConnector
{
    private const string Connector = DialogflowEsPlugin.Name;
    private const string UserSaysMarker = "_usersays_";
    private const string EntriesMarker = "_entries_";
    private readonly ExportTree _tree = ExportTree.Open(path, Connector);
    private readonly Dictionary<string, string> _unparsed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _withheld = new(StringComparer.Ordinal);
    private List<DialogflowFile>? _files;
    private bool _problemsReported;
    private string _sourceSystem = "";
    private string? _language;

    public async Task<SourceDescription> DescribeAsync(ExportRequest request, CancellationToken cancellationToken = default)
    {
        await ScanAsync(null, cancellationToken);
        // The export's own file listing is the source's count of intents: an intent file that cannot be read shows as a shortfall.
        return new SourceDescription(_sourceSystem, "Dialogflow ES",
        [
            new SourceTable(NeutralSchema.Models.Name, _files!.Count(file => file.Kind == DialogflowFileKind.Agent), TotalMethod: "agent.json in the export"),
            new SourceTable(NeutralSchema.Intents.Name, _files!.Count(file => file.Kind == DialogflowFileKind.Intent), TotalMethod: "intents/*.json files (without _usersays_) in the export"),
            new SourceTable(NeutralSchema.TrainingUtterances.Name, null),
            new SourceTable(NeutralSchema.Entities.Name, null),
        ]);
    }

    public async Task ExportOriginalsAsync(ExportRequest request, IExportContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        await ScanAsync(null, cancellationToken);
        await _tree.StoreOriginalsAsync(context, Connector, cancellationToken, _withheld.Contains);
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
        if (_files is null)
        {
            // The agent may sit in a folder inside the zip; agent.json marks its root.
            var agent = _tree.Entries.Where(entry => entry == "agent.json" || entry.EndsWith("/agent.json", StringComparison.Ordinal))
                .OrderBy(entry => entry.Length).FirstOrDefault();
            var root = agent is null ? "" : agent[..^"agent.json".Length];
            _files = [.. _tree.Entries.Select(entry => Classify(entry, root))];
            var intentStems = new HashSet<string>(StringComparer.Ordinal);
            var entityStems = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in _files.Where(file => file.Kind != DialogflowFileKind.Other))
            {
                try
                {
                    using var document = Rows.ParseJson(await _tree.ReadAllBytesAsync(file.Entry, cancellationToken));
                    var expected = file.Kind is DialogflowFileKind.UserSays or DialogflowFileKind.Entries ? JsonValueKind.Array : JsonValueKind.Object;
                    if (document.RootElement.ValueKind != expected)
                    {
                        _unparsed[file.Entry] = $"a Dialogflow ES {file.Kind} file holds a JSON {expected}, this one a {document.RootElement.ValueKind}; kept as an original.";
                        continue;
                    }
                    if (file.Kind == DialogflowFileKind.Intent)
                    {
                        intentStems.Add(file.Stem!);
                    }
                    if (file.Kind == DialogflowFileKind.Entity)
                    {
                        entityStems.Add(file.Stem!);
                    }
                    if (file.Kind == DialogflowFileKind.Agent)
                    {
                        _language = document.RootElement.Text("language");
                        if (HasWebhookCredentials(document.RootElement))
                        {
                            _withheld.Add(file.Entry);
                        }
                        var name = document.RootElement.Text("displayName");
                        _sourceSystem = $"{Connector}:{(string.IsNullOrWhiteSpace(name) ? _tree.Name : name)}";
                    }
                }
                catch (JsonException error)
                {
                    _unparsed[file.Entry] = $"not valid JSON ({error.Message}); kept as an original. Export the agent again from the Dialogflow console to recover its rows.";
                }
            }
            foreach (var file in _files.Where(file => file.Kind == DialogflowFileKind.UserSays && !_unparsed.ContainsKey(file.Entry) && !intentStems.Contains(file.Stem!)))
            {
                _unparsed[file.Entry] = $"training phrases of intent '{file.Stem}', whose intents/{file.Stem}.json is missing or unreadable; kept as an original.";
            }
            foreach (var file in _files.Where(file => file.Kind == DialogflowFileKind.Entries && !_unparsed.ContainsKey(file.Entry) && !entityStems.Contains(file.Stem!)))
            {
                _unparsed[file.Entry] = $"entries of entity '{file.Stem}', whose entities/{file.Stem}.json is missing or unreadable; kept as an original.";
            }
            if (_sourceSystem.Length == 0)
            {
                _sourceSystem = $"{Connector}:{_tree.Name}";
            }
        }
        if (context is null || _problemsReported)
        {
            return;
        }
        _problemsReported = true;
        foreach (var file in _files)
        {
            if (_withheld.Contains(file.Entry))
            {
                context.ReportProblem(new ExportProblem(ProblemKind.Degraded, "models", _tree.Describe(file.Entry),
                    "holds webhook credentials (a basic-auth password or header values), so it is not kept as an original; its other settings are in models.source_extra with the credentials redacted. Enter the webhook credentials in the successor from your secret store."));
            }
            if (file.Kind == DialogflowFileKind.Other)
            {
                context.ReportProblem(new ExportProblem(ProblemKind.Unparsed, null, _tree.Describe(file.Entry),
                    "not a file of a Dialogflow ES agent export (agent.json, package.json, intents/*.json, entities/*.json); kept as an original only."));
            }
            else if (_unparsed.TryGetValue(file.Entry, out var reason))
            {
                context.ReportProblem(new ExportProblem(ProblemKind.Unparsed, TableOf(file.Kind), _tree.Describe(file.Entry), reason));
            }
        }
    }

    private static string TableOf(DialogflowFileKind kind) => kind switch
    {
        DialogflowFileKind.Intent => "intents",
        DialogflowFileKind.UserSays => "training_utterances",
        DialogflowFileKind.Entity or DialogflowFileKind.Entries => "entities",
        _ => "models",
    };

    private static DialogflowFile Classify(string entry, string root)
    {
        if (!entry.StartsWith(root, StringComparison.Ordinal))
        {
            return new DialogflowFile(entry, DialogflowFileKind.Other, null, null);
        }
        var relative = entry[root.Length..];
        if (relative == "agent.json")
        {
            return new DialogflowFile(entry, DialogflowFileKind.Agent, null, null);
        }
        if (relative == "package.json")
        {
            return new DialogflowFile(entry, DialogflowFileKind.Package, null, null);
        }
        var parts = relative.Split('/');
        if (parts is [var folder, var fileName] && fileName.EndsWith(".json", StringComparison.Ordinal) && folder is "intents" or "entities")
        {
            var stem = fileName[..^".json".Length];
            var marker = folder == "intents" ? UserSaysMarker : EntriesMarker;
            var at = stem.LastIndexOf(marker, StringComparison.Ordinal);
            if (at > 0)
            {
                return new DialogflowFile(entry, folder == "intents" ? DialogflowFileKind.UserSays : DialogflowFileKind.Entries,
                    stem[..at], stem[(at + marker.Length)..]);
            }
            return new DialogflowFile(entry, folder == "intents" ? DialogflowFileKind.Intent : DialogflowFileKind.Entity, stem, null);
        }
        return new DialogflowFile(entry, DialogflowFileKind.Other, null, null);
    }

    private IEnumerable<DialogflowFile> Parsed(DialogflowFileKind kind) => _files!.Where(file => file.Kind == kind && !_unparsed.ContainsKey(file.Entry));

    private async Task<JsonDocument> ReadAsync(DialogflowFile file, CancellationToken cancellationToken) =>
        Rows.ParseJson(await _tree.ReadAllBytesAsync(file.Entry, cancellationToken));

    private const string ModelId = "agent";

    private async IAsyncEnumerable<object?[]> ReadModelsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var agentFile = Parsed(DialogflowFileKind.Agent).FirstOrDefault();
        if (agentFile is null)
        {
            yield break;
        }
        using var agent = await ReadAsync(agentFile, cancellationToken);
        var root = agent.RootElement;
        string? package = null;
        foreach (var packageFile in Parsed(DialogflowFileKind.Package))
        {
            using var document = await ReadAsync(packageFile, cancellationToken);
            package = document.RootElement.GetRawText();
        }
        var extra = Redacted(Rows.Extra(root, "displayName", "description", "language"));
        if (package is not null)
        {
            extra = extra.Length == 2 ? $"{{\"package\":{package}}}" : $"{extra[..^1]},\"package\":{package}}}";
        }
        var name = root.Text("displayName");
        yield return Rows.Make(NeutralSchema.Models, _sourceSystem, ModelId,
            ("name", string.IsNullOrWhiteSpace(name) ? _tree.Name : name),
            ("model_type", "bot"),
            ("platform", Connector),
            ("locale", _language),
            ("description", root.Text("description")),
            ("source_extra", extra));
    }

    private static bool HasWebhookCredentials(JsonElement agent) =>
        agent.TryGetProperty("webhook", out var webhook) && webhook.ValueKind == JsonValueKind.Object
        && ((webhook.Text("password") is { Length: > 0 })
            || (webhook.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Object
                && headers.EnumerateObject().Any(header => header.Value.ValueKind != JsonValueKind.String || header.Value.GetString()!.Length > 0)));

    /// <summary>Webhook credentials (basic-auth password, custom headers) are secrets: they never reach rows.</summary>
    private static string Redacted(string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        if (node["webhook"] is System.Text.Json.Nodes.JsonObject webhook)
        {
            foreach (var secret in new[] { "password", "headers" })
            {
                if (webhook.ContainsKey(secret))
                {
                    webhook[secret] = "(redacted by ExitKit: webhook credentials are secrets; see the original agent.json)";
                }
            }
        }
        return node.ToJsonString(Rows.Compact);
    }

    private async IAsyncEnumerable<object?[]> ReadIntentsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var file in Parsed(DialogflowFileKind.Intent))
        {
            using var intent = await ReadAsync(file, cancellationToken);
            var root = intent.RootElement;
            yield return Rows.Make(NeutralSchema.Intents, _sourceSystem, file.Stem!,
                ("model_id", ModelId),
                ("name", root.Text("name") ?? file.Stem),
                ("locale", _language),
                ("responses", root.TryGetProperty("responses", out var responses) ? responses.GetRawText() : null),
                ("source_extra", Rows.Extra(root, "name", "responses")));
        }
    }

    private async IAsyncEnumerable<object?[]> ReadUtterancesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var file in Parsed(DialogflowFileKind.UserSays))
        {
            using var userSays = await ReadAsync(file, cancellationToken);
            var index = 0;
            foreach (var phrase in userSays.RootElement.EnumerateArray())
            {
                index++;
                var (text, annotations) = Phrase(phrase);
                yield return Rows.Make(NeutralSchema.TrainingUtterances, _sourceSystem, $"{file.Stem}/{file.Language}/{index}",
                    ("model_id", ModelId),
                    ("intent_id", file.Stem),
                    ("locale", file.Language),
                    ("text", text),
                    ("annotations", annotations),
                    ("source_extra", Rows.Extra(phrase, "data")));
            }
        }
    }

    /// <summary>The phrase's text is its segments joined; a segment with an alias or meta is an entity span.</summary>
    internal static (string Text, string? Annotations) Phrase(JsonElement phrase)
    {
        var text = new StringBuilder();
        var spans = new List<Dictionary<string, object?>>();
        if (phrase.ValueKind == JsonValueKind.Object && phrase.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            foreach (var segment in data.EnumerateArray())
            {
                var part = segment.Text("text") ?? "";
                var alias = segment.Text("alias");
                var meta = segment.Text("meta");
                if (alias is not null || meta is not null)
                {
                    var span = new Dictionary<string, object?>
                    {
                        ["start"] = text.Length,
                        ["end"] = text.Length + part.Length,
                        ["entity"] = alias ?? meta!.TrimStart('@'),
                        ["value"] = part,
                        ["type"] = meta,
                    };
                    if (alias is not null)
                    {
                        span["alias"] = alias;
                    }
                    if (segment.TryGetProperty("userDefined", out var userDefined) && userDefined.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    {
                        span["user_defined"] = userDefined.GetBoolean();
                    }
                    spans.Add(span);
                }
                text.Append(part);
            }
        }
        return (text.ToString(), spans.Count == 0 ? null : JsonSerializer.Serialize(spans, Rows.Compact));
    }

    private async IAsyncEnumerable<object?[]> ReadEntitiesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var entries = Parsed(DialogflowFileKind.Entries).ToLookup(file => file.Stem!, StringComparer.Ordinal);
        foreach (var file in Parsed(DialogflowFileKind.Entity))
        {
            using var entity = await ReadAsync(file, cancellationToken);
            var root = entity.RootElement;
            var name = root.Text("name") ?? file.Stem!;
            var extra = Rows.Extra(root, "name");
            if (!entries.Contains(file.Stem!))
            {
                yield return Rows.Make(NeutralSchema.Entities, _sourceSystem, file.Stem!,
                    ("model_id", ModelId), ("name", name), ("entity_type", "entity"), ("locale", _language), ("source_extra", extra));
                continue;
            }
            foreach (var entriesFile in entries[file.Stem!])
            {
                using var values = await ReadAsync(entriesFile, cancellationToken);
                yield return Rows.Make(NeutralSchema.Entities, _sourceSystem, $"{file.Stem}/{entriesFile.Language}",
                    ("model_id", ModelId),
                    ("name", name),
                    ("entity_type", "entity"),
                    ("locale", entriesFile.Language),
                    ("values", values.RootElement.GetRawText()),
                    ("source_extra", extra));
            }
        }
    }
}
