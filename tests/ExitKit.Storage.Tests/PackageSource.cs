using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Connectors.Sample;
using ExitKit.Export;
using ExitKit.Packaging;

namespace ExitKit.Storage.Tests;

/// <summary>The sample stack as a source, and what a package holds, for comparing exports.</summary>
internal static class PackageSource
{
    public static readonly ConnectorDescriptor Descriptor = new SamplePlugin().Descriptor;

    public static ISourceConnector Source(int interactions) =>
        new SamplePlugin().CreateSource(new ConnectorConfiguration(JsonDocument.Parse($$"""{"interactions": {{interactions}}}""").RootElement.Clone(), "(test)"));

    public static async Task<ExportResult> ExportAsync(IPackageStore store, int interactions, ExportOptions? options = null)
    {
        await using var source = Source(interactions);
        return await ExportPipeline.RunAsync(source, Descriptor, store, options ?? new ExportOptions(), null, TestContext.Current.CancellationToken);
    }

    /// <summary>Every source_id of a table, in the order the package holds them.</summary>
    public static async Task<List<string>> SourceIdsAsync(ExitPackage package, string table)
    {
        var ids = new List<string>();
        await foreach (var batch in package.ReadColumnsAsync(table, ["source_id"], TestContext.Current.CancellationToken))
        {
            ids.AddRange(((string?[])batch.Columns[0]).Select(id => id!));
        }
        return ids;
    }

    /// <summary>Each table's source_ids, sorted, for comparing two packages row for row.</summary>
    public static async Task<SortedDictionary<string, string[]>> AllSourceIdsAsync(ExitPackage package)
    {
        var tables = new SortedDictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var table in package.Manifest.Tables)
        {
            tables[table.Name] = (await SourceIdsAsync(package, table.Name)).Order(StringComparer.Ordinal).ToArray();
        }
        return tables;
    }

    public static string TemporaryFolder(string purpose) => Directory.CreateTempSubdirectory($"exitkit-{purpose}-").FullName;
}
