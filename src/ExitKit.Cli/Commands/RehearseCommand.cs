using System.CommandLine;
using System.Text.Json;
using ExitKit.Cli.Rehearsal;
using ExitKit.Packaging;

namespace ExitKit.Cli.Commands;

/// <summary><c>exitkit rehearse</c>: the whole exit in one command.</summary>
internal static class RehearseCommand
{
    public static Command Create()
    {
        var plan = new Option<string>("--plan") { Description = "The rehearsal plan (YAML): source, window, package, schedule, staging successor, report folder, previous report.", Required = true };
        var json = CommonOptions.Json();
        var command = new Command("rehearse", "Rehearse the whole exit: export, verify, validate against the schedule, import into a staging successor, read back; with timings, a projection of the real exit's duration, and a report (JSON, Markdown, HTML).")
        {
            plan, json,
        };
        command.SetAction(CommandRunner.Guard(async (parseResult, output, cancellationToken) =>
        {
            var loaded = RehearsalPlan.Load(parseResult.GetValue(plan)!);
            var quiet = parseResult.GetValue(json);
            var report = await RehearsalRunner.RunAsync(loaded, quiet ? Console.Output.Quiet() : output, cancellationToken);
            if (quiet)
            {
                output.Line(JsonSerializer.Serialize(report, PackageManifest.JsonOptions));
            }
            else
            {
                output.Line($"Rehearsal report: {Path.Combine(loaded.ReportFolder, "rehearsal.html")} (also .md and .json)");
                foreach (var change in report.ChangesSincePrevious)
                {
                    output.Line($"  since the previous rehearsal: {change}");
                }
            }
            return report.Succeeded ? ExitCodes.Success : ExitCodes.Incomplete;
        }));
        return command;
    }
}
