using System.Runtime.CompilerServices;
using ExitKit.Parquet;
using ExitKit.Validation.Checks;
using ExitKit.Validation.Reports;
using ExitKit.Validation.Schedules;
using static ExitKit.Validation.Checks.Wording;

namespace ExitKit.Validation.Engine;

/// <summary>Counts nulls of some columns and keeps a few ids of the rows that have them.</summary>
/// <remarks>Reads a column only in a row group whose statistics do not already say it has no null.</remarks>
internal sealed class NullFinder(IReadOnlyList<string> columns) : ChunkConsumer
{
    public Dictionary<string, long> Nulls { get; } = columns.ToDictionary(column => column, _ => 0L, StringComparer.Ordinal);
    public Dictionary<string, Examples> Rows { get; } = columns.ToDictionary(column => column, _ => new Examples(), StringComparer.Ordinal);

    public override IEnumerable<string> Columns => [];

    public override async ValueTask ConsumeAsync(Chunk chunk, CancellationToken cancellationToken)
    {
        foreach (var column in columns)
        {
            var known = chunk.KnownNulls(column);
            if (known == 0)
            {
                continue;
            }
            var examples = Rows[column];
            if (known is { } nulls && examples.Full)
            {
                Nulls[column] += nulls;
                continue;
            }
            var values = await chunk.ValuesAsync(column, cancellationToken);
            var ids = await chunk.IdsAsync(cancellationToken);
            for (var row = 0; row < chunk.RowCount; row++)
            {
                if (values is null || values.IsNull(row))
                {
                    Nulls[column]++;
                    examples.Add(ids?.GetString(row));
                }
            }
        }
    }
}

internal sealed class RequiredRunner(RequiredColumnsCheck check) : CheckRunner
{
    private TableScan _scan = null!;
    private NullFinder _finder = null!;

    public override void Plan(ScanPlan plan)
    {
        _scan = plan.Table(check.Table);
        _finder = new NullFinder(check.Columns);
        _scan.Consumers.Add(_finder);
    }

    public override Task<CheckResult> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var table = check.Table.Name;
        if (!_scan.Present)
        {
            return Task.FromResult(MissingTable(check, _scan));
        }
        var noun = Noun(check.Table);
        var absent = check.Columns.Where(_scan.Lacks).ToList();
        var lacking = check.Columns.Where(column => !absent.Contains(column) && _finder.Nulls[column] > 0).ToList();
        var figures = new Dictionary<string, object?>
        {
            ["rows"] = _scan.Rows, ["absentColumns"] = absent,
            ["nulls"] = check.Columns.ToDictionary(column => column, column => _finder.Nulls[column]),
        };
        var details = lacking.Select(column =>
            $"{column}: {Count(_finder.Nulls[column], "row")} without a value, e.g. {Quoted(_finder.Rows[column].Items, _finder.Nulls[column])}.").ToList();
        if (absent.Count == 0 && lacking.Count == 0)
        {
            return Task.FromResult(Result(check, table, Outcome.Met,
                $"{EveryOne(_scan.Rows, noun)} has {List(check.Columns)}.", figures, details));
        }
        var parts = new List<string>();
        if (absent.Count > 0)
        {
            parts.Add($"the package's {table} table has no column {List(absent)}");
        }
        parts.AddRange(lacking.Select(column =>
            $"{Count(_finder.Nulls[column], noun)} lack {column} (e.g. {Quoted(_finder.Rows[column].Items.Take(3).ToList(), _finder.Nulls[column])})"));
        return Task.FromResult(Result(check, table, Outcome.NotMet, string.Join("; ", parts) + ".", figures, details));
    }
}

internal sealed class NullRateRunner(NullRateCheck check) : CheckRunner
{
    private TableScan _scan = null!;

    public override void Plan(ScanPlan plan)
    {
        _scan = plan.Table(check.Table);
        foreach (var column in check.MaxRates.Keys)
        {
            _scan.CountNulls(column);
        }
    }

    public override Task<CheckResult> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var table = check.Table.Name;
        if (!_scan.Present)
        {
            return Task.FromResult(MissingTable(check, _scan));
        }
        var rates = check.MaxRates.Select(pair =>
        {
            var nulls = _scan.Nulls.GetValueOrDefault(pair.Key);
            var rate = _scan.Rows == 0 ? 0 : (double)nulls / _scan.Rows;
            return (Column: pair.Key, Nulls: nulls, Rate: rate, Max: pair.Value);
        }).ToList();
        var figures = new Dictionary<string, object?>
        {
            ["rows"] = _scan.Rows,
            ["columns"] = rates.ToDictionary(rate => rate.Column, rate => (object)new { nulls = rate.Nulls, rate = Math.Round(rate.Rate, 6), max = rate.Max }),
        };
        var details = rates.Select(rate =>
            $"{rate.Column}: null on {Percent(rate.Rate)} of rows ({Number(rate.Nulls)} of {Number(_scan.Rows)}); at most {Percent(rate.Max)} allowed.").ToList();
        var over = rates.Where(rate => rate.Rate > rate.Max).ToList();
        if (over.Count == 0)
        {
            return Task.FromResult(Result(check, table, Outcome.Met,
                $"null rates within limits over {Count(_scan.Rows, Noun(check.Table))}: " +
                string.Join(", ", rates.Select(rate => $"{rate.Column} {Percent(rate.Rate)} (at most {Percent(rate.Max)})")) + ".", figures, details));
        }
        return Task.FromResult(Result(check, table, Outcome.NotMet,
            string.Join("; ", over.Select(rate =>
                $"{rate.Column} is null on {Percent(rate.Rate)} of {table} rows ({Number(rate.Nulls)} of {Number(_scan.Rows)}), at most {Percent(rate.Max)} allowed")) + ".",
            figures, details));
    }
}

