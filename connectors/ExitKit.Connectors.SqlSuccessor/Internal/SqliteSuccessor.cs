using System.Data;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using ExitKit.Schema;
using Microsoft.Data.Sqlite;

namespace ExitKit.Connectors.SqlSuccessor.Internal;

/// <summary>SQLite: each batch is one transaction of prepared <c>INSERT ... ON CONFLICT DO UPDATE ... WHERE row differs</c> statements.</summary>
/// <remarks>
/// SQLite backs out only the statement that breaks a constraint and keeps the transaction, so a refused row costs nothing
/// but its own failure. A table empty when the import's first batch of it arrives is bulk loaded by plain inserts instead. Tables are STRICT, so the database itself refuses a value of the wrong type.
/// </remarks>
internal sealed class SqliteSuccessor(string? databasePath, Secret? connectionString) : ISuccessorConnector
{
    private const string Provider = "sqlite";
    private SqliteConnection? _connection;
    private readonly Dictionary<string, string> _upserts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _bulkLoading = new(StringComparer.Ordinal);

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public async Task PrepareAsync(IReadOnlyList<TableSchema> tables, bool dryRun, CancellationToken cancellationToken = default)
    {
        var connection = await ConnectAsync(dryRun, cancellationToken);
        if (dryRun)
        {
            return;
        }
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        // Every neutral table, not only the package's: the landing zone has the whole neutral schema, and the id map covers it.
        await ExecuteAsync(connection, transaction, CreateSchemaSql(NeutralSchema.Tables) + CreateIdMapSql(), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<RowImportResult>> ImportAsync(TableSchema table, IReadOnlyList<object?[]> rows, bool dryRun,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(rows);
        var connection = await ConnectAsync(dryRun, cancellationToken);
        var outcomes = new SuccessorSql.Outcomes(rows);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        if (dryRun)
        {
            // A dry run does everything a real one does, in a transaction it then rolls back.
            await ExecuteAsync(connection, transaction, CreateSchemaSql([table]), cancellationToken);
        }
        await using var upsert = Command(connection, transaction, UpsertSql(table));
        var values = table.Columns.Select((column, ordinal) => upsert.Parameters.Add("$p" + ordinal.ToString(CultureInfo.InvariantCulture), ParameterType(column))).ToArray();
        // Whether the key is held already tells a created row from an updated one: one probe of the primary key.
        await using var held = Command(connection, transaction, $"SELECT 1 FROM {Quote(table.Name)} WHERE source_system = $s AND source_id = $i");
        var heldSystem = held.Parameters.Add("$s", SqliteType.Text);
        var heldId = held.Parameters.Add("$i", SqliteType.Text);
        await using var insert = !dryRun && await BulkLoadingAsync(connection, transaction, table, cancellationToken)
            ? Command(connection, transaction, InsertSql(table))
            : null;
        var inserted = insert is null ? [] : table.Columns.Select((column, ordinal) => insert.Parameters.Add(Parameter(ordinal), ParameterType(column))).ToArray();
        for (var index = 0; index < rows.Count; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var row = rows[index];
            for (var ordinal = 0; ordinal < values.Length; ordinal++)
            {
                values[ordinal].Value = ToDatabase(table.Columns[ordinal], row[ordinal]);
            }
            if (insert is not null)
            {
                for (var ordinal = 0; ordinal < inserted.Length; ordinal++)
                {
                    inserted[ordinal].Value = values[ordinal].Value;
                }
                try
                {
                    insert.ExecuteNonQuery();
                    outcomes.Written(index, created: true);
                    continue;
                }
                catch (SqliteException error) when (error.SqliteExtendedErrorCode == PrimaryKeyViolation)
                {
                    // The key is held already (it came twice, or the table was not ours alone): the upsert below decides.
                }
                catch (SqliteException error) when (IsAboutRow(error))
                {
                    outcomes.Failed(index, error.Message);
                    continue;
                }
            }
            heldSystem.Value = row[0];
            heldId.Value = row[1];
            var wasHeld = held.ExecuteScalar() is not null;
            int changed;
            try
            {
                changed = upsert.ExecuteNonQuery();
            }
            catch (SqliteException error) when (IsAboutRow(error))
            {
                outcomes.Failed(index, error.Message);
                continue;
            }
            if (changed == 0)
            {
                outcomes.Skipped(index);
            }
            else
            {
                outcomes.Written(index, created: !wasHeld);
            }
        }
        if (dryRun)
        {
            await transaction.RollbackAsync(cancellationToken);
        }
        else
        {
            await transaction.CommitAsync(cancellationToken);
        }
        return outcomes.ToResults();
    }

    public async IAsyncEnumerable<object?[]> ReadBackAsync(TableSchema table, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        var connection = await ConnectAsync(dryRun: true, cancellationToken);
        await using (var exists = new SqliteCommand("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name", connection))
        {
            exists.Parameters.AddWithValue("$name", table.Name);
            if ((long)(await exists.ExecuteScalarAsync(cancellationToken))! == 0)
            {
                yield break;
            }
        }
        await using var command = new SqliteCommand($"SELECT {string.Join(", ", table.Columns.Select(column => Quote(column.Name)))} FROM {Quote(table.Name)}", connection);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
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
                    ColumnType.Boolean => reader.GetInt64(ordinal) != 0,
                    ColumnType.Timestamp => SuccessorSql.TextToTimestamp(reader.GetString(ordinal)),
                    ColumnType.TextList => SuccessorSql.JsonToList(reader.GetString(ordinal)),
                    _ => throw new InvalidOperationException($"Column {table.Columns[ordinal].Name} has an unknown type."),
                };
            }
            yield return row;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    private async Task<SqliteConnection> ConnectAsync(bool dryRun, CancellationToken cancellationToken)
    {
        if (_connection is not null)
        {
            return _connection;
        }
        string text;
        if (databasePath is not null)
        {
            // A dry run must not even create the file: against a database that does not exist yet, it runs on an empty one in memory.
            var absent = !File.Exists(databasePath);
            text = new SqliteConnectionStringBuilder
            {
                DataSource = dryRun && absent ? ":memory:" : databasePath,
                Mode = dryRun && absent ? SqliteOpenMode.Memory : SqliteOpenMode.ReadWriteCreate,
                Pooling = false,
            }.ToString();
        }
        else
        {
            text = connectionString!.Reveal();
        }
        try
        {
            _connection = new SqliteConnection(text);
            await _connection.OpenAsync(cancellationToken);
            await using var pragmas = new SqliteCommand("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", _connection);
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
            return _connection;
        }
        catch (Exception error) when (error is SqliteException or ArgumentException)
        {
            _connection = null;
            throw SuccessorSql.Failed(Provider, $"opening {(databasePath is null ? "the database" : databasePath)}", error);
        }
    }

    private const int PrimaryKeyViolation = 1555; // SQLITE_CONSTRAINT_PRIMARYKEY

    /// <summary>Whether the table is being bulk loaded: decided by its first batch of this import (the table empty), then kept.</summary>
    /// <remarks>
    /// Rows of a table that was empty go in by a plain INSERT: the upsert's probes (is the key held, is the row equal) cannot
    /// find anything there, and took most of the time of a row. A key the insert finds held after all goes the upsert's way.
    /// A re-run after a crash finds the table not empty and upserts every row, so it duplicates nothing.
    /// </remarks>
    private async Task<bool> BulkLoadingAsync(SqliteConnection connection, SqliteTransaction transaction, TableSchema table, CancellationToken cancellationToken)
    {
        if (!_bulkLoading.TryGetValue(table.Name, out var loading))
        {
            await using var empty = Command(connection, transaction, $"SELECT NOT EXISTS (SELECT 1 FROM {Quote(table.Name)})");
            _bulkLoading[table.Name] = loading = (long)(await empty.ExecuteScalarAsync(cancellationToken))! == 1;
        }
        return loading;
    }

    private static string InsertSql(TableSchema table) =>
        $"INSERT INTO {Quote(table.Name)} ({string.Join(", ", table.Columns.Select(column => Quote(column.Name)))}) " +
        $"VALUES ({string.Join(", ", table.Columns.Select((_, ordinal) => Parameter(ordinal)))})";

    // Constraint violations, type mismatches and values too big are about the row; a busy, full or broken database is not.
    private static bool IsAboutRow(SqliteException error) => error.SqliteErrorCode is 18 or 19 or 20 or 25;

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql) =>
        new(sql, connection, transaction);

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static object ToDatabase(ColumnSchema column, object? value) => value switch
    {
        null => DBNull.Value,
        bool flag => flag ? 1L : 0L,
        DateTimeOffset instant => SuccessorSql.TimestampToText(instant),
        string[] items => SuccessorSql.ListToJson(items),
        _ => value,
    };

