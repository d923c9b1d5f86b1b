using ExitKit.Connectors.AmazonConnect.Internal;
using ExitKit.Schema;

namespace ExitKit.Connectors.AmazonConnect;

/// <summary>The <c>amazon-connect</c> connector: exports a folder or .zip of Amazon Connect export files.</summary>
public sealed class AmazonConnectPlugin : ConnectorPlugin
{
    internal const string Name = "amazon-connect";

    /// <inheritdoc />
    public override ConnectorDescriptor Descriptor { get; } = new(
        Name,
        typeof(AmazonConnectPlugin).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
        "Reads a folder or .zip of Amazon Connect exports: contact flows (flow language, console export, DescribeContactFlow), queues, routing profiles, hours of operation, contact records and Contact Lens output.",
        [DataFamily.Routing, DataFamily.Interactions],
        IsSource: true,
        IsSuccessor: false);

    /// <inheritdoc />
    public override ISourceConnector CreateSource(ConnectorConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.Bind<AmazonConnectOptions>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            throw ExitKitException.BadSetting(configuration.SourcePath, "path", "is required: the folder or .zip of Amazon Connect export files.");
        }
        var files = ExportFiles.Open(configuration.ResolvePath(options.Path), configuration.SourcePath);
        var sourceSystem = string.IsNullOrWhiteSpace(options.Instance) ? Name : $"{Name}:{options.Instance}";
        return new AmazonConnectSource(files, sourceSystem);
    }
}
