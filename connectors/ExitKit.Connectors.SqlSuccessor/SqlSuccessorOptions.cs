namespace ExitKit.Connectors.SqlSuccessor;

/// <summary>Settings of the <c>sql-successor</c> connector.</summary>
public sealed class SqlSuccessorOptions
{
    /// <summary>The database: <c>sqlite</c>, <c>postgresql</c> or <c>sqlserver</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The connection string, as a secret reference (<c>env:NAME</c> or <c>file:PATH</c>); required for PostgreSQL and SQL Server.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The SQLite database file, relative to the config file; created when absent.</summary>
    public string? DatabasePath { get; set; }

    /// <summary>The schema the neutral tables are created in (PostgreSQL and SQL Server); created when absent.</summary>
    public string Schema { get; set; } = "exitkit";
}
