using System.Globalization;
using ExitKit.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ExitKit.Validation.Schedules;

/// <summary>Reads an exit schedule from YAML (format: docs/exit-schedule.md, JSON Schema: manifests/exit-schedule.schema.json).</summary>
/// <remarks>
/// Every mistake — YAML syntax, an unknown key, check or table, a malformed date — is an <see cref="ExitKitException"/>
/// of kind <see cref="FailureKind.UnusableInput"/> whose message starts with <c>file:line:column</c>.
/// </remarks>
public static class ScheduleLoader
{
    /// <summary>The schedule format version this loader reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The check kinds a schedule may name.</summary>
    public static IReadOnlyList<string> CheckKinds { get; } =
    [
        "coverage", "reconciliation", "required", "nullRate", "allowedValues", "references", "artefacts", "locales",
        "originals", "format", "sealedBy", "clock", "present", "attestation",
    ];

    /// <summary>Reads a schedule file.</summary>
    public static async Task<ExitSchedule> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw ExitKitException.FileNotFound(path, "The exit schedule");
        }
        var text = await File.ReadAllTextAsync(path, cancellationToken);
        return Parse(text, path);
    }

    /// <summary>Reads a schedule from YAML text; <paramref name="fileName"/> names it in messages.</summary>
    public static ExitSchedule Parse(string yaml, string fileName)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException exception)
        {
            throw ExitKitException.Malformed(fileName, $"this is not valid YAML: {Inner(exception).Message}",
                exception.Start.Line, exception.Start.Column, exception);
        }
        catch (InvalidOperationException exception)
        {
            // YamlDotNet's scanner fails this way on some unterminated flow collections; name where scanning stopped.
            var (line, column) = LastToken(yaml);
            throw ExitKitException.Malformed(fileName, "this is not valid YAML: a bracket, brace or quote is not closed", line, column, exception);
        }
        if (stream.Documents.Count != 1)
        {
            throw ExitKitException.Malformed(fileName, "the file must hold exactly one YAML document, the exit schedule");
        }
        return new Reader(fileName).Schedule(stream.Documents[0].RootNode);
    }

    private static (long Line, long Column) LastToken(string yaml)
    {
        var scanner = new Scanner(new StringReader(yaml));
        var last = Mark.Empty;
        try
        {
            while (scanner.MoveNext())
            {
                last = scanner.Current!.Start;
            }
        }
        catch (Exception exception) when (exception is InvalidOperationException or YamlException)
        {
            // Scanning stops where the text stops making sense.
        }
        return (last.Line, last.Column);
    }

    private static Exception Inner(YamlException exception) =>
        exception.InnerException is YamlException inner ? Inner(inner) : exception;

    private sealed class Reader(string file)
    {
        private readonly HashSet<string> _dateNames = new(StringComparer.Ordinal) { "exit", "delivery" };
        private readonly List<(DateExpression Expression, YamlNode Node)> _namedDates = [];

        private ExitKitException Fail(YamlNode node, string reason) =>
            ExitKitException.Malformed(file, reason, node.Start.Line, node.Start.Column);

        public ExitSchedule Schedule(YamlNode root)
        {
            var fields = Fields(root, "the schedule", "schedule", "contract", "exitDate", "deliveryDeadline", "calendar", "dates", "obligations");
            var version = Scalar(Required(fields, root, "schedule"), "schedule");
            if (version != FormatVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw Fail(fields["schedule"], $"schedule format version '{version}' is not known; this ExitKit reads version {FormatVersion}");
            }
            var contract = Contract(Required(fields, root, "contract"));
            var exitDate = IsoDate(Required(fields, root, "exitDate"), "exitDate");
            var calendar = fields.TryGetValue("calendar", out var calendarNode) ? Calendar(calendarNode) : WorkingCalendar.Default;
            var dates = new Dictionary<string, DateOnly?>(StringComparer.Ordinal);
            if (fields.TryGetValue("dates", out var datesNode))
            {
                foreach (var (key, value) in Pairs(datesNode, "dates"))
                {
                    var name = Scalar(key, "a date name");
                    if (name is "exit" or "delivery" || !char.IsAsciiLetter(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                    {
                        throw Fail(key, $"'{name}' cannot name a date: use letters, digits and _, not 'exit' or 'delivery'");
                    }
                    dates[name] = IsNull(value) ? null : IsoDate(value, $"dates.{name}");
                    _dateNames.Add(name);
                }
            }
            var deadlineNode = Required(fields, root, "deliveryDeadline");
            var deadlineExpression = Date(deadlineNode, "deliveryDeadline");
            var partial = new ExitSchedule
            {
                SourceFile = file, Contract = contract, ExitDate = exitDate, DeliveryDeadline = exitDate, Calendar = calendar,
                Dates = dates, Obligations = [],
            };
            if (deadlineExpression.AnchorName == "delivery")
            {
                throw Fail(deadlineNode, "deliveryDeadline cannot be defined by itself");
            }
            var deadline = partial.Evaluate(deadlineExpression)
                ?? throw Fail(deadlineNode, $"deliveryDeadline '{deadlineExpression}' refers to a date that is not known yet");
            var obligations = new List<Obligation>();
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var node in Items(Required(fields, root, "obligations"), "obligations"))
            {
                var obligation = Obligation(node);
                if (!ids.Add(obligation.Id))
                {
                    throw Fail(node, $"obligation '{obligation.Id}' is listed twice");
                }
                obligations.Add(obligation);
            }
            if (obligations.Count == 0)
            {
                throw Fail(fields["obligations"], "the schedule lists no obligations");
            }
            foreach (var (expression, node) in _namedDates)
            {
                if (expression.AnchorName is { } name && !_dateNames.Contains(name))
                {
                    throw Fail(node, $"'{name}' is not a date of this schedule: use exit, delivery or a key of dates: ({string.Join(", ", dates.Keys)})");
                }
            }
            return partial with { DeliveryDeadline = deadline, Obligations = obligations };
        }

        private ContractInfo Contract(YamlNode node)
        {
            var fields = Fields(node, "contract", "id", "title", "parties");
            var parties = new List<Party>();
            if (fields.TryGetValue("parties", out var partiesNode))
            {
                foreach (var partyNode in Items(partiesNode, "contract.parties"))
                {
                    var party = Fields(partyNode, "a party", "role", "name");
                    parties.Add(new Party(Scalar(Required(party, partyNode, "role"), "role"), Scalar(Required(party, partyNode, "name"), "name")));
                }
            }
            return new ContractInfo(Scalar(Required(fields, node, "id"), "contract.id"), Scalar(Required(fields, node, "title"), "contract.title"), parties);
        }

        private WorkingCalendar Calendar(YamlNode node)
        {
            var fields = Fields(node, "calendar", "name", "timeZone", "weekend", "holidays");
            var zone = TimeZoneInfo.Utc;
            if (fields.TryGetValue("timeZone", out var zoneNode))
            {
                var id = Scalar(zoneNode, "calendar.timeZone");
                if (!TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found))
                {
                    throw Fail(zoneNode, $"'{id}' is not a time zone known to this machine; use an IANA name such as Europe/London");
                }
                zone = found;
            }
            IReadOnlyList<DayOfWeek> weekend = [DayOfWeek.Saturday, DayOfWeek.Sunday];
            if (fields.TryGetValue("weekend", out var weekendNode))
            {
                weekend = Items(weekendNode, "calendar.weekend").Select(day =>
                    Enum.TryParse<DayOfWeek>(Scalar(day, "a weekend day"), ignoreCase: true, out var parsed) && char.IsAsciiLetter(Scalar(day, "")[0])
                        ? parsed
                        : throw Fail(day, $"'{Scalar(day, "")}' is not a day of the week")).ToList();
            }
            var holidays = fields.TryGetValue("holidays", out var holidaysNode)
                ? Items(holidaysNode, "calendar.holidays").Select(day => IsoDate(day, "a holiday")).ToList()
                : [];
            var name = fields.TryGetValue("name", out var nameNode) ? Scalar(nameNode, "calendar.name") : "calendar";
            return new WorkingCalendar(name, zone, weekend, holidays);
        }

        private Obligation Obligation(YamlNode node)
        {
            var fields = Fields(node, "an obligation", "id", "title", "tables", "checks");
            var id = Scalar(Required(fields, node, "id"), "obligation id");
            var title = Scalar(Required(fields, node, "title"), "obligation title");
            var tables = fields.TryGetValue("tables", out var tablesNode) ? Items(tablesNode, "tables").Select(Table).ToList() : [];
            var checks = new List<CheckSpec>();
            foreach (var checkNode in Items(Required(fields, node, "checks"), $"checks of {id}"))
            {
                checks.AddRange(Check(checkNode, id, tables));
            }
            if (checks.Count == 0)
            {
                throw Fail(fields["checks"], $"obligation '{id}' has no checks");
            }
            return new Obligation(id, title, tables, checks);
        }

        private List<CheckSpec> Check(YamlNode node, string obligation, IReadOnlyList<TableSchema> tables)
        {
            if (node is not YamlMappingNode map || map.Children.Count != 1)
            {
                throw Fail(node, $"a check of '{obligation}' is a mapping with one key, the check's kind ({string.Join(", ", CheckKinds)})");
            }
            var (keyNode, body) = map.Children.Single();
            var kind = Scalar(keyNode, "check kind");
            var position = new SourcePosition(keyNode.Start.Line, keyNode.Start.Column);
            IEnumerable<CheckSpec> checks = kind switch
            {
                "coverage" => Coverage(body, obligation, tables),
                "reconciliation" => Reconciliation(body, obligation, tables),
                "required" => Required(body, obligation, tables),
                "nullRate" => NullRate(body, obligation, tables),
                "allowedValues" => AllowedValues(body, obligation, tables),
                "references" => [References(body)],
                "artefacts" => PerTable(body, obligation, tables, "artefacts", [], (table, _) =>
                    table.HasColumn("artefact_path") ? new ArtefactsCheck(table) : throw Fail(body, $"table {table.Name} has no artefact_path column")),
                "locales" => [Locales(body)],
                "originals" => [Originals(body)],
                "format" => PerTable(body, obligation, tables, "format", ["format"], (table, fields) =>
                    table.HasColumn("format") && table.HasColumn("artefact_path")
                        ? new FormatCheck(table, Scalar(Required(fields, body, "format"), "format").ToLowerInvariant())
                        : throw Fail(body, $"table {table.Name} has no format and artefact_path columns")),
                "sealedBy" => [new SealedByCheck(Date(body is YamlMappingNode ? Required(Fields(body, "sealedBy", "deadline"), body, "deadline") : body, "sealedBy"))],
                "clock" => [Clock(body)],
                "present" => [Present(body, obligation, tables)],
                "attestation" => [Attestation(body)],
                _ => throw Fail(keyNode, $"'{kind}' is not a check; the checks are: {string.Join(", ", CheckKinds)}"),
            };
            return checks.Select(check => check with { Position = position }).ToList();
        }

        private List<CheckSpec> PerTable(YamlNode body, string obligation, IReadOnlyList<TableSchema> tables, string kind,
            string[] allowed, Func<TableSchema, Dictionary<string, YamlNode>, CheckSpec> create)
        {
            var fields = IsNull(body) ? [] : Fields(body, kind, ["table", .. allowed]);
            IReadOnlyList<TableSchema> targets = fields.TryGetValue("table", out var tableNode) ? [Table(tableNode)] : tables;
            if (targets.Count == 0)
            {
                throw Fail(body, $"the {kind} check of '{obligation}' names no table: add table: or list the obligation's tables:");
            }
            return targets.Select(table => create(table, fields)).ToList();
        }

        private List<CheckSpec> Coverage(YamlNode body, string obligation, IReadOnlyList<TableSchema> tables) =>
            PerTable(body, obligation, tables, "coverage", ["from", "to", "maxGap"], (table, fields) =>
            {
                if (table.TimeColumn is null)
                {
                    throw Fail(body, $"table {table.Name} has no time column, so its coverage cannot be checked");
                }
                var maxGap = 0;
                if (fields.TryGetValue("maxGap", out var gapNode))
                {
                    var period = Period.TryParse(Scalar(gapNode, "maxGap"));
                    maxGap = period is { Unit: PeriodUnit.Days } ? period.Amount
                        : period is { Unit: PeriodUnit.Weeks } ? period.Amount * 7
                        : throw Fail(gapNode, $"maxGap '{Scalar(gapNode, "")}' must be a number of days, e.g. '0 days' or '2 days'");
                }
                return new CoverageCheck(table, Date(Required(fields, body, "from"), "from"), Date(Required(fields, body, "to"), "to"), maxGap);
            });

        private List<CheckSpec> Reconciliation(YamlNode body, string obligation, IReadOnlyList<TableSchema> tables) =>
            PerTable(body, obligation, tables, "reconciliation", ["tolerance", "perDay"], (table, fields) =>
            {
                var tolerance = Tolerance.None;
                if (fields.TryGetValue("tolerance", out var toleranceNode))
                {
                    var text = Scalar(toleranceNode, "tolerance").Trim();
                    var percent = text.EndsWith('%');
                    if (!double.TryParse(percent ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
                    {
                        throw Fail(toleranceNode, $"tolerance '{text}' must be a number of rows (5) or a percentage (0.5%)");
                    }
                    tolerance = new Tolerance(value, percent);
                }
                var perDay = !fields.TryGetValue("perDay", out var perDayNode) || Boolean(perDayNode, "perDay");
                if (perDay && table.TimeColumn is null && fields.ContainsKey("perDay"))
                {
                    throw Fail(perDayNode!, $"table {table.Name} has no time column, so it cannot be reconciled per day");
                }
                return new ReconciliationCheck(table, tolerance, perDay && table.TimeColumn is not null);
            });

        private List<CheckSpec> Required(YamlNode body, string obligation, IReadOnlyList<TableSchema> tables) =>
            PerTable(body, obligation, tables, "required", ["columns"], (table, fields) =>
                new RequiredColumnsCheck(table, Items(Required(fields, body, "columns"), "columns").Select(column => Column(table, column)).ToList()));

        private List<CheckSpec> NullRate(YamlNode body, string obligation, IReadOnlyList<TableSchema> tables) =>
            PerTable(body, obligation, tables, "nullRate", ["max"], (table, fields) =>
                new NullRateCheck(table, Pairs(Required(fields, body, "max"), "max").ToDictionary(
                    pair => Column(table, pair.Key),
                    pair => Rate(pair.Value), StringComparer.Ordinal)));

        private double Rate(YamlNode node)
        {
            var text = Scalar(node, "a null rate").Trim();
            var percent = text.EndsWith('%');
            return double.TryParse(percent ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                && value >= 0 && (percent ? value <= 100 : value <= 1)
                ? (percent ? value / 100 : value)
                : throw Fail(node, $"'{text}' is not a rate: write 0.05 or 5%");
        }

        private List<CheckSpec> AllowedValues(YamlNode body, string obligation, IReadOnlyList<TableSchema> tables) =>
            PerTable(body, obligation, tables, "allowedValues", ["values"], (table, fields) =>
                new AllowedValuesCheck(table, Pairs(Required(fields, body, "values"), "values").ToDictionary(
                    pair =>
                    {
                        var column = Column(table, pair.Key);
                        return table.Column(column).Type == ColumnType.Text ? column
                            : throw Fail(pair.Key, $"column {table.Name}.{column} is not text; allowed values apply to text columns");
                    },
                    pair => (IReadOnlyList<string>)Items(pair.Value, "allowed values").Select(value => Scalar(value, "a value")).ToList(),
                    StringComparer.Ordinal)));

        private ReferenceCheck References(YamlNode body)
        {
            var fields = Fields(body, "references", "from", "to", "where");
            var fromNode = Required(fields, body, "from");
            var (fromTable, fromColumn) = TextColumn(fromNode);
            List<(TableSchema Table, string Column, YamlNode Node)> targets;
            if (fields.TryGetValue("to", out var toNode))
            {
                var toNodes = toNode is YamlSequenceNode ? Items(toNode, "to") : [toNode];
                targets = toNodes.Select(node => { var (table, column) = TextColumn(node); return (table, column, node); }).ToList();
            }
            else
            {
                var key = fromTable.ForeignKeys.FirstOrDefault(fk => fk.Column == fromColumn)
                    ?? throw Fail(fromNode, $"{fromTable.Name}.{fromColumn} is not a reference of the neutral format; say what it refers to with to:");
                targets = [(NeutralSchema.Get(key.ReferencedTable), "source_id", fromNode)];
            }
            if (targets.Count == 0 || targets.Any(target => target.Table != targets[0].Table))
            {
                throw Fail(toNode ?? body, "the columns a reference resolves to (to:) must all be of one table");
            }
            var where = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            if (fields.TryGetValue("where", out var whereNode))
            {
                foreach (var (key, value) in Pairs(whereNode, "where"))
                {
                    var column = Column(fromTable, key);
                    if (fromTable.Column(column).Type != ColumnType.Text)
                    {
                        throw Fail(key, $"{fromTable.Name}.{column} is not a text column; where: compares text values");
                    }
                    where[column] = value is YamlSequenceNode
                        ? Items(value, "where values").Select(item => Scalar(item, "a value")).ToList()
                        : [Scalar(value, "a value")];
                }
            }
            return new ReferenceCheck(fromTable, fromColumn, targets[0].Table, targets.Select(target => target.Column).ToList(), where);
        }

        private LocalesCheck Locales(YamlNode body)
        {
            var fields = Fields(body, "locales", "table", "required", "everyArticle");
            var table = fields.TryGetValue("table", out var tableNode) ? Table(tableNode) : NeutralSchema.KbArticles;
            if (!table.HasColumn("locale") || !table.HasColumn("article_id"))
            {
                throw Fail(tableNode ?? body, $"table {table.Name} has no article_id and locale columns");
            }
            var locales = Items(Required(fields, body, "required"), "required locales").Select(node => Scalar(node, "a locale").ToLowerInvariant()).Distinct().ToList();
            if (locales.Count is 0 or > 64)
            {
                throw Fail(fields["required"], "list between 1 and 64 locales");
            }
            var every = !fields.TryGetValue("everyArticle", out var everyNode) || Boolean(everyNode, "everyArticle");
            return new LocalesCheck(table, locales, every);
        }

        private OriginalsCheck Originals(YamlNode body)
        {
            var fields = Fields(body, "originals", "family", "patterns");
            var familyNode = Required(fields, body, "family");
            var familyText = Scalar(familyNode, "family");
            if (!Enum.TryParse<DataFamily>(familyText, ignoreCase: true, out var family) || !char.IsAsciiLetter(familyText[0]))
            {
                throw Fail(familyNode, $"'{familyText}' is not a data family: interactions, knowledge, routing or models");
            }
            var patterns = fields.TryGetValue("patterns", out var patternsNode)
                ? Items(patternsNode, "patterns").Select(node => Scalar(node, "a pattern")).ToList()
                : [];
            if (family != DataFamily.Routing && patterns.Count == 0)
            {
                throw Fail(body, $"the package links originals to rows only for routing (flows.original_path); for {familyText} list the originals expected as patterns:, e.g. data/originals/*/help_center/**");
            }
            return new OriginalsCheck(family, patterns);
        }

        private ClockCheck Clock(YamlNode body)
        {
            var fields = Fields(body, "clock", "name", "from", "to", "atMost", "atLeast");
            Period? Limit(string key)
            {
                if (!fields.TryGetValue(key, out var node))
                {
                    return null;
                }
                return Period.TryParse(Scalar(node, key)) ?? throw Fail(node, $"{key} '{Scalar(node, key)}' is not a period: write e.g. '30 days', '2 months', '14 working days'");
            }
            var atMost = Limit("atMost");
            var atLeast = Limit("atLeast");
            if (atMost is null && atLeast is null)
            {
                throw Fail(body, "a clock needs atMost:, atLeast: or both");
            }
            return new ClockCheck(Scalar(Required(fields, body, "name"), "name"), Date(Required(fields, body, "from"), "from"),
                Date(Required(fields, body, "to"), "to"), atMost, atLeast);
        }

        private PresentCheck Present(YamlNode body, string obligation, IReadOnlyList<TableSchema> tables)
        {
            var fields = IsNull(body) ? [] : Fields(body, "present", "tables", "minRows");
            IReadOnlyList<TableSchema> targets = fields.TryGetValue("tables", out var tablesNode) ? Items(tablesNode, "tables").Select(Table).ToList() : tables;
            if (targets.Count == 0)
            {
                throw Fail(body, $"the present check of '{obligation}' names no tables");
            }
            var minRows = 0L;
            if (fields.TryGetValue("minRows", out var minNode) && !long.TryParse(Scalar(minNode, "minRows"), NumberStyles.None, CultureInfo.InvariantCulture, out minRows))
            {
                throw Fail(minNode, "minRows must be a whole number");
            }
            return new PresentCheck(targets, minRows);
        }

        private AttestationCheck Attestation(YamlNode body)
        {
            var fields = Fields(body, "attestation", "document", "path");
            var document = Scalar(Required(fields, body, "document"), "document");
            var path = fields.TryGetValue("path", out var pathNode)
                ? Scalar(pathNode, "path").TrimStart('/')
                : $"data/originals/attestations/*{Humanizer.InflectorExtensions.Kebaberize(document)}*";
            return new AttestationCheck(document, path);
        }

        private TableSchema Table(YamlNode node)
        {
            var name = Scalar(node, "a table");
            return NeutralSchema.Find(name) ?? throw Fail(node,
                $"there is no neutral table named '{name}'; the tables are: {string.Join(", ", NeutralSchema.Tables.Select(table => table.Name))}");
        }

        private string Column(TableSchema table, YamlNode node)
        {
            var name = Scalar(node, "a column");
            return table.HasColumn(name) ? name : throw Fail(node,
                $"table {table.Name} has no column '{name}'; its columns are: {string.Join(", ", table.Columns.Select(column => column.Name))}");
        }

        private (TableSchema Table, string Column) TextColumn(YamlNode node)
        {
            var (table, column) = TableColumn(node);
            return table.Column(column).Type == ColumnType.Text ? (table, column)
                : throw Fail(node, $"{table.Name}.{column} is not a text column; references are between text columns (ids and names)");
        }

        private (TableSchema Table, string Column) TableColumn(YamlNode node)
        {
            var text = Scalar(node, "a table.column");
            var dot = text.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0)
            {
                throw Fail(node, $"'{text}' must name a table and a column, e.g. messages.interaction_id");
            }
            var table = NeutralSchema.Find(text[..dot]) ?? throw Fail(node,
                $"there is no neutral table named '{text[..dot]}'; the tables are: {string.Join(", ", NeutralSchema.Tables.Select(t => t.Name))}");
            var column = text[(dot + 1)..];
            return table.HasColumn(column) ? (table, column) : throw Fail(node,
                $"table {table.Name} has no column '{column}'; its columns are: {string.Join(", ", table.Columns.Select(c => c.Name))}");
        }

        private DateExpression Date(YamlNode node, string what)
        {
            var expression = DateExpression.TryParse(Scalar(node, what), out var error) ?? throw Fail(node, $"{what}: {error}");
            _namedDates.Add((expression, node));
            return expression;
        }

        private DateOnly IsoDate(YamlNode node, string what)
        {
            var text = Scalar(node, what);
            return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                ? date
                : throw Fail(node, $"{what} '{text}' is not a date: write YYYY-MM-DD, e.g. 2024-06-30");
        }

        private bool Boolean(YamlNode node, string what) => Scalar(node, what) switch
        {
            "true" => true,
            "false" => false,
            var other => throw Fail(node, $"{what} '{other}' must be true or false"),
        };

        private static bool IsNull(YamlNode node) =>
            node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" };

        private string Scalar(YamlNode node, string what) =>
            node is YamlScalarNode { Value: { } value } && !IsNull(node) ? value : throw Fail(node, $"{what} must be a single value");

        private YamlNode Required(Dictionary<string, YamlNode> fields, YamlNode owner, string key) =>
            fields.TryGetValue(key, out var node) ? node : throw Fail(owner, $"'{key}' is missing");

        private IEnumerable<(YamlNode Key, YamlNode Value)> Pairs(YamlNode node, string what) =>
            node is YamlMappingNode map ? map.Children.Select(pair => (pair.Key, pair.Value)) : throw Fail(node, $"{what} must be a mapping (key: value)");

        private List<YamlNode> Items(YamlNode node, string what) =>
            node is YamlSequenceNode sequence ? [.. sequence.Children] : throw Fail(node, $"{what} must be a list");

        private Dictionary<string, YamlNode> Fields(YamlNode node, string what, params string[] allowed)
        {
            if (node is not YamlMappingNode map)
            {
                throw Fail(node, $"{what} must be a mapping with the keys: {string.Join(", ", allowed)}");
            }
            var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (keyNode, value) in map.Children)
            {
                var key = Scalar(keyNode, "a key");
                if (!allowed.Contains(key, StringComparer.Ordinal))
                {
                    throw Fail(keyNode, $"'{key}' is not a key of {what}; the keys are: {string.Join(", ", allowed)}");
                }
                if (!fields.TryAdd(key, value))
                {
                    throw Fail(keyNode, $"'{key}' is given twice");
                }
            }
            return fields;
        }
    }
}
