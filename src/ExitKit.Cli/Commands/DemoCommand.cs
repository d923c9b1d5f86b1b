using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Export;
using ExitKit.Packaging;
using ExitKit.Plugins;
using ExitKit.Validation;
using ExitKit.Validation.Content;
using ExitKit.Validation.Reports;
using ExitKit.Validation.Schedules;

namespace ExitKit.Cli.Commands;

/// <summary><c>exitkit demo</c>: the main job on the built-in sample vendor stack: export, verify, and say what was written.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var interactions = new Option<int>("--interactions") { Description = "How many interactions the sample centre has (about five messages each).", DefaultValueFactory = _ => 10_000 };
        var outPath = new Option<string>("--out") { Description = "Where to write the package; must be empty or absent.", DefaultValueFactory = _ => "exitkit-demo" };
        var command = new Command("demo", "Export the built-in sample contact centre into an exit package, verify it, and describe it.") { interactions, outPath };
        command.SetAction(CommandRunner.Guard(async (parseResult, output, cancellationToken) =>
        {
            var count = parseResult.GetValue(interactions);
            var location = parseResult.GetValue(outPath)!;
            var sample = PluginLoader.Find(PluginLoader.LoadAll(PluginLoader.DefaultFolders()), "sample");
            var settings = JsonDocument.Parse(string.Create(CultureInfo.InvariantCulture, $$"""{"interactions": {{count}}}""")).RootElement;
            var configuration = new ConnectorConfiguration(settings, "(demo settings)");
            var store = CommonOptions.OpenStore(location);
            output.Line($"1/3 Exporting the sample contact centre ({count.ToString("N0", CultureInfo.InvariantCulture)} interactions) to {store.Location}");
            var export = await ExportRunner.RunAsync(sample, configuration, store, new ExportOptions(), output, cancellationToken);
            ExportRunner.WriteSummary(export, store.Location, output);
            output.Line("2/3 Verifying the package (BagIt fixity, manifest against files)");
            var started = TimeProvider.System.GetTimestamp();
            var verification = await PackageVerifier.VerifyAsync(store, cancellationToken: cancellationToken);
            VerifyCommand.Write(verification, TimeProvider.System.GetElapsedTime(started), output);
            var schedulePath = Path.Combine(AppContext.BaseDirectory, "examples", "demo.schedule.yaml");
            output.Line($"3/3 Validating against the sample exit schedule ({schedulePath})");
            var schedule = await ScheduleLoader.LoadAsync(schedulePath, cancellationToken);
            var validation = await Validator.ValidateAsync(new ExitPackageContent(await ExitPackage.OpenAsync(store, cancellationToken)), schedule, cancellationToken: cancellationToken);
            foreach (var obligation in validation.Obligations)
            {
                output.Line($"  {obligation.Headline}");
            }
            var reports = await ReportWriter.WriteAllAsync(validation, location.TrimEnd('/') + "-report", cancellationToken);
            output.Line($"  Reports: {string.Join(", ", reports)}");
            foreach (var line in InspectCommand.Describe(export.Manifest))
            {
                output.Line(line);
            }
            output.Line($"Query it with DuckDB: SELECT channel, count(*) FROM read_parquet('{Path.Combine(store.Location, "data", "interactions", "*.parquet")}') GROUP BY channel;");
            return export.Complete && verification.IsValid && validation.ExitCode == 0 ? ExitCodes.Success : ExitCodes.Incomplete;
        }));
        return command;
    }
}
