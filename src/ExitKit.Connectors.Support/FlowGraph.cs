using System.Globalization;
using ExitKit.Schema;

namespace ExitKit.Connectors.Support;

/// <summary>A block or action of a flow; <see cref="LocalId"/> is unique within the flow.</summary>
public sealed record FlowNode(string LocalId, string NodeType, string? Label, string? ParametersJson, string? ExtraJson);

/// <summary>A transition (target kind <c>node</c>) or a reference to a named resource.</summary>
public sealed record FlowEdge(string FromLocalId, string? ToLocalId, string Condition, string TargetKind, string? TargetRef, string? ExtraJson = null);

/// <summary>A flow as a graph, with what is known about the flow itself.</summary>
public sealed record FlowGraph(
    string Name,
    string? FlowType,
    string? Description,
    string? StartLocalId,
    string DefinitionFormat,
    string ExtraJson,
    IReadOnlyList<FlowNode> Nodes,
    IReadOnlyList<FlowEdge> Edges,
    DateTimeOffset? UpdatedAt = null)
{
    /// <summary>The graph's rows for one of the tables <c>flows</c>, <c>flow_nodes</c> or <c>flow_edges</c>.</summary>
    /// <param name="table">The table asked for.</param>
    /// <param name="sourceSystem">The rows' source system.</param>
    /// <param name="flowId">The flow's <c>source_id</c>; node ids are <c>{flowId}/{node}</c>, edge ids <c>{node id}#{n}</c>.</param>
    /// <param name="originalPath">Where the vendor's definition is kept in the package.</param>
    public IEnumerable<object?[]> Rows(TableSchema table, string sourceSystem, string flowId, string originalPath)
    {
        ArgumentNullException.ThrowIfNull(table);
        string NodeId(string local) => $"{flowId}/{local}";
        switch (table.Name)
        {
            case "flows":
                yield return new Row(table, sourceSystem, flowId)
                    .Set("name", Name)
                    .Set("flow_type", FlowType)
                    .Set("description", Description)
                    .Set("start_node_id", StartLocalId is { } start ? NodeId(start) : null)
                    .Set("definition_format", DefinitionFormat)
                    .Set("original_path", originalPath)
                    .Set("updated_at", UpdatedAt)
                    .Set("source_extra", ExtraJson)
                    .Build();
                break;
            case "flow_nodes":
                foreach (var node in Nodes)
                {
                    yield return new Row(table, sourceSystem, NodeId(node.LocalId))
                        .Set("flow_id", flowId)
                        .Set("node_type", node.NodeType)
                        .Set("label", node.Label)
                        .Set("parameters", node.ParametersJson)
                        .Set("source_extra", node.ExtraJson)
                        .Build();
                }
                break;
            default:
                var perNode = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var edge in Edges)
                {
                    var ordinal = perNode[edge.FromLocalId] = perNode.GetValueOrDefault(edge.FromLocalId) + 1;
                    yield return new Row(table, sourceSystem, $"{NodeId(edge.FromLocalId)}#{ordinal.ToString(CultureInfo.InvariantCulture)}")
                        .Set("flow_id", flowId)
                        .Set("from_node_id", NodeId(edge.FromLocalId))
                        .Set("to_node_id", edge.ToLocalId is { } to ? NodeId(to) : null)
                        .Set("condition", edge.Condition)
                        .Set("target_kind", edge.TargetKind)
                        .Set("target_ref", edge.TargetRef)
                        .Set("source_extra", edge.ExtraJson)
                        .Build();
                }
                break;
        }
    }
}
