using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ExitKit.Export;
using ExitKit.Packaging;

namespace ExitKit.Cli.Commands;

/// <summary><c>exitkit seal</c>: joins the shards of an export (<c>exitkit export --shard K/N</c>) into one sealed package.</summary>
internal static class SealCommand
{
    public static Command Create()
    {
        var package = CommonOptions.Package();
        var json = CommonOptions.Json();
        var command = new Command("seal", "Seal a sharded export: once every shard (export --shard K/N) is complete, write one manifest over all their files " +
            "(daily counts and control totals summed) and the BagIt files. Exit 0 sealed, 1 a shard is missing or unfinished, 2 unusable.")
        {
            package, json,
        };
        command.SetAction(CommandRunner.Guard(async (parseResult, output, cancellationToken) =>
        {
            var store = CommonOptions.OpenStore(parseResult.GetValue(package)!);
            var manifest = await ShardSealer.SealAsync(store, cancellationToken: cancellationToken);
            var rows = manifest.Tables.Sum(table => table.Rows);
            if (parseResult.GetValue(json))
            {
                output.Line(JsonSerializer.Serialize(new
                {
                    package = store.Location,
                    manifest.PackageId,
                    shards = manifest.Shards,
                    rows,
                    tables = manifest.Tables.Select(table => new { table.Name, table.Rows, files = table.Files.Count, controlTotal = table.ControlTotal?.Rows }),
                }, JsonOutput.Options));
            }
            else
            {
                output.Line($"Sealed {store.Location} from {manifest.Shards!.Count.ToString(CultureInfo.InvariantCulture)} shards: " +
                    $"{rows.ToString("N0", CultureInfo.InvariantCulture)} rows in {manifest.Tables.Count.ToString(CultureInfo.InvariantCulture)} tables, " +
                    $"{manifest.Tables.Sum(table => table.Files.Count).ToString(CultureInfo.InvariantCulture)} parts. Check it with `exitkit verify`.");
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary><c>--shard K/N</c> of <c>exitkit export</c>.</summary>
    public static Option<string?> ShardOption() => new("--shard")
    {
        Description = "Export shard K of N (e.g. 2/4) of the --from/--to window into a shared --out, for N processes on N machines; " +
            "configuration tables go with shard 1. Seal the package with `exitkit seal` when every shard is done.",
    };

    public static ShardSpec? ParseShard(string? text) => text is null ? null : ShardSpec.Parse(text);

    public static string ShardNote(ShardSpec? shard) => shard is null ? "" : $" as shard {shard} ({shard.Name})";

    public static void WriteShardDone(ExportResult result, string location, Console.Output output)
    {
        if (result.Shard is { } shard)
        {
            output.Line($"Shard {shard} is complete. When all {shard.Count.ToString(CultureInfo.InvariantCulture)} shards are, run: exitkit seal {location}");
        }
    }
}
