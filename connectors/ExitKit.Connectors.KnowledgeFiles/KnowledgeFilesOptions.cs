namespace ExitKit.Connectors.KnowledgeFiles;

/// <summary>Settings of the <c>kb-files</c> connector.</summary>
public sealed class KnowledgeFilesOptions
{
    /// <summary>The folder the knowledge base is written to, relative to the config file; created when absent (not by a dry run).</summary>
    public string? OutputPath { get; set; }

    /// <summary>The locale folder for sections that carry no locale; default <c>und</c> (BCP 47 "undetermined").</summary>
    public string DefaultLocale { get; set; } = "und";
}
