using System.Runtime.CompilerServices;
using ExitKit.Parquet;
using ExitKit.Schema;
using ExitKit.Validation.Checks;
using ExitKit.Validation.Reports;
using ExitKit.Validation.Schedules;
using static ExitKit.Validation.Checks.Wording;

namespace ExitKit.Validation.Engine;

internal sealed class ReferenceRunner(ReferenceCheck check) : CheckRunner
{
    private const int DistinctCap = 20;
    private readonly ReferenceCheck _check = check;
    private TableScan _scan = null!;
    private TableScan _target = null!;
    private KeySet _keys = null!;
    private long _checked;
    private long _unresolved;
    private readonly Dictionary<string, long> _values = new(StringComparer.Ordinal);
    private readonly Examples _rows = new();
    // References read before their key set was complete (a table that refers to itself): resolved at the end.
    private readonly Dictionary<string, (long Rows, string? FirstRow)> _pending = new(StringComparer.Ordinal);

    private string Subject => $"{_check.FromTable.Name}.{_check.FromColumn}";

    public override void Plan(ScanPlan plan)
    {
        _keys = plan.Keys(_check.TargetTable, _check.TargetColumns);
        _target = plan.Table(_check.TargetTable);
        _scan = plan.Table(_check.FromTable);
        _scan.Consumers.Add(new Resolver(this));
    }

    private void Unresolved(string value, long rows, string? row)
    {
        _unresolved += rows;
        _rows.Add(row);
        if (_values.ContainsKey(value) || _values.Count < DistinctCap)
        {
            _values[value] = _values.GetValueOrDefault(value) + rows;
        }
    }

    private sealed class Resolver(ReferenceRunner runner) : ChunkConsumer
    {
        public override IEnumerable<string> Columns => [runner._check.FromColumn, .. runner._check.Where.Keys];

        public override IEnumerable<KeySet> Needs => [runner._keys];

        // The filters' values as UTF-8, as the rows hold them.
        private readonly Dictionary<string, byte[][]> _where = runner._check.Where.ToDictionary(
            pair => pair.Key, pair => pair.Value.Select(System.Text.Encoding.UTF8.GetBytes).ToArray(), StringComparer.Ordinal);

        private sealed record Resolution(long Checked, List<int> Flagged);

        /// <summary>Resolves a row group's references on a read-ahead thread, once the target key set is complete.</summary>
        public override async ValueTask<object?> PrepareAsync(Chunk chunk, CancellationToken cancellationToken) =>
            runner._keys.Complete ? await ResolveAsync(chunk, cancellationToken) : null;

        // The rows that need a second look (unresolved, or waiting for their own table's key set) are few in a good
        // package: find them in a tight loop, and read row ids in order only if there is an example to give.
        private async ValueTask<Resolution?> ResolveAsync(Chunk chunk, CancellationToken cancellationToken)
        {
            if (await chunk.TextAsync(runner._check.FromColumn, cancellationToken) is not { } values)
            {
                return null;
            }
            var filters = new List<(TextValues? Values, byte[][] Allowed)>();
            foreach (var (column, allowed) in _where)
            {
                filters.Add((await chunk.TextAsync(column, cancellationToken), allowed));
            }
            var flagged = new List<int>();
            return new Resolution(Resolve(values, filters, runner._keys, flagged), flagged);
        }

        public override async ValueTask ConsumeAsync(Chunk chunk, CancellationToken cancellationToken)
        {
            var resolution = chunk.PreparedFor(this) as Resolution ?? await ResolveAsync(chunk, cancellationToken);
            if (resolution is null || await chunk.TextAsync(runner._check.FromColumn, cancellationToken) is not { } values)
            {
                return;
            }
            runner._checked += resolution.Checked;
            var flagged = resolution.Flagged;
            if (flagged.Count == 0)
            {
                return;
            }
            var ids = runner._keys.Complete && runner._rows.Full ? null : await chunk.IdsAsync(cancellationToken);
            foreach (var row in flagged)
            {
                if (!runner._keys.Complete)
                {
                    var value = values.GetString(row)!;
                    var pending = runner._pending.GetValueOrDefault(value);
                    runner._pending[value] = (pending.Rows + 1, pending.FirstRow ?? ids?.GetString(row));
                }
                else
                {
                    runner.Unresolved(values.GetString(row)!, 1, ids?.GetString(row));
                }
            }
        }

