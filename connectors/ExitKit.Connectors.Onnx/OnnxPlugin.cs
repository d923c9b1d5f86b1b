using ExitKit.Connectors.Onnx.Internal;
using ExitKit.Schema;

namespace ExitKit.Connectors.Onnx;

/// <summary>Settings of the <c>onnx</c> connector.</summary>
public sealed class OnnxOptions
{
    /// <summary>A folder of model files, a .zip of them, or one .onnx file. Relative to the config file.</summary>
    public string? Path { get; set; }
}

/// <summary>Keeps ONNX model files byte-exact as artefacts and records what their protobuf says (IR version, opsets, producer, inputs, outputs) and their model cards.</summary>
public sealed class OnnxPlugin : ConnectorPlugin
{
    /// <summary>The connector's name on the command line.</summary>
    public const string Name = "onnx";

    /// <inheritdoc />
    public override ConnectorDescriptor Descriptor { get; } = new(Name, "0.1.0",
        "Reads ONNX model files (folder, zip or file): keeps each as an artefact with its opset, producer, inputs, outputs and model card.",
        [DataFamily.Models], IsSource: true, IsSuccessor: false);

    /// <inheritdoc />
    public override ISourceConnector CreateSource(ConnectorConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.Bind<OnnxOptions>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            throw ExitKitException.BadSetting(configuration.SourcePath, "path", "is required: a folder of .onnx files, a .zip of them, or one .onnx file.");
        }
        return new OnnxSource(configuration.ResolvePath(options.Path));
    }
}
