namespace ExitKit.Connectors.GenesysCloud;

/// <summary>Settings of the <c>genesys-cloud</c> connector.</summary>
public sealed class GenesysCloudOptions
{
    /// <summary>A folder or a <c>.zip</c> of Genesys Cloud export files; relative paths resolve against the config file's folder.</summary>
    public string? Path { get; set; }

    /// <summary>A short name of the Genesys Cloud organisation, appended to <c>source_system</c> (<c>genesys-cloud:NAME</c>).</summary>
    public string? Organization { get; set; }
}
