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
        var options = configuration.Bind<SampleOptions>();
        if (options.Interactions < 0)
        {
            throw ExitKitException.BadSetting(configuration.SourcePath, "interactions", "must be zero or more.");
        }
        return new SampleSource(options);
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
