using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExitKit.Schema;

namespace ExitKit.Connectors.Onnx.Internal;

internal sealed class OnnxSource : ISourceConnector
{
    private const string Connector = OnnxPlugin.Name;
    private readonly ExportTree _tree;
    private readonly string _name;
    private readonly Dictionary<string, OnnxInfo> _models = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _unparsed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _cards = new(StringComparer.Ordinal);
    private bool _scanned;
    private bool _problemsReported;

    public OnnxSource(string path)
    {
        _name = Path.GetFileNameWithoutExtension(path.TrimEnd('/', '\\'));
        if (File.Exists(path) && !path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            // One model file: read its folder for the model card beside it, but nothing else there.
            using var folder = ExportTree.Open(Path.GetDirectoryName(Path.GetFullPath(path))!, Connector);
            var fileName = Path.GetFileName(path);
            var externalData = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                using var model = File.OpenRead(path);
                externalData.UnionWith(OnnxModelReader.Read(model).ExternalData.Select(location => ExternalEntry(fileName, location)));
            }
            catch (Exception error) when (error is InvalidDataException or EndOfStreamException or OverflowException)
            {
                // Reported as unparsed by the scan; there is no external data to look for.
            }
            _tree = folder.Only(entry => entry == fileName || externalData.Contains(entry)
                || (!entry.Contains('/', StringComparison.Ordinal) && CardRank(fileName, entry) is not null));
        }
        else
        {
            _tree = ExportTree.Open(path, Connector);
        }
    }

    private string SourceSystem => $"{Connector}:{_name}";

    public async Task<SourceDescription> DescribeAsync(ExportRequest request, CancellationToken cancellationToken = default)
    {
        await ScanAsync(null, cancellationToken);
        // The folder listing is the source's own count of model files.
        long files = _tree.Entries.Count(IsModelFile);
        return new SourceDescription(SourceSystem, "ONNX model files",
        [
            new SourceTable(NeutralSchema.Models.Name, files, TotalMethod: "*.onnx files in the folder"),
            new SourceTable(NeutralSchema.ModelFiles.Name, files, TotalMethod: "*.onnx files in the folder"),
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
            "model_files" => ReadModelFilesAsync(context, cancellationToken),
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

    private static bool IsModelFile(string entry) => entry.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);

    /// <summary>How well a Markdown file beside a model serves as its card (lower is better), or null when it is not a card for it.</summary>
    internal static int? CardRank(string modelFileName, string cardFileName)
    {
        var stem = Path.GetFileNameWithoutExtension(modelFileName);
        var card = cardFileName.ToLowerInvariant();
        if (card == $"{stem.ToLowerInvariant()}.modelcard.md")
        {
            return 0;
        }
        if (card == $"{stem.ToLowerInvariant()}.md")
        {
            return 1;
        }
        return card switch
        {
            "model_card.md" or "modelcard.md" => 2,
            "readme.md" => 3,
            _ => null,
        };
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
            foreach (var entry in _tree.Entries.Where(IsModelFile))
            {
                try
                {
                    await using var stream = await _tree.OpenSeekableAsync(entry, cancellationToken);
                    _models[entry] = OnnxModelReader.Read(stream);
                }
                catch (Exception error) when (error is InvalidDataException or EndOfStreamException or OverflowException)
                {
                    _unparsed[entry] = $"not an ONNX ModelProto: {error.Message}. Kept as an original; check that the file is complete and not an external-data or LFS pointer file.";
                }
                var folder = entry.Contains('/', StringComparison.Ordinal) ? entry[..(entry.LastIndexOf('/') + 1)] : "";
                var card = _tree.Entries
                    .Where(candidate => candidate.StartsWith(folder, StringComparison.Ordinal) && !candidate[folder.Length..].Contains('/', StringComparison.Ordinal))
                    .Select(candidate => (Entry: candidate, Rank: CardRank(Path.GetFileName(entry), candidate[folder.Length..])))
                    .Where(candidate => candidate.Rank is not null)
                    .OrderBy(candidate => candidate.Rank)
                    .Select(candidate => candidate.Entry)
                    .FirstOrDefault();
                if (card is not null)
                {
                    _cards[entry] = card;
                }
            }
            var used = _cards.Values.ToHashSet(StringComparer.Ordinal);
            foreach (var (entry, info) in _models)
            {
                foreach (var location in info.ExternalData)
                {
                    used.Add(ExternalEntry(entry, location));
                }
            }
            foreach (var entry in _tree.Entries.Where(entry => !IsModelFile(entry) && !used.Contains(entry)))
            {
                _unparsed[entry] = entry.EndsWith(".md", StringComparison.OrdinalIgnoreCase)
                    ? "Markdown that is not the model card of a model beside it (name it <model>.modelcard.md, model_card.md or README.md); kept as an original."
                    : "not an ONNX model file or model card; kept as an original.";
            }
        }
        if (context is null || _problemsReported)
        {
            return;
        }
        _problemsReported = true;
        foreach (var entry in _tree.Entries)
        {
            if (_unparsed.TryGetValue(entry, out var reason))
            {
                context.ReportProblem(new ExportProblem(ProblemKind.Unparsed, IsModelFile(entry) ? "model_files" : "models", _tree.Describe(entry), reason));
            }
        }
    }

    /// <summary>External data locations are relative to the model file's folder.</summary>
    private static string ExternalEntry(string modelEntry, string location)
    {
        var folder = modelEntry.Contains('/', StringComparison.Ordinal) ? modelEntry[..(modelEntry.LastIndexOf('/') + 1)] : "";
        var relative = location.Replace('\\', '/');
        return folder + (relative.StartsWith("./", StringComparison.Ordinal) ? relative[2..] : relative);
    }

    private async IAsyncEnumerable<object?[]> ReadModelsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var (entry, info) in _models.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            string? card = null;
            if (_cards.TryGetValue(entry, out var cardEntry))
            {
                card = System.Text.Encoding.UTF8.GetString(await _tree.ReadAllBytesAsync(cardEntry, cancellationToken)).TrimStart('\uFEFF');
            }
            var extra = new JsonObject
            {
                ["ir_version"] = info.IrVersion,
                ["producer_name"] = info.ProducerName,
                ["producer_version"] = info.ProducerVersion,
                ["domain"] = info.Domain,
                ["model_version"] = info.ModelVersion,
                ["graph_name"] = info.GraphName,
                ["graph_doc_string"] = info.GraphDocString,
                ["node_count"] = info.NodeCount,
                ["initializer_count"] = info.Initializers.Count,
                ["metadata_props"] = new JsonObject([.. info.Metadata.Select(pair => KeyValuePair.Create(pair.Key, (JsonNode?)pair.Value))]),
                ["model_card_file"] = cardEntry,
            };
            yield return Rows.Make(NeutralSchema.Models, SourceSystem, entry,
                ("name", Path.GetFileNameWithoutExtension(entry)),
                ("model_type", "other"),
                ("platform", Connector),
                ("version", info.ModelVersion is > 0 ? info.ModelVersion.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : null),
                ("description", string.IsNullOrWhiteSpace(info.DocString) ? null : info.DocString),
                ("model_card", card),
                ("source_extra", extra.ToJsonString(Rows.Compact)));
        }
    }

    private async IAsyncEnumerable<object?[]> ReadModelFilesAsync(IExportContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var (entry, info) in _models.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            ArtefactReference artefact;
            await using (var stream = await _tree.OpenSeekableAsync(entry, cancellationToken))
            {
                artefact = await context.StoreArtefactAsync(stream, cancellationToken);
            }
            // Weights kept outside the model file are artefacts too; without them the model cannot run.
            var externalData = new List<object>();
            foreach (var location in info.ExternalData)
            {
                var dataEntry = ExternalEntry(entry, location);
                if (!_tree.Entries.Contains(dataEntry, StringComparer.Ordinal))
                {
                    context.ReportProblem(new ExportProblem(ProblemKind.Missing, "model_files", _tree.Describe(dataEntry),
                        $"model {entry} keeps weights in the external data file '{location}', which is not in the export. Copy it beside the model and export again."));
                    externalData.Add(new { location, missing = true });
                    continue;
                }
                await using var data = await _tree.OpenSeekableAsync(dataEntry, cancellationToken);
                var stored = await context.StoreArtefactAsync(data, cancellationToken);
                externalData.Add(new { location, sha256 = stored.Sha256, size_bytes = stored.SizeBytes, artefact_path = stored.PackagePath });
            }
            var producer = info.ProducerName is null ? null
                : string.IsNullOrEmpty(info.ProducerVersion) ? info.ProducerName : $"{info.ProducerName} {info.ProducerVersion}";
            yield return Rows.Make(NeutralSchema.ModelFiles, SourceSystem, entry,
                ("model_id", entry),
                ("file_name", Path.GetFileName(entry)),
                ("format", "onnx"),
                ("size_bytes", artefact.SizeBytes),
                ("sha256", artefact.Sha256),
                ("artefact_path", artefact.PackagePath),
                ("opset", info.DefaultOpset),
                ("producer", producer),
                ("inputs", Values(info.Inputs, info.Initializers)),
                ("outputs", Values(info.Outputs, null)),
                ("source_extra", JsonSerializer.Serialize(new
                {
                    ir_version = info.IrVersion,
                    opset_import = info.Opsets.Select(opset => new { domain = opset.Domain, version = opset.Version }),
                    path = entry,
                    external_data = externalData,
                }, Rows.Compact)));
        }
    }

    /// <summary>Inputs and outputs as JSON; inputs that are also initializers (weights, as IR version 3 lists them) are marked.</summary>
    private static string Values(IReadOnlyList<OnnxValue> values, IReadOnlySet<string>? initializers)
    {
        var array = new JsonArray();
        foreach (var value in values)
        {
            var item = new JsonObject
            {
                ["name"] = value.Name,
                ["type"] = value.Type,
                ["element_type"] = value.ElementType,
                ["shape"] = value.Shape is null ? null : new JsonArray([.. value.Shape.Select(dimension => dimension switch
                {
                    long number => (JsonNode?)JsonValue.Create(number),
                    string symbol => JsonValue.Create(symbol),
                    _ => null,
                })]),
            };
            if (initializers?.Contains(value.Name) == true)
            {
                item["initializer"] = true;
            }
            if (!string.IsNullOrEmpty(value.DocString))
            {
                item["doc_string"] = value.DocString;
            }
            array.Add(item);
        }
        return array.ToJsonString(Rows.Compact);
    }
}
