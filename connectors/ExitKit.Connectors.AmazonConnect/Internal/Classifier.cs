using System.Text.Json;
using System.Text.RegularExpressions;

namespace ExitKit.Connectors.AmazonConnect.Internal;

internal enum FileKind
{
    Unparsed,
    Flow,
    ContactRecords,
    ContactLens,
    Queues,
    RoutingProfiles,
    HoursOfOperation,
}

/// <summary>A file read as JSON values, with what kind of Amazon Connect export it is; dispose to free the documents.</summary>
internal sealed class ClassifiedFile(FileKind kind, string? reason, List<JsonDocument> values) : IDisposable
{
    public FileKind Kind { get; } = kind;

    /// <summary>Why the file could not be used, for <see cref="FileKind.Unparsed"/>.</summary>
    public string? Reason { get; } = reason;

    /// <summary>The top-level JSON values of the file (one, or many when concatenated or newline-delimited).</summary>
    public IReadOnlyList<JsonDocument> Values { get; } = values;

    /// <summary>The records of the file: each top-level value, with JSON arrays opened.</summary>
    public IEnumerable<JsonElement> Records => Values.SelectMany<JsonDocument, JsonElement>(value => value.RootElement.ValueKind == JsonValueKind.Array
        ? value.RootElement.EnumerateArray()
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
        if (relativePath.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            return Unparsed("it is a .zip inside the export; archives are opened only when setting 'path' names them: unzip it into the folder or export it on its own");
        }
        if (Array.IndexOf(bytes, (byte)0, 0, Math.Min(bytes.Length, 8192)) >= 0)
        {
            return Unparsed("it is a binary file, not an Amazon Connect JSON export");
        }
        var span = bytes.AsSpan();
        if (span.StartsWith("\uFEFF"u8))
        {
            span = span[3..];
        }
        if (span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return Unparsed("it is empty");
        }
        List<JsonDocument> values;
        try
        {
            values = Json.ReadValues(span.ToArray());
        }
        catch (JsonException error)
        {
            var text = System.Text.Encoding.UTF8.GetString(span);
            var placeholder = TemplatePlaceholder().Match(text);
            var hint = placeholder.Success
                ? $" It is a template with the unrendered placeholder {placeholder.Value}: render it (e.g. with Terraform) and export the result."
                : LooksLikeYaml(text) ? " It looks like YAML (a Genesys Architect flow?), not an Amazon Connect export." : "";
            return Unparsed($"it is not valid JSON (line {(error.LineNumber ?? 0) + 1}: {error.Message}).{hint}");
        }
        var first = values.Count > 0 ? values[0].RootElement : default;
        if (first.ValueKind == JsonValueKind.Array)
        {
            first = first.EnumerateArray().FirstOrDefault();
        }
        var kind = Kind(first);
        if (kind == FileKind.Unparsed)
        {
            var reason = first.ValueKind == JsonValueKind.Object
                ? ForeignVendor(first) ?? $"its JSON has no shape this connector knows (top-level keys: {string.Join(", ", first.EnumerateObject().Take(8).Select(property => property.Name))}). Expected a contact flow, a queue/routing profile/hours List or Describe response, contact records or Contact Lens output."
                : $"its JSON is a {first.ValueKind}, not an object this connector knows";
            return Dispose(values, reason);
        }
        if (kind is FileKind.Flow or FileKind.Queues or FileKind.RoutingProfiles or FileKind.HoursOfOperation)
        {
            var placeholder = TemplatePlaceholder().Match(System.Text.Encoding.UTF8.GetString(span));
            if (placeholder.Success)
            {
                return Dispose(values, $"it is a template with the unrendered placeholder {placeholder.Value}: render it (e.g. with Terraform or CloudFormation) and export the result");
            }
        }
        if (kind == FileKind.Flow)
        {
            try
            {
                ContactFlows.Read(first, Path.GetFileNameWithoutExtension(relativePath));
            }
            catch (FormatException error)
            {
                return Dispose(values, $"it looks like a contact flow but {error.Message}");
            }
        }
        return new ClassifiedFile(kind, null, values);
    }

    private static FileKind Kind(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return FileKind.Unparsed;
        }
        if (ContactFlows.IsFlowLanguage(root) || ContactFlows.IsConsoleExport(root) || ContactFlows.DescribeBody(root) is not null)
        {
            return FileKind.Flow;
        }
        if (root.Has("ContactId") && (root.Has("InitiationTimestamp") || root.Has("AWSContactTraceRecordFormatVersion")))
        {
            return FileKind.ContactRecords;
        }
        if (root.Get("Transcript") is { ValueKind: JsonValueKind.Array } && (root.Has("CustomerMetadata") || root.Has("JobStatus")))
        {
            return FileKind.ContactLens;
        }
        if (root.Has("QueueSummaryList") || root.Get("Queue") is { ValueKind: JsonValueKind.Object } queue && queue.Has("QueueId"))
        {
            return FileKind.Queues;
        }
        if (root.Has("RoutingProfileSummaryList") || root.Get("RoutingProfile") is { ValueKind: JsonValueKind.Object } profile && profile.Has("RoutingProfileId"))
        {
            return FileKind.RoutingProfiles;
        }
        if (root.Has("HoursOfOperationSummaryList") || root.Get("HoursOfOperation") is { ValueKind: JsonValueKind.Object } hours && hours.Has("HoursOfOperationId"))
        {
            return FileKind.HoursOfOperation;
        }
        return FileKind.Unparsed;
    }

    private static string? ForeignVendor(JsonElement root)
    {
        if (root.Has("states") && (root.Has("initial_state") || root.Has("flags")))
        {
            return "it is a Twilio Studio flow, not an Amazon Connect export; export it with a Twilio connector";
        }
        if (root.Has("task_routing"))
        {
            return "it is a Twilio TaskRouter workflow, not an Amazon Connect export; export it with a Twilio connector";
        }
        if (root.Has("conversations") || root.Has("conversationId"))
        {
            return "it is Genesys Cloud analytics data, not an Amazon Connect export; export it with the genesys-cloud connector";
        }
        if (root.Has("ContactFlowSummaryList"))
        {
            return "it is a ListContactFlows response, which holds no flow definitions; export each flow with DescribeContactFlow (aws connect describe-contact-flow)";
        }
        return null;
    }

    private static bool LooksLikeYaml(string text) => text.TrimStart().Split('\n', 2)[0].TrimEnd().EndsWith(':');

    private static ClassifiedFile Unparsed(string reason) => new(FileKind.Unparsed, reason, []);

    private static ClassifiedFile Dispose(List<JsonDocument> values, string reason)
    {
        foreach (var value in values)
        {
            value.Dispose();
        }
        return Unparsed(reason);
    }
}
