using ExitKit.Export;
using ExitKit.Packaging;
using ExitKit.Schema;
using ExitKit.Storage;

namespace ExitKit.Connectors.AmazonConnect.Tests;

public sealed class PipelineTests
{
    [Fact]
    public async Task The_export_pipeline_writes_every_row_original_and_problem_of_a_zipped_export_into_a_package()
    {
        var expected = await Exported.RunAsync(Exported.Fixtures);
        var folder = Directory.CreateTempSubdirectory("exitkit-amazon-connect-").FullName;
        // The pipeline reads tables in parallel; a .zip is the export whose reads must be serialised.
        var zip = Path.Combine(Path.GetTempPath(), $"exitkit-amazon-connect-{Guid.NewGuid():N}.zip");
        System.IO.Compression.ZipFile.CreateFromDirectory(Exported.Fixtures, zip);
        try
        {
            var plugin = new AmazonConnectPlugin();
            await using (var source = plugin.CreateSource(Exported.Config(zip)))
            {
                var result = await ExportPipeline.RunAsync(source, plugin.Descriptor, new LocalPackageStore(folder), new ExportOptions(),
                    cancellationToken: TestContext.Current.CancellationToken);
                Assert.True(result.Complete);
            }
            var package = await ExitPackage.OpenAsync(new LocalPackageStore(folder), TestContext.Current.CancellationToken);
            foreach (var (table, rows) in expected.Rows)
            {
                var written = new List<object?[]>();
                await foreach (var row in package.ReadRowsAsync(table, TestContext.Current.CancellationToken))
                {
                    written.Add(row);
                }
                Assert.Equal(rows.Select(row => (string)row[1]!).Order(StringComparer.Ordinal), written.Select(row => (string)row[1]!).Order(StringComparer.Ordinal));
            }
            Assert.Equal(expected.Context.Originals.Count, package.Manifest.Originals.Count);
            Assert.Equal(expected.Context.Problems.Count, package.Manifest.Problems.Count);
            foreach (var (path, bytes) in expected.Context.Originals)
            {
                Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(folder, "data", "originals", path), TestContext.Current.CancellationToken));
            }
            var flows = NeutralSchema.Flows;
            Assert.All(expected.Of(flows), row => Assert.True(File.Exists(Path.Combine(folder, Exported.Value<string>(flows, row, "original_path")!))));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            File.Delete(zip);
        }
    }
}
