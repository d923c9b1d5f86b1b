using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Connectors.Sample.Internal;
using ExitKit.Schema;

namespace ExitKit.Connectors.Sample;

/// <summary>The built-in sample vendor stack ("Northwind Contact", a fictional contact centre), so ExitKit runs with no vendor at hand.</summary>
public sealed class SamplePlugin : ConnectorPlugin
{
    /// <inheritdoc />
    public override ConnectorDescriptor Descriptor { get; } = new("sample", "1.0.0",
        "A deterministic fictional contact centre: voice, chat and email with transcripts, CSAT, a bilingual knowledge base, routing and a bot.",
        [DataFamily.Interactions, DataFamily.Knowledge, DataFamily.Routing, DataFamily.Models], IsSource: true, IsSuccessor: false);

    /// <inheritdoc />
    public override ISourceConnector CreateSource(ConnectorConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new SampleSource(Options(configuration));
    }

    /// <summary>Writes the sample centre as an SQLite database in the <c>sql</c> connector's generic contact-centre schema: its SQLite form.</summary>
    /// <remarks>The <c>sql</c> connector's built-in mapping exports it with the rows this connector's source gives (see docs/connectors/sql.md).</remarks>
    public override async Task<VendorDatabase> WriteVendorDatabaseAsync(ConnectorConfiguration configuration, string databasePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        var path = Path.GetFullPath(databasePath);
        var rows = await new SampleVendorDatabase(Options(configuration)).WriteAsync(path, cancellationToken);
        // The sql connector reads it with its built-in mapping; rows keep the sample's source_system, as its own source gives them.
        var settings = JsonSerializer.SerializeToElement(new { provider = "sqlite", databasePath = path, sourceSystem = SampleCentre.System });
        return new VendorDatabase(path, "sql", new ConnectorConfiguration(settings, path), rows);
    }

    private static SampleOptions Options(ConnectorConfiguration configuration)
    {
        var options = configuration.Bind<SampleOptions>();
        if (options.Interactions < 0)
        {
            throw ExitKitException.BadSetting(configuration.SourcePath, "interactions", "must be zero or more.");
        }
        return options;
    }
}

/// <summary>Settings of the sample stack.</summary>
public sealed class SampleOptions
{
    /// <summary>How many interactions the centre has handled (messages are about five per interaction).</summary>
    public int Interactions { get; set; } = 10_000;

    /// <summary>The first day of the centre's history (UTC).</summary>
    public DateOnly FirstDay { get; set; } = new(2023, 1, 1);

    /// <summary>The last day of its history (UTC), inclusive.</summary>
    public DateOnly LastDay { get; set; } = new(2026, 10, 31);

    /// <summary>Days on which the centre's own records are lost: the source reports their rows, but the package cannot have them.
    /// Used to rehearse what validation says about a gap.</summary>
    public IReadOnlyList<DateOnly> LostDays { get; set; } = [];
}
