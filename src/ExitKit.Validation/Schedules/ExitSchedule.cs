using ExitKit.Schema;

namespace ExitKit.Validation.Schedules;

/// <summary>A contract's exit schedule, read from YAML by <see cref="ScheduleLoader"/> (format: docs/exit-schedule.md).</summary>
public sealed record ExitSchedule
{
    /// <summary>The file the schedule was read from, for messages and reports.</summary>
    public required string SourceFile { get; init; }
    /// <summary>The contract the schedule belongs to.</summary>
    public required ContractInfo Contract { get; init; }
    /// <summary>The date the contract ends (or the exit takes effect).</summary>
    public required DateOnly ExitDate { get; init; }
    /// <summary>The date by which the exit package must be delivered (sealed).</summary>
    public required DateOnly DeliveryDeadline { get; init; }
    /// <summary>The calendar that Working Days are counted in.</summary>
    public required WorkingCalendar Calendar { get; init; }
    /// <summary>Further named dates (notice given, switching started, erasure...); a null value is a date not yet known.</summary>
    public required IReadOnlyDictionary<string, DateOnly?> Dates { get; init; }
    /// <summary>The obligations, in the order of the schedule.</summary>
    public required IReadOnlyList<Obligation> Obligations { get; init; }

    /// <summary>The value of a named date: <c>exit</c>, <c>delivery</c> or one of <see cref="Dates"/>; null when not yet known.</summary>
    public DateOnly? Resolve(string name) => name switch
    {
        "exit" => ExitDate,
        "delivery" => DeliveryDeadline,
        _ => Dates.TryGetValue(name, out var date) ? date : null,
    };

    /// <summary>Evaluates a date expression against this schedule's dates and calendar; null when a date it needs is not yet known.</summary>
    public DateOnly? Evaluate(DateExpression expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var anchor = expression.AnchorDate ?? Resolve(expression.AnchorName!);
        return anchor is null ? null : expression.Offset?.AddTo(anchor.Value, Calendar) ?? anchor.Value;
    }
}

/// <summary>The contract: an id, a title and its parties.</summary>
public sealed record ContractInfo(string Id, string Title, IReadOnlyList<Party> Parties);

/// <summary>A party to the contract and its role (customer, supplier, successor...).</summary>
public sealed record Party(string Role, string Name);

/// <summary>One obligation of the schedule, named as in the contract.</summary>
/// <param name="Id">The contract's own clause id, e.g. <c>7.3(a)</c>.</param>
/// <param name="Title">What the clause asks for, in a few words.</param>
/// <param name="Tables">The neutral tables the obligation concerns.</param>
/// <param name="Checks">The checks that prove it.</param>
public sealed record Obligation(string Id, string Title, IReadOnlyList<TableSchema> Tables, IReadOnlyList<CheckSpec> Checks);

/// <summary>Where a check was written in the schedule file, for messages.</summary>
public readonly record struct SourcePosition(long Line, long Column);

/// <summary>A check of an obligation, as written in the schedule.</summary>
public abstract record CheckSpec
{
    /// <summary>The check's kind, as written in the schedule (<c>coverage</c>, <c>reconciliation</c>...).</summary>
    public abstract string Kind { get; }
    /// <summary>Where the check is in the schedule file.</summary>
    public SourcePosition Position { get; init; }
}

/// <summary>A limit on rows: absolute (<c>5</c>) or relative (<c>0.5%</c>).</summary>
public readonly record struct Tolerance(double Value, bool IsPercent)
{
    /// <summary>No difference tolerated.</summary>
    public static Tolerance None => new(0, false);

    /// <summary>True when <paramref name="difference"/> rows are within the tolerance of <paramref name="expected"/>.</summary>
    public bool Allows(long difference, long expected) =>
        IsPercent ? Math.Abs(difference) <= expected * Value / 100.0 : Math.Abs(difference) <= Value;

    /// <inheritdoc />
    public override string ToString() =>
        IsPercent ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Value}%")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Value} rows");
}

/// <summary>Rows of the table exist for every day the source had rows for, within the window.</summary>
public sealed record CoverageCheck(TableSchema Table, DateExpression From, DateExpression To, int MaxGapDays) : CheckSpec
{
    public override string Kind => "coverage";
}