    private static SqliteType ParameterType(ColumnSchema column) => column.Type switch
    {
        ColumnType.Integer or ColumnType.Boolean => Microsoft.Data.Sqlite.SqliteType.Integer,
        ColumnType.Number => Microsoft.Data.Sqlite.SqliteType.Real,
        _ => Microsoft.Data.Sqlite.SqliteType.Text,
    };

    private static string CreateSchemaSql(IReadOnlyList<TableSchema> tables)
    {
        var sql = new StringBuilder();
        foreach (var table in tables)
        {
            sql.Append("CREATE TABLE IF NOT EXISTS ").Append(Quote(table.Name)).AppendLine(" (");
            foreach (var column in table.Columns)
            {
                sql.Append("  ").Append(Quote(column.Name)).Append(' ').Append(column.Type switch
                {
                    ColumnType.Integer or ColumnType.Boolean => "INTEGER",
                    ColumnType.Number => "REAL",
                    _ => "TEXT",
                });
                if (column.Required)
                {
                    sql.Append(" NOT NULL");
                }
                if (column.Type is ColumnType.Json or ColumnType.TextList)
                {
                    sql.Append(" CHECK (").Append(Quote(column.Name)).Append(" IS NULL OR json_valid(").Append(Quote(column.Name)).Append("))");
                }
                if (column.Type == ColumnType.Boolean)
                {
                    sql.Append(" CHECK (").Append(Quote(column.Name)).Append(" IN (0, 1))");
                }
                sql.AppendLine(",");
            }
            sql.AppendLine("  PRIMARY KEY (source_system, source_id)) STRICT;");
        }
        return sql.ToString();
    }

