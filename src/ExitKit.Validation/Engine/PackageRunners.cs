using ExitKit.Validation.Checks;
using ExitKit.Validation.Reports;
using ExitKit.Validation.Schedules;
using static ExitKit.Validation.Checks.Wording;

namespace ExitKit.Validation.Engine;

internal sealed class FormatRunner(FormatCheck check) : CheckRunner
{
    // Model files are few; their ids and paths are kept to open each file once after the scan.
    private const int RowCap = 10_000;
    private readonly FormatCheck _check = check;
    private TableScan _scan = null!;
    private ScanPlan _plan = null!;
    private long _rows;
    private long _otherFormat;
    private readonly Examples _otherRows = new();
    private readonly List<(string? Id, string Path)> _files = [];
    private long _notKept;

    public override void Plan(ScanPlan plan)
    {
        _plan = plan;
        plan.NeedsFileIndex = true;
        _scan = plan.Table(_check.Table);
        _scan.Consumers.Add(new Finder(this));
    }

    private sealed class Finder(FormatRunner runner) : ChunkConsumer
    {
        public override IEnumerable<string> Columns => ["format", "artefact_path", "source_id"];

        public override async ValueTask ConsumeAsync(Chunk chunk, CancellationToken cancellationToken)
        {
            // Model files are a handful of rows: every row's id is kept for the file checks after the scan.
            var formats = await chunk.TextAsync("format", cancellationToken);
            var paths = await chunk.TextAsync("artefact_path", cancellationToken);
            var ids = await chunk.IdsAsync(cancellationToken);
            for (var row = 0; row < chunk.RowCount; row++)
            {
                runner._rows++;
                var format = formats?.GetString(row);
                if (!string.Equals(format, runner._check.Format, StringComparison.OrdinalIgnoreCase))
                {
                    runner._otherFormat++;
                    runner._otherRows.Add($"{ids?.GetString(row)} ({format ?? "no format"})");
                }
                if (paths?.GetString(row) is not { } path)
                {
                    runner._notKept++;
                }
                else if (runner._files.Count < RowCap)
                {
                    runner._files.Add((ids?.GetString(row), path));
                }
            }
        }
    }

    public override async Task<CheckResult> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var table = _check.Table.Name;
        if (!_scan.Present)
        {
            return MissingTable(_check, _scan);
        }
        var unlike = new Examples();
        long unlikeCount = 0, missing = 0, matching = 0, unknown = 0;
        foreach (var (id, path) in _files)
        {
            if (!_plan.Files!.Contains(path))
            {
                missing++;
                unlike.Add($"{path} (row {id}, not in the package)");
                continue;
            }
            await using var stream = await context.Package.Store.OpenReadAsync(path, cancellationToken);
            switch (await FileSignatures.MatchesAsync(_check.Format, stream, cancellationToken))
            {
                case true: matching++; break;
                case false: unlikeCount++; unlike.Add($"{path} (row {id})"); break;
                default: unknown++; break;
            }
        }
        var figures = new Dictionary<string, object?>
        {
            ["rows"] = _rows, ["otherFormat"] = _otherFormat, ["withoutArtefact"] = _notKept, ["artefactsMissing"] = missing,
            ["signatureMatches"] = matching, ["signatureMismatches"] = unlikeCount, ["signatureUnknown"] = unknown,
        };
        var details = new List<string>();
        if (_otherFormat > 0)
        {
            details.Add($"Not {_check.Format}: {string.Join(", ", _otherRows.Items)}.");
        }
        details.AddRange(unlike.Items.Select(item => $"Does not start like {_check.Format}: {item}."));
        if (unknown > 0)
        {
            details.Add($"ExitKit knows no byte signature for {_check.Format} (it knows {List(FileSignatures.Known)}); {Count(unknown, "file")} checked by the format column only.");
        }
        var noun = Noun(_check.Table);
        var parts = new List<string>();
        if (_otherFormat > 0)
        {
            parts.Add($"{Number(_otherFormat)} of {Count(_rows, noun)} {(_otherFormat == 1 ? "is" : "are")} not {_check.Format}: {string.Join(", ", _otherRows.Items.Take(3))}");
        }
        if (_notKept > 0)
        {
            parts.Add($"{Count(_notKept, noun)} {(_notKept == 1 ? "has" : "have")} no artefact");
        }
        if (missing > 0)
        {
            parts.Add($"{Count(missing, "artefact")} {(missing == 1 ? "is" : "are")} not in the package");
        }
        if (unlikeCount > 0)
        {
            parts.Add($"{Count(unlikeCount, "artefact")} {(unlikeCount == 1 ? "does" : "do")} not start like {Article(_check.Format)}, e.g. {unlike.Items[0]}");
        }
        if (parts.Count > 0)
        {
            return Result(_check, table, Outcome.NotMet, string.Join("; ", parts) + ".", figures, details);
        }
        var content = unknown > 0 ? " (format column only: no byte signature is known for it)" : $", and each artefact starts like {Article(_check.Format)}";
        return Result(_check, table, Outcome.Met, _rows == 1 ? $"the 1 {noun} is {_check.Format}{content}." : $"all {Count(_rows, noun)} are {_check.Format}{content}.", figures, details);
    }

    private static string Article(string format) => format == "onnx" ? "an ONNX ModelProto" : $"a {format} file";
}