        /// <summary>Counts the references checked and lists the rows that do not resolve (all of them while the keys are incomplete).</summary>
        // Called once a row group, too rarely for tiered compilation to optimise its loop early: compile it optimised at once.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static long Resolve(TextValues values, List<(TextValues? Values, byte[][] Allowed)> filters, KeySet keys, List<int> flagged)
        {
            long checkedRows = 0;
            var complete = keys.Complete;
            for (var row = 0; row < values.RowCount; row++)
            {
                if (values.IsNull(row) || (filters.Count > 0 && !Matches(filters, row)))
                {
                    continue;
                }
                checkedRows++;
                if (!complete || !keys.Contains(values[row]))
                {
                    flagged.Add(row);
                }
            }
            return checkedRows;
        }

        private static bool Matches(List<(TextValues? Values, byte[][] Allowed)> filters, int row)
        {
            foreach (var (values, allowed) in filters)
            {
                if (values is null || values.IsNull(row) || !Contains(allowed, values[row]))
                {
                    return false;
                }
            }
            return true;
        }

        private static bool Contains(byte[][] allowed, ReadOnlySpan<byte> value)
        {
            foreach (var candidate in allowed)
            {
                if (value.SequenceEqual(candidate))
                {
                    return true;
                }
            }
            return false;
        }
    }

    private string Filter => _check.Where.Count == 0 ? "" :
        " where " + string.Join(" and ", _check.Where.Select(pair => $"{pair.Key} is {string.Join(" or ", pair.Value)}"));

    public override Task<CheckResult> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        if (!_scan.Present)
        {
            return Task.FromResult(MissingTable(_check, _scan));
        }
        foreach (var (value, pending) in _pending)
        {
            if (!_keys.Contains(value))
            {
                Unresolved(value, pending.Rows, pending.FirstRow);
            }
        }
        _pending.Clear();
        var targets = _keys.Describe();
        var figures = new Dictionary<string, object?>
        {
            ["references"] = _checked, ["unresolved"] = _unresolved, ["targetTablePresent"] = _target.Present, ["targetKeys"] = _keys.Count,
            ["unresolvedValues"] = _values.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal).ToDictionary(pair => pair.Key, pair => pair.Value),
        };
        var details = _values.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => $"'{pair.Key}': {Count(pair.Value, "row")}.").ToList();
        if (_unresolved > 0)
        {
            details.Add($"Rows, e.g.: {Quoted(_rows.Items, _unresolved)}.");
        }
        var reference = _checked == 1 ? "reference" : "references";
        if (_unresolved == 0)
        {
            return Task.FromResult(Result(_check, Subject, Outcome.Met,
                _checked == 1 ? $"the 1 reference of {Subject}{Filter} resolves to {targets}." : $"all {Number(_checked)} {reference} of {Subject}{Filter} resolve to {targets}.",
                figures, details));
        }
        var missingTarget = _target.Present ? "" : $" (the package has no {_check.TargetTable.Name} table)";
        var examples = _values.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => pair.Key).Take(3).ToList();
        return Task.FromResult(Result(_check, Subject, Outcome.NotMet,
            $"{Number(_unresolved)} of {Number(_checked)} {reference} of {Subject}{Filter} {(_unresolved == 1 ? "does" : "do")} not resolve to {targets}{missingTarget}: {Quoted(examples, _values.Count)}.",
            figures, details));
    }
}

