using System.Data.Common;
using System.Reflection;
using ExitKit.Connectors.Sql.Internal;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ExitKit.Connectors.Sql;

/// <summary>The generic contact-centre schema: a typical vendor database that the built-in mapping reads.</summary>
/// <remarks>
/// The DDL and mapping ship beside the plugin under <c>mappings/</c> (generic-contact-centre.sql and .yaml). The DDL is
/// written in SQL that both SQLite and PostgreSQL accept; times are stored as instants (PostgreSQL) or ISO-8601 UTC text (SQLite).
/// </remarks>
public static class GenericContactCentre
{
    private const string SchemaResource = "ExitKit.Connectors.Sql.generic-contact-centre.sql";
    private const string MappingResource = "ExitKit.Connectors.Sql.generic-contact-centre.yaml";

    /// <summary>The file name of the built-in mapping, as originals and errors name it.</summary>
    public const string MappingFileName = "generic-contact-centre.yaml";

    /// <summary>The DDL of the schema (CREATE TABLE IF NOT EXISTS …), for SQLite and PostgreSQL.</summary>
    public static string SchemaSql { get; } = ReadResource(SchemaResource);

    /// <summary>Creates the schema's tables in an open SQLite or PostgreSQL connection; tables that exist are left alone.</summary>
    /// <exception cref="ArgumentException">The connection is neither SQLite nor PostgreSQL.</exception>
    public static async Task CreateSchemaAsync(DbConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection is not (SqliteConnection or NpgsqlConnection))
        {
            throw new ArgumentException($"The generic contact-centre DDL is for SQLite and PostgreSQL, not {connection.GetType().Name}.", nameof(connection));
        }
        await using var command = connection.CreateCommand();
        command.CommandText = SchemaSql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static SqlMapping LoadMapping()
    {
        using var stream = Resource(MappingResource);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return SqlMapping.Parse(buffer.ToArray(), MappingFileName);
    }

    private static string ReadResource(string name)
    {
        using var reader = new StreamReader(Resource(name));
        return reader.ReadToEnd();
    }

    private static Stream Resource(string name) =>
        Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"The resource {name} is missing from {Assembly.GetExecutingAssembly().GetName().Name}; the build is broken.");
}
