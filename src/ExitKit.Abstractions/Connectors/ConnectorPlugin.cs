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

    /// <summary>Writes the vendor system this connector simulates as a database file, for another connector to export as it would a real vendor's.</summary>
    /// <param name="configuration">The same settings <see cref="CreateSource"/> takes: they say what the simulated system holds.</param>
    /// <param name="databasePath">The file to write; it must not exist.</param>
    /// <param name="cancellationToken">Stops the write; the file is then not left behind.</param>
    /// <returns>Which connector, with which settings, exports the file, and how many rows were written.</returns>
    /// <remarks>
    /// Only a connector that simulates a vendor overrides this: the built-in sample writes its contact centre as SQLite in the
    /// <c>sql</c> connector's generic contact-centre schema, so <c>exitkit demo</c> exports a real database. An implementer writes
    /// every row its own source would give, refuses a path that exists, and leaves no file at <paramref name="databasePath"/> when it
    /// fails. Connectors that simulate nothing keep the default, which throws.
    /// </remarks>
    public virtual Task<VendorDatabase> WriteVendorDatabaseAsync(ConnectorConfiguration configuration, string databasePath, CancellationToken cancellationToken = default) =>
        throw new ExitKitException($"Connector {Descriptor.Name} simulates no vendor system, so it cannot write one as a database.");
}

/// <summary>A database written by <see cref="ConnectorPlugin.WriteVendorDatabaseAsync"/>, and how to export it.</summary>
/// <param name="Path">The database file.</param>
/// <param name="Connector">The connector that exports it (e.g. <c>sql</c>).</param>
/// <param name="Configuration">That connector's settings for this file.</param>
/// <param name="Rows">How many rows the file holds, across its tables.</param>
public sealed record VendorDatabase(string Path, string Connector, ConnectorConfiguration Configuration, long Rows);
