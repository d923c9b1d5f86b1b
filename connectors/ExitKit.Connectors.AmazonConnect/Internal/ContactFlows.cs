using System.Globalization;
using System.Text.Json;

namespace ExitKit.Connectors.AmazonConnect.Internal;

/// <summary>Turns the three shapes of an Amazon Connect contact flow into a graph.</summary>
/// <remarks>
/// Shapes: the flow language (<c>Version</c> 2019-10-30, <c>Actions[]</c>), the older console export (<c>modules[]</c>,
/// <c>start</c>) and the DescribeContactFlow/DescribeContactFlowModule response whose <c>Content</c> is the flow language
/// as an escaped string. Every action or module is a node; every transition (next, default, error, condition) is an
/// edge to a node; every static reference to a flow, queue, prompt, Lambda function, bot, hours or data table is an edge
/// to that resource. References held in contact attributes (<c>$.…</c> or a non-null console namespace) are dynamic:
/// they stay in the node's parameters but are not edges, since no name can resolve them.
/// </remarks>
internal static class ContactFlows
{
    public const string FlowLanguage = "amazon-connect-flow-language";
    public const string ConsoleExport = "amazon-connect-console-export";
    public const string DescribeResponse = "amazon-connect-describe-contact-flow";

    public static bool IsFlowLanguage(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.Get("Actions") is { ValueKind: JsonValueKind.Array } && (root.Has("StartAction") || root.Has("Version"));

    public static bool IsConsoleExport(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.Get("modules") is { ValueKind: JsonValueKind.Array } && root.Has("start");

    public static JsonElement? DescribeBody(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
            ? (root.Get("ContactFlow") ?? root.Get("ContactFlowModule")) is { ValueKind: JsonValueKind.Object } body && body.Get("Content") is { ValueKind: JsonValueKind.String }
                ? body
                : null
            : null;

    /// <summary>Reads a flow from a file's root value; throws <see cref="FormatException"/> with the reason when it cannot.</summary>
    public static FlowGraph Read(JsonElement root, string fallbackName)
    {
        if (DescribeBody(root) is { } body)
        {
            var content = body.Text("Content")!;
            JsonDocument inner;
            try
            {
                inner = JsonDocument.Parse(content);
            }
            catch (JsonException error)
            {
                throw new FormatException($"the Content of the DescribeContactFlow response is not valid JSON ({error.Message})", error);
            }
            using (inner)
            {
                if (!IsFlowLanguage(inner.RootElement))
                {
                    throw new FormatException("the Content of the DescribeContactFlow response is not in the flow language (no Actions/StartAction)");
                }
                var graph = ReadFlowLanguage(inner.RootElement, body.Text("Name") ?? fallbackName);
                var wrapper = root.Get("ContactFlow") is not null ? "ContactFlow" : "ContactFlowModule";
                return graph with
                {
                    FlowType = body.Text("Type") ?? (wrapper == "ContactFlowModule" ? "CONTACT_FLOW_MODULE" : graph.FlowType),
                    Description = body.Text("Description") is { Length: > 0 } description ? description : graph.Description,
                    DefinitionFormat = DescribeResponse,
                    ExtraJson = Json.Object(
                        (wrapper, System.Text.Json.Nodes.JsonNode.Parse(body.Except("Content"))),
                        ("Content", System.Text.Json.Nodes.JsonNode.Parse(graph.ExtraJson))),
                    UpdatedAt = body.Time("LastModifiedTime"),
                };
            }
        }
        if (IsFlowLanguage(root))
        {
            return ReadFlowLanguage(root, fallbackName);
        }
        if (IsConsoleExport(root))
        {
            return ReadConsoleExport(root, fallbackName);
        }
        throw new FormatException("it is not a contact flow");
    }

    private static FlowGraph ReadFlowLanguage(JsonElement root, string fallbackName)
    {
        var nodes = new List<FlowNode>();
        var edges = new List<FlowEdge>();
        foreach (var action in root.Array("Actions"))
        {
            var id = action.Text("Identifier") ?? throw new FormatException($"action #{nodes.Count + 1} has no Identifier");
            var type = action.Text("Type") ?? "Unknown";
            var metadata = root.Get("Metadata", "ActionMetadata", id);
            nodes.Add(new FlowNode(id, type,
                metadata?.Text("name") ?? metadata?.Text("contactFlowModuleName"),
                action.Get("Parameters")?.Compact() ?? "{}",
                Json.Object(("ActionMetadata", metadata), ("Other", System.Text.Json.Nodes.JsonNode.Parse(action.Except("Identifier", "Type", "Parameters", "Transitions"))))));

            var transitions = action.Get("Transitions");
            var conditions = transitions?.Array("Conditions").ToList() ?? [];
            if (transitions?.Text("NextAction") is { Length: > 0 } next)
            {
                edges.Add(new FlowEdge(id, next, conditions.Count > 0 ? "default" : "next", "node", null));
            }
            foreach (var condition in conditions)
            {
                if (condition.Text("NextAction") is { Length: > 0 } target)
                {
                    edges.Add(new FlowEdge(id, target, DescribeCondition(condition.Get("Condition")), "node", null, condition.Compact()));
                }
            }
            foreach (var error in transitions?.Array("Errors") ?? [])
            {
                if (error.Text("NextAction") is { Length: > 0 } target)
                {
                    edges.Add(new FlowEdge(id, target, $"error:{error.Text("ErrorType") ?? "Unknown"}", "node", null));
                }
            }
            if (action.Get("Parameters") is { ValueKind: JsonValueKind.Object } parameters)
            {
                AddReferences(id, parameters, edges);
            }
        }
        var metadataRoot = root.Get("Metadata");
        return new FlowGraph(
            metadataRoot?.Text("name") is { Length: > 0 } name ? name : fallbackName,
            metadataRoot?.Text("type"),
            metadataRoot?.Text("description") is { Length: > 0 } description ? description : null,
            root.Text("StartAction"),
            FlowLanguage,
            Json.Object(("Version", root.Get("Version")), ("Metadata", metadataRoot is { } m ? System.Text.Json.Nodes.JsonNode.Parse(m.Except("ActionMetadata")) : null),
                ("Other", System.Text.Json.Nodes.JsonNode.Parse(root.Except("Version", "StartAction", "Metadata", "Actions")))),
            nodes,
            edges);
    }

    private static string DescribeCondition(JsonElement? condition)
    {
        if (condition is not { ValueKind: JsonValueKind.Object } element)
        {
            return "condition";
        }
        var operands = element.Array("Operands").Select(operand => operand.ValueKind == JsonValueKind.String ? operand.GetString() : operand.GetRawText());
        return $"{element.Text("Operator") ?? "Condition"}({string.Join(", ", operands)})";
    }

    private static readonly Dictionary<string, string> ParameterKinds = new(StringComparer.Ordinal)
    {
        ["ContactFlowId"] = "flow",
        ["ContactFlowArn"] = "flow",
        ["FlowModuleId"] = "flow",
        ["QueueId"] = "queue",
        ["QueueArn"] = "queue",
        ["LambdaFunctionARN"] = "lambda",
        ["PromptId"] = "prompt",
        ["HoursOfOperationId"] = "schedule",
        ["DataTableId"] = "data_table",
        ["DataTableIdentifier"] = "data_table",
        ["AliasArn"] = "bot",
        ["BotAliasArn"] = "bot",
    };

    private static void AddReferences(string nodeId, JsonElement parameters, List<FlowEdge> edges)
    {
        foreach (var property in parameters.EnumerateObject())
        {
            if (ParameterKinds.TryGetValue(property.Name, out var kind) && property.Value.ValueKind == JsonValueKind.String)
            {
                AddStatic(nodeId, kind, property.Value.GetString(), property.Name, edges);
            }
            else if (property.Name == "EventHooks" && property.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var hook in property.Value.EnumerateObject().Where(hook => hook.Value.ValueKind == JsonValueKind.String))
                {
                    AddStatic(nodeId, "flow", hook.Value.GetString(), $"EventHooks.{hook.Name}", edges);
                }
            }
            else if (property.Name is "LexBot" && property.Value.ValueKind == JsonValueKind.Object)
            {
                AddStatic(nodeId, "bot", property.Value.Text("Name"), "LexBot", edges);
            }
            else if (property.Name is "LexV2Bot" && property.Value.ValueKind == JsonValueKind.Object)
            {
                AddStatic(nodeId, "bot", property.Value.Text("AliasArn"), "LexV2Bot", edges);
            }
        }
    }

    private static void AddStatic(string nodeId, string kind, string? reference, string parameter, List<FlowEdge> edges)
    {
        if (string.IsNullOrWhiteSpace(reference) || reference.StartsWith('$'))
        {
            return;
        }
        edges.Add(new FlowEdge(nodeId, null, "next", kind, reference, Json.Object(("Parameter", parameter))));
    }

    private static FlowGraph ReadConsoleExport(JsonElement root, string fallbackName)
    {
        var nodes = new List<FlowNode>();
        var edges = new List<FlowEdge>();
        foreach (var module in root.Array("modules"))
        {
            var id = module.Text("id") ?? throw new FormatException($"module #{nodes.Count + 1} has no id");
            nodes.Add(new FlowNode(id, module.Text("type") ?? "Unknown", module.Text("metadata", "name"),
                module.Get("parameters")?.Compact() ?? "[]",
                module.Except("id", "type", "branches", "parameters")));
            foreach (var branch in module.Array("branches"))
            {
                if (branch.Text("transition") is { Length: > 0 } target)
                {
                    edges.Add(new FlowEdge(id, target, ConsoleCondition(branch), "node", null, branch.Compact()));
                }
            }
            foreach (var parameter in module.Array("parameters"))
            {
                AddConsoleReference(id, parameter, edges);
            }
        }
        var metadata = root.Get("metadata");
        return new FlowGraph(
            metadata?.Text("name") is { Length: > 0 } name ? name : fallbackName,
            root.Text("type") ?? metadata?.Text("type"),
            metadata?.Text("description") is { Length: > 0 } description ? description : null,
            root.Text("start"),
            ConsoleExport,
            root.Except("modules", "start"),
            nodes,
            edges);
    }

    private static string ConsoleCondition(JsonElement branch)
    {
        var condition = branch.Text("condition") ?? "next";
        return condition switch
        {
            "Success" => "next",
            "NoMatch" => "default",
            "Error" => "error:Error",
            "AtCapacity" => "error:QueueAtCapacity",
            "Evaluate" => string.Create(CultureInfo.InvariantCulture, $"{branch.Text("conditionType") ?? "Equals"}({branch.Text("conditionValue")})"),
            _ => condition,
        };
    }

    private static readonly Dictionary<string, string> ConsoleParameterKinds = new(StringComparer.Ordinal)
    {
        ["ContactFlowId"] = "flow",
        ["Queue"] = "queue",
        ["QueueId"] = "queue",
        ["FunctionArn"] = "lambda",
        ["AudioPrompt"] = "prompt",
        ["PromptId"] = "prompt",
        ["LexBot"] = "bot",
        ["BotName"] = "bot",
        ["HoursOfOperation"] = "schedule",
        ["Schedule"] = "schedule",
    };

    private static void AddConsoleReference(string nodeId, JsonElement parameter, List<FlowEdge> edges)
    {
        if (parameter.Text("name") is not { } name || !ConsoleParameterKinds.TryGetValue(name, out var kind))
        {
            return;
        }
        // A namespace ("User Defined", "External", "System") means the value names a contact attribute: a dynamic reference.
        if (parameter.Text("namespace") is { Length: > 0 })
        {
            return;
        }
        var reference = parameter.Text("resourceName") is { Length: > 0 } resourceName ? resourceName : parameter.Text("value");
        if (string.IsNullOrWhiteSpace(reference))
        {
            return;
        }
        edges.Add(new FlowEdge(nodeId, null, "next", kind, reference, Json.Object(("Parameter", name), ("Value", parameter.Text("value")))));
    }
}
