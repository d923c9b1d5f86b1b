using System.Reflection;

namespace ExitKit;

/// <summary>The version of ExitKit, as written to manifests and reports.</summary>
public static class ToolVersion
{
    /// <summary>The informational version of ExitKit.Core, without build metadata.</summary>
    public static string Current { get; } =
        (typeof(ToolVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];
}
