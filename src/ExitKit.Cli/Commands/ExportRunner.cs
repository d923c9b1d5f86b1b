using System.Globalization;
using ExitKit.Cli.Console;
using ExitKit.Connectors;
using ExitKit.Export;
using ExitKit.Plugins;
using ExitKit.Storage;
using Humanizer;
using Spectre.Console;

namespace ExitKit.Cli.Commands;

/// <summary>Runs an export with progress on screen and a closing summary; shared by <c>export</c> and <c>demo</c>.</summary>
internal static class ExportRunner
{
    public static async Task<ExportResult> RunAsync(LoadedConnector connector, ConnectorConfiguration configuration, IPackageStore store,
        ExportOptions options, Output output, CancellationToken cancellationToken)
    {
        await using var source = connector.Plugin.CreateSource(configuration);
        if (!output.Interactive)
        {
            var plain = new Progress<ExportProgress>(update =>
            {
                if (update.Done)
                {
                    output.Line($"  {update.Table}: {update.Rows.ToString("N0", CultureInfo.InvariantCulture)} rows");
                }
            });
            return await ExportPipeline.RunAsync(source, connector.Descriptor, store, options, plain, cancellationToken);
        }
        ExportResult? result = null;
        await output.Terminal.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var tasks = new System.Collections.Concurrent.ConcurrentDictionary<string, ProgressTask>();
                var progress = new Progress<ExportProgress>(update =>
                {
                    var task = tasks.GetOrAdd(update.Table, name => context.AddTask(name, maxValue: Math.Max(1, update.ControlTotal ?? 1)));
                    task.Value = Math.Min(task.MaxValue, update.Rows);
                    if (update.Done)
                    {
                        task.Value = task.MaxValue;
                        task.StopTask();
                    }
                });
                result = await ExportPipeline.RunAsync(source, connector.Descriptor, store, options, progress, cancellationToken);
            });
        return result!;
    }

    /// <summary>The closing summary: rows per table against the source's control totals, then problems.</summary>
    public static void WriteSummary(ExportResult result, string location, Output output)
    {
        var table = new Table().AddColumns("Table", "Rows", "Source reported", "Status");
        foreach (var outcome in result.Tables)
        {
            var status = outcome.ControlTotal is null ? "no source count"
                : outcome.Shortfall > 0 ? $"[red]{outcome.Shortfall.ToString("N0", CultureInfo.InvariantCulture)} missing[/]"
                : "[green]complete[/]";
            table.AddRow(outcome.Table, outcome.Rows.ToString("N0", CultureInfo.InvariantCulture),
                outcome.ControlTotal?.ToString("N0", CultureInfo.InvariantCulture) ?? "-", status);
        }
        output.Terminal.Write(table);
        foreach (var problem in result.Manifest.Problems)
        {
            output.Line($"  {problem.Kind}: {problem.Subject}{(problem.Table is null ? "" : $" ({problem.Table})")}: {problem.Reason}");
        }
        var seconds = Math.Max(result.Elapsed.TotalSeconds, 0.001);
        output.Line($"Exported {result.TotalRows.ToString("N0", CultureInfo.InvariantCulture)} rows in {result.Elapsed.Humanize(2)} " +
            $"({(result.TotalRows / seconds).ToString("N0", CultureInfo.InvariantCulture)} rows/s) to {location}.");
        if (!result.Complete)
        {
            var missing = result.Tables.Where(outcome => outcome.Shortfall > 0).Select(outcome => $"{outcome.Table} ({outcome.Shortfall:N0})");
            output.Fail($"the package is incomplete: the source reported rows the package does not hold: {string.Join(", ", missing)}" +
                (result.Manifest.Problems.Any(problem => problem.Kind == "missing") ? "; and records listed as missing above." : "."));
        }
    }
}
