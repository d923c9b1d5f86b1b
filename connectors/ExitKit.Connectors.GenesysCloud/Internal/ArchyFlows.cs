using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace ExitKit.Connectors.GenesysCloud.Internal;

/// <summary>Turns an Architect flow written as Archy YAML into a graph.</summary>
/// <remarks>
/// The file's one top-level key is the flow type. Its tasks, states, menus and reusable tasks (list items that carry a
/// <c>refId</c>) are nodes, and so is the implicit start-up task of <c>startUpTaskActions</c>. Every action of every
/// <c>actions</c> list is a node; so is every menu choice. Edges: a container or branch enters its first action
/// (<c>next</c>, or the branch's output: <c>yes</c>, <c>no</c>, <c>success</c>, <c>error:failure</c>, a case's
/// expression), each action leads to the one after it (<c>next</c>; when a branch ends, Architect continues after the
/// branching action, which that action's own <c>next</c> edge shows), a menu leads to each choice (its DTMF digit), and a
/// <c>…Ref</c> jump leads to the task, state or menu it names. Literal references to queues, flows, prompts, bots, data
/// tables, schedules and data actions are edges to those resources; expressions and variables are dynamic and stay in
/// the node's parameters only.
/// </remarks>
internal static class ArchyFlows
{
    public const string Format = "genesys-archy-yaml";

    public static readonly HashSet<string> FlowTypes = new(StringComparer.Ordinal)
    {
        "inboundCall", "inqueueCall", "inQueueCall", "outboundCall", "secureCall", "voicemail", "voiceSurvey",
        "inboundEmail", "inqueueEmail", "inboundShortMessage", "inqueueShortMessage", "inboundChat", "inqueueChat",
        "workflow", "workitem", "commonModule", "bot", "digitalBot", "voiceBot", "surveyInvite",
    };

    private static readonly Dictionary<string, string> ReferenceKinds = new(StringComparer.Ordinal)
    {
        ["targetQueue"] = "queue",
        ["queue"] = "queue",
        ["targetFlow"] = "flow",
        ["commonModule"] = "flow",
        ["targetCommonModule"] = "flow",
        ["inQueueFlow"] = "flow",
        ["prompt"] = "prompt",
        ["dataTable"] = "data_table",
        ["bot"] = "bot",
        ["botFlow"] = "bot",
        ["targetBot"] = "bot",
        ["lexBot"] = "bot",
        ["lexV2Bot"] = "bot",
        ["dialogflowBot"] = "bot",
        ["dialogflowCXBot"] = "bot",
        ["schedule"] = "schedule",
        ["scheduleGroup"] = "schedule",
        ["emergencyGroup"] = "schedule",
        ["functionArn"] = "lambda",
        ["lambdaArn"] = "lambda",
    };

    private static readonly string[] ChoiceLists = ["choices", "menuChoices"];

    public static FlowGraph Read(YamlMappingNode root)
    {
        if (root.Children.Count != 1)
        {
            throw new FormatException($"an Archy flow has one top-level key, the flow type; this file has {root.Children.Count}");
        }
        var (typeNode, bodyNode) = root.Children.Single();
        var flowType = (typeNode as YamlScalarNode)?.Value ?? "";
        if (!FlowTypes.Contains(flowType))
        {
            throw new FormatException($"its top-level key '{flowType}' is not an Architect flow type ({string.Join(", ", FlowTypes.Order(StringComparer.Ordinal))})");
        }
        if (bodyNode is not YamlMappingNode body)
        {
            throw new FormatException($"the {flowType} flow is not a mapping of settings");
        }
        var name = Scalar(body, "name") ?? throw new FormatException($"the {flowType} flow has no name");
        var builder = new Builder();
        var containerLists = new List<string>();
        foreach (var (keyNode, value) in body.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            if (key == "startUpTaskActions" && value is YamlSequenceNode startUp)
            {
                builder.Nodes.Add(new FlowNode("startUpTask", "startUpTask", "Start-up task", "{}", null));
                builder.ActionList("startUpTask", "startUpTask", startUp, "next");
                continue;
            }
            if (value is YamlSequenceNode list && list.Children.Any(IsContainer))
            {
                containerLists.Add(key);
                foreach (var item in list.Children.Where(IsContainer))
                {
                    var (kindNode, containerBody) = ((YamlMappingNode)item).Children.Single();
                    builder.Container(((YamlScalarNode)kindNode).Value!, (YamlMappingNode)containerBody);
                }
            }
        }
        var start = Scalar(body, "startUpRef") is { } startUpRef ? RefId(startUpRef) : body.Children.ContainsKey(new YamlScalarNode("startUpTaskActions")) ? "startUpTask" : null;
        var extra = ToJson(body, ["name", "description", "startUpRef", "startUpTaskActions", .. containerLists]);
        return new FlowGraph(name, flowType, Scalar(body, "description") is { Length: > 0 } description ? description : null, start, Format,
            extra.ToJsonString(), builder.Nodes, builder.Edges);
    }