internal sealed class ArtefactsRunner(ArtefactsCheck check) : CheckRunner
{
    private readonly ArtefactsCheck _check = check;
    private TableScan _scan = null!;
    private ScanPlan _plan = null!;
    private long _rows;
    private long _notRetrieved;
    private long _missing;
    private readonly Examples _notRetrievedRows = new();
    private readonly Examples _missingFiles = new();

    public override void Plan(ScanPlan plan)
    {
        _plan = plan;
        plan.NeedsFileIndex = true;
        _scan = plan.Table(_check.Table);
        _scan.Consumers.Add(new Finder(this));
    }

    private sealed class Finder(ArtefactsRunner runner) : ChunkConsumer
    {
        public override IEnumerable<string> Columns => ["artefact_path"];

        public override async ValueTask ConsumeAsync(Chunk chunk, CancellationToken cancellationToken)
        {
            var paths = await chunk.TextAsync("artefact_path", cancellationToken);
            var files = runner._plan.Files!;
            TextValues? ids = null;
            for (var row = 0; row < chunk.RowCount; row++)
            {
                runner._rows++;
                if (paths is null || paths.IsNull(row))
                {
                    runner._notRetrieved++;
                    if (!runner._notRetrievedRows.Full)
                    {
                        ids ??= await chunk.IdsAsync(cancellationToken);
                        runner._notRetrievedRows.Add(ids?.GetString(row));
                    }
                }
                else if (!files.Contains(paths[row]))
                {
                    runner._missing++;
                    if (!runner._missingFiles.Full)
                    {
                        ids ??= await chunk.IdsAsync(cancellationToken);
                        runner._missingFiles.Add($"{paths.GetString(row)} (row {ids?.GetString(row)})");
                    }
                }
            }
        }
    }

    public override Task<CheckResult> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var table = _check.Table.Name;
        if (!_scan.Present)
        {
            return Task.FromResult(MissingTable(_check, _scan));
        }
        var noun = Noun(_check.Table);
        var figures = new Dictionary<string, object?> { ["rows"] = _rows, ["notRetrieved"] = _notRetrieved, ["missingFiles"] = _missing };
        var details = new List<string>();
        if (_notRetrieved > 0)
        {
            details.Add($"No artefact (not retrieved from the source): rows {Quoted(_notRetrievedRows.Items, _notRetrieved)}.");
        }
        details.AddRange(_missingFiles.Items.Select(file => $"Not in the package: {file}."));
        if (_notRetrieved == 0 && _missing == 0)
        {
            return Task.FromResult(Result(_check, table, Outcome.Met,
                _rows == 1 ? $"the 1 {noun} names an artefact file that is in the package." : $"all {Count(_rows, noun)} name an artefact file that is in the package.",
                figures, details));
        }
        var parts = new List<string>();
        if (_notRetrieved > 0)
        {
            parts.Add($"{Count(_notRetrieved, noun)} {(_notRetrieved == 1 ? "has" : "have")} no artefact (the file was not retrieved), e.g. {Quoted(_notRetrievedRows.Items.Take(3).ToList(), _notRetrieved)}");
        }
        if (_missing > 0)
        {
            parts.Add($"{Count(_missing, "artefact file")} named by {table} {(_missing == 1 ? "is" : "are")} not in the package, e.g. {_missingFiles.Items[0]}");
        }
        return Task.FromResult(Result(_check, table, Outcome.NotMet, $"of {Count(_rows, noun)}, " + string.Join("; ", parts) + ".", figures, details));
    }
}

internal sealed class LocalesRunner(LocalesCheck check) : CheckRunner
{
    private readonly LocalesCheck _check = check;
    private TableScan _scan = null!;
    // One bit per required locale for each article: about 60 bytes an article.
    private readonly Dictionary<string, ulong> _articles = new(StringComparer.Ordinal);

