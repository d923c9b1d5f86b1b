using System.Data;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using ExitKit.Schema;
using Microsoft.Data.SqlClient;

namespace ExitKit.Connectors.SqlSuccessor.Internal;

/// <summary>SQL Server: each batch goes by SqlBulkCopy into a session temporary table, then one MERGE per batch.</summary>
/// <remarks>
/// Text is stored with a binary collation so keys and the "row differs" test are case- and accent-sensitive, as in the package.
/// A refused row fails the MERGE; the batch is then halved under savepoints until the refused rows stand alone.
/// The id map is a view over the tables' keys, as on PostgreSQL.
/// </remarks>
internal sealed class SqlServerSuccessor(Secret connectionString, string schema) : ISuccessorConnector
{
    private const string Provider = "sqlserver";
    private const string Collation = "COLLATE Latin1_General_100_BIN2";
    private SqlConnection? _connection;

    private string Target(TableSchema table) => $"{Quote(schema)}.{Quote(table.Name)}";
    private string Map => $"{Quote(schema)}.{Quote(SuccessorSql.IdMap)}";
    private static string Stage(TableSchema table) => Quote("#exitkit_stage_" + table.Name);
    private static string Quote(string identifier) => "[" + identifier.Replace("]", "]]", StringComparison.Ordinal) + "]";

    public async Task PrepareAsync(IReadOnlyList<TableSchema> tables, bool dryRun, CancellationToken cancellationToken = default)
    {
        var connection = await ConnectAsync(cancellationToken);
        if (dryRun)
        {
            return;
        }
        // Every neutral table, not only the package's: the landing zone has the whole neutral schema, and the id map covers it.
        await using var command = new SqlCommand(CreateSchemaSql(NeutralSchema.Tables) + CreateIdMapSql(), connection);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (SqlException error)
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
        var outcomes = new SuccessorSql.Outcomes(rows);
        if (rows.Count == 0)
        {
            return outcomes.ToResults();
        }
        await using var transaction = (SqlTransaction)await connection.BeginTransactionAsync(cancellationToken);
        if (dryRun)
        {
            await ExecuteAsync(connection, transaction, CreateSchemaSql([table]), cancellationToken);
        }
        await ExecuteAsync(connection, transaction, StageSql(table), cancellationToken);
        using (var bulk = new SqlBulkCopy(connection, SqlBulkCopyOptions.TableLock, transaction) { DestinationTableName = Stage(table), BatchSize = 0 })
        using (var data = StageData(table, rows))
        {
            foreach (DataColumn column in data.Columns)
            {
                bulk.ColumnMappings.Add(column.ColumnName, column.ColumnName);
            }
            await bulk.WriteToServerAsync(data, cancellationToken);
        }
        await MergeAsync(connection, transaction, table, outcomes, 0, rows.Count, cancellationToken);
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
        await using (var exists = new SqlCommand("SELECT CASE WHEN OBJECT_ID(@name, N'U') IS NULL THEN 0 ELSE 1 END", connection))
        {
            exists.Parameters.Add("@name", SqlDbType.NVarChar, 400).Value = Target(table);
            if ((int)(await exists.ExecuteScalarAsync(cancellationToken))! == 0)
            {
                yield break;
            }
        }
        await using var command = new SqlCommand($"SELECT {string.Join(", ", table.Columns.Select(column => Quote(column.Name)))} FROM {Target(table)}", connection);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object?[table.Columns.Count];
            for (var ordinal = 0; ordinal < row.Length; ordinal++)
            {
                if (await reader.IsDBNullAsync(ordinal, cancellationToken))
                {
                    continue;
                }
                row[ordinal] = table.Columns[ordinal].Type switch
                {
                    ColumnType.Text or ColumnType.Json => reader.GetString(ordinal),
                    ColumnType.Integer => reader.GetInt64(ordinal),
                    ColumnType.Number => reader.GetDouble(ordinal),
                    ColumnType.Boolean => reader.GetBoolean(ordinal),
                    ColumnType.Timestamp => reader.GetDateTimeOffset(ordinal).ToUniversalTime(),
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

    private async Task<SqlConnection> ConnectAsync(CancellationToken cancellationToken)
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
            _connection = new SqlConnection(connectionString.Reveal());
            await _connection.OpenAsync(cancellationToken);
            return _connection;
        }
        catch (ArgumentException)
        {
            // The parser's message can quote a part of the connection string; say only that it is malformed.
            throw new ExitKitException($"Successor sql-successor ({Provider}): the connection string is not valid. Check its keys and values (see the provider's documentation).");
        }
        catch (Exception error) when (error is SqlException or InvalidOperationException)
        {
            throw SuccessorSql.Failed(Provider, "connecting", error);
        }
    }

    private async Task MergeAsync(SqlConnection connection, SqlTransaction transaction, TableSchema table, SuccessorSql.Outcomes outcomes,
        int from, int to, CancellationToken cancellationToken)
    {
        transaction.Save("exitkit_range");
        var written = new List<(int Ord, bool Created)>();
        try
        {
            await using var command = new SqlCommand(MergeSql(table), connection, transaction);
            command.Parameters.Add("@from", SqlDbType.Int).Value = from;
            command.Parameters.Add("@to", SqlDbType.Int).Value = to;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                written.Add((reader.GetInt32(1), reader.GetString(0) == "INSERT"));
            }
        }
        catch (SqlException error) when (IsAboutRow(error))
        {
            // A doomed transaction cannot be rolled back to a savepoint; that rethrows, and the batch fails as a whole.
            transaction.Rollback("exitkit_range");
            if (to - from == 1)
            {
                outcomes.Failed(from, $"{error.Message} (error {error.Number})");
                return;
            }
            var middle = from + ((to - from) / 2);
            await MergeAsync(connection, transaction, table, outcomes, from, middle, cancellationToken);
            await MergeAsync(connection, transaction, table, outcomes, middle, to, cancellationToken);
            return;
        }
        foreach (var (ord, created) in written)
        {
            outcomes.Written(ord, created);
        }
    }

