using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ExitKit.Connectors.Sql.Internal;

/// <summary>The database products the connector reads.</summary>
internal enum SqlProvider
{
    SqlServer,
    PostgreSql,
    Sqlite,
}

/// <summary>What differs between the providers: read-only connection settings, paging, dates, transient failures.</summary>
internal abstract class SqlDialect
{
    public abstract SqlProvider Provider { get; }

    public abstract string DisplayName { get; }

    /// <summary>The connection string with read-only settings applied, where the provider has them.</summary>
    /// <exception cref="ArgumentException">The connection string cannot be parsed.</exception>
    public abstract string ReadOnlyConnectionString(string connectionString);

    public abstract DbConnection CreateConnection(string connectionString);

    /// <summary>Host, port, database and user, never the password: what error messages may show.</summary>
    public abstract string Describe(string connectionString);

    /// <summary>The password in the connection string, to scrub from messages; null when there is none.</summary>
    public abstract string? PasswordOf(string connectionString);

    public virtual string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A SELECT of at most <paramref name="limit"/> rows.</summary>
    public virtual string Limit(string selectList, string rest, int limit) =>
        string.Create(CultureInfo.InvariantCulture, $"SELECT {selectList} {rest} LIMIT {limit}");

    /// <summary>A condition comparing a time expression with a time parameter.</summary>
    public virtual string CompareTime(string expression, string comparison, string parameter) => $"({expression}) {comparison} {parameter}";

    /// <summary>The UTC date of a time expression.</summary>
    public virtual string DayOf(string expression) => $"CAST(({expression}) AS date)";

    /// <summary>How a window bound is passed as a parameter value.</summary>
    public virtual object TimeValue(DateTimeOffset instant) => instant.ToUniversalTime();

    /// <summary>True when the failure is worth a retry on a new connection (a dropped connection, a server restart, a deadlock).</summary>
    public virtual bool IsTransient(Exception error) => error switch
    {
        DbException { IsTransient: true } => true,
        IOException or SocketException or TimeoutException => true,
        _ => error.InnerException is { } inner && IsTransient(inner),
    };

    /// <summary>The database's own words for a failure, on one line (PostgreSQL appends positions and hints on further lines).</summary>
    public virtual string MessageOf(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var text = error is PostgresException postgres ? $"{postgres.SqlState}: {postgres.MessageText}" : error.Message;
        return string.Join(" ", text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.');
    }

    /// <summary>Drops the pooled connections of this connection's pool: after a server restart they are all dead.</summary>
    public virtual void ClearPool(DbConnection connection)
    {
    }

    public static SqlDialect For(SqlProvider provider) => provider switch
    {
        SqlProvider.PostgreSql => new PostgreSqlDialect(),
        SqlProvider.Sqlite => new SqliteDialect(),
        SqlProvider.SqlServer => new SqlServerDialect(),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };
}

internal sealed class PostgreSqlDialect : SqlDialect
{
    public override SqlProvider Provider => SqlProvider.PostgreSql;

    public override string DisplayName => "PostgreSQL";

    public override string ReadOnlyConnectionString(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // Every transaction of the session is read-only, so not even a function in a mapping can write;
        // times compare and truncate to days in UTC whatever the server's default zone.
        builder.Options = $"{builder.Options} -c default_transaction_read_only=on".Trim();
        builder.Timezone = "UTC";
        builder.ApplicationName ??= "exitkit-sql";
        // An export streams gigabytes of rows: Npgsql's default 8 KiB read buffer costs a socket read (and often a wake-up)
        // per few rows. 256 KiB cut the client's CPU by a fifth on the 1M-contact benchmark; a setting of the user's own wins.
        if (!HasSetting(connectionString, "Read Buffer Size", "ReadBufferSize"))
        {
            builder.ReadBufferSize = 256 * 1024;
        }
        return builder.ConnectionString;
    }

    public override DbConnection CreateConnection(string connectionString) => new NpgsqlConnection(connectionString);