internal sealed class SealedByRunner(SealedByCheck check) : CheckRunner
{
    public override void Plan(ScanPlan plan)
    {
    }

    public override Task<CheckResult> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var schedule = context.Schedule;
        var deadline = schedule.Evaluate(check.Deadline);
        var sealedAt = context.Package.Manifest.SealedAt;
        var subject = $"sealed by {check.Deadline}";
        if (deadline is null)
        {
            return Task.FromResult(Result(check, subject, Outcome.NotCheckable, $"the deadline '{check.Deadline}' names a date the schedule does not give yet."));
        }
        var local = TimeZoneInfo.ConvertTime(sealedAt, schedule.Calendar.TimeZone);
        var sealedOn = DateOnly.FromDateTime(local.DateTime);
        var days = deadline.Value.DayNumber - sealedOn.DayNumber;
        var figures = new Dictionary<string, object?>
        {
            ["sealedAt"] = sealedAt, ["sealedOn"] = sealedOn, ["deadline"] = deadline, ["timeZone"] = schedule.Calendar.TimeZone.Id,
            ["daysToSpare"] = days, ["workingDaysToSpare"] = schedule.Calendar.WorkingDaysBetween(sealedOn, deadline.Value),
        };
        var when = $"the package was sealed on {Date(sealedOn)} ({local:HH:mm} {schedule.Calendar.TimeZone.Id})";
        var named = check.Deadline.AnchorDate is null ? $" ({check.Deadline})" : "";
        return Task.FromResult(days >= 0
            ? Result(check, subject, Outcome.Met,
                days == 0 ? $"{when}, on the deadline of {Date(deadline.Value)}{named}." : $"{when}, {Count(days, "day")} before the deadline of {Date(deadline.Value)}{named}.", figures)
            : Result(check, subject, Outcome.NotMet, $"{when}, {Count(-days, "day")} after the deadline of {Date(deadline.Value)}{named}.", figures));
    }
}

internal sealed class ClockRunner(ClockCheck check) : CheckRunner
{
    public override void Plan(ScanPlan plan)
    {
    }

