using System.Text.Json;
using ExitKit.Connectors.Sample;
using ExitKit.Export;
using ExitKit.Packaging;
using ExitKit.Storage;

namespace ExitKit.Connectors.KnowledgeFiles.Tests;

/// <summary>The sample stack's package (its knowledge base: 12 sections, 2 locales, articles with 2 versions, images), exported once per test class.</summary>
public sealed class DemoPackage : IAsyncLifetime
{
    public static readonly string[] KnowledgeTables = ["kb_sections", "kb_articles", "kb_attachments"];

    public string Folder { get; } = Directory.CreateTempSubdirectory("exitkit-kb-demo-").FullName;
    public ExitPackage Package { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var plugin = new SamplePlugin();
        await using var source = plugin.CreateSource(new ConnectorConfiguration(JsonDocument.Parse("""{"interactions": 20}""").RootElement.Clone(), "(test)"));
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

    public long KnowledgeRows => KnowledgeTables.Sum(table => Package.Manifest.FindTable(table)!.Rows);

    /// <summary>A copy of the package folder, for tests that damage it.</summary>
    public string CopyTo(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(folder, Path.GetRelativePath(Folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return folder;
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}

/// <summary>An empty output folder for one test, deleted afterwards.</summary>
internal sealed class OutputFolder : IDisposable
{
    public string Root { get; } = Path.Combine(Directory.CreateTempSubdirectory("exitkit-kb-out-").FullName, "help-centre");

    public ISuccessorConnector Connect(string? extra = null)
    {
        var json = $$"""{"outputPath": {{JsonSerializer.Serialize(Root)}} {{extra}} }""";
        return new KnowledgeFilesPlugin().CreateSuccessor(new ConnectorConfiguration(JsonDocument.Parse(json).RootElement.Clone(), "/tmp/kb-files-test.json"));
    }

    public string ConfigFile()
    {
        var path = Path.Combine(Path.GetDirectoryName(Root)!, "kb-files.json");
        File.WriteAllText(path, """{"outputPath": "help-centre"}""");
        return path;
    }

    public IReadOnlyList<string> Files() => Directory.Exists(Root)
        ? Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Select(file => Path.GetRelativePath(Root, file).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList()
        : [];

    public string Read(string relative) => File.ReadAllText(Path.Combine(Root, relative));

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(Root)!, recursive: true);
}
