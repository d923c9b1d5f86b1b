using Humanizer;
using ExitKit.Validation.Checks;
using ExitKit.Validation.Reports;
using ExitKit.Validation.Schedules;
using static ExitKit.Validation.Checks.Wording;

namespace ExitKit.Validation.Engine;

internal sealed class CoverageRunner(CoverageCheck check) : CheckRunner
{
    private TableScan _scan = null!;

    public override void Plan(ScanPlan plan)
    {
        _scan = plan.Table(check.Table);
        _scan.CountDaily = true;
    }

    public override Task<CheckResult> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken) =>
        Task.FromResult(Evaluate(context.Schedule));

    private CheckResult Evaluate(ExitSchedule schedule)
    {
        var table = check.Table.Name;
        if (!_scan.Present)
        {
            return MissingTable(check, _scan);
        }
        var from = schedule.Evaluate(check.From);
        var to = schedule.Evaluate(check.To);
        if (from is null || to is null)
        {
            return Result(check, table, Outcome.NotCheckable,
                $"the coverage window {check.From} to {check.To} names a date the schedule does not give yet.");
        }
        var source = _scan.Entry!.ControlTotal?.Daily;
        if (source is null || source.Count == 0)
        {
            return Result(check, table, Outcome.NotCheckable,
                $"the source reported no daily counts of {table} (controlTotal.daily), so a missing day cannot be told from a quiet one.",
                new Dictionary<string, object?> { ["from"] = from, ["to"] = to });
        }
        var noun = Noun(check.Table);
        var sourceDays = source.Where(pair => pair.Key >= from && pair.Key <= to && pair.Value > 0).OrderBy(pair => pair.Key).ToList();
        var gaps = new List<(DateOnly First, DateOnly Last, int Days, long SourceRows)>();
        var previousMissing = false;
        foreach (var (day, count) in sourceDays)
        {
            if (_scan.Daily.GetValueOrDefault(day) > 0)
            {
                previousMissing = false;
                continue;
            }
            if (previousMissing)
            {
                var last = gaps[^1];
                gaps[^1] = (last.First, day, last.Days + 1, last.SourceRows + count);
            }
            else
            {
                gaps.Add((day, day, 1, count));
            }
            previousMissing = true;
        }
        var missingDays = gaps.Sum(gap => gap.Days);
        var missingRows = gaps.Sum(gap => gap.SourceRows);
        var largest = gaps.Count == 0 ? 0 : gaps.Max(gap => gap.Days);
        var figures = new Dictionary<string, object?>
        {
            ["from"] = from, ["to"] = to, ["sourceDays"] = sourceDays.Count,
            ["packageDays"] = sourceDays.Count - missingDays, ["missingDays"] = missingDays, ["gaps"] = gaps.Count,
            ["largestGapDays"] = largest, ["maxGapDays"] = check.MaxGapDays, ["sourceRowsOnMissingDays"] = missingRows,
        };
        var details = gaps.Take(20).Select(gap =>
            $"{Range(gap.First, gap.Last)}: {Count(gap.Days, "day")} missing; the source reported {Count(gap.SourceRows, noun)}.").ToList();
        if (gaps.Count > 20)
        {
            details.Add($"… and {Count(gaps.Count - 20, "more gap")}.");
        }
        var firstSource = source.Where(pair => pair.Value > 0).Select(pair => pair.Key).DefaultIfEmpty(from.Value).Min();
        if (firstSource > from)
        {
            details.Add($"The source reported no {noun.Pluralize()} before {Date(firstSource)}; the window starts {Date(from.Value)}.");
        }
        var window = Range(from.Value, to.Value);
        if (gaps.Count == 0)
        {
            return Result(check, table, Outcome.Met,
                $"{table} cover {window}: rows on {EveryOne(sourceDays.Count, "day")} the source reported {noun.Pluralize()} for.",
                figures, details);
        }
        var where = string.Join(", ", gaps.Take(3).Select(gap => Range(gap.First, gap.Last))) + (gaps.Count > 3 ? ", …" : "");
        var missing = gaps.Count == 1 ? $"{Count(missingDays, "day")} missing, {where}" : $"{Count(missingDays, "day")} missing in {Count(gaps.Count, "gap")}, {where}";
        if (largest <= check.MaxGapDays)
        {
            return Result(check, table, Outcome.Met,
                $"{missing}; none longer than the {Count(check.MaxGapDays, "day")} tolerated; the source reported {Count(missingRows, noun)} on those days.",
                figures, details);
        }
        var tolerated = check.MaxGapDays == 0 ? "" : $" (largest gap {Count(largest, "day")}; {Count(check.MaxGapDays, "day")} tolerated)";
        return Result(check, table, Outcome.NotMet,
            $"{missing}{tolerated}; the source reported {Count(missingRows, noun)} on those days.", figures, details);
    }
}