    private static bool IsContainer(YamlNode item) =>
        item is YamlMappingNode { Children.Count: 1 } mapping && mapping.Children.Single().Value is YamlMappingNode body && body.Children.ContainsKey(new YamlScalarNode("refId"));

    /// <summary>The refId inside a reference such as <c>/inboundCall/tasks/task[Closed_12]</c>.</summary>
    public static string RefId(string reference)
    {
        var open = reference.LastIndexOf('[');
        return open >= 0 && reference.EndsWith(']') ? reference[(open + 1)..^1] : reference;
    }

    private sealed class Builder
    {
        public List<FlowNode> Nodes { get; } = [];
        public List<FlowEdge> Edges { get; } = [];

        public void Container(string kind, YamlMappingNode body)
        {
            var id = Scalar(body, "refId")!;
            Nodes.Add(new FlowNode(id, kind, Scalar(body, "name"), ToJson(body, ["actions", .. ChoiceLists]).ToJsonString(), null));
            if (Child(body, "actions") is YamlSequenceNode actions)
            {
                ActionList(id, id, actions, "next");
            }
            foreach (var listName in ChoiceLists)
            {
                if (Child(body, listName) is not YamlSequenceNode choices)
                {
                    continue;
                }
                for (var index = 0; index < choices.Children.Count; index++)
                {
                    var choiceId = $"{id}/choice/{index}";
                    var (choiceKind, choiceBody) = Single(choices.Children[index]);
                    Nodes.Add(new FlowNode(choiceId, choiceKind, choiceBody is YamlMappingNode m ? Scalar(m, "name") : null, Parameters(choiceBody), null));
                    var digit = choiceBody is YamlMappingNode choiceMapping ? Scalar(choiceMapping, "dtmf") ?? Scalar(choiceMapping, "name") : null;
                    Edges.Add(new FlowEdge(id, choiceId, digit ?? "choice", "node", null));
                    Scan(choiceId, choiceBody, []);
                }
            }
        }

        public void ActionList(string owner, string idPrefix, YamlSequenceNode list, string condition)
        {
            string? previous = null;
            for (var index = 0; index < list.Children.Count; index++)
            {
                var id = $"{idPrefix}/{index}";
                var (kind, body) = Single(list.Children[index]);
                Nodes.Add(new FlowNode(id, kind, body is YamlMappingNode mapping ? Scalar(mapping, "name") : null, Parameters(body), null));
                Edges.Add(previous is null ? new FlowEdge(owner, id, condition, "node", null) : new FlowEdge(previous, id, "next", "node", null));
                Scan(id, body, []);
                previous = id;
            }
        }