    // Constraint, NULL, duplicate key, truncation, conversion and trigger errors are about the row; so is 8672, a key twice in one batch.
    private static bool IsAboutRow(SqlException error) => error.Number is 515 or 547 or 2601 or 2627 or 2628 or 8152 or 8114 or 245 or 241 or 3609 or 8672 or 50000
        || (error.Class == 16 && error.Number >= 50000);

    private string MergeSql(TableSchema table)
    {
        var names = table.Columns.Select(column => Quote(column.Name)).ToArray();
        var values = SuccessorSql.ValueColumns(table).Select(column => Quote(column.Name)).ToArray();
        return $"""
            MERGE {Target(table)} WITH (HOLDLOCK) AS t
            USING (SELECT * FROM {Stage(table)} WHERE ord >= @from AND ord < @to) AS s
            ON t.source_system = s.source_system AND t.source_id = s.source_id
            WHEN MATCHED AND EXISTS (SELECT {string.Join(", ", values.Select(name => "s." + name))} EXCEPT SELECT {string.Join(", ", values.Select(name => "t." + name))})
              THEN UPDATE SET {string.Join(", ", values.Select(name => $"{name} = s.{name}"))}
            WHEN NOT MATCHED BY TARGET
              THEN INSERT ({string.Join(", ", names)}) VALUES ({string.Join(", ", names.Select(name => "s." + name))})
            OUTPUT $action, s.ord;
            """;
    }