    public override void Plan(ScanPlan plan)
    {
        _scan = plan.Table(_check.Table);
        _scan.Consumers.Add(new Finder(this));
    }

    private sealed class Finder(LocalesRunner runner) : ChunkConsumer
    {
        public override IEnumerable<string> Columns => ["article_id", "locale"];

        public override async ValueTask ConsumeAsync(Chunk chunk, CancellationToken cancellationToken)
        {
            var articles = await chunk.TextAsync("article_id", cancellationToken);
            var locales = await chunk.TextAsync("locale", cancellationToken);
            if (articles is null)
            {
                return;
            }
            var required = runner._check.Locales;
            for (var row = 0; row < chunk.RowCount; row++)
            {
                if (articles.GetString(row) is not { } article)
                {
                    continue;
                }
                var bit = locales?.GetString(row) is { } locale ? IndexOf(required, locale) : -1;
                runner._articles[article] = runner._articles.GetValueOrDefault(article) | (bit < 0 ? 0UL : 1UL << bit);
            }
        }

        private static int IndexOf(IReadOnlyList<string> locales, string locale)
        {
            for (var i = 0; i < locales.Count; i++)
            {
                if (string.Equals(locales[i], locale, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }
            return -1;
        }
    }

    public override Task<CheckResult> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var table = _check.Table.Name;
        if (!_scan.Present)
        {
            return Task.FromResult(MissingTable(_check, _scan));
        }
        var perLocale = _check.Locales.Select((locale, bit) =>
        {
            var lacking = _articles.Where(pair => (pair.Value & (1UL << bit)) == 0).Select(pair => pair.Key).Order(StringComparer.Ordinal).ToList();
            return (Locale: locale, Present: _articles.Count - lacking.Count, Lacking: lacking);
        }).ToList();
        var figures = new Dictionary<string, object?>
        {
            ["articles"] = _articles.Count, ["everyArticle"] = _check.EveryArticle,
            ["locales"] = perLocale.ToDictionary(locale => locale.Locale, locale => (object)new { articles = locale.Present, lacking = locale.Lacking.Count }),
        };
        var details = perLocale.Select(locale => locale.Lacking.Count == 0
            ? $"{locale.Locale}: all {Count(_articles.Count, "article")}."
            : $"{locale.Locale}: {Number(locale.Present)} of {Count(_articles.Count, "article")}; lacking e.g. {Quoted(locale.Lacking.Take(5).ToList(), locale.Lacking.Count)}.").ToList();
        var failed = _check.EveryArticle
            ? perLocale.Where(locale => locale.Lacking.Count > 0 || _articles.Count == 0).ToList()
            : perLocale.Where(locale => locale.Present == 0).ToList();
        if (failed.Count == 0)
        {
            var scope = _check.EveryArticle ? $"{EveryOne(_articles.Count, "article")} is" : "articles are";
            return Task.FromResult(Result(_check, table, Outcome.Met,
                $"{scope} present in {List(_check.Locales)}.", figures, details));
        }
        var summary = _check.EveryArticle
            ? string.Join("; ", failed.Select(locale =>
                $"{Number(locale.Lacking.Count)} of {Count(_articles.Count, "article")} lack {locale.Locale} (e.g. {Quoted(locale.Lacking.Take(3).ToList(), locale.Lacking.Count)})"))
            : $"no article in {List(failed.Select(locale => locale.Locale))}";
        return Task.FromResult(Result(_check, table, Outcome.NotMet, summary + ".", figures, details));
    }
}

internal sealed class OriginalsRunner(OriginalsCheck check) : CheckRunner
{
    private readonly OriginalsCheck _check = check;
    private TableScan? _flows;
    private ScanPlan _plan = null!;
    private long _flowRows;
    private readonly Examples _unlinked = new();
    private long _unlinkedCount;
    private readonly Examples _missing = new();
    private long _missingCount;

