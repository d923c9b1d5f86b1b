using System.Globalization;
using System.Text;
using System.Text.Json;
using ExitKit.Cli.Commands;
using ExitKit.Connectors;
using ExitKit.Export;
using ExitKit.Import;
using ExitKit.Packaging;
using ExitKit.Plugins;
using ExitKit.Validation;
using ExitKit.Validation.Content;
using ExitKit.Validation.Reports;
using ExitKit.Validation.Schedules;
using Humanizer;

namespace ExitKit.Cli.Rehearsal;

/// <summary>One stage of a rehearsal, timed.</summary>
internal sealed record StageResult(string Stage, bool Succeeded, double Seconds, long Rows, long Bytes, string Summary);

/// <summary>How long the real exit would take at full volume, from the rates measured in the rehearsal.</summary>
internal sealed record Projection(long RehearsedRows, long FullRows, double ProjectedSeconds, string ProjectedText, double? AllowedDays, string Verdict);

/// <summary>The rehearsal report (JSON, Markdown, HTML).</summary>
internal sealed record RehearsalReport
{
    public string ReportVersion { get; init; } = "1";
    public required string Name { get; init; }
    public required DateTimeOffset RehearsedAt { get; init; }
    public required string Package { get; init; }
    public required string PackageId { get; init; }
    public required IReadOnlyList<StageResult> Stages { get; init; }
    public required IReadOnlyDictionary<string, long> RowsPerTable { get; init; }
    public required Projection Projection { get; init; }
    public string? ValidationOutcome { get; init; }
    public IReadOnlyList<string> ObligationHeadlines { get; init; } = [];
    public IReadOnlyList<string> ChangesSincePrevious { get; init; } = [];
    public required bool Succeeded { get; init; }
}

