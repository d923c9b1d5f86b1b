using System.Buffers;
using System.Data;
using System.Runtime.CompilerServices;
using System.Text;
using ExitKit.Schema;
using Npgsql;
using NpgsqlTypes;

namespace ExitKit.Connectors.SqlSuccessor.Internal;

/// <summary>PostgreSQL: each batch is copied (binary COPY) into a temporary staging table, then upserted in one statement.</summary>
/// <remarks>
/// <c>INSERT ... SELECT FROM stage ON CONFLICT (source_system, source_id) DO UPDATE ... WHERE row IS DISTINCT FROM</c> makes
/// the load idempotent: new keys are created, changed rows updated, equal rows left alone (they are not even offered to the
/// insert, so constraints added to the successor later do not refuse rows it already holds unchanged). When the database refuses a row
/// the statement fails as a whole; the batch is then halved under savepoints until the refused rows stand alone, so a few
/// bad rows cost a few dozen statements, not one per row. Each batch is one transaction.
/// A table that is empty when its first batch arrives is bulk loaded instead: each batch is copied straight into it, which is
/// all an upsert could do there, at a fraction of the cost. Only a re-run, or a batch the COPY refuses (a key twice, a value
/// the table does not take), goes the staging way, from then on.
/// Every row keeps its package key as its primary key, so the key is the row's id here and the id map
/// (<c>exitkit_id_map</c>) is a view over the tables' keys. A map table of its own cost nearly as much to fill as the
/// tables themselves (another heap row and two more index entries per row), to hold what the primary keys already hold.
/// </remarks>
internal sealed class PostgresSuccessor(Secret connectionString, string schema) : ISuccessorConnector, IEncodedReadBack
{
    private const string Provider = "postgresql";
    private NpgsqlConnection? _connection;
    private readonly Dictionary<string, Statements> _statements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _bulkLoading = new(StringComparer.Ordinal);
    private readonly ArrayBufferWriter<byte> _copyBuffer = new(512 * 1024);

    private string Target(TableSchema table) => $"{Quote(schema)}.{Quote(table.Name)}";
    private string Map => $"{Quote(schema)}.{Quote(SuccessorSql.IdMap)}";
    private static string Stage(TableSchema table) => Quote("exitkit_stage_" + table.Name);
    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    // Batches come as the package's columns: text goes from the file's UTF-8 to the COPY stream with no string in between.
    public bool LoadsColumns => true;