internal sealed class ReconciliationRunner(ReconciliationCheck check) : CheckRunner
{
    private TableScan _scan = null!;

    public override void Plan(ScanPlan plan)
    {
        _scan = plan.Table(check.Table);
        _scan.RowsNeeded = true;
        _scan.CountDaily |= check.PerDay;
    }

    public override Task<CheckResult> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var table = check.Table.Name;
        if (!_scan.Present)
        {
            return Task.FromResult(MissingTable(check, _scan));
        }
        var entry = _scan.Entry!;
        var noun = Noun(check.Table);
        var control = entry.ControlTotal;
        var figures = new Dictionary<string, object?>
        {
            ["packageRows"] = _scan.Rows, ["manifestRows"] = entry.Rows, ["sourceRows"] = control?.Rows, ["tolerance"] = check.Tolerance.ToString(),
        };
        var details = new List<string>();
        var notMet = new List<string>();
        if (entry.Rows != _scan.Rows)
        {
            notMet.Add($"the manifest says {Count(entry.Rows, noun)} but the data holds {Number(_scan.Rows)}");
        }
        if (control?.Rows is { } sourceRows)
        {
            var difference = _scan.Rows - sourceRows;
            if (!check.Tolerance.Allows(difference, sourceRows))
            {
                notMet.Add(difference < 0
                    ? $"{Count(-difference, noun)} fewer than the source reported ({Number(_scan.Rows)} of {Number(sourceRows)})"
                    : $"{Count(difference, noun)} more than the source reported ({Number(_scan.Rows)}, the source {Number(sourceRows)})");
            }
        }
        var perDay = "";
        string? notCheckable = control?.Rows is null ? $"the source reported no control total for {table}" : null;
        if (check.PerDay)
        {
            if (control?.Daily is not { Count: > 0 } sourceDaily)
            {
                notCheckable ??= $"the source reported no daily counts of {table}, so days cannot be reconciled";
            }
            else
            {
                var differing = sourceDaily.Keys.Union(_scan.Daily.Keys).Order()
                    .Select(day => (Day: day, Package: _scan.Daily.GetValueOrDefault(day), Source: sourceDaily.GetValueOrDefault(day)))
                    .Where(day => !check.Tolerance.Allows(day.Package - day.Source, day.Source))
                    .ToList();
                figures["daysCompared"] = sourceDaily.Keys.Union(_scan.Daily.Keys).Count();
                figures["daysDiffering"] = differing.Count;
                details.AddRange(differing.Take(20).Select(day =>
                    $"{Date(day.Day)}: {Number(day.Package)} in the package, {Number(day.Source)} reported by the source ({day.Package - day.Source:+#,0;-#,0})."));
                if (differing.Count > 20)
                {
                    details.Add($"… and {Count(differing.Count - 20, "more day")}.");
                }
                if (differing.Count > 0)
                {
                    var first = differing[0];
                    notMet.Add($"{Count(differing.Count, "day")} {(differing.Count == 1 ? "differs" : "differ")}, e.g. {Date(first.Day)}: {Number(first.Package)} of {Number(first.Source)}");
                }
                else
                {
                    perDay = $"; all {Count((int)figures["daysCompared"]!, "day")} agree";
                }
            }
        }
        if (entry.DailyCounts is { } written && _scan.CountDaily)
        {
            var disagree = written.Keys.Union(_scan.Daily.Keys).Count(day => written.GetValueOrDefault(day) != _scan.Daily.GetValueOrDefault(day));
            if (disagree > 0)
            {
                notMet.Add($"the manifest's dailyCounts disagree with the data on {Count(disagree, "day")}");
            }
        }
        // What the connector itself reported about this table explains a shortfall: name it beside the figures.
        var problems = context.Package.Manifest.Problems.Where(problem => problem.Table == table).ToList();
        figures["connectorProblems"] = problems.GroupBy(problem => problem.Kind).OrderBy(group => group.Key, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => (long)group.Count());
        details.AddRange(problems.Take(5).Select(problem => $"Reported by the connector ({problem.Kind}): {problem.Subject}: {problem.Reason}"));
        if (problems.Count > 5)
        {
            details.Add($"… and {Count(problems.Count - 5, "more problem")} reported by the connector (see the manifest's problems).");
        }
        var tolerance = check.Tolerance.Value == 0 ? "" : $" (tolerance {check.Tolerance})";
        if (notMet.Count > 0)
        {
            return Task.FromResult(Result(check, table, Outcome.NotMet, Capitalise(string.Join("; ", notMet)) + tolerance + ".", figures, details));
        }
        if (notCheckable is not null)
        {
            var rows = $"{Count(_scan.Rows, noun)} in the package, but {notCheckable}.";
            return Task.FromResult(Result(check, table, Outcome.NotCheckable, rows, figures, details));
        }
        return Task.FromResult(Result(check, table, Outcome.Met,
            $"{Count(_scan.Rows, noun)} in the package, as the source reported ({Number(control!.Rows!.Value)}){perDay}{tolerance}.", figures, details));
    }

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}

