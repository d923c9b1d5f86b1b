using System.CommandLine;
using System.Text.Json;
using ExitKit.Plugins;
using Spectre.Console;

namespace ExitKit.Cli.Commands;

/// <summary><c>exitkit connectors</c>: lists the connectors the plugin folders provide.</summary>
internal static class ConnectorsCommand
{
    public static Command Create()
    {
        var json = CommonOptions.Json();
        var command = new Command("connectors", "List the installed connectors: name, version, data families, source and/or successor.") { json };
        command.SetAction(CommandRunner.Guard((parseResult, output, cancellationToken) =>
        {
            var connectors = PluginLoader.LoadAll(PluginLoader.DefaultFolders());
            if (parseResult.GetValue(json))
            {
                output.Line(JsonSerializer.Serialize(connectors.Select(connector => new
                {
                    connector.Descriptor.Name,
                    connector.Descriptor.Version,
                    connector.Descriptor.Description,
                    Families = connector.Descriptor.Families.Select(family => family.ToString().ToLowerInvariant()),
                    connector.Descriptor.IsSource,
                    connector.Descriptor.IsSuccessor,
                    Assembly = connector.AssemblyPath,
                }), JsonOutput.Options));
                return Task.FromResult(ExitCodes.Success);
            }
            var table = new Table().AddColumns("Connector", "Version", "Families", "Source", "Successor", "Description");
            foreach (var connector in connectors)
            {
                var descriptor = connector.Descriptor;
                table.AddRow(descriptor.Name, descriptor.Version, string.Join(", ", descriptor.Families).ToLowerInvariant(),
                    descriptor.IsSource ? "yes" : "no", descriptor.IsSuccessor ? "yes" : "no", Markup.Escape(descriptor.Description));
            }
            output.Terminal.Write(table);
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}
