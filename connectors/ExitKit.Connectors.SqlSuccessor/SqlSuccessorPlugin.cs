using System.Text.RegularExpressions;
using ExitKit.Connectors.SqlSuccessor.Internal;
using ExitKit.Schema;

namespace ExitKit.Connectors.SqlSuccessor;

/// <summary>The relational successor: the neutral tables in PostgreSQL, SQLite or SQL Server, loaded by bulk paths, idempotently, with an id map.</summary>
public sealed partial class SqlSuccessorPlugin : ConnectorPlugin
{
    /// <inheritdoc />
    public override ConnectorDescriptor Descriptor { get; } = new("sql-successor", "1.0.0",
        "Imports a package into PostgreSQL, SQLite or SQL Server as the neutral tables, idempotently, with an id map (exitkit_id_map).",
        [DataFamily.Interactions, DataFamily.Knowledge, DataFamily.Routing, DataFamily.Models], IsSource: false, IsSuccessor: true);

    /// <inheritdoc />
    public override ISuccessorConnector CreateSuccessor(ConnectorConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.Bind<SqlSuccessorOptions>();
        if (!SchemaName().IsMatch(options.Schema ?? ""))
        {
            throw ExitKitException.BadSetting(configuration.SourcePath, "schema", "must be a plain identifier (letters, digits, underscores), e.g. exitkit.");
        }
        switch (options.Provider?.ToLowerInvariant())
        {
            case "sqlite":
                if (options.DatabasePath is not null)
                {
                    return new SqliteSuccessor(configuration.ResolvePath(options.DatabasePath), null);
                }
                return options.ConnectionString is not null
                    ? new SqliteSuccessor(null, configuration.ResolveSecret(options.ConnectionString, "connectionString"))
                    : throw ExitKitException.BadSetting(configuration.SourcePath, "databasePath", "is required for SQLite: name the database file, e.g. \"successor.db\".");
            case "postgresql":
                return new PostgresSuccessor(RequireConnection(configuration, options), options.Schema!);
            case "sqlserver":
                return new SqlServerSuccessor(RequireConnection(configuration, options), options.Schema!);
            default:
                throw ExitKitException.BadSetting(configuration.SourcePath, "provider", $"is '{options.Provider}'; use sqlite, postgresql or sqlserver.");
        }
    }

    private static Secret RequireConnection(ConnectorConfiguration configuration, SqlSuccessorOptions options) =>
        options.ConnectionString is null
            ? throw ExitKitException.BadSetting(configuration.SourcePath, "connectionString", $"is required for {options.Provider}: a secret reference such as \"env:SUCCESSOR_DB\".")
            : configuration.ResolveSecret(options.ConnectionString, "connectionString");

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();
}