/// <summary>The whole exit in one run: export, verify, validate, import into a staging successor, read back; timed and projected.</summary>
internal static class RehearsalRunner
{
    public static async Task<RehearsalReport> RunAsync(RehearsalPlan plan, Console.Output output, CancellationToken cancellationToken)
    {
        var connectors = PluginLoader.LoadAll(PluginLoader.DefaultFolders());
        var source = PluginLoader.Find(connectors, plan.Source.Connector);
        var successor = plan.Successor is null ? null : PluginLoader.Find(connectors, plan.Successor.Connector);
        var schedule = plan.Schedule is null ? null : await ScheduleLoader.LoadAsync(plan.Schedule, cancellationToken);
        var stages = new List<StageResult>();
        var total = plan.Successor is null ? 3 : 5;
        var store = CommonOptions.OpenStore(plan.Package);

        output.Line($"1/{total} Export from {source.Descriptor.Name} to {store.Location}");
        var request = new ExportRequest(plan.From, plan.To);
        var export = await ExportRunner.RunAsync(source, plan.Source.Configuration, store, new ExportOptions { Request = request }, output, cancellationToken);
        ExportRunner.WriteSummary(export, store.Location, output);
        var packageBytes = export.Manifest.Tables.Sum(table => table.Bytes) + export.Manifest.Artefacts.Bytes + export.Manifest.Originals.Sum(original => original.Bytes);
        stages.Add(new StageResult("export", export.Complete, export.Elapsed.TotalSeconds, export.TotalRows, packageBytes,
            export.Complete ? "every table holds what the source reported" : "the source reported rows the package lacks"));

        output.Line($"2/{total} Verify the package (BagIt fixity, manifest against files)");
        var started = TimeProvider.System.GetTimestamp();
        var verification = await PackageVerifier.VerifyAsync(store, cancellationToken: cancellationToken);
        var verifySeconds = TimeProvider.System.GetElapsedTime(started).TotalSeconds;
        VerifyCommand.Write(verification, TimeSpan.FromSeconds(verifySeconds), output);
        stages.Add(new StageResult("verify", verification.IsValid, verifySeconds, export.TotalRows, verification.BytesChecked,
            verification.IsValid ? "valid" : $"{verification.Findings.Count} problems"));

        ValidationReport? validation = null;
        if (schedule is not null)
        {
            output.Line($"3/{total} Validate against {Path.GetFileName(plan.Schedule)} ({schedule.Contract.Id})");
            started = TimeProvider.System.GetTimestamp();
            validation = await Validator.ValidateAsync(new ExitPackageContent(await ExitPackage.OpenAsync(store, cancellationToken)), schedule, cancellationToken: cancellationToken);
            var validateSeconds = TimeProvider.System.GetElapsedTime(started).TotalSeconds;
            foreach (var obligation in validation.Obligations)
            {
                output.Line($"  {obligation.Headline}");
            }
            await ReportWriter.WriteAllAsync(validation, plan.ReportFolder, cancellationToken);
            stages.Add(new StageResult("validate", validation.Counts.NotMet == 0 && validation.Counts.NotCheckable == 0, validateSeconds, export.TotalRows, 0,
                $"{validation.Counts.Met} met, {validation.Counts.NotMet} not met, {validation.Counts.NotCheckable} not checkable"));
        }
        else
        {
            output.Line($"3/{total} Validate: no schedule in the plan; skipped");
        }

        if (successor is not null)
        {
            var package = await ExitPackage.OpenAsync(store, cancellationToken);
            await using var target = successor.Plugin.CreateSuccessor(plan.Successor!.Configuration);
            using var throughput = new ThroughputGc();
            output.Line($"4/{total} Import into {successor.Descriptor.Name}");
            var import = await ImportPipeline.RunAsync(package, target, new ImportOptions(), null, cancellationToken);
            stages.Add(new StageResult("import", import.Complete, import.Elapsed.TotalSeconds, import.TotalRows, 0,
                import.Complete ? "every row arrived" : $"{import.Tables.Sum(table => table.Failed)} rows refused"));
            output.Line($"  {import.TotalRows.ToString("N0", CultureInfo.InvariantCulture)} rows in {import.Elapsed.Humanize(2)}; {stages[^1].Summary}");
            output.Line($"5/{total} Read the successor back and reconcile with the package");
            var readBack = await ReadBackVerifier.VerifyAsync(package, target, new ReadBackOptions(), null, cancellationToken);
            stages.Add(new StageResult("read-back", readBack.Equal, readBack.Elapsed.TotalSeconds, readBack.Tables.Sum(table => table.PackageRows), 0,
                readBack.Equal ? "the successor holds every row, equal to the package" : "the successor differs from the package"));
            output.Line($"  {stages[^1].Summary} ({readBack.Elapsed.Humanize(2)})");
        }

        var projection = await ProjectAsync(source, plan, export, stages, schedule, cancellationToken);
        output.Line($"Projection: {projection.Verdict}");
        var report = new RehearsalReport
        {
            Name = plan.Name,
            RehearsedAt = TimeProvider.System.GetUtcNow(),
            Package = store.Location,
            PackageId = export.Manifest.PackageId,
            Stages = stages,
            RowsPerTable = export.Tables.ToDictionary(table => table.Table, table => table.Rows),
            Projection = projection,
            ValidationOutcome = validation?.Outcome.ToString(),
            ObligationHeadlines = validation?.Obligations.Select(obligation => obligation.Headline).ToArray() ?? [],
            Succeeded = stages.All(stage => stage.Succeeded),
        };
        if (plan.PreviousReport is not null)
        {
            report = report with { ChangesSincePrevious = Compare(await LoadAsync(plan.PreviousReport, cancellationToken), report) };
        }
        await WriteAsync(report, plan.ReportFolder, cancellationToken);
        return report;
    }

