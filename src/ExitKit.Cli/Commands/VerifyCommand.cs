using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ExitKit.Packaging;
using Humanizer;

namespace ExitKit.Cli.Commands;

/// <summary><c>exitkit verify</c>: BagIt completeness and fixity, then the manifest against the files.</summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var package = CommonOptions.Package();
        var json = CommonOptions.Json();
        var command = new Command("verify", "Verify a package: every file present and unchanged (BagIt), and the manifest true to the files (rows, schemas, sizes, hashes). Exit 0 valid, 1 invalid, 2 unusable.")
        {
            package, json,
        };
        command.SetAction(CommandRunner.Guard(async (parseResult, output, cancellationToken) =>
        {
            var store = CommonOptions.OpenStore(parseResult.GetValue(package)!);
            var started = TimeProvider.System.GetTimestamp();
            var result = await PackageVerifier.VerifyAsync(store, cancellationToken: cancellationToken);
            var elapsed = TimeProvider.System.GetElapsedTime(started);
            if (parseResult.GetValue(json))
            {
                output.Line(JsonSerializer.Serialize(new
                {
                    package = result.Location,
                    valid = result.IsValid,
                    result.FilesChecked,
                    result.BytesChecked,
                    elapsedSeconds = Math.Round(elapsed.TotalSeconds, 3),
                    findings = result.Findings,
                }, JsonOutput.Options));
            }
            else
            {
                Write(result, elapsed, output);
            }
            return result.IsValid ? ExitCodes.Success : ExitCodes.Incomplete;
        }));
        return command;
    }

    internal static void Write(VerificationResult result, TimeSpan elapsed, Console.Output output)
    {
        foreach (var finding in result.Findings)
        {
            output.Line($"  {finding.Path}: {finding.Problem}");
        }
        var summary = $"{result.FilesChecked.ToString("N0", CultureInfo.InvariantCulture)} files, {result.BytesChecked.Bytes().Humanize("0.#")} hashed in {elapsed.Humanize(2)}";
        output.Line(result.IsValid
            ? $"Package {result.Location} is valid: {summary}."
            : $"Package {result.Location} is NOT valid: {"problem".ToQuantity(result.Findings.Count)} ({summary}).");
    }
}
