using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Export;
using ExitKit.Plugins;

namespace ExitKit.Cli.Commands;

/// <summary><c>exitkit export</c>: reads a vendor system through a connector into an exit package.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var connector = new Option<string>("--connector") { Description = "The source connector (see `exitkit connectors`).", Required = true };
        var config = new Option<string?>("--config") { Description = "The connector's settings (JSON). Secrets are references: env:NAME or file:PATH." };
        var outPath = new Option<string>("--out") { Description = "Where to write the package: an empty folder, or an Azure Blob container URL with a prefix (see docs/sharding.md).", Required = true };
        var from = new Option<string?>("--from") { Description = "First day of the export window (UTC, yyyy-MM-dd), inclusive." };
        var to = new Option<string?>("--to") { Description = "Last day of the export window (UTC, yyyy-MM-dd), inclusive." };
        var resume = new Option<bool>("--resume") { Description = "Continue an export that stopped, from its last checkpoint." };
        var pseudonymKey = new Option<string?>("--pseudonym-key") { Description = "Pseudonymise personal columns with a keyed hash; the key is a reference: env:NAME or file:PATH." };
        var json = CommonOptions.Json();
        var shard = SealCommand.ShardOption();
        var partRows = new Option<long?>("--part-rows") { Description = "Rows per Parquet part (default 2,000,000); a crash loses at most the part being written." };
        var command = new Command("export", "Export a vendor system into a neutral exit package: Parquet tables, originals, artefacts, manifest and BagIt fixity.")
        {
            connector, config, outPath, from, to, resume, pseudonymKey, json, shard, partRows,
        };
        command.SetAction(CommandRunner.Guard(async (parseResult, output, cancellationToken) =>
        {
            var loaded = PluginLoader.Find(PluginLoader.LoadAll(PluginLoader.DefaultFolders()), parseResult.GetValue(connector)!);
            var configPath = parseResult.GetValue(config);
            var configuration = configPath is null ? ConnectorConfiguration.Empty : ConnectorConfiguration.Load(configPath);
            var keyReference = parseResult.GetValue(pseudonymKey);
            var options = new ExportOptions
            {
                Request = new ExportRequest(ParseDay(parseResult.GetValue(from), "--from"), ParseDay(parseResult.GetValue(to), "--to")?.AddDays(1)),
                Resume = parseResult.GetValue(resume),
                PseudonymKey = keyReference is null ? null : configuration.ResolveSecret(keyReference, "--pseudonym-key").Reveal(),
                Shard = SealCommand.ParseShard(parseResult.GetValue(shard)),
                Limits = parseResult.GetValue(partRows) is { } rows and > 0 ? new Packaging.PartLimits(MaxRows: rows) : new Packaging.PartLimits(),
            };
            var location = parseResult.GetValue(outPath)!;
            var store = CommonOptions.OpenStore(location);
            if (!parseResult.GetValue(json))
            {
                output.Line($"Exporting {loaded.Descriptor.Name} {loaded.Descriptor.Version} to {store.Location}{SealCommand.ShardNote(options.Shard)}");
            }
            var result = await ExportRunner.RunAsync(loaded, configuration, store, options, parseResult.GetValue(json) ? Console.Output.Quiet() : output, cancellationToken);
            if (parseResult.GetValue(json))
            {
                output.Line(JsonSerializer.Serialize(new
                {
                    package = store.Location,
                    result.Manifest.PackageId,
                    result.Complete,
                    result.Resumed,
                    shard = result.Shard?.ToString(),
                    elapsedSeconds = Math.Round(result.Elapsed.TotalSeconds, 3),
                    tables = result.Tables.Select(table => new { table.Table, table.Rows, table.ControlTotal, table.Shortfall }),
                    result.Manifest.Problems,
                }, JsonOutput.Options));
            }
            else
            {
                ExportRunner.WriteSummary(result, store.Location, output);
                SealCommand.WriteShardDone(result, store.Location, output);
            }
            return result.Complete ? ExitCodes.Success : ExitCodes.Incomplete;
        }));
        return command;
    }

    internal static DateTimeOffset? ParseDay(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
            : throw new ExitKitException($"{option} '{text}' is not a date; write it as yyyy-MM-dd, e.g. 2024-03-31.");
    }
}
