using System.Diagnostics;
using System.Text.Json;

namespace ExitKit.Connectors.KnowledgeFiles.Tests;

/// <summary><c>exitkit import --connector kb-files</c> end to end: the built CLI, its plugin folder, a real package, a real folder.</summary>
public sealed class ImportCommandTests(DemoPackage demo) : IClassFixture<DemoPackage>
{
    private const string Tables = "kb_sections,kb_articles,kb_attachments";

    [Fact]
    public async Task Import_exits_0_when_everything_arrived_and_reads_back_equal_and_a_rerun_skips_every_row()
    {
        using var output = new OutputFolder();
        var config = output.ConfigFile();

        var first = await RunAsync("import", demo.Folder, "--connector", "kb-files", "--config", config, "--tables", Tables);
        var again = await RunAsync("import", demo.Folder, "--connector", "kb-files", "--config", config, "--tables", Tables, "--json");

        Assert.True(first.ExitCode == 0, first.All);
        Assert.Contains("kb_articles: equal", first.Output, StringComparison.Ordinal);
        Assert.Contains($"Imported {demo.KnowledgeRows:N0} rows", first.Output, StringComparison.Ordinal);
        Assert.True(again.ExitCode == 0, again.All);
        using var json = JsonDocument.Parse(again.Output);
        Assert.True(json.RootElement.GetProperty("readBackEqual").GetBoolean());
        Assert.Equal(demo.KnowledgeRows, json.RootElement.GetProperty("tables").EnumerateArray().Sum(table => table.GetProperty("skipped").GetInt64()));
        Assert.Contains("en-gb/orders-and-delivery/_index.md", output.Files());
    }

    [Fact]
    public async Task Import_exits_1_naming_each_refused_row_by_key_with_the_reason()
    {
        var damaged = demo.CopyTo(Path.Combine(Directory.CreateTempSubdirectory("exitkit-kb-cli-").FullName, "p"));
        try
        {
            foreach (var artefact in Directory.EnumerateFiles(Path.Combine(damaged, "data", "artefacts"), "*", SearchOption.AllDirectories))
            {
                File.Delete(artefact);
            }
            using var output = new OutputFolder();

            var outcome = await RunAsync("import", damaged, "--connector", "kb-files", "--config", output.ConfigFile(), "--tables", Tables);

            Assert.True(outcome.ExitCode == 1, outcome.All);
            Assert.Contains("kb_attachments: the successor refused", outcome.Output, StringComparison.Ordinal);
            Assert.Contains("sample/kb-0000-img1: its file could not be read from the package", outcome.Output, StringComparison.Ordinal);
            Assert.Contains("missing in the successor: sample/kb-0000-img1", outcome.Output, StringComparison.Ordinal);
            Assert.Contains("not everything arrived", outcome.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(damaged)!, recursive: true);
        }
    }

    [Fact]
    public async Task Import_of_tables_it_cannot_hold_exits_2_saying_which_tables_to_select()
    {
        using var output = new OutputFolder();

        var outcome = await RunAsync("import", demo.Folder, "--connector", "kb-files", "--config", output.ConfigFile());

        Assert.True(outcome.ExitCode == 2, outcome.All);
        Assert.Contains("--tables kb_sections,kb_articles,kb_attachments", outcome.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", outcome.All, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output.Root));
    }

    [Fact]
    public async Task Connectors_lists_kb_files_and_zendesk_as_successors()
    {
        var outcome = await RunAsync("connectors", "--json");

        Assert.True(outcome.ExitCode == 0, outcome.All);
        using var json = JsonDocument.Parse(outcome.Output);
        var successors = json.RootElement.EnumerateArray().Where(connector => connector.GetProperty("isSuccessor").GetBoolean())
            .Select(connector => connector.GetProperty("name").GetString()).ToList();
        Assert.Contains("kb-files", successors);
        Assert.Contains("zendesk", successors);
    }

    private sealed record Outcome(int ExitCode, string Output, string Error)
    {
        public string All => $"exit {ExitCode}\n{Output}\n{Error}";
    }

    private const string Configuration =
#if CONFIGURATION_Release
        "Release";
#else
        "Debug";
#endif

    private static async Task<Outcome> RunAsync(params string[] arguments)
    {
        var start = Testing.ExitKitCli.StartInfo(Configuration, arguments);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new Outcome(process.ExitCode, await output, await error);
    }
}
