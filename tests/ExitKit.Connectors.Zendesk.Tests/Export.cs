using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Schema;
using ExitKit.Testing;

namespace ExitKit.Connectors.Zendesk.Tests;

/// <summary>Helpers that drive a source the way the export pipeline does.</summary>
internal static class Export
{
    public static readonly TableSchema[] AllTables =
    [
        NeutralSchema.Interactions, NeutralSchema.Messages, NeutralSchema.Attachments, NeutralSchema.Surveys,
        NeutralSchema.KbSections, NeutralSchema.KbArticles, NeutralSchema.KbAttachments, NeutralSchema.Queues, NeutralSchema.RoutingRules,
    ];

    public static async Task<List<SourceRow>> ReadAsync(ISourceConnector source, TableSchema table, RecordingExportContext context,
        string? resumeAfter = null, ExportRequest? request = null)
    {
        var rows = new List<SourceRow>();
        await foreach (var row in source.ReadTableAsync(table, request ?? ExportRequest.Everything, resumeAfter, context, TestContext.Current.CancellationToken))
        {
            Assert.Null(table.Describe(row.Values));
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Every table the source describes, as the pipeline reads them: originals first, then table by table.</summary>
    public static async Task<Dictionary<string, List<object?[]>>> ReadEverythingAsync(ISourceConnector source, RecordingExportContext context)
    {
        var description = await source.DescribeAsync(ExportRequest.Everything, TestContext.Current.CancellationToken);
        await source.ExportOriginalsAsync(ExportRequest.Everything, context, TestContext.Current.CancellationToken);
        var tables = new Dictionary<string, List<object?[]>>(StringComparer.Ordinal);
        foreach (var described in description.Tables)
        {
            var table = NeutralSchema.Get(described.TableName);
            tables[table.Name] = (await ReadAsync(source, table, context)).Select(row => row.Values).ToList();
        }
        return tables;
    }

    public static object? Value(TableSchema table, object?[] row, string column) => row[table.OrdinalOf(column)];

    public static object?[] Row(TableSchema table, IEnumerable<object?[]> rows, string sourceId) =>
        Assert.Single(rows, row => (string?)row[1] == sourceId);

    /// <summary>A row as comparable text: values in order, lists and times written out.</summary>
    public static string Text(object?[] row) => JsonSerializer.Serialize(row.Select(value => value switch
    {
        DateTimeOffset instant => instant.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        string[] list => string.Join("|", list),
        null => "<null>",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
    }));

    public static string? FindSamples()
    {
        if (Environment.GetEnvironmentVariable("EXITKIT_SAMPLES") is { Length: > 0 } fromEnvironment && Directory.Exists(fromEnvironment))
        {
            return fromEnvironment;
        }
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "shared", "samples");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
