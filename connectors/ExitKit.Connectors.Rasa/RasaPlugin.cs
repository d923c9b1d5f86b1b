using ExitKit.Connectors.Rasa.Internal;
using ExitKit.Schema;

namespace ExitKit.Connectors.Rasa;

/// <summary>Settings of the <c>rasa</c> connector.</summary>
public sealed class RasaOptions
{
    /// <summary>The Rasa project folder (with domain.yml, config.yml, data/), a .zip of it, or one training data file. Relative to the config file.</summary>
    public string? Path { get; set; }
}

/// <summary>Reads Rasa projects (3.x YAML, 1.x Markdown and JSON training data, domain, config) into the models tables.</summary>
public sealed class RasaPlugin : ConnectorPlugin
{
    /// <summary>The connector's name on the command line.</summary>
    public const string Name = "rasa";

    /// <inheritdoc />
    public override ConnectorDescriptor Descriptor { get; } = new(Name, "0.1.0",
        "Reads a Rasa project (folder, zip or file): intents with annotated examples, entities, slots, synonyms, regexes and lookups; 3.x YAML and 1.x Markdown/JSON.",
        [DataFamily.Models], IsSource: true, IsSuccessor: false);

    /// <inheritdoc />
    public override ISourceConnector CreateSource(ConnectorConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.Bind<RasaOptions>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            throw ExitKitException.BadSetting(configuration.SourcePath, "path", "is required: the Rasa project folder, a .zip of it, or a training data file.");
        }
        return new RasaSource(configuration.ResolvePath(options.Path));
    }
}