    public async Task PrepareAsync(IReadOnlyList<TableSchema> tables, bool dryRun, CancellationToken cancellationToken = default)
    {
        var connection = await ConnectAsync(cancellationToken);
        if (dryRun)
        {
            return;
        }
        // Every neutral table, not only the package's: the landing zone has the whole neutral schema, and the id map covers it.
        await using var command = new NpgsqlCommand(CreateSchemaSql(NeutralSchema.Tables) + CreateIdMapSql(), connection);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException error)
        {
            throw SuccessorSql.Failed(Provider, $"creating the neutral tables in schema {schema}", error);
        }
    }

    public async Task<IReadOnlyList<RowImportResult>> ImportAsync(TableSchema table, IReadOnlyList<object?[]> rows, bool dryRun,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(rows);
        var connection = await ConnectAsync(cancellationToken);
        var statements = StatementsFor(table);
        var outcomes = new SuccessorSql.Outcomes(rows);
        if (rows.Count == 0)
        {
            return outcomes.ToResults();
        }
        if (!dryRun && await BulkLoadingAsync(connection, table, statements, cancellationToken)
            && await TryBulkLoadAsync(connection, table, statements, rows, outcomes, cancellationToken))
        {
            return outcomes.ToResults();
        }
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (dryRun)
        {
            // A dry run does everything a real one does, in a transaction it then rolls back: it even finds the rows the database would refuse.
            await ExecuteAsync(connection, transaction, CreateSchemaSql([table]), cancellationToken);
        }
        await ExecuteAsync(connection, transaction, statements.CreateStage, cancellationToken);
        await CopyAsync(connection, table, rows, target: null, cancellationToken);
        await UpsertAsync(connection, transaction, statements, outcomes, 0, rows.Count, cancellationToken);
        if (dryRun)
        {
            await transaction.RollbackAsync(cancellationToken);
            return outcomes.ToResults();
        }
        await transaction.CommitAsync(cancellationToken);
        return outcomes.ToResults();
    }

    public async IAsyncEnumerable<object?[]> ReadBackAsync(TableSchema table, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        var connection = await ConnectAsync(cancellationToken);
        if (!await ExistsAsync(connection, table, cancellationToken))
        {
            yield break;
        }
        await using var command = new NpgsqlCommand($"SELECT {SelectList(table)} FROM {Target(table)}", connection);
        // Rows are read whole, not with SequentialAccess: a neutral row is small, and an asynchronous call per value took a third
        // more of the client's CPU time (10.3 s against 7.7 s for the 5 M messages of the 1M-interaction benchmark).
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object?[table.Columns.Count];
            for (var ordinal = 0; ordinal < row.Length; ordinal++)
            {
                if (reader.IsDBNull(ordinal))
                {
                    continue;
                }
                row[ordinal] = table.Columns[ordinal].Type switch
                {
                    ColumnType.Text or ColumnType.Json => reader.GetString(ordinal),
                    ColumnType.Integer => reader.GetInt64(ordinal),
                    ColumnType.Number => reader.GetDouble(ordinal),
                    ColumnType.Boolean => reader.GetBoolean(ordinal),
                    ColumnType.Timestamp => reader.GetFieldValue<DateTimeOffset>(ordinal),
                    ColumnType.TextList => reader.GetFieldValue<string[]>(ordinal),
                    _ => throw new InvalidOperationException($"Column {table.Columns[ordinal].Name} has an unknown type."),
                };
            }
            yield return row;
        }
    }

    /// <summary>The table as a binary COPY, each tuple turned into the canonical encoding as it arrives (<see cref="PostgresCopyDecoder"/>).</summary>
    /// <remarks>Reading rows through a data reader made a string for every text and a boxed value for every other value, only
    /// for read-back to encode them back to bytes: that cost more than the import it checks.</remarks>
    public async IAsyncEnumerable<EncodedRows> ReadBackEncodedAsync(TableSchema table, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        var connection = await ConnectAsync(cancellationToken);
        if (!await ExistsAsync(connection, table, cancellationToken))
        {
            yield break;
        }
        var decoder = new PostgresCopyDecoder(table);
        var input = ArrayPool<byte>.Shared.Rent(1 << 20);
        var rows = new EncodedRows();
        try
        {
            await using var copy = await connection.BeginRawBinaryCopyAsync(
                $"COPY (SELECT {SelectList(table)} FROM {Target(table)}) TO STDOUT (FORMAT BINARY)", cancellationToken);
            int start = 0, end = 0;
            while (true)
            {
                var step = DecodeSome(decoder, input.AsSpan(start, end - start), rows, out var consumed);
                start += consumed;
                if (step != PostgresCopyDecoder.Step.NeedMore || rows.IsFull)
                {
                    if (rows.Count > 0)
                    {
                        // Handed over before the yield: a caller that stops here owns the batch, and the finally below must not return it.
                        var full = rows;
                        rows = new EncodedRows();
                        yield return full;
                    }
                    if (step == PostgresCopyDecoder.Step.End)
                    {
                        break;
                    }
                    continue;
                }
                // Keep the tuple begun, and make room for one larger than the buffer.
                input.AsSpan(start, end - start).CopyTo(input);
                (start, end) = (0, end - start);
                if (end == input.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(input.Length * 2);
                    input.AsSpan(0, end).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(input);
                    input = larger;
                }
                var read = await copy.ReadAsync(input.AsMemory(end), cancellationToken);
                if (read == 0)
                {
                    throw new InvalidDataException($"The COPY of table {table.Name} ended before its trailer.");
                }
                end += read;
            }
            // Read to the end of the COPY, so the connection is ready for the next command.
            while (await copy.ReadAsync(input, cancellationToken) > 0)
            {
            }
        }
        finally
        {
            rows.Dispose();
            ArrayPool<byte>.Shared.Return(input);
        }
    }

    // Decodes tuples until the data runs out, the trailer comes, or the batch is full (then Row).
    private static PostgresCopyDecoder.Step DecodeSome(PostgresCopyDecoder decoder, ReadOnlySpan<byte> data, EncodedRows rows, out int consumed)
    {
        consumed = 0;
        while (true)
        {
            var step = decoder.TryDecode(data[consumed..], rows, out var taken);
            consumed += taken;
            if (step != PostgresCopyDecoder.Step.Row || rows.IsFull)
            {
                return step;
            }
        }
    }

    private async Task<bool> ExistsAsync(NpgsqlConnection connection, TableSchema table, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection);
        exists.Parameters.Add(new NpgsqlParameter { Value = Target(table) });
        return (bool)(await exists.ExecuteScalarAsync(cancellationToken))!;
    }

    // JSON as text: the package's bytes, not the database's re-rendering.
    private static string SelectList(TableSchema table) =>
        string.Join(", ", table.Columns.Select(column => column.Type == ColumnType.Json ? $"{Quote(column.Name)}::text" : Quote(column.Name)));

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    private async Task<NpgsqlConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_connection is { State: ConnectionState.Open })
        {
            return _connection;
        }
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
        try
        {
            _connection = new NpgsqlConnection(connectionString.Reveal());
            await _connection.OpenAsync(cancellationToken);
            return _connection;
        }
        catch (ArgumentException)
        {
            // The parser's message can quote a part of the connection string; say only that it is malformed.
            throw new ExitKitException($"Successor sql-successor ({Provider}): the connection string is not valid. Check its keys and values (see the provider's documentation).");
        }
        catch (NpgsqlException error)
        {
            // Npgsql's messages name the host and the failure, never the password.
            throw SuccessorSql.Failed(Provider, "connecting", error);
        }
    }

    /// <summary>Binary COPY of a batch into the staging table (numbered, for the upsert) or, when bulk loading, into <paramref name="target"/>.</summary>
    /// <remarks>The rows are encoded by <see cref="PostgresCopyEncoder"/> into a buffer that is sent whenever it passes 256 KiB.
    /// JSON goes as text either way: json's binary form is its text, and the staging table holds it as text.</remarks>
    private async Task CopyAsync(NpgsqlConnection connection, TableSchema table, IReadOnlyList<object?[]> rows, string? target,
        CancellationToken cancellationToken)
    {
        const int SendAt = 256 * 1024;
        var staged = target is null;
        var columns = string.Join(", ", table.Columns.Select(column => Quote(column.Name)));
        var into = staged ? $"{Stage(table)} (ord, {columns})" : $"{target} ({columns})";
        var encoder = new PostgresCopyEncoder(table, numbered: staged);
        var buffer = _copyBuffer;
        buffer.ResetWrittenCount();
        await using var copy = await connection.BeginRawBinaryCopyAsync($"COPY {into} FROM STDIN (FORMAT BINARY)", cancellationToken);
        try
        {
            PostgresCopyEncoder.WriteHeader(buffer);
            for (var index = 0; index < rows.Count; index++)
            {
                encoder.WriteRow(buffer, rows, index, index);
                if (buffer.WrittenCount >= SendAt)
                {
                    await copy.WriteAsync(buffer.WrittenMemory, cancellationToken);
                    buffer.ResetWrittenCount();
                }
            }
            PostgresCopyEncoder.WriteTrailer(buffer);
            await copy.WriteAsync(buffer.WrittenMemory, cancellationToken);
        }
        catch (Exception error)
        {
            // Disposing a raw COPY stream ends the COPY as complete: a batch that failed half-way must be cancelled instead.
            // What the cancel itself answers (the server's "COPY cancelled", a broken connection, or, for a COPY the token
            // already ended, ObjectDisposedException "The COPY operation has already ended") must not hide why it stopped.
            try
            {
                await copy.CancelAsync();
            }
            catch (Exception cancelling) when (cancelling is NpgsqlException or ObjectDisposedException)
            {
            }
            // Once the token is cancelled, Npgsql may end the COPY under a write, which then fails with ObjectDisposedException:
            // that is the cancellation, not a failure of the database (the random-kill import test once reported it as one).
            if (cancellationToken.IsCancellationRequested && error is not OperationCanceledException)
            {
                throw new OperationCanceledException("The import was cancelled during a COPY.", error, cancellationToken);
            }
            throw;
        }
        finally
        {
            buffer.ResetWrittenCount();
        }
    }

    /// <summary>Whether the table is still being bulk loaded: decided by its first batch (empty, and nothing of it in the id map),
    /// then kept until a batch is refused.</summary>
    private async Task<bool> BulkLoadingAsync(NpgsqlConnection connection, TableSchema table, Statements statements, CancellationToken cancellationToken)
    {
        if (_bulkLoading.TryGetValue(table.Name, out var loading))
        {
            return loading;
        }
        await using var command = new NpgsqlCommand(statements.IsEmpty, connection);
        loading = (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
        _bulkLoading[table.Name] = loading;
        return loading;
    }

    /// <summary>Copies a batch straight into its table, in one transaction; false, with nothing written and bulk loading ended for
    /// the table, when the database refuses the batch (the staging path then finds which rows, and why).</summary>
    private async Task<bool> TryBulkLoadAsync(NpgsqlConnection connection, TableSchema table, Statements statements, IReadOnlyList<object?[]> rows,
        SuccessorSql.Outcomes outcomes, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await CopyAsync(connection, table, rows, Target(table), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            for (var index = 0; index < rows.Count; index++)
            {
                outcomes.Written(index, created: true);
            }
            return true;
        }
        catch (PostgresException error) when (IsAboutRow(error))
        {
            await transaction.RollbackAsync(cancellationToken);
            _bulkLoading[table.Name] = false;
            return false;
        }
    }

    private static async Task UpsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Statements statements,
        SuccessorSql.Outcomes outcomes, int from, int to, CancellationToken cancellationToken)
    {
        await transaction.SaveAsync("exitkit_range", cancellationToken);
        var written = new List<(string System, string Id, bool Created)>();
        try
        {
            await using var command = new NpgsqlCommand(statements.Upsert, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter { Value = from, NpgsqlDbType = NpgsqlDbType.Integer });
            command.Parameters.Add(new NpgsqlParameter { Value = to, NpgsqlDbType = NpgsqlDbType.Integer });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                written.Add((reader.GetString(0), reader.GetString(1), reader.GetBoolean(2)));
            }
        }
        catch (PostgresException error) when (IsAboutRow(error))
        {
            await transaction.RollbackAsync("exitkit_range", cancellationToken);
            if (to - from == 1)
            {
                outcomes.Failed(from, Reason(error));
                return;
            }
            var middle = from + ((to - from) / 2);
            await UpsertAsync(connection, transaction, statements, outcomes, from, middle, cancellationToken);
            await UpsertAsync(connection, transaction, statements, outcomes, middle, to, cancellationToken);
            return;
        }
        await transaction.ReleaseAsync("exitkit_range", cancellationToken);
        foreach (var (system, id, created) in written)
        {
            outcomes.Written(system, id, created, from, to);
        }
    }

    // Data exceptions (22), integrity constraints (23) and errors raised by triggers (P0) are about the row; so is 21000, a key
    // twice in one batch, which halving separates (the second then updates the first). Anything else is about the database.
    private static bool IsAboutRow(PostgresException error) =>
        error.SqlState.StartsWith("22", StringComparison.Ordinal) || error.SqlState.StartsWith("23", StringComparison.Ordinal)
        || error.SqlState.StartsWith("P0", StringComparison.Ordinal) || error.SqlState == PostgresErrorCodes.CardinalityViolation;

    // The message and the column, not the detail: PostgreSQL's detail repeats the failing row's values, which may be personal data.
    private static string Reason(PostgresException error) =>
        error.ColumnName is null ? $"{error.MessageText} (SQLSTATE {error.SqlState})" : $"{error.MessageText}, column {error.ColumnName} (SQLSTATE {error.SqlState})";

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private string CreateSchemaSql(IReadOnlyList<TableSchema> tables)
    {
        var sql = new StringBuilder();
        sql.Append("CREATE SCHEMA IF NOT EXISTS ").Append(Quote(schema)).AppendLine(";");
        foreach (var table in tables)
        {
            sql.Append("CREATE TABLE IF NOT EXISTS ").Append(Target(table)).AppendLine(" (");
            foreach (var column in table.Columns)
            {
                sql.Append("  ").Append(Quote(column.Name)).Append(' ').Append(SqlType(column))
                    .Append(IsKey(column) ? KeyCollation : "").AppendLine(column.Required ? " NOT NULL," : ",");
            }
            sql.AppendLine("  PRIMARY KEY (source_system, source_id));");
        }
        return sql.ToString();
    }

    /// <summary>The id map: a view over every neutral table's key (see the class remarks).</summary>
    private string CreateIdMapSql()
    {
        var selects = NeutralSchema.Tables.Select(table =>
            $"SELECT '{table.Name}'::text AS table_name, source_system, source_id FROM {Target(table)}");
        return $"CREATE OR REPLACE VIEW {Map} AS\n{string.Join("\nUNION ALL ", selects)};";
    }

    // Keys are identifiers, not words: byte order is the right order for them, and it spares every index insert and lookup
    // the locale's collation (PostgreSQL treats only "C" and "POSIX" as byte order, not C.UTF-8 or en_US.UTF-8).
    private const string KeyCollation = " COLLATE \"C\"";

    private static bool IsKey(ColumnSchema column) => column.Name is "source_system" or "source_id";

    private static string SqlType(ColumnSchema column) => column.Type switch
    {
        ColumnType.Text => "text",
        ColumnType.Integer => "bigint",
        ColumnType.Number => "double precision",
        ColumnType.Boolean => "boolean",
        ColumnType.Timestamp => "timestamptz",
        // json (not jsonb) keeps the text exactly as the package holds it, so it reads back byte for byte; it is still validated.
        ColumnType.Json => "json",
        ColumnType.TextList => "text[]",
        _ => throw new InvalidOperationException($"Column {column.Name} has an unknown type."),
    };

    private Statements StatementsFor(TableSchema table)
    {
        if (_statements.TryGetValue(table.Name, out var cached))
        {
            return cached;
        }
        var names = table.Columns.Select(column => Quote(column.Name)).ToArray();
        var stageColumns = string.Join(", ", table.Columns.Select(column =>
            $"{Quote(column.Name)} {(column.Type == ColumnType.Json ? "text" : SqlType(column))}"));
        var selected = string.Join(", ", table.Columns.Select(column => column.Type == ColumnType.Json ? $"s.{Quote(column.Name)}::json" : $"s.{Quote(column.Name)}"));
        var values = SuccessorSql.ValueColumns(table).ToArray();
        string Compared(string alias, ColumnSchema column) => column.Type == ColumnType.Json ? $"{alias}.{Quote(column.Name)}::text" : $"{alias}.{Quote(column.Name)}";
        var statements = new Statements(
            CreateStage: $"CREATE TEMP TABLE IF NOT EXISTS {Stage(table)} (ord integer NOT NULL, {stageColumns}) ON COMMIT DELETE ROWS",
            Upsert: $"""
                INSERT INTO {Target(table)} AS t ({string.Join(", ", names)})
                SELECT {selected} FROM {Stage(table)} s
                LEFT JOIN LATERAL (SELECT ROW({string.Join(", ", values.Select(column => Compared("e", column)))}) IS NOT DISTINCT FROM ROW({string.Join(", ", values.Select(column => $"s.{Quote(column.Name)}"))}) AS same
                  FROM {Target(table)} e WHERE e.source_system = s.source_system AND e.source_id = s.source_id LIMIT 1) held ON true
                WHERE s.ord >= $1 AND s.ord < $2 AND held.same IS NOT TRUE
                ON CONFLICT (source_system, source_id) DO UPDATE SET {string.Join(", ", values.Select(column => $"{Quote(column.Name)} = EXCLUDED.{Quote(column.Name)}"))}
                WHERE ROW({string.Join(", ", values.Select(column => Compared("t", column)))}) IS DISTINCT FROM ROW({string.Join(", ", values.Select(column => Compared("EXCLUDED", column)))})
                RETURNING t.source_system, t.source_id, (t.xmax = 0)
                """,
            // Rows the batch wrote or found get an id once; the ids of keys mapped before come from the map's unique index.
            // LATERAL ... LIMIT 1 keeps every lookup an index probe: the staging table has no statistics, and a hash join would
            // scan the whole, growing table for every batch.
            IsEmpty: $"SELECT NOT EXISTS (SELECT FROM {Target(table)})");
        _statements[table.Name] = statements;
        return statements;
    }

    private sealed record Statements(string CreateStage, string Upsert, string IsEmpty);
}
