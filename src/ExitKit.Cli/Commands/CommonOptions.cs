using System.CommandLine;
using ExitKit.Storage;

namespace ExitKit.Cli.Commands;

/// <summary>Options and arguments several commands share.</summary>
internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Write the result as JSON on standard output, for scripts." };

    public static Argument<string> Package() => new("package") { Description = "The package: a folder, or an Azure Blob container URL with a prefix." };

    /// <summary>Opens the store a package location names.</summary>
    public static IPackageStore OpenStore(string location) => PackageStores.Open(location);
}