/// <summary>Rows of the table agree with the source's control totals, in total and (optionally) per day.</summary>
public sealed record ReconciliationCheck(TableSchema Table, Tolerance Tolerance, bool PerDay) : CheckSpec
{
    public override string Kind => "reconciliation";
}

/// <summary>The named columns are in the table and hold a value on every row.</summary>
public sealed record RequiredColumnsCheck(TableSchema Table, IReadOnlyList<string> Columns) : CheckSpec
{
    public override string Kind => "required";
}

/// <summary>At most the given share of rows is null, per column (0.05 = 5%).</summary>
public sealed record NullRateCheck(TableSchema Table, IReadOnlyDictionary<string, double> MaxRates) : CheckSpec
{
    public override string Kind => "nullRate";
}

/// <summary>Every non-null value of the column is one of the listed values.</summary>
public sealed record AllowedValuesCheck(TableSchema Table, IReadOnlyDictionary<string, IReadOnlyList<string>> Values) : CheckSpec
{
    public override string Kind => "allowedValues";
}

/// <summary>A column value of the rows that match <see cref="Where"/>, resolved by one of the target columns.</summary>
/// <param name="FromTable">The referencing table.</param>
/// <param name="FromColumn">The referencing column; nulls are not references.</param>
/// <param name="TargetTable">The table the references point into.</param>
/// <param name="TargetColumns">Columns of the target table that may hold the value (source_id, name).</param>
/// <param name="Where">Only rows whose column holds one of these values are checked (e.g. target_kind in (queue)).</param>
public sealed record ReferenceCheck(TableSchema FromTable, string FromColumn, TableSchema TargetTable, IReadOnlyList<string> TargetColumns,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Where) : CheckSpec
{
    public override string Kind => "references";
}

/// <summary>Every row's <c>artefact_path</c> names a file in the package (attachments, kb_attachments, model_files).</summary>
public sealed record ArtefactsCheck(TableSchema Table) : CheckSpec
{
    public override string Kind => "artefacts";
}

/// <summary>Each listed locale has every article (or, with <see cref="EveryArticle"/> false, at least one).</summary>
public sealed record LocalesCheck(TableSchema Table, IReadOnlyList<string> Locales, bool EveryArticle) : CheckSpec
{
    public override string Kind => "locales";
}

/// <summary>The family's vendor originals are in the package: every flow links its definition; each pattern matches a file.</summary>
public sealed record OriginalsCheck(DataFamily Family, IReadOnlyList<string> Patterns) : CheckSpec
{
    public override string Kind => "originals";
}

/// <summary>Every row of the table has the given format, and its artefact starts as that format does.</summary>
public sealed record FormatCheck(TableSchema Table, string Format) : CheckSpec
{
    public override string Kind => "format";
}

/// <summary>The package was sealed on or before the date (in the calendar's time zone).</summary>
public sealed record SealedByCheck(DateExpression Deadline) : CheckSpec
{
    public override string Kind => "sealedBy";
}

/// <summary>A clock between two dates of the schedule: at most or at least a period.</summary>
/// <param name="Name">What the clock measures, e.g. "transition period".</param>
/// <param name="From">The date the clock starts.</param>
/// <param name="To">The date it is read at.</param>
/// <param name="AtMost">The longest the period may be.</param>
/// <param name="AtLeast">The shortest the period may be.</param>
public sealed record ClockCheck(string Name, DateExpression From, DateExpression To, Period? AtMost, Period? AtLeast) : CheckSpec
{
    public override string Kind => "clock";
}

/// <summary>The named tables are in the package, with at least <see cref="MinRows"/> rows each.</summary>
public sealed record PresentCheck(IReadOnlyList<TableSchema> Tables, long MinRows) : CheckSpec
{
    public override string Kind => "present";
}

/// <summary>A named document (erasure certificate, exit plan) is in the package at a path or glob.</summary>
public sealed record AttestationCheck(string Document, string PathPattern) : CheckSpec
{
    public override string Kind => "attestation";
}