    public override void Plan(ScanPlan plan)
    {
        _plan = plan;
        if (_check.Family == DataFamily.Routing)
        {
            plan.NeedsFileIndex = true;
            _flows = plan.Table(NeutralSchema.Flows);
            _flows.Consumers.Add(new Finder(this));
        }
    }

    private sealed class Finder(OriginalsRunner runner) : ChunkConsumer
    {
        public override IEnumerable<string> Columns => ["original_path"];

        public override async ValueTask ConsumeAsync(Chunk chunk, CancellationToken cancellationToken)
        {
            var paths = await chunk.TextAsync("original_path", cancellationToken);
            TextValues? ids = null;
            for (var row = 0; row < chunk.RowCount; row++)
            {
                runner._flowRows++;
                if (paths is null || paths.IsNull(row))
                {
                    runner._unlinkedCount++;
                    if (!runner._unlinked.Full)
                    {
                        ids ??= await chunk.IdsAsync(cancellationToken);
                        runner._unlinked.Add(ids?.GetString(row));
                    }
                }
                else if (!runner._plan.Files!.Contains(paths[row]))
                {
                    runner._missingCount++;
                    if (!runner._missing.Full)
                    {
                        ids ??= await chunk.IdsAsync(cancellationToken);
                        runner._missing.Add($"{paths.GetString(row)} (flow {ids?.GetString(row)})");
                    }
                }
            }
        }
    }

    public override async Task<CheckResult> EvaluateAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var family = _check.Family.ToString().ToLowerInvariant();
        var figures = new Dictionary<string, object?>();
        var details = new List<string>();
        var problems = new List<string>();
        var good = new List<string>();
        if (_flows is not null)
        {
            if (!_flows.Present)
            {
                problems.Add("the package has no flows table");
            }
            else
            {
                figures["flows"] = _flowRows;
                figures["flowsWithoutOriginal"] = _unlinkedCount;
                figures["originalsMissing"] = _missingCount;
                if (_unlinkedCount > 0)
                {
                    problems.Add($"{Number(_unlinkedCount)} of {Count(_flowRows, "flow")} link no original definition (e.g. {Quoted(_unlinked.Items.Take(3).ToList(), _unlinkedCount)})");
                    details.Add($"Flows without original_path: {Quoted(_unlinked.Items, _unlinkedCount)}.");
                }
                if (_missingCount > 0)
                {
                    problems.Add($"{Count(_missingCount, "original")} named by flows {(_missingCount == 1 ? "is" : "are")} not in the package, e.g. {_missing.Items[0]}");
                    details.AddRange(_missing.Items.Select(item => $"Not in the package: {item}."));
                }
                if (_unlinkedCount == 0 && _missingCount == 0)
                {
                    good.Add($"{EveryOne(_flowRows, "flow")} links its original definition in the package");
                }
            }
        }
        var matches = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var pattern in _check.Patterns)
        {
            var regex = Glob.ToRegex(pattern);
            long count = 0;
            await foreach (var file in context.Package.Store.ListAsync(Glob.Prefix(pattern), cancellationToken))
            {
                if (regex.IsMatch(file.Path))
                {
                    count++;
                }
            }
            matches[pattern] = count;
            details.Add($"{pattern}: {Count(count, "file")}.");
        }
        figures["patterns"] = matches;
        var unmatched = matches.Where(pair => pair.Value == 0).Select(pair => pair.Key).ToList();
        if (unmatched.Count > 0)
        {
            problems.Add($"no original matches {List(unmatched)}");
        }
        else if (matches.Count > 0)
        {
            good.Add($"{Count(matches.Count, "pattern")} matched {Count(matches.Values.Sum(), "original file")}");
        }
        return problems.Count == 0
            ? Result(_check, family, Outcome.Met, $"{family} originals: " + string.Join("; ", good) + ".", figures, details)
            : Result(_check, family, Outcome.NotMet, $"{family} originals: " + string.Join("; ", problems) + ".", figures, details);
    }
}
