using ExitKit.Validation.Checks;
using ExitKit.Validation.Content;
using ExitKit.Validation.Reports;
using ExitKit.Validation.Schedules;

namespace ExitKit.Validation.Engine;

/// <summary>What a check evaluates against once the tables are read.</summary>
internal sealed class EvaluationContext(IPackageContent package, ExitSchedule schedule, FileIndex? files)
{
    public IPackageContent Package { get; } = package;
    public ExitSchedule Schedule { get; } = schedule;
    public FileIndex Files => files ?? throw new InvalidOperationException("A check that needs the file index did not ask for it in Plan.");
}

/// <summary>A check of the schedule, in two steps: say what to read (Plan), then judge what was read (Evaluate).</summary>
internal abstract class CheckRunner
{
    public abstract void Plan(ScanPlan plan);

    public abstract Task<CheckResult> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken);

    protected static CheckResult Result(CheckSpec spec, string subject, Outcome outcome, string summary,
        IReadOnlyDictionary<string, object?>? figures = null, IReadOnlyList<string>? details = null) =>
        new(spec.Kind, subject, outcome, summary, figures ?? new Dictionary<string, object?>(), details ?? []);

    protected static CheckResult MissingTable(CheckSpec spec, TableScan scan) =>
        Result(spec, scan.Schema.Name, Outcome.NotMet, $"the package has no {scan.Schema.Name} table.",
            new Dictionary<string, object?> { ["tablePresent"] = false });

    public static CheckRunner For(CheckSpec spec) => spec switch
    {
        CoverageCheck check => new CoverageRunner(check),
        ReconciliationCheck check => new ReconciliationRunner(check),
        RequiredColumnsCheck check => new RequiredRunner(check),
        NullRateCheck check => new NullRateRunner(check),
        AllowedValuesCheck check => new AllowedValuesRunner(check),
        ReferenceCheck check => new ReferenceRunner(check),
        ArtefactsCheck check => new ArtefactsRunner(check),
        LocalesCheck check => new LocalesRunner(check),
        OriginalsCheck check => new OriginalsRunner(check),
        FormatCheck check => new FormatRunner(check),
        SealedByCheck check => new SealedByRunner(check),
        ClockCheck check => new ClockRunner(check),
        PresentCheck check => new PresentRunner(check),
        AttestationCheck check => new AttestationRunner(check),
        _ => throw new InvalidOperationException($"No runner for check {spec.Kind}."),
    };
}