internal sealed class AllowedValuesRunner(AllowedValuesCheck check) : CheckRunner
{
    private const int DistinctCap = 20;
    private readonly AllowedValuesCheck _check = check;
    private TableScan _scan = null!;
    private readonly Dictionary<string, Dictionary<string, long>> _outside = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _outsideRows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Examples> _rows = new(StringComparer.Ordinal);

    public override void Plan(ScanPlan plan)
    {
        _scan = plan.Table(_check.Table);
        foreach (var column in _check.Values.Keys)
        {
            _outside[column] = new Dictionary<string, long>(StringComparer.Ordinal);
            _outsideRows[column] = 0;
            _rows[column] = new Examples();
        }
        _scan.Consumers.Add(new Finder(this));
    }

    private sealed class Finder(AllowedValuesRunner runner) : ChunkConsumer
    {
        // The allowed values as hashes of their UTF-8 text, as the key sets hold ids (a false match: 2⁻¹²⁸).
        private readonly Dictionary<string, HashSet128> _allowed = runner._check.Values.ToDictionary(pair => pair.Key, pair =>
        {
            var hashes = new HashSet128();
            foreach (var value in pair.Value)
            {
                hashes.Add(KeySet.Hash(value));
            }
            return hashes;
        }, StringComparer.Ordinal);

        public override IEnumerable<string> Columns => runner._check.Values.Keys;

        /// <summary>Finds the rows outside the lists on a read-ahead thread.</summary>
        public override async ValueTask<object?> PrepareAsync(Chunk chunk, CancellationToken cancellationToken)
        {
            var outside = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            foreach (var (column, allowed) in _allowed)
            {
                if (await chunk.TextAsync(column, cancellationToken) is { } values)
                {
                    outside[column] = Outside(values, allowed);
                }
            }
            return outside;
        }

        public override async ValueTask ConsumeAsync(Chunk chunk, CancellationToken cancellationToken)
        {
            var prepared = (Dictionary<string, List<int>>)(chunk.PreparedFor(this) ?? await PrepareAsync(chunk, cancellationToken))!;
            foreach (var (column, outside) in prepared)
            {
                if (outside.Count == 0)
                {
                    continue;
                }
                var values = (await chunk.TextAsync(column, cancellationToken))!;
                var ids = runner._rows[column].Full ? null : await chunk.IdsAsync(cancellationToken);
                foreach (var row in outside)
                {
                    runner._outsideRows[column]++;
                    runner._rows[column].Add(ids?.GetString(row));
                    var counts = runner._outside[column];
                    var value = values.GetString(row)!;
                    if (counts.ContainsKey(value) || counts.Count < DistinctCap)
                    {
                        counts[value] = counts.GetValueOrDefault(value) + 1;
                    }
                }
            }
        }

        // Called once a row group, too rarely for tiered compilation to optimise its loop early: compile it optimised at once.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static List<int> Outside(TextValues values, HashSet128 allowed)
        {
            var outside = new List<int>();
            for (var row = 0; row < values.RowCount; row++)
            {
                if (!values.IsNull(row) && !allowed.Contains(KeySet.Hash(values[row])))
                {
                    outside.Add(row);
                }
            }
            return outside;
        }
    }

    public override Task<CheckResult> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var table = _check.Table.Name;
        if (!_scan.Present)
        {
            return Task.FromResult(MissingTable(_check, _scan));
        }
        var absent = _check.Values.Keys.Where(_scan.Lacks).ToList();
        var figures = new Dictionary<string, object?>
        {
            ["rows"] = _scan.Rows, ["absentColumns"] = absent,
            ["rowsOutside"] = _outsideRows.ToDictionary(pair => pair.Key, pair => pair.Value),
            ["valuesOutside"] = _outside.ToDictionary(pair => pair.Key, pair => pair.Value.OrderByDescending(v => v.Value).ThenBy(v => v.Key, StringComparer.Ordinal)
                .ToDictionary(v => v.Key, v => v.Value)),
        };
        var bad = _outsideRows.Where(pair => pair.Value > 0).Select(pair => pair.Key).ToList();
        var details = bad.Select(column =>
            $"{column}: " + string.Join(", ", _outside[column].OrderByDescending(v => v.Value).ThenBy(v => v.Key, StringComparer.Ordinal)
                .Select(v => $"'{v.Key}' ({Count(v.Value, "row")})")) + $"; e.g. rows {Quoted(_rows[column].Items, _outsideRows[column])}.").ToList();
        if (absent.Count == 0 && bad.Count == 0)
        {
            return Task.FromResult(Result(_check, table, Outcome.Met,
                $"every value of {List(_check.Values.Keys.Select(column => $"{table}.{column}"))} is an allowed one ({Count(_scan.Rows, "row")} read).",
                figures, details));
        }
        var parts = new List<string>();
        if (absent.Count > 0)
        {
            parts.Add($"the package's {table} table has no column {List(absent)}");
        }
        parts.AddRange(bad.Select(column =>
            $"{table}.{column} holds {Count(_outside[column].Count, "value")} outside the allowed list on {Count(_outsideRows[column], "row")}: " +
            Quoted(_outside[column].OrderByDescending(v => v.Value).ThenBy(v => v.Key, StringComparer.Ordinal).Select(v => v.Key).Take(3).ToList(), _outside[column].Count)));
        return Task.FromResult(Result(_check, table, Outcome.NotMet, string.Join("; ", parts) + ".", figures, details));
    }
}