    private static bool HasSetting(string connectionString, params string[] names)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        return names.Any(given.ContainsKey);
    }

    public override void ClearPool(DbConnection connection) => NpgsqlConnection.ClearPool((NpgsqlConnection)connection);

    public override string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return string.Create(CultureInfo.InvariantCulture, $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username} as user '{builder.Username}'");
    }

    public override string? PasswordOf(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Password;

    public override bool IsTransient(Exception error) =>
        // 57P01..57P03: the backend was terminated (pg_terminate_backend, shutdown) or cannot accept connections yet;
        // 08xxx: connection exceptions. Npgsql does not count all of these as transient.
        (error is PostgresException postgres && (postgres.SqlState.StartsWith("57P0", StringComparison.Ordinal) || postgres.SqlState.StartsWith("08", StringComparison.Ordinal)))
        || base.IsTransient(error);
}

internal sealed class SqliteDialect : SqlDialect
{
    public override SqlProvider Provider => SqlProvider.Sqlite;

    public override string DisplayName => "SQLite";

    public override string ReadOnlyConnectionString(string connectionString) =>
        new SqliteConnectionStringBuilder(connectionString) { Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString;

    public override DbConnection CreateConnection(string connectionString) => new SqliteConnection(connectionString);

    public override string Describe(string connectionString) => new SqliteConnectionStringBuilder(connectionString).DataSource;

    public override string? PasswordOf(string connectionString) => new SqliteConnectionStringBuilder(connectionString).Password is { Length: > 0 } password ? password : null;

    // SQLite has no time type: vendors store ISO-8601 text, which julianday() and date() read in UTC whatever the separator.
    public override string CompareTime(string expression, string comparison, string parameter) =>
        $"julianday({expression}) {comparison} julianday({parameter})";

    public override string DayOf(string expression) => $"date({expression})";

    public override object TimeValue(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public override bool IsTransient(Exception error) =>
        error is SqliteException { SqliteErrorCode: 5 or 6 } || base.IsTransient(error); // SQLITE_BUSY, SQLITE_LOCKED
}

internal sealed class SqlServerDialect : SqlDialect
{
    // Connection dropped or refused, timeouts, Azure SQL throttling and failover, deadlock victim.
    private static readonly HashSet<int> TransientNumbers = [-2, 20, 53, 64, 121, 233, 1205, 10053, 10054, 10060, 10928, 10929, 40143, 40197, 40501, 40613, 49918, 49919, 49920];

    public override SqlProvider Provider => SqlProvider.SqlServer;

    public override string DisplayName => "SQL Server";

    public override string ReadOnlyConnectionString(string connectionString) =>
        new SqlConnectionStringBuilder(connectionString) { ApplicationIntent = ApplicationIntent.ReadOnly }.ConnectionString;

    public override DbConnection CreateConnection(string connectionString) => new SqlConnection(connectionString);

    public override void ClearPool(DbConnection connection) => SqlConnection.ClearPool((SqlConnection)connection);

    public override string Describe(string connectionString)
    {
        var builder = new SqlConnectionStringBuilder(connectionString);
        var user = builder.IntegratedSecurity ? "integrated security" : $"user '{builder.UserID}'";
        return $"{builder.DataSource}/{builder.InitialCatalog} as {user}";
    }

    public override string? PasswordOf(string connectionString) => new SqlConnectionStringBuilder(connectionString).Password is { Length: > 0 } password ? password : null;

    public override string QuoteIdentifier(string name) => "[" + name.Replace("]", "]]", StringComparison.Ordinal) + "]";

    public override string Limit(string selectList, string rest, int limit) =>
        string.Create(CultureInfo.InvariantCulture, $"SELECT TOP ({limit}) {selectList} {rest}");

    public override object TimeValue(DateTimeOffset instant) => instant.UtcDateTime;

    public override bool IsTransient(Exception error) =>
        (error is SqlException sql && TransientNumbers.Contains(sql.Number)) || base.IsTransient(error);
}
