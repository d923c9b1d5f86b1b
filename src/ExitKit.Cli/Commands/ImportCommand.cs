using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Import;
using ExitKit.Packaging;
using ExitKit.Plugins;
using Humanizer;
using Spectre.Console;

namespace ExitKit.Cli.Commands;

/// <summary><c>exitkit import</c>: loads a package into a successor through a connector, then reads the successor back and reconciles it.</summary>
internal static class ImportCommand
{
    private const int ListedPerTable = 20;

    public static Command Create()
    {
        var package = CommonOptions.Package();
        var connector = new Option<string>("--connector") { Description = "The successor connector (see `exitkit connectors`).", Required = true };
        var config = new Option<string?>("--config") { Description = "The connector's settings (JSON). Secrets are references: env:NAME or file:PATH." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Say what would be created, updated, skipped or refused per table, without writing." };
        var tables = new Option<string[]>("--tables") { Description = "Only these tables (comma-separated); parents still go first.", AllowMultipleArgumentsPerToken = true };
        var batchSize = new Option<int>("--batch-size") { Description = "Rows handed to the successor at a time.", DefaultValueFactory = _ => 5_000 };
        var json = CommonOptions.Json();
        var command = new Command("import", "Import a package into a successor, idempotently (a re-run creates no duplicates and continues where a stopped run left off), " +
            "then read the successor back and reconcile every row. Exit 0 when everything arrived and reads back equal, 1 when a row failed or differs, 2 unusable input.")
        {
            package, connector, config, dryRun, tables, batchSize, json,
        };
        command.SetAction(CommandRunner.Guard(async (parseResult, output, cancellationToken) =>
        {
            var asJson = parseResult.GetValue(json);
            var opened = await ExitPackage.OpenAsync(CommonOptions.OpenStore(parseResult.GetValue(package)!), cancellationToken);
            var loaded = PluginLoader.Find(PluginLoader.LoadAll(PluginLoader.DefaultFolders()), parseResult.GetValue(connector)!);
            var configPath = parseResult.GetValue(config);
            var configuration = configPath is null ? ConnectorConfiguration.Empty : ConnectorConfiguration.Load(configPath);
            var selected = parseResult.GetValue(tables)?.SelectMany(value => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
            var size = parseResult.GetValue(batchSize);
            if (size < 1)
            {
                throw new ExitKitException($"--batch-size {size} must be 1 or more.");
            }
            var options = new ImportOptions
            {
                DryRun = parseResult.GetValue(dryRun),
                BatchSize = size,
                Tables = selected is { Length: > 0 } ? selected : null,
            };
            var screen = asJson ? Console.Output.Quiet() : output;
            screen.Line($"{(options.DryRun ? "Dry run: importing" : "Importing")} {opened.Store.Location} into {loaded.Descriptor.Name} {loaded.Descriptor.Version}");
            await using var successor = loaded.Plugin.CreateSuccessor(configuration);
            ImportResult imported;
            ReadBackResult? readBack = null;
            using var throughput = new ThroughputGc();
            try
            {
                imported = await RunWithProgressAsync(opened, successor, options, screen, cancellationToken);
                if (!options.DryRun)
                {
                    screen.Line("Reading the successor back to reconcile every row with the package...");
                    var reconciled = new Synchronous<TableReadBack>(table => screen.Line($"  {table.Table}: {(table.Equal ? "equal" : "DIFFERS")}"));
                    readBack = await ReadBackVerifier.VerifyAsync(opened, successor, new ReadBackOptions { Tables = options.Tables }, reconciled, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                output.Fail("cancelled. Run the same import again: it continues where this one stopped, skipping the rows already imported.");
                return ExitCodes.Cancelled;
            }
            var success = imported.Complete && (readBack?.Equal ?? true);
            if (asJson)
            {
                output.Line(JsonSerializer.Serialize(new
                {
                    package = opened.Store.Location,
                    connector = loaded.Descriptor.Name,
                    dryRun = imported.DryRun,
                    complete = imported.Complete,
                    readBackEqual = readBack?.Equal,
                    elapsedSeconds = Math.Round(imported.Elapsed.TotalSeconds, 3),
                    tables = imported.Tables.Select(table =>
                    {
                        var back = readBack?.Tables.FirstOrDefault(candidate => candidate.Table == table.Table);
                        return new
                        {
                            table.Table, table.Rows, table.Created, table.Updated, table.Skipped, table.Failed, table.Failures,
                            table.ColumnsNotHeld,
                            elapsedSeconds = Math.Round(table.Elapsed.TotalSeconds, 3),
                            readBack = back is null ? null : new
                            {
                                back.Equal, back.SuccessorRows, back.Matching, back.MissingCount, back.ExtraCount, back.DifferentCount,
                                back.Missing, back.Extra, back.Different,
                            },
                        };
                    }),
                }, JsonOutput.Options));
            }
            else
            {
                WriteSummary(imported, readBack, output);
            }
            return success ? ExitCodes.Success : ExitCodes.Incomplete;
        }));
        return command;
    }

    private static async Task<ImportResult> RunWithProgressAsync(ExitPackage package, ISuccessorConnector successor, ImportOptions options,
        Console.Output output, CancellationToken cancellationToken)
    {
        if (!output.Interactive)
        {
            // Synchronous, so each table's line comes out before the next stage's.
            var plain = new Synchronous<ImportProgress>(update =>
            {
                if (update.Done)
                {
                    output.Line($"  {update.Table}: {update.Rows.ToString("N0", CultureInfo.InvariantCulture)} rows");
                }
            });
            return await ImportPipeline.RunAsync(package, successor, options, plain, cancellationToken);
        }
        ImportResult? result = null;
        await output.Terminal.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                var progress = new Synchronous<ImportProgress>(update =>
                {
                    if (!tasks.TryGetValue(update.Table, out var task))
                    {
                        tasks[update.Table] = task = context.AddTask(update.Table, maxValue: Math.Max(1, update.TotalRows));
                    }
                    task.Value = Math.Min(task.MaxValue, update.Rows);
                    if (update.Done)
                    {
                        task.Value = task.MaxValue;
                        task.StopTask();
                    }
                });
                result = await ImportPipeline.RunAsync(package, successor, options, progress, cancellationToken);
            });
        return result!;
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    internal static void WriteSummary(ImportResult imported, ReadBackResult? readBack, Console.Output output)
    {
        var table = new Table().AddColumns("Table", "Rows", "Created", "Updated", "Skipped", "Failed", "Read back");
        if (imported.DryRun)
        {
            table.Title("Dry run: what the import would do");
        }
        foreach (var outcome in imported.Tables)
        {
            var back = readBack?.Tables.FirstOrDefault(candidate => candidate.Table == outcome.Table);
            var status = back is null ? "-"
                : back.Equal ? "[green]equal[/]"
                : $"[red]{Count(back.MissingCount)} missing, {Count(back.ExtraCount)} extra, {Count(back.DifferentCount)} different[/]";
            table.AddRow(outcome.Table, Count(outcome.Rows), Count(outcome.Created), Count(outcome.Updated), Count(outcome.Skipped),
                outcome.Failed > 0 ? $"[red]{Count(outcome.Failed)}[/]" : "0", status);
        }
        output.Terminal.Write(table);
        // Said before the results so nobody reads "equal" as "every column arrived".
        foreach (var outcome in imported.Tables.Where(outcome => outcome.ColumnsNotHeld.Count > 0))
        {
            output.Line($"{outcome.Table}: the successor does not hold {"column".ToQuantity(outcome.ColumnsNotHeld.Count)} as the package has them (read back as it holds them):");
            foreach (var column in outcome.ColumnsNotHeld)
            {
                output.Line($"  {column.Column}: {column.Reason}");
            }
        }
        foreach (var outcome in imported.Tables.Where(outcome => outcome.Failed > 0))
        {
            output.Line($"{outcome.Table}: the successor {(imported.DryRun ? "would refuse" : "refused")} {"row".ToQuantity(outcome.Failed)}:");
            foreach (var failure in outcome.Failures.Take(ListedPerTable))
            {
                output.Line($"  {failure.SourceSystem}/{failure.SourceId}: {failure.Reason}");
            }
            More(outcome.Failed, Math.Min(ListedPerTable, outcome.Failures.Count), output);
        }
        foreach (var back in readBack?.Tables.Where(back => !back.Equal) ?? [])
        {
            output.Line($"{back.Table}: read back {Count(back.SuccessorRows)} rows for the package's {Count(back.PackageRows)}:");
            foreach (var key in back.Missing.Take(ListedPerTable))
            {
                output.Line($"  missing in the successor: {key}");
            }
            More(back.MissingCount, Math.Min(ListedPerTable, back.Missing.Count), output);
            foreach (var key in back.Extra.Take(ListedPerTable))
            {
                output.Line($"  in the successor, not in the package: {key}");
            }
            More(back.ExtraCount, Math.Min(ListedPerTable, back.Extra.Count), output);
            foreach (var difference in back.Different.Take(ListedPerTable))
            {
                output.Line($"  different: {difference.Key} ({string.Join(", ", difference.Columns)})");
            }
            More(back.DifferentCount, Math.Min(ListedPerTable, back.Different.Count), output);
        }
        var seconds = Math.Max(imported.Elapsed.TotalSeconds, 0.001);
        output.Line($"{(imported.DryRun ? "Dry run of" : "Imported")} {Count(imported.TotalRows)} rows in {imported.Elapsed.Humanize(2)} " +
            $"({Count((long)(imported.TotalRows / seconds))} rows/s){(readBack is null ? "" : $"; read back and reconciled in {readBack.Elapsed.Humanize(2)}")}.");
        if (!imported.Complete)
        {
            output.Fail($"not everything {(imported.DryRun ? "would arrive" : "arrived")}: the successor refused {"row".ToQuantity(imported.Tables.Sum(outcome => outcome.Failed))} (listed above).");
        }
        if (readBack is { Equal: false })
        {
            output.Fail("the successor does not read back equal to the package (differences listed above).");
        }
        if (imported.DryRun)
        {
            output.Line("Nothing was written (dry run).");
        }
    }

    private sealed class Synchronous<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private static void More(long total, int listed, Console.Output output)
    {
        if (total > listed)
        {
            output.Line($"  ... and {Count(total - listed)} more");
        }
    }
}