    /// <summary>The id map: a view over every neutral table's key, which is each row's id here (see PostgresSuccessor).</summary>
    private static string CreateIdMapSql() =>
        $"DROP VIEW IF EXISTS {Quote(SuccessorSql.IdMap)};\nCREATE VIEW {Quote(SuccessorSql.IdMap)} AS\n" +
        string.Join("\nUNION ALL ", NeutralSchema.Tables.Select(table => $"SELECT '{table.Name}' AS table_name, source_system, source_id FROM {Quote(table.Name)}")) + ";";

    private static string Parameter(int ordinal) => "$p" + ordinal.ToString(CultureInfo.InvariantCulture);

    // An equal row is not even offered to the insert, so triggers and constraints added later do not refuse rows already held unchanged.
    private string UpsertSql(TableSchema table)
    {
        if (_upserts.TryGetValue(table.Name, out var cached))
        {
            return cached;
        }
        var target = Quote(table.Name);
        var values = SuccessorSql.ValueColumns(table).ToArray();
        var sql = $"""
            INSERT INTO {target} ({string.Join(", ", table.Columns.Select(column => Quote(column.Name)))})
            SELECT {string.Join(", ", table.Columns.Select((_, ordinal) => Parameter(ordinal)))}
            WHERE NOT EXISTS (SELECT 1 FROM {target} WHERE source_system = $p0 AND source_id = $p1 AND {string.Join(" AND ", values.Select(column => $"{Quote(column.Name)} IS {Parameter(table.OrdinalOf(column.Name))}"))})
            ON CONFLICT (source_system, source_id) DO UPDATE SET {string.Join(", ", values.Select(column => $"{Quote(column.Name)} = excluded.{Quote(column.Name)}"))}
            WHERE {string.Join(" OR ", values.Select(column => $"{target}.{Quote(column.Name)} IS NOT excluded.{Quote(column.Name)}"))}
            """;
        _upserts[table.Name] = sql;
        return sql;
    }
}