internal sealed class PresentRunner(PresentCheck check) : CheckRunner
{
    private readonly List<TableScan> _scans = [];

    public override void Plan(ScanPlan plan) => _scans.AddRange(check.Tables.Select(plan.Table));

    public override Task<CheckResult> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var subject = string.Join(", ", check.Tables.Select(table => table.Name));
        var missing = _scans.Where(scan => !scan.Present).Select(scan => scan.Schema.Name).ToList();
        var few = _scans.Where(scan => scan.Present && scan.Entry!.Rows < check.MinRows)
            .Select(scan => $"{scan.Schema.Name} ({Number(scan.Entry!.Rows)})").ToList();
        var figures = new Dictionary<string, object?>
        {
            ["tables"] = check.Tables.Count, ["missing"] = missing, ["belowMinRows"] = few, ["minRows"] = check.MinRows,
        };
        var details = _scans.Where(scan => scan.Present).Select(scan => $"{scan.Schema.Name}: {Count(scan.Entry!.Rows, "row")}.").ToList();
        if (missing.Count == 0 && few.Count == 0)
        {
            if (check.Tables.Count == 1)
            {
                var atLeast = check.MinRows > 0 ? $", with {Count(_scans[0].Entry!.Rows, "row")} (at least {Number(check.MinRows)} required)" : "";
                return Task.FromResult(Result(check, subject, Outcome.Met, $"{subject} is in the package{atLeast}.", figures, details));
            }
            var rows = check.MinRows > 0 ? $", each with at least {Count(check.MinRows, "row")}" : "";
            return Task.FromResult(Result(check, subject, Outcome.Met,
                $"all {Count(check.Tables.Count, "listed table")} are in the package{rows}.", figures, details));
        }
        var parts = new List<string>();
        if (missing.Count > 0)
        {
            parts.Add($"{Count(missing.Count, "listed table")} missing from the package: {List(missing)}");
        }
        if (few.Count > 0)
        {
            parts.Add($"{Count(few.Count, "table")} with fewer than {Count(check.MinRows, "row")}: {List(few)}");
        }
        return Task.FromResult(Result(check, subject, Outcome.NotMet, string.Join("; ", parts) + ".", figures, details));
    }
}
