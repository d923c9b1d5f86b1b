namespace ExitKit.Connectors.Sql;

/// <summary>The settings of the <c>sql</c> connector, as written in its JSON config file.</summary>
/// <example>
/// <code>
/// { "provider": "postgresql", "connectionString": "env:VENDOR_DB", "mapping": "vendor-mapping.yaml", "sourceSystem": "acme-cc" }
/// { "provider": "sqlite", "databasePath": "vendor.db" }
/// </code>
/// </example>
public sealed class SqlOptions
{
    /// <summary><c>sqlserver</c>, <c>postgresql</c> or <c>sqlite</c>.</summary>
    public string? Provider { get; set; }

    /// <summary>A secret reference (<c>env:NAME</c> or <c>file:PATH</c>) to the ADO.NET connection string.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>For SQLite only: the database file, instead of a connection string (relative to the config file).</summary>
    public string? DatabasePath { get; set; }

    /// <summary>The mapping file (YAML), relative to the config file; the generic contact-centre mapping when omitted.</summary>
    public string? Mapping { get; set; }

    /// <summary>The value of <c>source_system</c> in every row; <c>sql:{provider}</c> when omitted.</summary>
    public string? SourceSystem { get; set; }

    /// <summary>Rows per keyset page (one query each).</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>How many transient failures in a row (dropped connection, failover) a read retries before it gives up.</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>The first retry's delay in milliseconds; each further retry doubles it.</summary>
    public int RetryDelayMilliseconds { get; set; } = 500;

    /// <summary>How long one statement may run, in seconds.</summary>
    public int CommandTimeoutSeconds { get; set; } = 300;
}
