using ExitKit.Validation.Content;
using ExitKit.Validation.Reports;
using ExitKit.Validation.Schedules;

namespace ExitKit.Validation;

/// <summary>What <c>exitkit validate</c> does, so the command file is a thin shell and the behaviour is testable.</summary>
public static class ValidateRunner
{
    /// <summary>Validates a package folder against a schedule file, writes the reports, prints a summary; returns the exit code.</summary>
    /// <param name="packagePath">The package folder.</param>
    /// <param name="schedulePath">The exit schedule (YAML).</param>
    /// <param name="reportFolder">Where to write validation-report.json, .md and .html; none when null.</param>
    /// <param name="json">Print the JSON report instead of the summary.</param>
    /// <param name="output">Where the summary or JSON goes.</param>
    /// <param name="error">Where errors go.</param>
    /// <param name="timeProvider">The clock (tests inject one).</param>
    /// <param name="cancellationToken">Stops validation.</param>
    /// <returns>0 every obligation met, 1 not all met, 2 unusable input (see <see cref="ExitCodes"/>).</returns>
    public static async Task<int> RunAsync(string packagePath, string schedulePath, string? reportFolder, bool json,
        TextWriter output, TextWriter error, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            var schedule = await ScheduleLoader.LoadAsync(schedulePath, cancellationToken);
            var package = await ExitPackageContent.OpenAsync(packagePath, cancellationToken);
            var report = await Validator.ValidateAsync(package, schedule, timeProvider, cancellationToken);
            if (json)
            {
                await output.WriteAsync(ReportWriter.ToJson(report).AsMemory(), cancellationToken);
            }
            else
            {
                await output.WriteLineAsync($"{report.Schedule.ContractId} against {report.Package.Location}: {Checks.OutcomeText.Describe(report.Outcome)} " +
                    $"({report.Counts.Met} met, {report.Counts.NotMet} not met, {report.Counts.NotCheckable} not checkable)");
                foreach (var obligation in report.Obligations)
                {
                    await output.WriteLineAsync($"  {obligation.Headline}");
                }
            }
            if (reportFolder is not null)
            {
                IReadOnlyList<string> files;
                try
                {
                    files = await ReportWriter.WriteAllAsync(report, reportFolder, cancellationToken);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    throw new ExitKitException($"The reports could not be written to '{reportFolder}': {exception.Message} Choose a folder you can write to.",
                        FailureKind.UnusableInput, exception);
                }
                await (json ? error : output).WriteLineAsync($"Reports written: {string.Join(", ", files)}");
            }
            return report.ExitCode;
        }
        catch (ExitKitException exception)
        {
            await error.WriteLineAsync($"exitkit: {exception.Message}");
            return ExitCodes.For(exception);
        }
    }
}
