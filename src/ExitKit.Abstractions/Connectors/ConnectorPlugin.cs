namespace ExitKit.Connectors;

/// <summary>The entry point of a connector assembly. ExitKit finds every non-abstract subclass with a public parameterless constructor.</summary>
/// <remarks>
/// A plugin assembly references ExitKit.Abstractions without copying it (the host provides it) and exposes one subclass
/// per connector. Keep everything else <c>internal</c>: the public surface of a connector is its plugin and its options class.
/// </remarks>
public abstract class ConnectorPlugin
{
    /// <summary>What the connector is and can do.</summary>
    public abstract ConnectorDescriptor Descriptor { get; }

    /// <summary>Creates the source side from a configuration. Connectors that are not sources keep the default, which throws.</summary>
    public virtual ISourceConnector CreateSource(ConnectorConfiguration configuration) =>
        throw new ExitKitException($"Connector {Descriptor.Name} cannot export: it is not a source. Run `exitkit connectors` to see which can.");

    /// <summary>Creates the successor side from a configuration. Connectors that are not successors keep the default, which throws.</summary>
    public virtual ISuccessorConnector CreateSuccessor(ConnectorConfiguration configuration) =>
        throw new ExitKitException($"Connector {Descriptor.Name} cannot import: it is not a successor. Run `exitkit connectors` to see which can.");
}
