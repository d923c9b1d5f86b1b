namespace ExitKit.Connectors.AmazonConnect;

/// <summary>Settings of the <c>amazon-connect</c> connector.</summary>
public sealed class AmazonConnectOptions
{
    /// <summary>A folder or a <c>.zip</c> of Amazon Connect export files; relative paths resolve against the config file's folder.</summary>
    public string? Path { get; set; }

    /// <summary>A short name of the Amazon Connect instance, appended to <c>source_system</c> (<c>amazon-connect:NAME</c>).</summary>
    public string? Instance { get; set; }
}