        private void Scan(string nodeId, YamlNode node, List<string> path)
        {
            switch (node)
            {
                case YamlMappingNode mapping:
                    foreach (var (keyNode, value) in mapping.Children)
                    {
                        var key = (keyNode as YamlScalarNode)?.Value ?? "";
                        if (key == "actions" && value is YamlSequenceNode actions)
                        {
                            var branch = path.Where(segment => segment != "outputs").ToList();
                            ActionList(nodeId, $"{nodeId}/{(branch.Count == 0 ? "actions" : string.Join('/', branch))}", actions, Condition(branch, mapping));
                            continue;
                        }
                        if (key.EndsWith("Ref", StringComparison.Ordinal) && value is YamlScalarNode { Value: { } target } && target.StartsWith('/'))
                        {
                            Edges.Add(new FlowEdge(nodeId, RefId(target), "next", "node", null, Json.Object(("Reference", target))));
                            continue;
                        }
                        if (ReferenceKinds.TryGetValue(key, out var kind) && LiteralName(value) is { } name)
                        {
                            Edges.Add(new FlowEdge(nodeId, null, "next", kind, name, Json.Object(("Key", key))));
                            continue;
                        }
                        if (key == "category" && value is YamlMappingNode category)
                        {
                            foreach (var (integration, integrationBody) in category.Children)
                            {
                                if (Child(integrationBody, "dataAction") is YamlMappingNode dataActions)
                                {
                                    foreach (var actionName in dataActions.Children.Keys.OfType<YamlScalarNode>())
                                    {
                                        Edges.Add(new FlowEdge(nodeId, null, "next", "external", $"{((YamlScalarNode)integration).Value}/{actionName.Value}",
                                            Json.Object(("Key", "dataAction"))));
                                    }
                                }
                            }
                        }
                        Scan(nodeId, value, [.. path, key]);
                    }
                    break;
                case YamlSequenceNode sequence:
                    for (var index = 0; index < sequence.Children.Count; index++)
                    {
                        var last = path.Count > 0 ? path[^1] : "";
                        Scan(nodeId, sequence.Children[index], [.. path[..Math.Max(0, path.Count - 1)], $"{last}[{index}]"]);
                    }
                    break;
            }
        }

        private static string Condition(List<string> branch, YamlMappingNode owner)
        {
            if (Child(owner, "value") is { } caseValue)
            {
                return $"case:{LiteralName(caseValue) ?? Expression(caseValue) ?? "value"}";
            }
            var name = branch.Count == 0 ? "next" : branch[^1];
            return name switch
            {
                "task" or "next" => "next",
                "failure" or "timeout" or "error" => $"error:{name}",
                _ => name,
            };
        }
    }

    private static string? Expression(YamlNode node) => Child(node, "exp") is YamlScalarNode { Value: { } expression } ? expression : null;

    /// <summary>The name a literal reference gives: <c>X</c>, <c>{lit: X}</c>, <c>{lit: {name: X}}</c> or <c>{name: X}</c>; null for expressions and variables.</summary>
    private static string? LiteralName(YamlNode node) => node switch
    {
        YamlScalarNode { Value: { Length: > 0 } value } => value,
        YamlMappingNode mapping when Child(mapping, "lit") is { } literal => literal is YamlScalarNode { Value: { Length: > 0 } text } ? text : Scalar(literal as YamlMappingNode, "name"),
        YamlMappingNode mapping when Child(mapping, "name") is YamlScalarNode { Value: { Length: > 0 } named } => named,
        // A data table lookup is keyed by the table's name: dataTable: {Holidays: {foundOutputs: …}}.
        YamlMappingNode { Children.Count: 1 } mapping when mapping.Children.Single().Key is YamlScalarNode { Value: { } key }
            && key is not ("exp" or "var" or "noValue") && mapping.Children.Single().Value is YamlMappingNode => key,
        _ => null,
    };

    private static (string Kind, YamlNode Body) Single(YamlNode item) => item is YamlMappingNode { Children.Count: 1 } mapping
        ? ((mapping.Children.Single().Key as YamlScalarNode)?.Value ?? "unknown", mapping.Children.Single().Value)
        : ("unknown", item);

    private static string Parameters(YamlNode body) => body is YamlMappingNode mapping
        ? ToJson(mapping, ["actions"]).ToJsonString()
        : ToJsonNode(body)?.ToJsonString() ?? "null";

    private static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlMappingNode? node, string key) => Child(node, key) is YamlScalarNode scalar ? scalar.Value : null;

    /// <summary>A mapping as JSON without the named keys at its top level; nested <c>actions</c> lists are left out too, since they are nodes.</summary>
    private static JsonObject ToJson(YamlMappingNode mapping, string[] omit)
    {
        var result = new JsonObject();
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? keyNode.ToString();
            if (!omit.Contains(key, StringComparer.Ordinal))
            {
                result[key] = ToJsonNode(value);
            }
        }
        return result;
    }

    private static JsonNode? ToJsonNode(YamlNode node) => node switch
    {
        YamlMappingNode mapping => ToJson(mapping, ["actions"]),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJsonNode).ToArray()),
        YamlScalarNode scalar => scalar.Value is null ? null : JsonValue.Create(scalar.Value),
        _ => null,
    };
}
