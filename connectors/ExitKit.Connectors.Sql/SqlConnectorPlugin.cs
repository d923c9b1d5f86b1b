using ExitKit.Connectors.Sql.Internal;
using ExitKit.Schema;
using Microsoft.Data.Sqlite;

namespace ExitKit.Connectors.Sql;

/// <summary>The <c>sql</c> connector: exports a vendor's contact-centre database (SQL Server, PostgreSQL, SQLite) through a mapping file.</summary>
public sealed class SqlConnectorPlugin : ConnectorPlugin
{
    /// <inheritdoc />
    public override ConnectorDescriptor Descriptor { get; } = new(
        "sql",
        typeof(SqlConnectorPlugin).Assembly.GetName().Version?.ToString(3) ?? "0.1.0",
        "Reads a vendor's contact-centre database (SQL Server, PostgreSQL, SQLite), read-only, through a mapping of vendor tables to neutral tables.",
        [DataFamily.Interactions, DataFamily.Knowledge, DataFamily.Routing, DataFamily.Models],
        IsSource: true,
        IsSuccessor: false);

    /// <inheritdoc />
    public override ISourceConnector CreateSource(ConnectorConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return CreateSqlSource(configuration);
    }

    internal static SqlSource CreateSqlSource(ConnectorConfiguration configuration)
    {
        var options = configuration.Bind<SqlOptions>();
        var path = configuration.SourcePath;
        var provider = options.Provider?.Trim().ToUpperInvariant() switch
        {
            "SQLSERVER" or "MSSQL" => SqlProvider.SqlServer,
            "POSTGRESQL" or "POSTGRES" => SqlProvider.PostgreSql,
            "SQLITE" => SqlProvider.Sqlite,
            null or "" => throw ExitKitException.BadSetting(path, "provider", "is missing; use sqlserver, postgresql or sqlite."),
            _ => throw ExitKitException.BadSetting(path, "provider", $"is '{options.Provider}'; use sqlserver, postgresql or sqlite."),
        };
        if (options.BatchSize is < 1 or > 1_000_000)
        {
            throw ExitKitException.BadSetting(path, "batchSize", "must be between 1 and 1000000 rows.");
        }
        if (options.MaxRetries is < 0 or > 100)
        {
            throw ExitKitException.BadSetting(path, "maxRetries", "must be between 0 and 100.");
        }

        Secret connectionString;
        string reference;
        if (options.DatabasePath is { Length: > 0 } databasePath)
        {
            if (provider != SqlProvider.Sqlite)
            {
                throw ExitKitException.BadSetting(path, "databasePath", "is for SQLite only; give `connectionString` as a secret reference (env:NAME or file:PATH).");
            }
            if (options.ConnectionString is not null)
            {
                throw ExitKitException.BadSetting(path, "databasePath", "and `connectionString` are both set; give one.");
            }
            var file = configuration.ResolvePath(databasePath);
            if (!File.Exists(file))
            {
                throw ExitKitException.FileNotFound(file, "SQLite database");
            }
            connectionString = new Secret(new SqliteConnectionStringBuilder { DataSource = file }.ConnectionString);
            reference = "databasePath";
        }
        else if (options.ConnectionString is { Length: > 0 } secretReference)
        {
            connectionString = configuration.ResolveSecret(secretReference, "connectionString");
            reference = secretReference;
        }
        else
        {
            throw ExitKitException.BadSetting(path, "connectionString",
                "is missing; give a secret reference to the connection string (env:NAME or file:PATH)" + (provider == SqlProvider.Sqlite ? ", or `databasePath`." : "."));
        }

        var mapping = options.Mapping is { Length: > 0 } mappingPath
            ? SqlMapping.Load(configuration.ResolvePath(mappingPath))
            : GenericContactCentre.LoadMapping();
        if (provider == SqlProvider.SqlServer
            && mapping.Tables.FirstOrDefault(table => table.Query?.Text.TrimStart().StartsWith("WITH", StringComparison.OrdinalIgnoreCase) == true) is { } withQuery)
        {
            // The connector reads a query as a derived table, and T-SQL allows no WITH there.
            throw SqlMapping.At(mapping.Path, withQuery.Query!, $"table {withQuery.Table.Name}: SQL Server does not allow WITH inside a derived table; write the query with subqueries instead");
        }
        var settings = new SqlSettings(
            SqlDialect.For(provider),
            connectionString,
            reference,
            mapping,
            options.SourceSystem is { Length: > 0 } system ? system : $"sql:{provider.ToString().ToLowerInvariant()}",
            options.BatchSize,
            options.MaxRetries,
            TimeSpan.FromMilliseconds(Math.Max(0, options.RetryDelayMilliseconds)),
            options.CommandTimeoutSeconds);
        return new SqlSource(settings);
    }
}
