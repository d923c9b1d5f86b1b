using ExitKit.Validation.Checks;
using ExitKit.Validation.Content;
using ExitKit.Validation.Engine;
using ExitKit.Validation.Reports;
using ExitKit.Validation.Schedules;

namespace ExitKit.Validation;

/// <summary>Validates an exit package against an exit schedule.</summary>
/// <remarks>
/// Findings are data: every obligation comes back met, not met or not checkable, with figures. Each table is read at
/// most once, row group by row group, on every core (up to four), and only the columns some check needs: a column
/// counted for nulls only where the Parquet statistics do not already give the count, row ids only when a check has
/// an example to give. What is held in memory: a few row groups of the columns being read (about 2 × cores + 1);
/// per table, rows per day and nulls per column; for each reference check, the hashed keys of the target columns
/// (21–43 bytes a key: 32 MB for a million interaction ids); for artefact and originals checks, a hashed index of the
/// package's paths (21–43 bytes a file); for locale checks, one 64-bit mask per article; capped examples. Never
/// whole rows, and nothing else that grows with the package.
/// </remarks>
public static class Validator
{
    /// <summary>Runs every check of the schedule against the package.</summary>
    /// <param name="package">The package, opened.</param>
    /// <param name="schedule">The schedule, loaded.</param>
    /// <param name="timeProvider">The clock for <see cref="ValidationReport.ValidatedAt"/>; the system clock when null.</param>
    /// <param name="cancellationToken">Stops validation.</param>
    public static async Task<ValidationReport> ValidateAsync(IPackageContent package, ExitSchedule schedule,
        TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(schedule);
        var plan = new ScanPlan();
        var obligations = schedule.Obligations
            .Select(obligation => (Obligation: obligation, Runners: obligation.Checks.Select(CheckRunner.For).ToList()))
            .ToList();
        foreach (var runner in obligations.SelectMany(obligation => obligation.Runners))
        {
            runner.Plan(plan);
        }
        if (plan.NeedsFileIndex)
        {
            plan.Files = await FileIndex.BuildAsync(package.Store, cancellationToken);
        }
        await plan.RunAsync(package, cancellationToken);

        var context = new EvaluationContext(package, schedule, plan.Files);
        var results = new List<ObligationResult>();
        foreach (var (obligation, runners) in obligations)
        {
            var checks = new List<CheckResult>();
            foreach (var runner in runners)
            {
                checks.Add(await runner.EvaluateAsync(context, cancellationToken));
            }
            results.Add(new ObligationResult(obligation.Id, obligation.Title, obligation.Tables.Select(table => table.Name).ToList(),
                OutcomeText.Worst(checks.Select(check => check.Outcome)), checks));
        }
        var manifest = package.Manifest;
        return new ValidationReport
        {
            ValidatedAt = (timeProvider ?? TimeProvider.System).GetUtcNow(),
            Schedule = new ScheduleSummary(schedule.SourceFile, schedule.Contract.Id, schedule.Contract.Title,
                schedule.Contract.Parties.Select(party => new PartySummary(party.Role, party.Name)).ToList(),
                schedule.ExitDate, schedule.DeliveryDeadline, schedule.Calendar.Name),
            Package = new PackageSummary(package.Store.Location, manifest.PackageId, manifest.Source.System, manifest.Source.Connector,
                manifest.SealedAt, manifest.Tables.Count, manifest.Tables.Sum(table => table.Rows),
                manifest.Problems.GroupBy(problem => problem.Kind).OrderBy(group => group.Key, StringComparer.Ordinal)
                    .ToDictionary(group => group.Key, group => group.Count(), StringComparer.Ordinal)),
            Outcome = OutcomeText.Worst(results.Select(result => result.Outcome)),
            Counts = new OutcomeCounts(results.Count(result => result.Outcome == Outcome.Met),
                results.Count(result => result.Outcome == Outcome.NotMet), results.Count(result => result.Outcome == Outcome.NotCheckable)),
            Obligations = results,
        };
    }
}
