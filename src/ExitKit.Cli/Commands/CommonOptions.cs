using System.CommandLine;
using ExitKit.Connectors;
using ExitKit.Storage;

namespace ExitKit.Cli.Commands;

/// <summary>Options and arguments several commands share.</summary>
internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Write the result as JSON on standard output, for scripts." };

    public static Argument<string> Package() => new("package") { Description = "The package: a folder, or an Azure Blob container URL with a prefix." };

    /// <summary><c>--blob-connection</c>, on the root command and every command under it.</summary>
    public static Option<string?> BlobConnection { get; } = new("--blob-connection")
    {
        Description = "For a package in Azure Blob Storage: a reference (env:NAME or file:PATH) to the storage connection string. " +
            $"Without it: a SAS in the URL, else ${AzureBlobPackageStore.ConnectionStringVariable}, else your Azure identity (az login, managed identity).",
        Recursive = true,
    };

    private static string? _blobConnectionReference;

    /// <summary>Takes the options that apply to every command from the command line (called once, before the command runs).</summary>
    public static void Apply(ParseResult parseResult) => _blobConnectionReference = parseResult.GetValue(BlobConnection);

    /// <summary>Opens the store a package location names.</summary>
    public static IPackageStore OpenStore(string location)
    {
        var connectionString = _blobConnectionReference is not null && AzureBlobPackageStore.IsBlobLocation(location)
            ? ConnectorConfiguration.Empty.ResolveSecret(_blobConnectionReference, "--blob-connection").Reveal()
            : null;
        return PackageStores.Open(location, connectionString);
    }
}