    /// <summary>Projects the full exit from the rates measured here and the source's own totals over its whole history.</summary>
    private static async Task<Projection> ProjectAsync(LoadedConnector source, RehearsalPlan plan, ExportResult export, List<StageResult> stages,
        ExitSchedule? schedule, CancellationToken cancellationToken)
    {
        await using var reader = source.Plugin.CreateSource(plan.Source.Configuration);
        var whole = await reader.DescribeAsync(ExportRequest.Everything, cancellationToken);
        var fullRows = whole.Tables.Sum(table => table.ControlTotal ?? export.Tables.FirstOrDefault(outcome => outcome.Table == table.TableName)?.Rows ?? 0);
        var rehearsed = Math.Max(1, export.TotalRows);
        var scale = (double)fullRows / rehearsed;
        var seconds = stages.Sum(stage => stage.Seconds) * scale;
        var text = seconds < 1 ? "under a second" : TimeSpan.FromSeconds(seconds).Humanize(2, maxUnit: TimeUnit.Day, minUnit: TimeUnit.Second);
        double? allowedDays = schedule is null ? null : schedule.DeliveryDeadline.DayNumber - schedule.ExitDate.DayNumber;
        var verdict = allowedDays is null
            ? $"full exit ≈ {text} for {fullRows.ToString("N0", CultureInfo.InvariantCulture)} rows (rehearsed {rehearsed.ToString("N0", CultureInfo.InvariantCulture)})."
            : allowedDays <= 0
                ? $"full exit ≈ {text}; the schedule's delivery deadline is not after its exit date."
                : $"full exit ≈ {text}; the schedule allows {allowedDays} days" + (seconds / 86400 > allowedDays ? " — it does NOT fit." : ".");
        return new Projection(rehearsed, fullRows, Math.Round(seconds, 1), text, allowedDays, verdict);
    }

