using ExitKit.Connectors.DialogflowEs.Internal;
using ExitKit.Schema;

namespace ExitKit.Connectors.DialogflowEs;

/// <summary>Settings of the <c>dialogflow-es</c> connector.</summary>
public sealed class DialogflowEsOptions
{
    /// <summary>The agent export: the .zip that "Export as ZIP" produced, or the folder it unzips to. Relative to the config file.</summary>
    public string? Path { get; set; }
}

/// <summary>Reads Dialogflow ES agent exports (agent.json, intents with usersays, entities with entries) into the models tables.</summary>
public sealed class DialogflowEsPlugin : ConnectorPlugin
{
    /// <summary>The connector's name on the command line.</summary>
    public const string Name = "dialogflow-es";

    /// <inheritdoc />
    public override ConnectorDescriptor Descriptor { get; } = new(Name, "0.1.0",
        "Reads a Dialogflow ES agent export (zip or folder): agent, intents with training phrases and their annotations, entities with entries.",
        [DataFamily.Models], IsSource: true, IsSuccessor: false);

    /// <inheritdoc />
    public override ISourceConnector CreateSource(ConnectorConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.Bind<DialogflowEsOptions>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            throw ExitKitException.BadSetting(configuration.SourcePath, "path", "is required: the Dialogflow ES agent .zip or the folder it unzips to.");
        }
        return new DialogflowEsSource(configuration.ResolvePath(options.Path));
    }
}
