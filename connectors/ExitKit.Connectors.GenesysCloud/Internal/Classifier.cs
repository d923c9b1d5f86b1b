using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ExitKit.Connectors.GenesysCloud.Internal;

internal enum FileKind
{
    Unparsed,
    Flow,
    Conversations,
}

/// <summary>A file read and recognised: a flow graph, or analytics JSON values (dispose to free them), or why neither.</summary>
internal sealed class ClassifiedFile(FileKind kind, string? reason, FlowGraph? flow = null, List<JsonDocument>? values = null) : IDisposable
{
    public FileKind Kind { get; } = kind;
    public string? Reason { get; } = reason;
    public FlowGraph? Flow { get; } = flow;
    public IReadOnlyList<JsonDocument> Values { get; } = values ?? [];

    /// <summary>The conversation records: items of <c>conversations[]</c>, items of a top-level array, or top-level objects.</summary>
    public IEnumerable<JsonElement> Conversations => Values.SelectMany<JsonDocument, JsonElement>(value =>
        value.RootElement.ValueKind == JsonValueKind.Array ? value.RootElement.EnumerateArray()
        : value.RootElement.Get("conversations") is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray()
        : [value.RootElement]);

    public void Dispose()
    {
        foreach (var value in Values)
        {
            value.Dispose();
        }
    }
}

internal static partial class Classifier
{
    [GeneratedRegex(@"\$\{[^}\s]{1,200}\}|\{\{[^{}]{1,200}\}\}")]
    private static partial Regex TemplatePlaceholder();

    public static ClassifiedFile Classify(string relativePath, byte[] bytes)
    {
        if (Path.GetExtension(relativePath).StartsWith(".i3", StringComparison.OrdinalIgnoreCase))
        {
            return Unparsed("it is an Architect export file (.i3…), which is not readable outside Genesys Cloud; export the flow as YAML with `archy export --exportType yaml`");
        }
        if (relativePath.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            return Unparsed("it is a .zip inside the export; archives are opened only when setting 'path' names them: unzip it into the folder or export it on its own");
        }
        if (Array.IndexOf(bytes, (byte)0, 0, Math.Min(bytes.Length, 8192)) >= 0)
        {
            return Unparsed("it is a binary file, not Archy YAML or analytics JSON");
        }
        var span = bytes.AsSpan();
        if (span.StartsWith("\uFEFF"u8))
        {
            span = span[3..];
        }
        var text = System.Text.Encoding.UTF8.GetString(span);
        var trimmed = text.TrimStart();
        if (trimmed.Length == 0)
        {
            return Unparsed("it is empty");
        }
        return trimmed[0] is '{' or '[' ? ClassifyJson(span.ToArray()) : ClassifyYaml(text);
    }

    private static ClassifiedFile ClassifyJson(byte[] bytes)
    {
        List<JsonDocument> values;
        try
        {
            values = Json.ReadValues(bytes);
        }
        catch (JsonException error)
        {
            return Unparsed($"it is not valid JSON (line {(error.LineNumber ?? 0) + 1}: {error.Message})");
        }
        var first = values.Count > 0 ? values[0].RootElement : default;
        if (first.ValueKind == JsonValueKind.Array)
        {
            first = first.EnumerateArray().FirstOrDefault();
        }
        if (first.ValueKind == JsonValueKind.Object && (first.Get("conversations") is { ValueKind: JsonValueKind.Array } || first.Has("conversationId")))
        {
            return new ClassifiedFile(FileKind.Conversations, null, values: values);
        }
        var reason = first.ValueKind != JsonValueKind.Object
            ? $"its JSON is a {first.ValueKind}, not analytics conversation details"
            : first.Has("Actions") || first.Has("modules") || first.Has("ContactFlow") ? "it is an Amazon Connect contact flow, not a Genesys Cloud export; export it with the amazon-connect connector"
            : first.Has("states") && first.Has("initial_state") ? "it is a Twilio Studio flow, not a Genesys Cloud export; export it with a Twilio connector"
            : $"its JSON has no shape this connector knows (top-level keys: {string.Join(", ", first.EnumerateObject().Take(8).Select(property => property.Name))}); expected analytics conversation details (conversations[] or conversationId)";
        foreach (var value in values)
        {
            value.Dispose();
        }
        return Unparsed(reason);
    }

    private static ClassifiedFile ClassifyYaml(string text)
    {
        var placeholder = TemplatePlaceholder().Match(text);
        if (placeholder.Success)
        {
            var line = text[..placeholder.Index].Count(character => character == '\n') + 1;
            return Unparsed($"it is a template with the unrendered placeholder {placeholder.Value} (line {line}), which is not valid Archy YAML: render it (e.g. with Terraform templatefile) and export the result");
        }
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException error)
        {
            return Unparsed($"it is not valid YAML (line {error.Start.Line}, column {error.Start.Column}: {error.Message})");
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return Unparsed($"it is not an Archy flow: expected one YAML document whose root is a mapping, found {stream.Documents.Count} document(s)");
        }
        try
        {
            return new ClassifiedFile(FileKind.Flow, null, ArchyFlows.Read(root));
        }
        catch (FormatException error)
        {
            return Unparsed($"it is not an Archy flow: {error.Message}");
        }
    }

    private static ClassifiedFile Unparsed(string reason) => new(FileKind.Unparsed, reason);
}
