namespace ExitKit.Cli.Tests;

public sealed class CliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("exitkit-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Demo_exports_and_verifies_a_package_and_exits_zero()
    {
        var package = Path.Combine(_folder, "demo");
        var outcome = await ExitKitProcess.RunAsync("demo", "--interactions", "300", "--out", package);
        Assert.True(outcome.ExitCode == 0, outcome.All);
        Assert.Contains("is valid", outcome.Output, StringComparison.Ordinal);
        Assert.Contains("1 Met:", outcome.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(package + "-report/validation-report.html"));

        var schedule = Path.Combine(ExitKitProcess.RepositoryRoot(), "manifests/examples/demo.schedule.yaml");
        var validate = await ExitKitProcess.RunAsync("validate", package, "--schedule", schedule, "--json");
        Assert.True(validate.ExitCode == 0, validate.All);
        var brokenSchedule = Path.Combine(_folder, "broken.yaml");
        await File.WriteAllTextAsync(brokenSchedule, "schedule: 1\nobligations:\n  - id: [unclosed\n", TestContext.Current.CancellationToken);
        var broken = await ExitKitProcess.RunAsync("validate", package, "--schedule", brokenSchedule);
        Assert.Equal(2, broken.ExitCode);
        Assert.Contains("broken.yaml:", broken.Error, StringComparison.Ordinal);
        Assert.Contains("every row arrived", outcome.Output, StringComparison.Ordinal);
        Assert.Contains("the successor holds every row, equal to the package", outcome.Output, StringComparison.Ordinal);
        Assert.Contains("Projection: full exit", outcome.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(package + "-staging.db"));
        Assert.True(File.Exists(package + "-source.db"));
        Assert.True(File.Exists(package + "-report/rehearsal.html"));

        // The sql connector exported the sample's SQLite form, with the rows the sample connector itself gives.
        var sampleConfig = Path.Combine(_folder, "sample.json");
        await File.WriteAllTextAsync(sampleConfig, """{ "interactions": 300 }""", TestContext.Current.CancellationToken);
        var direct = await ExitKitProcess.RunAsync("export", "--connector", "sample", "--config", sampleConfig, "--out", Path.Combine(_folder, "direct"));
        Assert.True(direct.ExitCode == 0, direct.All);
        using (var demoManifest = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(package, "exitkit.json"), TestContext.Current.CancellationToken)))
        using (var directManifest = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_folder, "direct", "exitkit.json"), TestContext.Current.CancellationToken)))
        {
            static Dictionary<string, long> Rows(System.Text.Json.JsonDocument manifest) => manifest.RootElement.GetProperty("tables").EnumerateArray()
                .ToDictionary(table => table.GetProperty("name").GetString()!, table => table.GetProperty("rows").GetInt64());
            Assert.Equal("sql", demoManifest.RootElement.GetProperty("source").GetProperty("connector").GetString());
            Assert.Equal("sample", demoManifest.RootElement.GetProperty("source").GetProperty("system").GetString());
            Assert.Equal(Rows(directManifest).OrderBy(pair => pair.Key), Rows(demoManifest).OrderBy(pair => pair.Key));
        }
        var again = await ExitKitProcess.RunAsync("demo", "--interactions", "300", "--out", package);
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("-source.db already exists", again.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(package, "tagmanifest-sha256.txt")));

        var verify = await ExitKitProcess.RunAsync("verify", package, "--json");
        Assert.Equal(0, verify.ExitCode);
        Assert.Contains("\"valid\": true", verify.Output, StringComparison.Ordinal);

        var part = Directory.EnumerateFiles(Path.Combine(package, "data", "messages")).First();
        var bytes = await File.ReadAllBytesAsync(part, TestContext.Current.CancellationToken);
        bytes[100] ^= 0xFF;
        await File.WriteAllBytesAsync(part, bytes, TestContext.Current.CancellationToken);
        var tampered = await ExitKitProcess.RunAsync("verify", package);
        Assert.Equal(1, tampered.ExitCode);
        Assert.Contains(Path.GetFileName(part), tampered.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connectors_lists_the_sample_connector()
    {
        var outcome = await ExitKitProcess.RunAsync("connectors", "--json");
        Assert.True(outcome.ExitCode == 0, outcome.All);
        Assert.Contains("\"name\": \"sample\"", outcome.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupt_plugin_assembly_is_a_clear_error_naming_the_file_with_exit_2()
    {
        var plugins = Path.Combine(_folder, "plugins", "ExitKit.Connectors.Broken");
        Directory.CreateDirectory(plugins);
        var corrupt = Path.Combine(plugins, "ExitKit.Connectors.Broken.dll");
        await File.WriteAllTextAsync(corrupt, "MZ this is not an assembly", TestContext.Current.CancellationToken);
        var outcome = await ExitKitProcess.RunAsync(new Dictionary<string, string> { ["EXITKIT_PLUGIN_PATH"] = Path.Combine(_folder, "plugins") }, "connectors");
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains(corrupt, outcome.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", outcome.All, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("verify", "/nonexistent/package")]
    [InlineData("inspect", "/nonexistent/package")]
    [InlineData("export", "--connector", "nope", "--out", "/tmp/x")]
    [InlineData("export", "--connector", "sample", "--config", "/nonexistent/config.json", "--out", "/tmp/x")]
    [InlineData("export", "--connector", "sample", "--out", "/tmp/x", "--from", "31/03/2024")]
    public async Task Unusable_input_exits_2_with_a_message_and_no_stack_trace(params string[] arguments)
    {
        var outcome = await ExitKitProcess.RunAsync(arguments);
        Assert.Equal(2, outcome.ExitCode);
        Assert.StartsWith("exitkit: ", outcome.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", outcome.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_into_a_folder_holding_an_unfinished_export_points_to_resume()
    {
        var package = Path.Combine(_folder, "unfinished");
        Directory.CreateDirectory(Path.Combine(package, ".exitkit"));
        await File.WriteAllTextAsync(Path.Combine(package, ".exitkit", "state.json"), "{}", TestContext.Current.CancellationToken);
        var outcome = await ExitKitProcess.RunAsync("export", "--connector", "sample", "--out", package);
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("--resume", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rehearse_runs_a_plan_end_to_end_and_compares_with_the_previous_rehearsal()
    {
        var schedule = Path.Combine(ExitKitProcess.RepositoryRoot(), "manifests/examples/demo.schedule.yaml");
        string Plan(int run, string? previous) => $"""
            name: Quarterly rehearsal
            source:
              connector: sample
              settings:
                interactions: 250
            package: package-{run}
            schedule: {schedule}
            successor:
              connector: sql-successor
              settings:
                provider: sqlite
                databasePath: staging-{run}.db
            report: report-{run}
            {(previous is null ? "" : $"previousReport: {previous}")}
            """;
        var first = Path.Combine(_folder, "first.yaml");
        await File.WriteAllTextAsync(first, Plan(1, null), TestContext.Current.CancellationToken);
        var outcome = await ExitKitProcess.RunAsync("rehearse", "--plan", first);
        Assert.True(outcome.ExitCode == 0, outcome.All);
        Assert.True(File.Exists(Path.Combine(_folder, "report-1", "rehearsal.md")));
        Assert.True(File.Exists(Path.Combine(_folder, "staging-1.db")));

        var second = Path.Combine(_folder, "second.yaml");
        await File.WriteAllTextAsync(second, Plan(2, "report-1/rehearsal.json").Replace("interactions: 250", "interactions: 260", StringComparison.Ordinal), TestContext.Current.CancellationToken);
        var again = await ExitKitProcess.RunAsync("rehearse", "--plan", second, "--json");
        Assert.True(again.ExitCode == 0, again.All);
        Assert.Contains("interactions: 260 rows, was 250", again.Output, StringComparison.Ordinal);
        var markdown = await File.ReadAllTextAsync(Path.Combine(_folder, "report-2", "rehearsal.md"), TestContext.Current.CancellationToken);
        Assert.Contains("## Since the previous rehearsal", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plan_with_an_unknown_setting_is_refused_naming_the_file()
    {
        var plan = Path.Combine(_folder, "plan.yaml");
        await File.WriteAllTextAsync(plan, "name: x\nsourse:\n  connector: sample\npackage: p\n", TestContext.Current.CancellationToken);
        var outcome = await ExitKitProcess.RunAsync("rehearse", "--plan", plan);
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("sourse", outcome.Error, StringComparison.Ordinal);
        Assert.Contains("plan.yaml", outcome.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rehearse")]
    [InlineData("import")]
    [InlineData("seal")]
    [InlineData("demo")]
    [InlineData("export")]
    [InlineData("verify")]
    [InlineData("inspect")]
    [InlineData("connectors")]
    [InlineData("validate")]
    public async Task Every_command_has_help(string command)
    {
        var outcome = await ExitKitProcess.RunAsync(command, "--help");
        Assert.Equal(0, outcome.ExitCode);
        Assert.Contains("Usage:", outcome.Output, StringComparison.Ordinal);
    }
}
