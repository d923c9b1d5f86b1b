using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Connectors.Sample;
using ExitKit.Export;
using ExitKit.Packaging;
using ExitKit.Storage;

namespace ExitKit.Connectors.SqlSuccessor.Tests;

/// <summary>The demo package of the sample stack (500 interactions), exported once for the tests of a class.</summary>
public sealed class DemoPackage : IAsyncLifetime
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("exitkit-import-demo-").FullName;
    public ExitPackage Package { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var plugin = new SamplePlugin();
        await using var source = plugin.CreateSource(new ConnectorConfiguration(
            JsonDocument.Parse("""{"interactions": 500}""").RootElement.Clone(), "(test)"));
        var store = new LocalPackageStore(Folder);
        await ExportPipeline.RunAsync(source, plugin.Descriptor, store, new ExportOptions { Parallelism = 1 });
        Package = await ExitPackage.OpenAsync(store);
    }

    /// <summary>The rows of a table, read from the package (tests only: small tables).</summary>
    public async Task<List<object?[]>> RowsAsync(string table)
    {
        var rows = new List<object?[]>();
        await foreach (var row in Package.ReadRowsAsync(table))
        {
            rows.Add(row);
        }
        return rows;
    }

    public long TotalRows => Package.Manifest.Tables.Sum(table => table.Rows);

    public ValueTask DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}
