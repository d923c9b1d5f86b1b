using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Schema;
using ExitKit.Testing;
using Xunit;

namespace ExitKit.Testing.FileExports;

/// <summary>Runs a source the way the export pipeline does and keeps every row, checking each fits its table.</summary>
public sealed class ExportedRows
{
    public RecordingExportContext Context { get; } = new();
    public Dictionary<string, List<object?[]>> Tables { get; } = new(StringComparer.Ordinal);
    public SourceDescription Description { get; private set; } = null!;

    public static Task<ExportedRows> RunAsync(ConnectorPlugin plugin, string path) => RunAsync(plugin, Config(path));

    public static async Task<ExportedRows> RunAsync(ConnectorPlugin plugin, ConnectorConfiguration config)
    {
        await using var source = plugin.CreateSource(config);
        var export = new ExportedRows();
        export.Description = await source.DescribeAsync(ExportRequest.Everything);
        await source.ExportOriginalsAsync(ExportRequest.Everything, export.Context);
        foreach (var described in export.Description.Tables)
        {
            var table = NeutralSchema.Get(described.TableName);
            var rows = new List<object?[]>();
            await foreach (var row in source.ReadTableAsync(table, ExportRequest.Everything, null, export.Context))
            {
                Assert.Null(table.Describe(row.Values));
                rows.Add(row.Values);
            }
            Assert.Equal(rows.Count, rows.Select(row => (string)row[1]!).Distinct(StringComparer.Ordinal).Count());
            export.Tables[table.Name] = rows;
        }
        return export;
    }

    public static ConnectorConfiguration Config(string path)
    {
        var json = JsonSerializer.Serialize(new { path });
        return new ConnectorConfiguration(JsonDocument.Parse(json).RootElement.Clone(), Path.Combine(Path.GetTempPath(), "test.config.json"));
    }

    public List<object?[]> this[string table] => Tables.GetValueOrDefault(table) ?? [];

    public static object? Get(string table, object?[] row, string column) => row[NeutralSchema.Get(table).OrdinalOf(column)];

    public IEnumerable<string> Column(string table, string column) => this[table].Select(row => (string)Get(table, row, column)!);
}

/// <summary>Exports through the real pipeline into a package folder, as `exitkit export` does.</summary>
public static class Pipeline
{
    public static async Task<(ExitKit.Export.ExportResult Result, ExitKit.Packaging.ExitPackage Package)> ExportAsync(ConnectorPlugin plugin, string path, string packageFolder,
        CancellationToken cancellationToken = default)
    {
        await using var source = plugin.CreateSource(ExportedRows.Config(path));
        var store = new ExitKit.Storage.LocalPackageStore(packageFolder);
        var result = await ExitKit.Export.ExportPipeline.RunAsync(source, plugin.Descriptor, store,
            new ExitKit.Export.ExportOptions { Parallelism = 4 }, null, cancellationToken);
        var verification = await ExitKit.Packaging.PackageVerifier.VerifyAsync(store, null, cancellationToken);
        Assert.True(verification.IsValid, string.Join("; ", verification.Findings));
        return (result, await ExitKit.Packaging.ExitPackage.OpenAsync(store, cancellationToken));
    }
}

public static class Samples
{
    /// <summary>A sample in the shared vendor samples folder, or null (the test then skips).</summary>
    public static string? Folder(string relative)
    {
        var root = Root();
        var path = root is null ? null : Path.Combine(root, relative);
        return path is not null && (Directory.Exists(path) || File.Exists(path)) ? path : null;
    }

    /// <summary>The shared/samples folder: EXITKIT_SAMPLES, or found walking up from the test's folder; null when absent.</summary>
    public static string? Root()
    {
        var root = Environment.GetEnvironmentVariable("EXITKIT_SAMPLES");
        if (string.IsNullOrEmpty(root))
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "shared", "samples");
                if (Directory.Exists(candidate))
                {
                    root = candidate;
                    break;
                }
            }
        }
        return root is not null && Directory.Exists(root) ? root : null;
    }

    /// <summary>
    /// A repository config file as CI sees it: the repository cloned beside shared/, so the config's relative path is
    /// resolved from where it would sit in that clone. Null when the shared samples are absent.
    /// </summary>
    public static ConnectorConfiguration? ConfigAsInCi(string repositoryRelativeConfig)
    {
        var config = ConnectorConfiguration.Load(Path.Combine(RepositoryRoot(), repositoryRelativeConfig));
        var root = Root();
        if (root is null)
        {
            return null;
        }
        var besideShared = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(root).TrimEnd('/')))!;
        return new ConnectorConfiguration(config.Settings, Path.Combine(besideShared, "exitkit", repositoryRelativeConfig));
    }

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (Directory.Exists(Path.Combine(directory.FullName, "connectors")) && Directory.Exists(Path.Combine(directory.FullName, "src")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("The repository root was not found above " + AppContext.BaseDirectory);
    }
}

public sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "exitkit-" + Guid.NewGuid().ToString("N"));

    public TempFolder() => Directory.CreateDirectory(Path);

    public string Write(string relative, string content)
    {
        var file = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, content);
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
