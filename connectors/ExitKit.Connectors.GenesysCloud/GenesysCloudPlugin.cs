using ExitKit.Connectors.GenesysCloud.Internal;
using ExitKit.Schema;

namespace ExitKit.Connectors.GenesysCloud;

/// <summary>The <c>genesys-cloud</c> connector: exports a folder or .zip of Genesys Cloud Architect flows and analytics files.</summary>
public sealed class GenesysCloudPlugin : ConnectorPlugin
{
    internal const string Name = "genesys-cloud";

    /// <inheritdoc />
    public override ConnectorDescriptor Descriptor { get; } = new(
        Name,
        typeof(GenesysCloudPlugin).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
        "Reads a folder or .zip of Genesys Cloud exports: Architect flows as Archy YAML (every flow type) and analytics conversation details JSON.",
        [DataFamily.Routing, DataFamily.Interactions],
        IsSource: true,
        IsSuccessor: false);

    /// <inheritdoc />
    public override ISourceConnector CreateSource(ConnectorConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.Bind<GenesysCloudOptions>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            throw ExitKitException.BadSetting(configuration.SourcePath, "path", "is required: the folder or .zip of Genesys Cloud export files.");
        }
        var files = ExportFiles.Open(configuration.ResolvePath(options.Path), configuration.SourcePath);
        var sourceSystem = string.IsNullOrWhiteSpace(options.Organization) ? Name : $"{Name}:{options.Organization}";
        return new GenesysCloudSource(files, sourceSystem);
    }
}
