using ExitKit.Validation.Checks;

namespace ExitKit.Validation.Reports;

/// <summary>The result of validating a package against an exit schedule: data, for JSON and for the reports people read.</summary>
public sealed record ValidationReport
{
    /// <summary>The version of this report's JSON shape.</summary>
    public string ReportVersion { get; init; } = "1";
    /// <summary>When validation ran.</summary>
    public required DateTimeOffset ValidatedAt { get; init; }
    /// <summary>The schedule validated against.</summary>
    public required ScheduleSummary Schedule { get; init; }
    /// <summary>The package validated.</summary>
    public required PackageSummary Package { get; init; }
    /// <summary>Met when every obligation is met; not met when any is not met; otherwise not checkable.</summary>
    public required Outcome Outcome { get; init; }
    /// <summary>The process exit code for this outcome (see <see cref="ExitCodes"/>).</summary>
    public int ExitCode => ExitCodes.For(Outcome);
    /// <summary>How many obligations came out each way.</summary>
    public required OutcomeCounts Counts { get; init; }
    /// <summary>Every obligation in schedule order.</summary>
    public required IReadOnlyList<ObligationResult> Obligations { get; init; }
}

/// <summary>The schedule, as the report names it.</summary>
public sealed record ScheduleSummary(string File, string ContractId, string ContractTitle, IReadOnlyList<PartySummary> Parties,
    DateOnly ExitDate, DateOnly DeliveryDeadline, string Calendar);

/// <summary>A party to the contract.</summary>
public sealed record PartySummary(string Role, string Name);

/// <summary>The package, as the report names it.</summary>
/// <param name="Location">Where the package is.</param>
/// <param name="PackageId">Its id.</param>
/// <param name="SourceSystem">The source_system of its rows.</param>
/// <param name="Connector">The connector that exported it.</param>
/// <param name="SealedAt">When it was sealed.</param>
/// <param name="Tables">How many tables it holds.</param>
/// <param name="Rows">How many rows across them.</param>
/// <param name="Problems">Records and files the connector reported it could not fully read, by kind (unparsed, missing, degraded).</param>
public sealed record PackageSummary(string Location, string PackageId, string SourceSystem, string Connector, DateTimeOffset SealedAt,
    int Tables, long Rows, IReadOnlyDictionary<string, int> Problems);

/// <summary>Obligations per outcome.</summary>
public sealed record OutcomeCounts(int Met, int NotMet, int NotCheckable);

/// <summary>One obligation and the checks that judged it.</summary>
public sealed record ObligationResult(string Id, string Title, IReadOnlyList<string> Tables, Outcome Outcome, IReadOnlyList<CheckResult> Checks)
{
    /// <summary>The sentence an auditor reads first: the outcome and the first check that decided it.</summary>
    public string Headline
    {
        get
        {
            var deciding = Checks.FirstOrDefault(check => check.Outcome == Outcome) ?? Checks[0];
            return $"{Id} {Outcome.Describe()}: {deciding.Summary}";
        }
    }
}

/// <summary>One check of an obligation, with its evidence.</summary>
/// <param name="Kind">The check's kind, as in the schedule.</param>
/// <param name="Subject">What it looked at: a table, a table.column, a document or a clock.</param>
/// <param name="Outcome">How it came out.</param>
/// <param name="Summary">One sentence with the figures, written for an auditor.</param>
/// <param name="Figures">The evidence as numbers and values, for machines.</param>
/// <param name="Details">Lines naming the gaps, rows or files (capped; figures hold the full counts).</param>
public sealed record CheckResult(string Kind, string Subject, Outcome Outcome, string Summary,
    IReadOnlyDictionary<string, object?> Figures, IReadOnlyList<string> Details);
