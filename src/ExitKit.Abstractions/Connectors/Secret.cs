namespace ExitKit.Connectors;

/// <summary>A secret value (token, password, connection string) that prints as <c>***</c> everywhere.</summary>
/// <remarks>Connectors call <see cref="Reveal"/> only at the point of use (an HTTP header, a connection open) and never log it.</remarks>
public sealed class Secret
{
    private readonly string _value;

    /// <summary>Wraps a secret value.</summary>
    public Secret(string value) => _value = value ?? throw new ArgumentNullException(nameof(value));

    /// <summary>The secret itself. Do not log, store or echo it.</summary>
    public string Reveal() => _value;

    /// <summary>Always <c>***</c>, so a secret that reaches a log or message shows nothing.</summary>
    public override string ToString() => "***";
}
