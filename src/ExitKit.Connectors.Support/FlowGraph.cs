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
    DateTimeOffset? UpdatedAt = null);
