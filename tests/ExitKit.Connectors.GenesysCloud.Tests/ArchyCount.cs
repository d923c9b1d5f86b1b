using YamlDotNet.RepresentationModel;

namespace ExitKit.Connectors.GenesysCloud.Tests;

/// <summary>An independent count of flow blocks and transitions, read straight from Archy YAML with YamlDotNet.</summary>
/// <remarks>
/// Blocks: tasks/states/menus (list items with a refId), the start-up task, every item of every <c>actions</c> list,
/// every menu choice. Transitions: one per action (from its container, branch or previous action), one per menu choice,
/// one per <c>…Ref</c> jump inside a container.
/// </remarks>
internal static class ArchyCount
{
    public static (int Blocks, int Transitions) Of(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var body = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode).Children.Single().Value;
        var count = new Counter();
        foreach (var (key, value) in body.Children)
        {
            if (key.ToString() == "startUpTaskActions")
            {
                count.Blocks++;
                count.Actions((YamlSequenceNode)value);
                continue;
            }
            if (value is not YamlSequenceNode list)
            {
                continue;
            }
            foreach (var item in list.Children.OfType<YamlMappingNode>())
            {
                if (item.Children.Count == 1 && item.Children.Single().Value is YamlMappingNode container && container.Children.ContainsKey(new YamlScalarNode("refId")))
                {
                    count.Blocks++;
                    count.Within(container);
                }
            }
        }
        return (count.Blocks, count.Transitions);
    }

    private sealed class Counter
    {
        public int Blocks;
        public int Transitions;

        public void Actions(YamlSequenceNode actions)
        {
            Blocks += actions.Children.Count;
            Transitions += actions.Children.Count;
            foreach (var action in actions.Children)
            {
                Within(action);
            }
        }

        public void Within(YamlNode node)
        {
            if (node is YamlSequenceNode sequence)
            {
                foreach (var item in sequence.Children)
                {
                    Within(item);
                }
                return;
            }
            if (node is not YamlMappingNode mapping)
            {
                return;
            }
            foreach (var (keyNode, value) in mapping.Children)
            {
                var key = keyNode.ToString();
                if (key == "actions" && value is YamlSequenceNode actions)
                {
                    Actions(actions);
                }
                else if (key is "choices" or "menuChoices" && value is YamlSequenceNode choices)
                {
                    Blocks += choices.Children.Count;
                    Transitions += choices.Children.Count;
                    Within(choices);
                }
                else if (key.EndsWith("Ref", StringComparison.Ordinal) && value is YamlScalarNode { Value: { } target } && target.StartsWith('/'))
                {
                    Transitions++;
                }
                else
                {
                    Within(value);
                }
            }
        }
    }
}
