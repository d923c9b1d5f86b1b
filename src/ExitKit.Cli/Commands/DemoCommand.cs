using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ExitKit.Cli.Rehearsal;
using ExitKit.Connectors;

namespace ExitKit.Cli.Commands;

/// <summary><c>exitkit demo</c>: the main job on the built-in sample vendor stack, as a whole rehearsal: export, verify, validate
/// against the sample exit schedule, import into an SQLite staging successor, read back, and project the full exit.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var interactions = new Option<int>("--interactions") { Description = "How many interactions the sample centre has (about five messages each).", DefaultValueFactory = _ => 10_000 };
        var outPath = new Option<string>("--out") { Description = "Where to write the package; must be empty or absent. The SQLite successor and the reports go beside it.", DefaultValueFactory = _ => "exitkit-demo" };
        var command = new Command("demo", "Rehearse an exit of the built-in sample contact centre: export, verify, validate against a sample exit schedule, import into SQLite, read back.")
        {
            interactions, outPath,
        };
        command.SetAction(CommandRunner.Guard(async (parseResult, output, cancellationToken) =>
        {
            var count = parseResult.GetValue(interactions);
            var location = Path.GetFullPath(parseResult.GetValue(outPath)!.TrimEnd('/'));
            var staging = location + "-staging.db";
            if (File.Exists(staging))
            {
                throw new ExitKitException($"The staging successor {staging} already exists from an earlier demo; delete it (and {location}) or choose another --out.");
            }
            var plan = new RehearsalPlan
            {
                Name = string.Create(CultureInfo.InvariantCulture, $"Sample contact centre, {count:N0} interactions"),
                PlanFile = "(demo)",
                Source = new RehearsalPlan.ConnectorStep("sample", Settings(new { interactions = count })),
                Package = location,
                Schedule = Path.Combine(AppContext.BaseDirectory, "examples", "demo.schedule.yaml"),
                Successor = new RehearsalPlan.ConnectorStep("sql-successor", Settings(new { provider = "sqlite", databasePath = staging })),
                ReportFolder = location + "-report",
            };
            var report = await RehearsalRunner.RunAsync(plan, output, cancellationToken);
            output.Line($"Package: {location}; staging successor: {staging}; reports: {plan.ReportFolder}/ (validation-report.html, rehearsal.html)");
            output.Line($"Query it with DuckDB: SELECT channel, count(*) FROM read_parquet('{Path.Combine(location, "data", "interactions", "*.parquet")}') GROUP BY channel;");
            return report.Succeeded ? ExitCodes.Success : ExitCodes.Incomplete;
        }));
        return command;
    }

    private static ConnectorConfiguration Settings(object settings) => new(JsonSerializer.SerializeToElement(settings), "(demo settings)");
}
