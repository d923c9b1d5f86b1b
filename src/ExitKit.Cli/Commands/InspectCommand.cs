using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ExitKit.Packaging;
using Humanizer;
using Spectre.Console;

namespace ExitKit.Cli.Commands;

/// <summary><c>exitkit inspect</c>: what a package holds, in words people read.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var package = CommonOptions.Package();
        var json = CommonOptions.Json();
        var command = new Command("inspect", "Describe a package: source, tables, rows, sizes and time coverage.") { package, json };
        command.SetAction(CommandRunner.Guard(async (parseResult, output, cancellationToken) =>
        {
            var opened = await ExitPackage.OpenAsync(CommonOptions.OpenStore(parseResult.GetValue(package)!), cancellationToken);
            var manifest = opened.Manifest;
            if (parseResult.GetValue(json))
            {
                output.Line(JsonSerializer.Serialize(manifest, JsonOutput.Options));
                return ExitCodes.Success;
            }
            foreach (var line in Describe(manifest))
            {
                output.Line(line);
            }
            var table = new Table().AddColumns("Table", "Family", "Rows", "Files", "Size", "From", "To");
            foreach (var entry in manifest.Tables)
            {
                table.AddRow(entry.Name, entry.Family, entry.Rows.ToString("N0", CultureInfo.InvariantCulture), entry.Files.Count.ToString(CultureInfo.InvariantCulture),
                    entry.Bytes.Bytes().Humanize("0.#"), Day(entry.MinTime), Day(entry.MaxTime));
            }
            output.Terminal.Write(table);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The package in sentences: source, window, then one line per table that has a time span.</summary>
    internal static IEnumerable<string> Describe(PackageManifest manifest)
    {
        yield return $"Package {manifest.PackageId}: {manifest.Source.Vendor} ({manifest.Source.System}), exported by {manifest.Source.Connector} {manifest.Source.ConnectorVersion} " +
            $"with exitkit {manifest.Tool.Version}; sealed {manifest.SealedAt.ToString("d MMM yyyy HH:mm 'UTC'", CultureInfo.InvariantCulture)}.";
        var totalBytes = manifest.Tables.Sum(table => table.Bytes) + manifest.Artefacts.Bytes + manifest.Originals.Sum(original => original.Bytes);
        yield return $"{"table".ToQuantity(manifest.Tables.Count)}, {Count(manifest.Tables.Sum(table => table.Rows))} rows, " +
            $"{"artefact".ToQuantity(manifest.Artefacts.Count)} and {"original file".ToQuantity(manifest.Originals.Count)}; {totalBytes.Bytes().Humanize("0.#")} in all.";
        if (manifest.Pseudonymisation.Applied)
        {
            yield return $"Personal data pseudonymised ({manifest.Pseudonymisation.Method}): {string.Join(", ", manifest.Pseudonymisation.Columns)}.";
        }
        foreach (var table in manifest.Tables.Where(table => table.MinTime is not null && table.Rows > 0))
        {
            yield return $"{Count(table.Rows)} {(table.Rows == 1 ? table.Name.Singularize() : table.Name).Replace('_', ' ')} from {Day(table.MinTime)} to {Day(table.MaxTime)}, {table.Bytes.Bytes().Humanize("0.#")}.";
        }
        if (manifest.Problems.Count > 0)
        {
            yield return $"{"problem".ToQuantity(manifest.Problems.Count)} reported by the connector (see exitkit.json).";
        }
    }

    /// <summary>"1.2 million", "45,210", "7".</summary>
    internal static string Count(long value) => value switch
    {
        >= 1_000_000_000 => (value / 1e9).ToString("0.#", CultureInfo.InvariantCulture) + " billion",
        >= 1_000_000 => (value / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + " million",
        _ => value.ToString("N0", CultureInfo.InvariantCulture),
    };

    private static string Day(DateTimeOffset? instant) => instant?.ToString("d MMM yyyy", CultureInfo.InvariantCulture) ?? "-";
}
