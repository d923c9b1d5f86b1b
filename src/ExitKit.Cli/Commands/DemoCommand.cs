using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ExitKit.Cli.Rehearsal;
using ExitKit.Connectors;
using ExitKit.Plugins;
using Humanizer;

namespace ExitKit.Cli.Commands;

/// <summary><c>exitkit demo</c>: the main job on the built-in sample vendor stack, as a whole rehearsal. The sample centre is first
/// written as a vendor database (its SQLite form, in the generic contact-centre schema); the <c>sql</c> connector exports it, as it
/// would a real vendor's; then verify, validate against the sample exit schedule, import into an SQLite staging successor, read
/// back, and project the full exit.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var interactions = new Option<int>("--interactions") { Description = "How many interactions the sample centre has (about five messages each).", DefaultValueFactory = _ => 10_000 };
        var outPath = new Option<string>("--out") { Description = "Where to write the package; must be empty or absent. The sample's vendor database, the SQLite successor and the reports go beside it.", DefaultValueFactory = _ => "exitkit-demo" };
        var command = new Command("demo", "Rehearse an exit of the built-in sample contact centre: write it as a vendor SQLite database, export it with the sql connector, verify, validate against a sample exit schedule, import into SQLite, read back.")
        {
            interactions, outPath,
        };
        command.SetAction(CommandRunner.Guard(async (parseResult, output, cancellationToken) =>
        {
            var count = parseResult.GetValue(interactions);
            var location = Path.GetFullPath(parseResult.GetValue(outPath)!.TrimEnd('/'));
            var staging = location + "-staging.db";
            var vendorDatabase = location + "-source.db";
            foreach (var (file, what) in new[] { (vendorDatabase, "sample's vendor database"), (staging, "staging successor") })
            {
                if (File.Exists(file))
                {
                    throw new ExitKitException($"The {what} {file} already exists from an earlier demo; delete it (with {location}, {Path.GetFileName(vendorDatabase)} and {Path.GetFileName(staging)}) or choose another --out.");
                }
            }

            // The sample stack in its SQLite form: the vendor's own database, which the sql connector then exports.
            output.Line($"Write the sample contact centre as a vendor database (SQLite, generic contact-centre schema): {vendorDatabase}");
            var sample = PluginLoader.Find(PluginLoader.LoadAll(PluginLoader.DefaultFolders()), "sample");
            var started = TimeProvider.System.GetTimestamp();
            var vendor = await sample.Plugin.WriteVendorDatabaseAsync(Settings(new { interactions = count }), vendorDatabase, cancellationToken);
            output.Line(string.Create(CultureInfo.InvariantCulture,
                $"  {vendor.Rows:N0} rows, {new FileInfo(vendor.Path).Length / 1e6:N1} MB in {TimeProvider.System.GetElapsedTime(started).Humanize(2)}; the {vendor.Connector} connector exports it"));

            var plan = new RehearsalPlan
            {
                Name = string.Create(CultureInfo.InvariantCulture, $"Sample contact centre, {count:N0} interactions"),
                PlanFile = "(demo)",
                Source = new RehearsalPlan.ConnectorStep(vendor.Connector, vendor.Configuration),
                Package = location,
                Schedule = Path.Combine(AppContext.BaseDirectory, "examples", "demo.schedule.yaml"),
                Successor = new RehearsalPlan.ConnectorStep("sql-successor", Settings(new { provider = "sqlite", databasePath = staging })),
                ReportFolder = location + "-report",
            };
            var report = await RehearsalRunner.RunAsync(plan, output, cancellationToken);
            output.Line($"Package: {location}; vendor database: {vendorDatabase}; staging successor: {staging}; reports: {plan.ReportFolder}/ (validation-report.html, rehearsal.html)");
            output.Line($"Query it with DuckDB: SELECT channel, count(*) FROM read_parquet('{Path.Combine(location, "data", "interactions", "*.parquet")}') GROUP BY channel;");
            return report.Succeeded ? ExitCodes.Success : ExitCodes.Incomplete;
        }));
        return command;
    }

    private static ConnectorConfiguration Settings(object settings) => new(JsonSerializer.SerializeToElement(settings), "(demo settings)");
}
