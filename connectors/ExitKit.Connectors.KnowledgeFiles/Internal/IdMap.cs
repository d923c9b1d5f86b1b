using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExitKit.Connectors.KnowledgeFiles.Internal;

/// <summary>
/// The id map beside the knowledge base (<c>.exitkit-import.json</c>): for every package key, the files written for it. A re-run
/// finds there where a row's files were when its path has since changed (a renamed section or title), so the old ones go.
/// </summary>
/// <remarks>
/// Rewritten whole after every batch, through a temporary file renamed over the old one, so a crash leaves the previous map or
/// the new one, never half of one. A crash between writing files and saving the map loses nothing: the files carry their keys in
/// their front matter and are found at the same paths on the next run.
/// </remarks>
internal sealed class IdMap
{
    public const string FileName = ".exitkit-import.json";
    private const string Format = "exitkit-kb-files-id-map/1";

    private readonly Dictionary<(string Table, string System, string Id), string[]> _paths = [];
    private readonly Dictionary<string, int> _claims = new(StringComparer.Ordinal);

    public static IdMap Load(string root)
    {
        var map = new IdMap();
        var path = Path.Combine(root, FileName);
        if (!File.Exists(path))
        {
            return map;
        }
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(File.ReadAllBytes(path), Options);
        }
        catch (JsonException error)
        {
            throw ExitKitException.Malformed(path, $"the id map is not valid JSON ({error.Message}). Restore it from version control, or delete it: " +
                "files already written are then found again by the keys in their front matter.", (error.LineNumber ?? 0) + 1, (error.BytePositionInLine ?? 0) + 1, error);
        }
        if (document?.Format != Format)
        {
            throw ExitKitException.Malformed(path, $"is not a kb-files id map ({Format}).");
        }
        foreach (var entry in document.Rows)
        {
            map.Set(entry.Table, entry.SourceSystem, entry.SourceId, entry.Paths);
        }
        return map;
    }

    public string[]? PathsOf(string table, string system, string id) => _paths.GetValueOrDefault((table, system, id));

    public void Set(string table, string system, string id, string[] paths)
    {
        if (_paths.TryGetValue((table, system, id), out var old))
        {
            foreach (var path in old)
            {
                _claims[path]--;
            }
        }
        _paths[(table, system, id)] = paths;
        foreach (var path in paths)
        {
            _claims[path] = _claims.GetValueOrDefault(path) + 1;
        }
    }

    /// <summary>True when some row's entry lists the file.</summary>
    public bool IsClaimed(string path) => _claims.GetValueOrDefault(path) > 0;

    public async Task SaveAsync(string root, string temporaryFolder, CancellationToken cancellationToken)
    {
        var document = new Document
        {
            Format = Format,
            Rows = _paths.OrderBy(pair => pair.Key.Table, StringComparer.Ordinal).ThenBy(pair => pair.Key.System, StringComparer.Ordinal)
                .ThenBy(pair => pair.Key.Id, StringComparer.Ordinal)
                .Select(pair => new Entry { Table = pair.Key.Table, SourceSystem = pair.Key.System, SourceId = pair.Key.Id, Paths = pair.Value })
                .ToList(),
        };
        var temporary = Path.Combine(temporaryFolder, Guid.NewGuid().ToString("N") + ".json");
        await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.WriteThrough))
        {
            await JsonSerializer.SerializeAsync(stream, document, Options, cancellationToken);
        }
        File.Move(temporary, Path.Combine(root, FileName), overwrite: true);
    }

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private sealed class Document
    {
        public string? Format { get; set; }
        public List<Entry> Rows { get; set; } = [];
    }

    private sealed class Entry
    {
        public string Table { get; set; } = "";
        public string SourceSystem { get; set; } = "";
        public string SourceId { get; set; } = "";
        [JsonRequired]
        public string[] Paths { get; set; } = [];
    }
}
