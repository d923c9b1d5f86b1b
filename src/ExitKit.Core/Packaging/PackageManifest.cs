using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExitKit.Packaging;

/// <summary>The machine-readable manifest of an exit package, <c>exitkit.json</c> (JSON Schema: manifests/exitkit.schema.json).</summary>
public sealed record PackageManifest
{
    /// <summary>The neutral format version the package follows.</summary>
    public required string FormatVersion { get; init; }
    /// <summary>A unique id for this package; also the BagIt External-Identifier.</summary>
    public required string PackageId { get; init; }
    /// <summary>The program that wrote the package.</summary>
    public required ToolInfo Tool { get; init; }
    /// <summary>When writing began.</summary>
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>When the package was sealed (manifest and BagIt files written).</summary>
    public required DateTimeOffset SealedAt { get; init; }
    /// <summary>The source system and the connector that read it.</summary>
    public required SourceInfo Source { get; init; }
    /// <summary>The export window.</summary>
    public required WindowInfo ExportWindow { get; init; }
    /// <summary>Whether personal data was pseudonymised, and how.</summary>
    public required PseudonymisationInfo Pseudonymisation { get; init; }
    /// <summary>Every table in the package.</summary>
    public required IReadOnlyList<TableEntry> Tables { get; init; }
    /// <summary>Content-addressed binary artefacts.</summary>
    public required FileGroupInfo Artefacts { get; init; }
    /// <summary>The vendor's original files, byte-exact.</summary>
    public required IReadOnlyList<FileEntry> Originals { get; init; }
    /// <summary>Records and files the connector could not fully read.</summary>
    public required IReadOnlyList<ProblemEntry> Problems { get; init; }
    /// <summary>The shards joined into this package, when it was exported in shards.</summary>
    public IReadOnlyList<ShardInfo>? Shards { get; init; }

    /// <summary>The file name of the manifest at the package root.</summary>
    public const string FileName = "exitkit.json";

    /// <summary>How manifests are written and read: camelCase, enums as strings, indented.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The entry for a table, or null when the package does not hold it.</summary>
    public TableEntry? FindTable(string name) => Tables.FirstOrDefault(table => table.Name == name);
}

/// <summary>The program that wrote a package.</summary>
public sealed record ToolInfo(string Name, string Version);

/// <summary>The source system and connector.</summary>
/// <param name="System">The <c>source_system</c> value of the rows.</param>
/// <param name="Vendor">The vendor product, for people.</param>
/// <param name="Connector">The connector's name.</param>
/// <param name="ConnectorVersion">The connector's version.</param>
public sealed record SourceInfo(string System, string Vendor, string Connector, string ConnectorVersion);

/// <summary>An export window; null bounds are open.</summary>
public sealed record WindowInfo(DateTimeOffset? From, DateTimeOffset? To);

/// <summary>Whether personal columns were replaced by keyed hashes.</summary>
/// <param name="Applied">True when they were.</param>
/// <param name="Method">The method, e.g. <c>HMAC-SHA256, hex, first 32 characters</c>.</param>
/// <param name="Columns">The columns pseudonymised, as <c>table.column</c>.</param>
public sealed record PseudonymisationInfo(bool Applied, string? Method, IReadOnlyList<string> Columns);

/// <summary>A table of the package.</summary>
public sealed record TableEntry
{
    /// <summary>The neutral table name.</summary>
    public required string Name { get; init; }
    /// <summary>Its data family.</summary>
    public required string Family { get; init; }
    /// <summary>Its columns as written.</summary>
    public required IReadOnlyList<ColumnEntry> Columns { get; init; }
    /// <summary>Its Parquet parts.</summary>
    public required IReadOnlyList<TableFile> Files { get; init; }
    /// <summary>Rows across all parts.</summary>
    public required long Rows { get; init; }
    /// <summary>Bytes across all parts.</summary>
    public required long Bytes { get; init; }
    /// <summary>The column that places rows in time, if any.</summary>
    public string? TimeColumn { get; init; }
    /// <summary>The earliest value of the time column.</summary>
    public DateTimeOffset? MinTime { get; init; }
    /// <summary>The latest value of the time column.</summary>
    public DateTimeOffset? MaxTime { get; init; }
    /// <summary>Rows per UTC day of the time column, as written.</summary>
    public IReadOnlyDictionary<DateOnly, long>? DailyCounts { get; init; }
    /// <summary>What the source itself reported.</summary>
    public ControlTotalEntry? ControlTotal { get; init; }
}

/// <summary>A column of a table as written.</summary>
public sealed record ColumnEntry(string Name, string Type, bool Required);

/// <summary>A Parquet part of a table.</summary>
public sealed record TableFile(string Path, long Rows, long Bytes, string Sha256);

/// <summary>A file with its size and hash.</summary>
public sealed record FileEntry(string Path, long Bytes, string Sha256);

/// <summary>The source's own count of a table.</summary>
/// <param name="Rows">Rows the source reported for the export window; null when it could not say.</param>
/// <param name="Daily">Rows per UTC day, as the source counts them.</param>
/// <param name="Method">How the source was asked.</param>
public sealed record ControlTotalEntry(long? Rows, IReadOnlyDictionary<DateOnly, long>? Daily, string? Method);

/// <summary>Artefacts in aggregate; each file is listed with its hash in manifest-sha256.txt.</summary>
public sealed record FileGroupInfo(long Count, long Bytes);

/// <summary>A problem the connector reported.</summary>
public sealed record ProblemEntry(string Kind, string? Table, string Subject, string Reason);

/// <summary>A shard that contributed to the package.</summary>
public sealed record ShardInfo(int Index, int Count, WindowInfo Window, string PackageId);
