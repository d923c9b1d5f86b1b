using ExitKit.Connectors.LexV2.Internal;
using ExitKit.Schema;

namespace ExitKit.Connectors.LexV2;

/// <summary>Settings of the <c>lex-v2</c> connector.</summary>
public sealed class LexV2Options
{
    /// <summary>The bot export: the .zip that Lex V2's export produced, or the folder it unzips to. Relative to the config file.</summary>
    public string? Path { get; set; }
}

/// <summary>Reads Amazon Lex V2 bot exports (Manifest.json, Bot.json, BotLocales, Intents, Slots, SlotTypes) into the models tables.</summary>
public sealed class LexV2Plugin : ConnectorPlugin
{
    /// <summary>The connector's name on the command line.</summary>
    public const string Name = "lex-v2";

    /// <inheritdoc />
    public override ConnectorDescriptor Descriptor { get; } = new(Name, "0.1.0",
        "Reads an Amazon Lex V2 bot export (zip or folder): bot, locales, intents with sample utterances, slots and slot types.",
        [DataFamily.Models], IsSource: true, IsSuccessor: false);

    /// <inheritdoc />
    public override ISourceConnector CreateSource(ConnectorConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.Bind<LexV2Options>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            throw ExitKitException.BadSetting(configuration.SourcePath, "path", "is required: the Lex V2 export .zip or the folder it unzips to.");
        }
        return new LexV2Source(configuration.ResolvePath(options.Path));
    }
}
