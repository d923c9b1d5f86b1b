using System.Buffers;
using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using ExitKit.Schema;

namespace ExitKit.Connectors.Sql.Internal;

/// <summary>Everything the source needs, resolved from the config: the connection string is a secret.</summary>
internal sealed record SqlSettings(
    SqlDialect Dialect,
    Secret ConnectionString,
    string ConnectionReference,
    SqlMapping Mapping,
    string SourceSystem,
    int BatchSize,
    int MaxRetries,
    TimeSpan RetryDelay,
    int CommandTimeoutSeconds);

/// <summary>Reads neutral tables from a vendor database through a mapping, a keyset-paged batch at a time.</summary>
internal sealed partial class SqlSource : ISourceConnector
{
    private const string Connector = "sql";
    private readonly SqlSettings _settings;
    private readonly SqlDialect _dialect;
    private readonly string _connectionString;
    private readonly string _target;
    private readonly string[] _secrets;
    private readonly ConcurrentDictionary<string, ReadPlan> _plans = new(StringComparer.Ordinal);
    private int _reconnections;

    public SqlSource(SqlSettings settings)
    {
        _settings = settings;
        _dialect = settings.Dialect;
        var raw = settings.ConnectionString.Reveal();
        try
        {
            _connectionString = _dialect.ReadOnlyConnectionString(raw);
            _target = _dialect.Describe(_connectionString);
            var password = _dialect.PasswordOf(raw);
            _secrets = new[] { raw, _connectionString, password }.Where(s => s is { Length: >= 3 }).Select(s => s!).Distinct(StringComparer.Ordinal).ToArray();
        }
        catch (Exception error) when (error is ArgumentException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            // The parser's message names the keyword, never the values; still, say only where the string came from.
            throw ExitKitException.SourceFailed(Connector,
                $"the {_dialect.DisplayName} connection string in '{settings.ConnectionReference}' cannot be parsed. Check its keywords (Host, Database, Username, Password, …).");
        }
    }

    /// <summary>How many times a read reconnected after a transient failure.</summary>
    public int Reconnections => _reconnections;

