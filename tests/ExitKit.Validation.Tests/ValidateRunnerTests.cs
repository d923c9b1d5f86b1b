using System.Text.Json;
using ExitKit.Schema;
using ExitKit.Validation.Reports;

namespace ExitKit.Validation.Tests;

public sealed class ValidateRunnerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("exitkit-validate-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string WriteSchedule(string obligations, string dates = "")
    {
        var path = Path.Combine(_folder, "exit.schedule.yaml");
        File.WriteAllText(path, Schedules.Yaml(obligations, dates));
        return path;
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string package, string schedule, string? reports = null, bool json = false)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await ValidateRunner.RunAsync(package, schedule, reports, json, output, error, new FixedTime(Schedules.ValidatedAt),
            TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Exit_code_is_0_when_every_obligation_is_met_and_the_reports_are_written()
    {
        using var package = new TestPackage();
        package.ReconciledTable(NeutralSchema.Interactions, Some.InteractionsOn(new(2024, 3, 10), new(2024, 3, 16)));
        await package.SealAsync(TestContext.Current.CancellationToken);
        var schedule = WriteSchedule("""
              - id: "7.3(a)"
                title: Interaction history
                tables: [interactions]
                checks:
                  - coverage: { from: 2024-03-10, to: 2024-03-16 }
                  - reconciliation: {}
            """);
        var reports = Path.Combine(_folder, "reports");

        var (code, output, error) = await RunAsync(package.Root, schedule, reports);

        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.StartsWith($"CX-2021-044 against {package.Root}: Met (1 met, 0 not met, 0 not checkable)", output, StringComparison.Ordinal);
        Assert.Contains("  7.3(a) Met: interactions cover 10–16 March 2024", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(reports, ReportWriter.JsonFile)));
        Assert.True(File.Exists(Path.Combine(reports, ReportWriter.MarkdownFile)));
        Assert.True(File.Exists(Path.Combine(reports, ReportWriter.HtmlFile)));
    }

    [Fact]
    public async Task Exit_code_is_1_when_an_obligation_is_not_met_and_json_goes_to_the_output()
    {
        using var package = ReportTests.MixedPackage();
        await package.SealAsync(TestContext.Current.CancellationToken);
        var schedule = WriteSchedule(ReportTests.Obligations, ReportTests.Dates);

        var (code, output, _) = await RunAsync(package.Root, schedule, json: true);

        Assert.Equal(1, code);
        using var document = JsonDocument.Parse(output);
        Assert.Equal("not_met", document.RootElement.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Exit_code_is_2_for_a_bad_schedule_and_the_error_names_file_line_and_column()
    {
        using var package = new TestPackage();
        package.ReconciledTable(NeutralSchema.Queues, [Some.Queue("q-1", "Billing")]);
        await package.SealAsync(TestContext.Current.CancellationToken);
        var schedule = WriteSchedule("""
              - id: "7.5"
                title: Routing
                tables: [routing]
                checks:
                  - present: {}
            """);

        var (code, output, error) = await RunAsync(package.Root, schedule);

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.StartsWith($"exitkit: {schedule}:20:14: there is no neutral table named 'routing'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exit_code_is_2_when_the_folder_holds_no_package()
    {
        var schedule = WriteSchedule("""
              - id: "7.1"
                title: Delivered
                checks:
                  - sealedBy: delivery
            """);
        var empty = Directory.CreateDirectory(Path.Combine(_folder, "empty")).FullName;

        var (code, _, error) = await RunAsync(empty, schedule);

        Assert.Equal(2, code);
        Assert.Contains("is not an exit package: it has no exitkit.json", error, StringComparison.Ordinal);
        Assert.Equal(2, (await RunAsync(Path.Combine(_folder, "nowhere"), schedule)).ExitCode);
    }
}

public sealed class DamagedPackageTests : IDisposable
{
    private readonly string _schedule = Path.Combine(Directory.CreateTempSubdirectory("exitkit-damaged-").FullName, "exit.yaml");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_schedule)!, recursive: true);

    [Fact]
    public async Task A_table_part_that_cannot_be_read_is_unusable_input_naming_the_table()
    {
        using var package = new TestPackage();
        package.ReconciledTable(NeutralSchema.Interactions, Some.InteractionsOn(new(2024, 3, 10), new(2024, 3, 12)));
        await package.SealAsync(TestContext.Current.CancellationToken);
        var part = Directory.GetFiles(Path.Combine(package.Root, "data", "interactions"), "*.parquet").Single();
        await File.WriteAllBytesAsync(part, new byte[200], TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(_schedule, Schedules.Yaml("""
              - id: "7.3(b)"
                title: Every interaction
                tables: [interactions]
                checks:
                  - reconciliation: {}
            """), TestContext.Current.CancellationToken);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await ValidateRunner.RunAsync(package.Root, _schedule, null, false, output, error, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, code);
        Assert.Contains("table interactions could not be read", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("exitkit verify", error.ToString(), StringComparison.Ordinal);
    }
}

public sealed class ReportFolderTests
{
    [Fact]
    public async Task A_report_folder_that_cannot_be_written_is_unusable_input()
    {
        using var package = new TestPackage();
        package.ReconciledTable(NeutralSchema.Queues, [Some.Queue("q-1", "Billing")]);
        await package.SealAsync(TestContext.Current.CancellationToken);
        var schedule = Path.Combine(package.Root, "..", Path.GetFileName(package.Root) + ".yaml");
        await File.WriteAllTextAsync(schedule, Schedules.Yaml("""
              - id: "7.5"
                title: Queues
                tables: [queues]
                checks:
                  - present: {}
            """), TestContext.Current.CancellationToken);
        // A file where the report folder should be.
        var blocked = Path.Combine(package.Root, "exitkit.json");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await ValidateRunner.RunAsync(package.Root, schedule, blocked, false, output, error, cancellationToken: TestContext.Current.CancellationToken);
        File.Delete(schedule);

        Assert.Equal(2, code);
        Assert.Contains($"The reports could not be written to '{blocked}'", error.ToString(), StringComparison.Ordinal);
    }
}
