using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Connectors.AmazonConnect;
using ExitKit.Schema;
using ExitKit.Testing;

namespace ExitKit.Connectors.AmazonConnect.Tests;

/// <summary>What a full export of one folder or .zip produced: rows per table, originals and problems.</summary>
internal sealed class Exported
{
    public required RecordingExportContext Context { get; init; }
    public required SourceDescription Description { get; init; }
    public required Dictionary<string, List<object?[]>> Rows { get; init; }

    public static string Fixtures => Path.Combine(AppContext.BaseDirectory, "Fixtures", "export");

    public static ConnectorConfiguration Config(string path) => new(
        JsonDocument.Parse(JsonSerializer.Serialize(new { path })).RootElement.Clone(),
        Path.Combine(AppContext.BaseDirectory, "test.config.json"));

    public static async Task<Exported> RunAsync(string path, ExportRequest? request = null)
    {
        request ??= ExportRequest.Everything;
        var context = new RecordingExportContext();
        await using var source = new AmazonConnectPlugin().CreateSource(Config(path));
        var description = await source.DescribeAsync(request, TestContext.Current.CancellationToken);
        await source.ExportOriginalsAsync(request, context, TestContext.Current.CancellationToken);
        var rows = new Dictionary<string, List<object?[]>>(StringComparer.Ordinal);
        foreach (var sourceTable in description.Tables)
        {
            var table = NeutralSchema.Get(sourceTable.TableName);
            var list = rows[table.Name] = [];
            await foreach (var row in source.ReadTableAsync(table, request, null, context, TestContext.Current.CancellationToken))
            {
                Assert.Null(table.Describe(row.Values));
                list.Add(row.Values);
            }
            Assert.Equal(list.Count, list.Select(row => Value<string>(table, row, "source_id")).Distinct(StringComparer.Ordinal).Count());
        }
        return new Exported { Context = context, Description = description, Rows = rows };
    }

    public static T? Value<T>(TableSchema table, object?[] row, string column) => (T?)row[table.OrdinalOf(column)];

    public IEnumerable<object?[]> Of(TableSchema table) => Rows[table.Name];

    public T? Get<T>(TableSchema table, string sourceId, string column) =>
        Value<T>(table, Of(table).Single(row => Value<string>(table, row, "source_id") == sourceId), column);

    /// <summary>The edges of one flow as comparable tuples, with the flow's own id taken out of node ids.</summary>
    public List<string> EdgesOf(string flowId)
    {
        var table = NeutralSchema.FlowEdges;
        string? Local(string? nodeId) => nodeId?[(flowId.Length + 1)..];
        return Of(table).Where(row => Value<string>(table, row, "flow_id") == flowId)
            .Select(row => $"{Local(Value<string>(table, row, "from_node_id"))} -[{Value<string>(table, row, "condition")}]-> "
                + $"{Value<string>(table, row, "target_kind")}:{Local(Value<string>(table, row, "to_node_id")) ?? Value<string>(table, row, "target_ref")}")
            .Order(StringComparer.Ordinal).ToList();
    }

    public List<string> NodesOf(string flowId)
    {
        var table = NeutralSchema.FlowNodes;
        return Of(table).Where(row => Value<string>(table, row, "flow_id") == flowId)
            .Select(row => $"{Value<string>(table, row, "source_id")![(flowId.Length + 1)..]}:{Value<string>(table, row, "node_type")}:{Value<string>(table, row, "parameters")}")
            .Order(StringComparer.Ordinal).ToList();
    }
}

/// <summary>An independent count of flow blocks and transitions, read straight from the vendor JSON.</summary>
internal static class VendorCount
{
    /// <summary>Blocks and transitions of a contact flow file in any of its shapes, or null when the file is not a flow.</summary>
    public static (int Blocks, int Transitions)? Of(byte[] bytes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            if (root.TryGetProperty("ContactFlow", out var describe))
            {
                return Of(System.Text.Encoding.UTF8.GetBytes(describe.GetProperty("Content").GetString()!));
            }
            if (root.TryGetProperty("Actions", out var actions))
            {
                var transitions = 0;
                foreach (var action in actions.EnumerateArray())
                {
                    if (!action.TryGetProperty("Transitions", out var t))
                    {
                        continue;
                    }
                    if (t.TryGetProperty("NextAction", out var next) && next.GetString() is { Length: > 0 })
                    {
                        transitions++;
                    }
                    foreach (var list in new[] { "Conditions", "Errors" })
                    {
                        if (t.TryGetProperty(list, out var items))
                        {
                            transitions += items.EnumerateArray().Count(item => item.TryGetProperty("NextAction", out var n) && n.GetString() is { Length: > 0 });
                        }
                    }
                }
                return (actions.GetArrayLength(), transitions);
            }
            if (root.TryGetProperty("modules", out var modules))
            {
                var transitions = modules.EnumerateArray().Sum(module => module.GetProperty("branches").EnumerateArray()
                    .Count(branch => branch.TryGetProperty("transition", out var target) && target.GetString() is { Length: > 0 }));
                return (modules.GetArrayLength(), transitions);
            }
            return null;
        }
    }
}
