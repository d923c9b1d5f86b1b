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
        Assert.Contains("300 interactions from", outcome.Output, StringComparison.Ordinal);
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

    [Theory]
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