    /// <summary>Opens a read-only connection, as the reads do (tests use it to show writes are refused).</summary>
    internal async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var failures = 0;
        while (true)
        {
            var connection = _dialect.CreateConnection(_connectionString);
            try
            {
                await connection.OpenAsync(cancellationToken);
                return connection;
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                await connection.DisposeAsync();
                if (!_dialect.IsTransient(error) || ++failures > _settings.MaxRetries)
                {
                    throw ExitKitException.SourceFailed(Connector,
                        $"cannot connect to the {_dialect.DisplayName} database {_target}: {Scrub(_dialect.MessageOf(error))}. " +
                        $"Check the connection string in '{_settings.ConnectionReference}' (server, database, user and password) and that the server is reachable.",
                        SafeInner(error));
                }
                await Task.Delay(Backoff(failures), cancellationToken);
            }
        }
    }

    public async Task<SourceDescription> DescribeAsync(ExportRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var failures = 0;
        while (true)
        {
            try
            {
                return await DescribeOnceAsync(request, cancellationToken);
            }
            catch (Exception error) when (error is not ExitKitException and not OperationCanceledException && _dialect.IsTransient(error))
            {
                if (++failures > _settings.MaxRetries)
                {
                    throw ExitKitException.SourceFailed(Connector,
                        $"describing {_target} {Times(failures)}: {Scrub(_dialect.MessageOf(error))}. Check that the server is up and run the export again.",
                        SafeInner(error));
                }
                Interlocked.Increment(ref _reconnections);
                await Task.Delay(Backoff(failures), cancellationToken);
            }
        }
    }

    private async Task<SourceDescription> DescribeOnceAsync(ExportRequest request, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var tables = new List<SourceTable>();
        foreach (var mapping in _settings.Mapping.Tables)
        {
            var plan = await PlanAsync(connection, mapping, cancellationToken);
            tables.Add(await CountAsync(connection, plan, request, cancellationToken));
        }
        var vendor = _settings.Mapping.Vendor ?? $"{_dialect.DisplayName} database";
        return new SourceDescription(_settings.SourceSystem, vendor, tables);
    }

    public async Task ExportOriginalsAsync(ExportRequest request, IExportContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        // The mapping is the definition of how vendor data became neutral rows: keep it beside them, byte-exact.
        using var content = new MemoryStream(_settings.Mapping.Content, writable: false);
        await context.StoreOriginalAsync($"{Connector}/mapping/{Path.GetFileName(_settings.Mapping.Path)}", content, cancellationToken);
    }

    public async IAsyncEnumerable<SourceRow> ReadTableAsync(TableSchema table, ExportRequest request, string? resumeAfter, IExportContext context,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var mapping = _settings.Mapping.Find(table.Name)
            ?? throw ExitKitException.SourceFailed(Connector, $"the mapping {_settings.Mapping.Path} does not map table {table.Name}; add it under `tables:` or export only the tables DescribeAsync lists.");
        object? last = null;
        if (resumeAfter is not null)
        {
            try
            {
                last = KeyCursor.Parse(resumeAfter);
            }
            catch (Exception error) when (error is FormatException or OverflowException)
            {
                throw ExitKitException.SourceFailed(Connector, $"table {table.Name}: the resume cursor '{resumeAfter}' was not written by this connector ({error.Message}). Start the table again without it.");
            }
        }

        DbConnection? connection = null;
        try
        {
            var failures = 0;
            while (true)
            {
                connection ??= await OpenAsync(cancellationToken);
                ReadPlan? plan = null;
                Exception? failure = null;
                try
                {
                    plan = await PlanAsync(connection, mapping, cancellationToken);
                }
                catch (Exception error) when (error is not ExitKitException and not OperationCanceledException && _dialect.IsTransient(error))
                {
                    failure = error;
                }
                var batch = plan is null ? null : new Batch(this, plan, context);
                var read = 0;
                try
                {
                    if (batch is not null)
                    {
                        failure = await batch.StartAsync(connection, request, last, cancellationToken);
                    }
                    while (failure is null && batch is not null)
                    {
                        (var more, failure) = await batch.ReadAsync(cancellationToken);
                        if (!more || failure is not null)
                        {
                            break;
                        }
                        read++;
                        failures = 0;
                        last = batch.Key;
                        if (batch.Row is { } row)
                        {
                            yield return new SourceRow(row, batch.Cursor);
                        }
                    }
                }
                finally
                {
                    if (batch is not null)
                    {
                        await batch.DisposeAsync();
                    }
                }
                if (failure is not null)
                {
                    if (++failures > _settings.MaxRetries)
                    {
                        throw ExitKitException.SourceFailed(Connector,
                            $"table {table.Name}: reading {_target} {Times(failures)}: {Scrub(_dialect.MessageOf(failure))}. " +
                            "Run the export again: it resumes after the last row read.", SafeInner(failure));
                    }
                    // The connection is unusable after a dropped session, and so may be its idle siblings in the pool:
                    // start over on a fresh one, after the last key read.
                    _dialect.ClearPool(connection);
                    await DisposeQuietlyAsync(connection);
                    connection = null;
                    Interlocked.Increment(ref _reconnections);
                    await Task.Delay(Backoff(failures), cancellationToken);
                    continue;
                }
                if (read < _settings.BatchSize)
                {
                    break;
                }
            }
        }
        finally
        {
            if (connection is not null)
            {
                await DisposeQuietlyAsync(connection);
            }
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static string Times(int failures) =>
        failures == 1 ? "failed" : string.Create(CultureInfo.InvariantCulture, $"failed {failures} times in a row, last");

    private TimeSpan Backoff(int failures) => _settings.RetryDelay * Math.Pow(2, Math.Min(failures - 1, 6));

    private static async ValueTask DisposeQuietlyAsync<T>(T disposable) where T : IAsyncDisposable
    {
        try
        {
            await disposable.DisposeAsync();
        }
        catch (Exception error) when (error is DbException or IOException or InvalidOperationException)
        {
            // Closing a connection the server already dropped may fail; there is nothing left to release.
        }
    }

    /// <summary>A message with every secret replaced by ***.</summary>
    internal string Scrub(string message)
    {
        foreach (var secret in _secrets)
        {
            message = message.Replace(secret, "***", StringComparison.Ordinal);
        }
        return message;
    }

    /// <summary>The inner exception, unless some message along its chain holds a secret.</summary>
    private Exception? SafeInner(Exception error) =>
        _secrets.Any(secret => error.ToString().Contains(secret, StringComparison.Ordinal)) ? null : error;

    private ExitKitException MappingError(Located where, string reason, Exception? inner = null) =>
        SqlMapping.At(_settings.Mapping.Path, where, Scrub(reason), inner is null ? null : SafeInner(inner));

    /// <summary>Checks a table's mapping against the database and works out the statements that read and count it.</summary>
    private async Task<ReadPlan> PlanAsync(DbConnection connection, TableMapping mapping, CancellationToken cancellationToken)
    {
        if (_plans.TryGetValue(mapping.Table.Name, out var known))
        {
            return known;
        }
        var table = mapping.Table;
        var from = $"FROM {mapping.SourceSql} AS src";
        IReadOnlyList<(string Name, string Type)> vendorColumns;
        try
        {
            vendorColumns = await ColumnsAsync(connection, $"SELECT * {from} WHERE 1 = 0", cancellationToken);
        }
        catch (Exception error) when (error is DbException && !_dialect.IsTransient(error))
        {
            var where = mapping.From ?? mapping.Query!;
            throw MappingError(where, $"table {table.Name}: {mapping.SourceLabel} cannot be read from {_target}: {_dialect.MessageOf(error)}. Check the vendor table's name (and schema) and that the user may read it.", error);
        }

        var parts = new List<(string What, Located Expression)> { ("key", mapping.Key) };
        if (mapping.Time is not null)
        {
            parts.Add(("time", mapping.Time));
        }
        parts.AddRange(mapping.Columns.Select(pair => ($"column {pair.Column.Name}", pair.Expression)));
        var fileParts = new[] { ("content", mapping.Content), ("original_name", mapping.OriginalName), ("original", mapping.Original) }
            .Where(part => part.Item2 is not null).Select(part => (part.Item1, part.Item2!)).ToArray();
        parts.AddRange(fileParts);
        try
        {
            await ColumnNamesAsync(connection, $"SELECT {string.Join(", ", parts.Select(p => $"({p.Expression.Text})"))} {from} WHERE 1 = 0", cancellationToken);
        }
        catch (Exception error) when (error is DbException && !_dialect.IsTransient(error))
        {
            // Find the expression at fault, so the error names its line in the mapping.
            foreach (var (what, expression) in parts)
            {
                try
                {
                    await ColumnNamesAsync(connection, $"SELECT ({expression.Text}) {from} WHERE 1 = 0", cancellationToken);
                }
                catch (Exception partError) when (partError is DbException && !_dialect.IsTransient(partError))
                {
                    throw MappingError(expression, $"table {table.Name}, {what}: '{expression.Text}' cannot be read from {mapping.SourceLabel}: {_dialect.MessageOf(partError)}. Check the vendor column's name.", partError);
                }
            }
            throw MappingError(mapping.Name, $"table {table.Name}: its columns cannot be read together from {mapping.SourceLabel}: {_dialect.MessageOf(error)}", error);
        }

        // Vendor columns that no mapping names go to source_extra, so nothing is dropped.
        var mappedNames = mapping.Columns.Select(pair => pair.Expression).Concat(fileParts.Select(part => part.Item2))
            .SelectMany(expression => NamesIn(expression.Text)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var extras = table.HasColumn("source_extra") && !mapping.Columns.Any(pair => pair.Column.Name == "source_extra")
            ? vendorColumns.Where(column => !mappedNames.Contains(column.Name)).DistinctBy(column => column.Name, StringComparer.OrdinalIgnoreCase).ToArray()
            : [];

        var select = new List<string> { $"({mapping.Key.Text}) AS ek_key" };
        select.AddRange(mapping.Columns.Select((pair, index) => $"({pair.Expression.Text}) AS ek_c{index}"));
        select.AddRange(fileParts.Select((part, index) => $"({part.Item2.Text}) AS ek_f{index}"));
        select.AddRange(extras.Select((column, index) => $"src.{_dialect.QuoteIdentifier(column.Name)} AS ek_x{index}"));
        // SQLite has no boolean storage: a BOOLEAN column holds 0 or 1. Its declared type says it is a yes/no value,
        // so source_extra says true/false, as it does for the same column in PostgreSQL.
        var booleans = extras.Select(column => column.Type.Contains("BOOL", StringComparison.OrdinalIgnoreCase)).ToArray();
        var plan = new ReadPlan(mapping, from, string.Join(", ", select), extras.Select(column => column.Name).ToArray(), booleans);
        _plans[table.Name] = plan;
        return plan;
    }

    private async Task<IReadOnlyList<string>> ColumnNamesAsync(DbConnection connection, string sql, CancellationToken cancellationToken) =>
        (await ColumnsAsync(connection, sql, cancellationToken)).Select(column => column.Name).ToArray();

    /// <summary>The result's column names and the database's names for their types.</summary>
    private async Task<IReadOnlyList<(string Name, string Type)>> ColumnsAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return Enumerable.Range(0, reader.FieldCount).Select(ordinal => (reader.GetName(ordinal), DataTypeName(reader, ordinal))).ToArray();
    }

    private static string DataTypeName(DbDataReader reader, int ordinal)
    {
        try
        {
            return reader.GetDataTypeName(ordinal);
        }
        catch (Exception error) when (error is InvalidOperationException or NotSupportedException or IndexOutOfRangeException)
        {
            // A driver that cannot name the type of an empty result's column: the value's own type decides.
            return "";
        }
    }

    /// <summary>A command for a statement the connector composed; anything but a single query is refused before it runs.</summary>
    private DbCommand Command(DbConnection connection, string sql)
    {
        if (ReadOnlyStatement.WhyRefused(sql) is { } refusal)
        {
            throw ExitKitException.SourceFailed(Connector, $"refused to run a statement built from {_settings.Mapping.Path}: {refusal}.");
        }
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = _settings.CommandTimeoutSeconds;
        return command;
    }

    private (string Where, List<(string Name, object Value)> Parameters) Window(ReadPlan plan, ExportRequest request)
    {
        var conditions = new List<string>();
        var parameters = new List<(string, object)>();
        if (plan.Mapping.Time is { } time && (request.From is not null || request.To is not null))
        {
            if (request.From is { } from)
            {
                conditions.Add(_dialect.CompareTime(time.Text, ">=", "@ek_from"));
                parameters.Add(("@ek_from", _dialect.TimeValue(from)));
            }
            if (request.To is { } to)
            {
                conditions.Add(_dialect.CompareTime(time.Text, "<", "@ek_to"));
                parameters.Add(("@ek_to", _dialect.TimeValue(to)));
            }
        }
        return (string.Join(" AND ", conditions), parameters);
    }

    private async Task<SourceTable> CountAsync(DbConnection connection, ReadPlan plan, ExportRequest request, CancellationToken cancellationToken)
    {
        var (where, parameters) = Window(plan, request);
        var whereClause = where.Length == 0 ? "" : $" WHERE {where}";
        var countSql = $"SELECT COUNT(*) {plan.From}{whereClause}";
        long total;
        try
        {
            await using var command = Command(connection, countSql);
            AddParameters(command, parameters);
            total = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }
        catch (DbException error) when (!_dialect.IsTransient(error))
        {
            throw MappingError(plan.Mapping.Name, $"table {plan.Mapping.Table.Name}: counting its rows failed: {_dialect.MessageOf(error)}", error);
        }
        if (plan.Mapping.Time is not { } time || plan.Mapping.Table.TimeColumn is null)
        {
            return new SourceTable(plan.Mapping.Table.Name, total, null, countSql);
        }

        var day = _dialect.DayOf(time.Text);
        var dailySql = $"SELECT ek_day, COUNT(*) FROM (SELECT {day} AS ek_day {plan.From}{whereClause}) AS ek_days WHERE ek_day IS NOT NULL GROUP BY ek_day";
        var daily = new SortedDictionary<DateOnly, long>();
        try
        {
            await using var command = Command(connection, dailySql);
            AddParameters(command, parameters);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var date = reader.GetValue(0) switch
                {
                    DateOnly value => value,
                    DateTime value => DateOnly.FromDateTime(value),
                    DateTimeOffset value => DateOnly.FromDateTime(value.UtcDateTime),
                    var value => DateOnly.Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture),
                };
                daily[date] = daily.GetValueOrDefault(date) + Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
            }
        }
        catch (Exception error) when ((error is DbException && !_dialect.IsTransient(error)) || error is FormatException)
        {
            throw MappingError(time, $"table {plan.Mapping.Table.Name}: counting its rows per day of '{time.Text}' failed: {_dialect.MessageOf(error)}. `time:` must name a date-time column", error);
        }
        return new SourceTable(plan.Mapping.Table.Name, total, daily, $"{countSql}; per UTC day: GROUP BY {day}");
    }

    private static void AddParameters(DbCommand command, IEnumerable<(string Name, object Value)> parameters)
    {
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
    }

    /// <summary>The names an expression may use as vendor columns: the expression itself when it is one, else every identifier outside string literals.</summary>
    /// <remarks>A column that a mapping reads through an expression (<c>CASE WHEN is_public …</c>) is mapped, so it is not repeated in source_extra.</remarks>
    private static IEnumerable<string> NamesIn(string expression)
    {
        yield return Unquote(expression);
        foreach (Match name in Identifier().Matches(StringLiteral().Replace(expression, " ")))
        {
            yield return Unquote(name.Value);
        }
    }

    [GeneratedRegex("'(?:[^']|'')*'")]
    private static partial Regex StringLiteral();

    [GeneratedRegex("""("[^"]+"|\[[^\]]+\]|`[^`]+`|[A-Za-z_][A-Za-z0-9_$]*)""")]
    private static partial Regex Identifier();

    private static string Unquote(string expression)
    {
        var text = expression.Trim();
        if (text.StartsWith("src.", StringComparison.OrdinalIgnoreCase))
        {
            text = text[4..];
        }
        return text.Length > 1 && ((text[0] == '"' && text[^1] == '"') || (text[0] == '[' && text[^1] == ']') || (text[0] == '`' && text[^1] == '`'))
            ? text[1..^1]
            : text;
    }

    /// <summary>The statement pieces of one table, worked out once.</summary>
    private sealed record ReadPlan(TableMapping Mapping, string From, string SelectList, IReadOnlyList<string> Extras, IReadOnlyList<bool> ExtraIsBoolean)
    {
        /// <summary>Each mapped column's place in the neutral row, looked up once per page instead of once per value.</summary>
        public int[] ColumnOrdinals { get; } = Mapping.Columns.Select(pair => Mapping.Table.OrdinalOf(pair.Column.Name)).ToArray();

        /// <summary>
        /// Only a mapping that streams files (content or originals) needs sequential access; without it the driver buffers the
        /// row, so values are checked for NULL without an asynchronous call each.
        /// </summary>
        public bool StreamsFiles => Mapping.Content is not null || Mapping.Original is not null;
    }

    /// <summary>A file's bytes as the driver gives them: a stream over a binary column, or the UTF-8 of a text one.</summary>
    private static Stream OpenFile(DbDataReader reader, int ordinal)
    {
        if (reader.GetFieldType(ordinal) == typeof(byte[]))
        {
            return reader.GetStream(ordinal);
        }
        return reader.GetValue(ordinal) switch
        {
            byte[] bytes => new MemoryStream(bytes, writable: false),
            string text => new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text), writable: false),
            var other => throw new InvalidCastException($"a {other.GetType().Name} value is neither binary nor text"),
        };
    }

    /// <summary>Where an original is kept: under the source system's folder, at the vendor's own file name.</summary>
    private string? OriginalPath(string name)
    {
        var segments = name.Replace('\\', '/').Split('/');
        if (segments.Any(segment => segment is "" or "." or ".."))
        {
            return null;
        }
        var system = new string(_settings.SourceSystem.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-').ToArray());
        return $"{system}/{string.Join('/', segments)}";
    }

    /// <summary>One keyset page: a command and its reader, read in column order (sequential access).</summary>
    private sealed class Batch(SqlSource source, ReadPlan plan, IExportContext context) : IAsyncDisposable
    {
        private DbCommand? _command;
        private DbDataReader? _reader;
        private bool _finished;
        private bool _broken;
        private ArrayBufferWriter<byte>? _extrasBuffer;
        private Utf8JsonWriter? _extrasWriter;

        public object? Key { get; private set; }

        public string? Cursor { get; private set; }

        public object?[]? Row { get; private set; }

        /// <summary>Runs the page's query; returns the failure when it is transient, throws when it is not.</summary>
        public async Task<Exception?> StartAsync(DbConnection connection, ExportRequest request, object? last, CancellationToken cancellationToken)
        {
            var (where, parameters) = source.Window(plan, request);
            var conditions = new List<string>();
            if (where.Length > 0)
            {
                conditions.Add(where);
            }
            if (last is not null)
            {
                conditions.Add($"({plan.Mapping.Key.Text}) > @ek_last");
                parameters.Add(("@ek_last", last));
            }
            else
            {
                conditions.Add($"({plan.Mapping.Key.Text}) IS NOT NULL");
            }
            var rest = $"{plan.From} WHERE {string.Join(" AND ", conditions)} ORDER BY ({plan.Mapping.Key.Text})";
            var sql = source._dialect.Limit(plan.SelectList, rest, source._settings.BatchSize);
            try
            {
                _command = source.Command(connection, sql);
                AddParameters(_command, parameters);
                _reader = await _command.ExecuteReaderAsync(plan.StreamsFiles ? CommandBehavior.SequentialAccess : CommandBehavior.Default, cancellationToken);
                return null;
            }
            catch (Exception error) when (error is not OperationCanceledException && error is not ExitKitException)
            {
                return Fail(error);
            }
        }

        /// <summary>Reads the next row into <see cref="Row"/>; false at the end of the page.</summary>
        public async Task<(bool More, Exception? Failure)> ReadAsync(CancellationToken cancellationToken)
        {
            try
            {
                if (!await _reader!.ReadAsync(cancellationToken))
                {
                    _finished = true;
                    return (false, null);
                }
                Key = _reader.GetValue(0);
                Cursor = KeyCursor.Format(Key);
                Row = await ConvertAsync(_reader, cancellationToken);
                return (true, null);
            }
            catch (Exception error) when (error is not OperationCanceledException && error is not ExitKitException)
            {
                return (false, Fail(error));
            }
        }

        private Exception Fail(Exception error)
        {
            _broken = true;
            if (source._dialect.IsTransient(error))
            {
                return error;
            }
            throw ExitKitException.SourceFailed(Connector,
                $"table {plan.Mapping.Table.Name}: reading {plan.Mapping.SourceLabel} from {source._target} failed: {source.Scrub(source._dialect.MessageOf(error))} (mapping {source._settings.Mapping.Path}).",
                source.SafeInner(error));
        }

        private async Task<object?[]?> ConvertAsync(DbDataReader reader, CancellationToken cancellationToken)
        {
            var table = plan.Mapping.Table;
            var values = table.NewRow();
            values[0] = source._settings.SourceSystem;
            var ordinal = 1;
            string? sourceId = null;
            List<string>? degraded = null;
            var columns = plan.Mapping.Columns;
            for (var index = 0; index < columns.Count; index++)
            {
                var column = columns[index].Column;
                var raw = await IsNullAsync(reader, ordinal, cancellationToken) ? null : reader.GetValue(ordinal);
                ordinal++;
                if (raw is null)
                {
                    continue;
                }
                if (!ValueConverter.TryConvert(raw, column.Type, out var value, out var reason))
                {
                    (degraded ??= []).Add($"column {column.Name}: {reason}");
                    continue;
                }
                if (column.PersonalData && value is string personal)
                {
                    value = context.Pseudonymise(personal);
                }
                values[plan.ColumnOrdinals[index]] = value;
                if (column.Name == "source_id")
                {
                    sourceId = value as string;
                }
            }
            if (plan.Mapping.Content is not null)
            {
                if (!await reader.IsDBNullAsync(ordinal, cancellationToken))
                {
                    // Streamed into the package as a content-addressed artefact: a recording need not fit in memory.
                    await using var content = OpenFile(reader, ordinal);
                    var stored = await context.StoreArtefactAsync(content, cancellationToken);
                    values[table.OrdinalOf("size_bytes")] = stored.SizeBytes;
                    values[table.OrdinalOf("sha256")] = stored.Sha256;
                    values[table.OrdinalOf("artefact_path")] = stored.PackagePath;
                }
                ordinal++;
            }
            if (plan.Mapping.Original is not null)
            {
                var name = await reader.IsDBNullAsync(ordinal, cancellationToken) ? null : Convert.ToString(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
                ordinal++;
                if (!await reader.IsDBNullAsync(ordinal, cancellationToken))
                {
                    if (name is null || source.OriginalPath(name) is not { } relative)
                    {
                        (degraded ??= []).Add($"original: the file name '{name}' from '{plan.Mapping.OriginalName!.Text}' is not a plain relative path, so the definition was not kept");
                    }
                    else
                    {
                        await using var content = OpenFile(reader, ordinal);
                        var path = await context.StoreOriginalAsync(relative, content, cancellationToken);
                        if (table.HasColumn("original_path"))
                        {
                            values[table.OrdinalOf("original_path")] = path;
                        }
                    }
                }
                ordinal++;
            }
            if (plan.Extras.Count > 0)
            {
                // One buffer and writer for the page, reset per row: the extras object is rebuilt for every row.
                var buffer = _extrasBuffer ??= new ArrayBufferWriter<byte>();
                buffer.ResetWrittenCount();
                var writer = _extrasWriter ??= new Utf8JsonWriter(buffer);
                writer.Reset(buffer);
                var any = false;
                var firstExtra = ordinal;
                writer.WriteStartObject();
                foreach (var name in plan.Extras)
                {
                    var raw = await IsNullAsync(reader, ordinal, cancellationToken) ? null : reader.GetValue(ordinal);
                    ordinal++;
                    if (raw is not null)
                    {
                        writer.WritePropertyName(name);
                        if (plan.ExtraIsBoolean[ordinal - 1 - firstExtra] && raw is long flag and (0 or 1))
                        {
                            writer.WriteBooleanValue(flag == 1);
                        }
                        else
                        {
                            ValueConverter.WriteValue(writer, raw);
                        }
                        any = true;
                    }
                }
                writer.WriteEndObject();
                writer.Flush();
                values[table.OrdinalOf("source_extra")] = any ? System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan) : null;
            }
            var subject = sourceId ?? $"key {Cursor}";
            if (degraded is not null)
            {
                context.ReportProblem(new ExportProblem(ProblemKind.Degraded, table.Name, subject,
                    $"{string.Join("; ", degraded)}. The value was left empty; fix the mapping's expression for the column (mapping {source._settings.Mapping.Path})."));
            }
            if (table.Describe(values) is { } misfit)
            {
                context.ReportProblem(new ExportProblem(ProblemKind.Missing, table.Name, subject,
                    $"the row does not fit the neutral table: {misfit}. Map the column in {source._settings.Mapping.Path} so every row has a value of the right kind."));
                return null;
            }
            return values;
        }

        /// <summary>Whether a value is NULL: from the buffered row when it is one, from the stream otherwise.</summary>
        private ValueTask<bool> IsNullAsync(DbDataReader reader, int ordinal, CancellationToken cancellationToken) =>
            plan.StreamsFiles ? new ValueTask<bool>(reader.IsDBNullAsync(ordinal, cancellationToken)) : ValueTask.FromResult(reader.IsDBNull(ordinal));

        public async ValueTask DisposeAsync()
        {
            _extrasWriter?.Dispose();
            if (_reader is not null)
            {
                if (!_finished && !_broken)
                {
                    // Stop the server sending the rest of a page nobody will read (Dapper does the same).
                    try
                    {
                        _command?.Cancel();
                    }
                    catch (Exception error) when (error is DbException or InvalidOperationException or IOException)
                    {
                        // The reader is disposed below either way.
                    }
                }
                await DisposeQuietlyAsync(_reader);
            }
            if (_command is not null)
            {
                await DisposeQuietlyAsync(_command);
            }
        }
    }
}
