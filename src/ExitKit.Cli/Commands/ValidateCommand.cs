using System.CommandLine;
using ExitKit.Validation;

namespace ExitKit.Cli.Commands;

/// <summary><c>exitkit validate PACKAGE --schedule FILE [--report DIR] [--json]</c>: the package against the contract's exit schedule.</summary>
/// <remarks>The behaviour lives in <see cref="ValidateRunner"/> (ExitKit.Validation), so it is tested without the command line.</remarks>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var package = CommonOptions.Package();
        var schedule = new Option<string>("--schedule")
        {
            Description = "The exit schedule (YAML): the contract's obligations and their checks. See docs/exit-schedule.md.",
            Required = true,
        };
        var report = new Option<string?>("--report")
        {
            Description = "A folder to write validation-report.json, validation-report.md and validation-report.html into.",
        };
        var json = CommonOptions.Json();
        var command = new Command("validate", "Validate a package against the contract's exit schedule: every obligation met, not met or not checkable, with evidence. Exit 0 all met, 1 not all met, 2 unusable input.")
        {
            package, schedule, report, json,
        };
        command.SetAction(CommandRunner.Guard((parseResult, output, cancellationToken) =>
            ValidateRunner.RunAsync(parseResult.GetValue(package)!, parseResult.GetValue(schedule)!, parseResult.GetValue(report),
                parseResult.GetValue(json), output.Out, output.Error, cancellationToken: cancellationToken)));
        return command;
    }
}