    private static async Task ExecuteAsync(SqlConnection connection, SqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new SqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string SqlType(ColumnSchema column, bool keyed = false) => column.Type switch
    {
        ColumnType.Text when keyed && column.Name == "source_system" => $"nvarchar(200) {Collation}",
        ColumnType.Text when keyed => $"nvarchar(400) {Collation}",
        ColumnType.Text or ColumnType.Json or ColumnType.TextList => $"nvarchar(max) {Collation}",
        ColumnType.Integer => "bigint",
        ColumnType.Number => "float",
        ColumnType.Boolean => "bit",
        ColumnType.Timestamp => "datetimeoffset(7)",
        _ => throw new InvalidOperationException($"Column {column.Name} has an unknown type."),
    };

    private static bool IsKey(ColumnSchema column) => column.Name is "source_system" or "source_id";

    private static string StageSql(TableSchema table) => $"""
        IF OBJECT_ID(N'tempdb..{Stage(table)}') IS NULL
          CREATE TABLE {Stage(table)} (ord int NOT NULL, {string.Join(", ", table.Columns.Select(column => $"{Quote(column.Name)} {SqlType(column, IsKey(column))}"))});
        DELETE FROM {Stage(table)};
        """;

    private string CreateSchemaSql(IReadOnlyList<TableSchema> tables)
    {
        var sql = new StringBuilder();
        sql.Append("IF SCHEMA_ID(N'").Append(schema).Append("') IS NULL EXEC(N'CREATE SCHEMA ").Append(Quote(schema)).AppendLine("');");
        foreach (var table in tables)
        {
            sql.Append("IF OBJECT_ID(N'").Append(Target(table).Replace("'", "''", StringComparison.Ordinal)).Append("', N'U') IS NULL CREATE TABLE ").Append(Target(table)).AppendLine(" (");
            foreach (var column in table.Columns)
            {
                sql.Append("  ").Append(Quote(column.Name)).Append(' ').Append(SqlType(column, IsKey(column))).Append(column.Required ? " NOT NULL" : " NULL");
                if (column.Type is ColumnType.Json or ColumnType.TextList)
                {
                    sql.Append(" CHECK (").Append(Quote(column.Name)).Append(" IS NULL OR ISJSON(").Append(Quote(column.Name)).Append(") = 1)");
                }
                sql.AppendLine(",");
            }
            // Nonclustered: the key may be up to 1,200 bytes, past the 900-byte limit of a clustered key.
            sql.AppendLine("  PRIMARY KEY NONCLUSTERED (source_system, source_id));");
        }
        return sql.ToString();
    }

    /// <summary>The id map: a view over every neutral table's key, which is each row's id here (see PostgresSuccessor).</summary>
    /// <remarks>CREATE VIEW must open a batch of its own, hence EXEC.</remarks>
    private string CreateIdMapSql()
    {
        var view = $"CREATE OR ALTER VIEW {Map} AS " + string.Join(" UNION ALL ", NeutralSchema.Tables.Select(table =>
            $"SELECT CAST(N'{table.Name}' AS nvarchar(64)) AS table_name, source_system, source_id FROM {Target(table)}"));
        return $"EXEC(N'{view.Replace("'", "''", StringComparison.Ordinal)}');";
    }

    private static DataTable StageData(TableSchema table, IReadOnlyList<object?[]> rows)
    {
        var data = new DataTable { Locale = CultureInfo.InvariantCulture };
        data.Columns.Add("ord", typeof(int));
        foreach (var column in table.Columns)
        {
            data.Columns.Add(column.Name, column.Type switch
            {
                ColumnType.Integer => typeof(long),
                ColumnType.Number => typeof(double),
                ColumnType.Boolean => typeof(bool),
                ColumnType.Timestamp => typeof(DateTimeOffset),
                _ => typeof(string),
            });
        }
        for (var index = 0; index < rows.Count; index++)
        {
            var values = new object?[table.Columns.Count + 1];
            values[0] = index;
            for (var ordinal = 0; ordinal < table.Columns.Count; ordinal++)
            {
                values[ordinal + 1] = rows[index][ordinal] switch
                {
                    null => DBNull.Value,
                    string[] items => SuccessorSql.ListToJson(items),
                    var value => value,
                };
            }
            data.Rows.Add(values);
        }
        return data;
    }
}