    public override Task<CheckResult> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var schedule = context.Schedule;
        var from = schedule.Evaluate(check.From);
        var to = schedule.Evaluate(check.To);
        if (from is null || to is null)
        {
            var unknown = new[] { (check.From, from), (check.To, to) }.Where(pair => pair.Item2 is null).Select(pair => $"'{pair.Item1}'");
            return Task.FromResult(Result(check, check.Name, Outcome.NotCheckable,
                $"{check.Name}: the schedule gives no date for {List(unknown)} yet.",
                new Dictionary<string, object?> { ["from"] = from, ["to"] = to }));
        }
        var days = to.Value.DayNumber - from.Value.DayNumber;
        var workingDays = schedule.Calendar.WorkingDaysBetween(from.Value, to.Value);
        var figures = new Dictionary<string, object?>
        {
            ["from"] = from, ["to"] = to, ["days"] = days, ["workingDays"] = workingDays,
            ["atMost"] = check.AtMost?.ToString(), ["atLeast"] = check.AtLeast?.ToString(),
        };
        var limits = new List<string>();
        var broken = new List<string>();
        if (check.AtMost is { } atMost)
        {
            var latest = atMost.AddTo(from.Value, schedule.Calendar);
            limits.Add($"at most {atMost} (by {Date(latest)})");
            if (to > latest)
            {
                broken.Add($"at most {atMost} allowed, which ends {Date(latest)}");
            }
        }
        if (check.AtLeast is { } atLeast)
        {
            var earliest = atLeast.AddTo(from.Value, schedule.Calendar);
            limits.Add($"at least {atLeast} (not before {Date(earliest)})");
            if (to < earliest)
            {
                broken.Add($"at least {atLeast} required, which ends {Date(earliest)}");
            }
        }
        var length = (check.AtMost ?? check.AtLeast)!.Unit == PeriodUnit.WorkingDays ? Count(workingDays, "working day") : Count(days, "day");
        var span = $"{check.Name}: {Date(from.Value)} ({check.From}) to {Date(to.Value)} ({check.To}) is {length}";
        return Task.FromResult(broken.Count == 0
            ? Result(check, check.Name, Outcome.Met, $"{span}; {string.Join(" and ", limits)}.", figures)
            : Result(check, check.Name, Outcome.NotMet, $"{span}; {string.Join(" and ", broken)}.", figures));
    }
}

internal sealed class AttestationRunner(AttestationCheck check) : CheckRunner
{
    public override void Plan(ScanPlan plan)
    {
    }

    public override async Task<CheckResult> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var regex = Glob.ToRegex(check.PathPattern);
        var found = new List<ExitKit.Storage.StoredFile>();
        await foreach (var file in context.Package.Store.ListAsync(Glob.Prefix(check.PathPattern), cancellationToken))
        {
            if (regex.IsMatch(file.Path))
            {
                found.Add(file);
            }
        }
        var originals = context.Package.Manifest.Originals.Select(original => original.Path).ToHashSet(StringComparer.Ordinal);
        var empty = found.Where(file => file.Length == 0).ToList();
        var usable = found.Where(file => file.Length > 0).ToList();
        var figures = new Dictionary<string, object?>
        {
            ["pattern"] = check.PathPattern, ["files"] = found.Select(file => file.Path).ToList(),
            ["inManifest"] = usable.Count(file => originals.Contains(file.Path)),
        };
        var details = found.Select(file => $"{file.Path}: {Bytes(file.Length)}" +
            (originals.Contains(file.Path) ? ", listed with its SHA-256 in the manifest." : ", not listed in the manifest's originals, so its fixity is not recorded.")).ToList();
        if (usable.Count == 0)
        {
            var why = empty.Count > 0 ? $"{empty[0].Path} is empty" : $"no file in the package matches {check.PathPattern}";
            return Result(check, check.Document, Outcome.NotMet, $"{check.Document}: {why}.", figures, details);
        }
        var first = usable[0];
        var more = usable.Count > 1 ? $" and {Count(usable.Count - 1, "more file")}" : "";
        return Result(check, check.Document, Outcome.Met, $"{check.Document}: {first.Path} ({Bytes(first.Length)}){more} is in the package.", figures, details);
    }
}