    private static async Task<RehearsalReport> LoadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw ExitKitException.FileNotFound(path, "Previous rehearsal report");
        }
        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<RehearsalReport>(stream, PackageManifest.JsonOptions, cancellationToken)
            ?? throw ExitKitException.Malformed(path, "the report is empty.");
    }

    /// <summary>What changed since the previous rehearsal: stage outcomes and durations, rows per table, the projection.</summary>
    internal static IReadOnlyList<string> Compare(RehearsalReport previous, RehearsalReport current)
    {
        var changes = new List<string>();
        foreach (var stage in current.Stages)
        {
            var before = previous.Stages.FirstOrDefault(candidate => candidate.Stage == stage.Stage);
            if (before is null)
            {
                changes.Add($"{stage.Stage}: new stage ({(stage.Succeeded ? "succeeded" : "failed")}).");
                continue;
            }
            if (before.Succeeded != stage.Succeeded)
            {
                changes.Add($"{stage.Stage}: {(stage.Succeeded ? "now succeeds" : "now FAILS")} (was {(before.Succeeded ? "succeeding" : "failing")}): {stage.Summary}.");
            }
            if (before.Seconds > 0 && Math.Abs(stage.Seconds - before.Seconds) / before.Seconds > 0.2)
            {
                changes.Add(string.Create(CultureInfo.InvariantCulture, $"{stage.Stage}: {stage.Seconds:F1} s, was {before.Seconds:F1} s ({(stage.Seconds - before.Seconds) / before.Seconds:+0%;-0%})."));
            }
        }
        foreach (var (table, rows) in current.RowsPerTable)
        {
            var before = previous.RowsPerTable.GetValueOrDefault(table);
            if (before != rows)
            {
                changes.Add(string.Create(CultureInfo.InvariantCulture, $"{table}: {rows:N0} rows, was {before:N0}."));
            }
        }
        foreach (var table in previous.RowsPerTable.Keys.Except(current.RowsPerTable.Keys))
        {
            changes.Add($"{table}: no longer exported.");
        }
        if (previous.Projection.ProjectedText != current.Projection.ProjectedText)
        {
            changes.Add($"projection: {current.Projection.ProjectedText}, was {previous.Projection.ProjectedText}.");
        }
        return changes.Count == 0 ? ["no change since the previous rehearsal."] : changes;
    }

    private static async Task WriteAsync(RehearsalReport report, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "rehearsal.json"), JsonSerializer.Serialize(report, PackageManifest.JsonOptions), cancellationToken);
        var markdown = Markdown(report);
        await File.WriteAllTextAsync(Path.Combine(folder, "rehearsal.md"), markdown, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder, "rehearsal.html"), Html(report), cancellationToken);
    }

    internal static string Markdown(RehearsalReport report)
    {
        var text = new StringBuilder();
        text.Append("# Exit rehearsal: ").Append(report.Name).Append("\n\n");
        text.Append("Rehearsed ").Append(report.RehearsedAt.ToString("d MMMM yyyy HH:mm 'UTC'", CultureInfo.InvariantCulture))
            .Append("; package `").Append(report.PackageId).Append("`. Outcome: **").Append(report.Succeeded ? "every stage succeeded" : "NOT every stage succeeded").Append("**.\n\n");
        text.Append("**Projection:** ").Append(report.Projection.Verdict).Append("\n\n");
        text.Append("| stage | outcome | time | rows | summary |\n|---|---|---|---|---|\n");
        foreach (var stage in report.Stages)
        {
            text.Append("| ").Append(stage.Stage).Append(" | ").Append(stage.Succeeded ? "succeeded" : "**failed**").Append(" | ")
                .Append(TimeSpan.FromSeconds(stage.Seconds).Humanize(2)).Append(" | ").Append(stage.Rows.ToString("N0", CultureInfo.InvariantCulture))
                .Append(" | ").Append(stage.Summary).Append(" |\n");
        }
        if (report.ObligationHeadlines.Count > 0)
        {
            text.Append("\n## Obligations\n\n");
            foreach (var headline in report.ObligationHeadlines)
            {
                text.Append("- ").Append(headline).Append('\n');
            }
        }
        text.Append("\n## Rows per table\n\n| table | rows |\n|---|---|\n");
        foreach (var (table, rows) in report.RowsPerTable)
        {
            text.Append("| ").Append(table).Append(" | ").Append(rows.ToString("N0", CultureInfo.InvariantCulture)).Append(" |\n");
        }
        if (report.ChangesSincePrevious.Count > 0)
        {
            text.Append("\n## Since the previous rehearsal\n\n");
            foreach (var change in report.ChangesSincePrevious)
            {
                text.Append("- ").Append(change).Append('\n');
            }
        }
        return text.ToString();
    }

    internal static string Html(RehearsalReport report)
    {
        static string Encode(string value) => System.Net.WebUtility.HtmlEncode(value);
        var body = new StringBuilder();
        body.Append("<h1>Exit rehearsal: ").Append(Encode(report.Name)).Append("</h1>");
        body.Append("<p class=\"").Append(report.Succeeded ? "ok" : "bad").Append("\">").Append(report.Succeeded ? "Every stage succeeded." : "Not every stage succeeded.").Append("</p>");
        body.Append("<p><strong>Projection:</strong> ").Append(Encode(report.Projection.Verdict)).Append("</p>");
        body.Append("<table><tr><th>Stage</th><th>Outcome</th><th>Time</th><th>Rows</th><th>Summary</th></tr>");
        foreach (var stage in report.Stages)
        {
            body.Append("<tr><td>").Append(Encode(stage.Stage)).Append("</td><td class=\"").Append(stage.Succeeded ? "ok\">succeeded" : "bad\">failed")
                .Append("</td><td>").Append(Encode(TimeSpan.FromSeconds(stage.Seconds).Humanize(2))).Append("</td><td>")
                .Append(stage.Rows.ToString("N0", CultureInfo.InvariantCulture)).Append("</td><td>").Append(Encode(stage.Summary)).Append("</td></tr>");
        }
        body.Append("</table>");
        if (report.ObligationHeadlines.Count > 0)
        {
            body.Append("<h2>Obligations</h2><ul>").Append(string.Concat(report.ObligationHeadlines.Select(headline => $"<li>{Encode(headline)}</li>"))).Append("</ul>");
        }
        if (report.ChangesSincePrevious.Count > 0)
        {
            body.Append("<h2>Since the previous rehearsal</h2><ul>").Append(string.Concat(report.ChangesSincePrevious.Select(change => $"<li>{Encode(change)}</li>"))).Append("</ul>");
        }
        return $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Exit rehearsal: {{Encode(report.Name)}}</title>
            <style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}.ok{color:#1a7f37}.bad{color:#cf222e;font-weight:bold}</style>
            </head><body>{{body}}</body></html>
            """;
    }
}
