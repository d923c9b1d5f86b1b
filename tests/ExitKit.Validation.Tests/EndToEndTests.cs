using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Connectors.Sample;
using ExitKit.Export;
using ExitKit.Storage;
using ExitKit.Validation.Checks;
using ExitKit.Validation.Schedules;

namespace ExitKit.Validation.Tests;

public sealed class EndToEndTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("exitkit-e2e-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_sample_vendors_export_is_judged_against_the_CX_outsourcing_example()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var plugin = new SamplePlugin();
        await using (var source = plugin.CreateSource(new ConnectorConfiguration(JsonDocument.Parse("""{"interactions": 1500}""").RootElement.Clone(), "(test)")))
        {
            await ExportPipeline.RunAsync(source, plugin.Descriptor, new LocalPackageStore(_folder),
                new ExportOptions { Time = new FixedTime(new DateTimeOffset(2024, 7, 10, 16, 0, 0, TimeSpan.Zero)) }, null, cancellationToken);
        }
        var schedule = await ScheduleLoader.LoadAsync(
            Path.Combine(ScheduleLoaderTests.RepositoryRoot(), "manifests", "examples", "cx-outsourcing.schedule.yaml"), cancellationToken);

        var report = await Validator.ValidateAsync(await Content.ExitPackageContent.OpenAsync(_folder, cancellationToken), schedule,
            new FixedTime(Schedules.ValidatedAt), cancellationToken);

        var outcomes = report.Obligations.ToDictionary(obligation => obligation.Id, obligation => obligation.Outcome);
        // The data obligations hold: coverage against the source's daily counts, reconciliation, references, flows
        // with their original definitions, the ONNX model file.
        foreach (var id in new[] { "4.2", "5.3", "7.1", "7.3(a)", "7.3(b)", "7.3(c)", "7.3(d)", "7.5", "7.6" })
        {
            Assert.True(outcomes[id] == Outcome.Met, report.Obligations.First(obligation => obligation.Id == id).Headline);
        }
        // The sample has no attestations and no German knowledge base.
        Assert.Equal(Outcome.NotMet, outcomes["4.1"]);
        Assert.Equal(Outcome.NotMet, outcomes["7.8"]);
        Assert.Matches(@"^7\.4 Not met: \d+ of \d+ articles lack de-de", report.Obligations.First(obligation => obligation.Id == "7.4").Headline);
        Assert.Equal(1, report.ExitCode);
    }

    [Fact]
    public async Task The_demo_package_meets_the_demo_schedule_and_exits_0()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var plugin = new SamplePlugin();
        await using (var source = plugin.CreateSource(new ConnectorConfiguration(JsonDocument.Parse("""{"interactions": 1000}""").RootElement.Clone(), "(test)")))
        {
            await ExportPipeline.RunAsync(source, plugin.Descriptor, new LocalPackageStore(_folder), new ExportOptions(), null, cancellationToken);
        }
        var schedule = Path.Combine(ScheduleLoaderTests.RepositoryRoot(), "manifests", "examples", "demo.schedule.yaml");
        var reports = Directory.CreateTempSubdirectory("exitkit-e2e-reports-").FullName;
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await ValidateRunner.RunAsync(_folder, schedule, reports, false, output, error, cancellationToken: cancellationToken);

        Assert.True(code == 0, output.ToString() + error);
        Assert.StartsWith($"DEMO-1 against {_folder}: Met (5 met, 0 not met, 0 not checkable)", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("**Outcome: Met.**", await File.ReadAllTextAsync(Path.Combine(reports, Reports.ReportWriter.MarkdownFile), cancellationToken), StringComparison.Ordinal);
        Directory.Delete(reports, recursive: true);
    }
}
