using ExitKit.Connectors.KnowledgeFiles.Internal;
using ExitKit.Schema;

namespace ExitKit.Connectors.KnowledgeFiles;

/// <summary>
/// The <c>kb-files</c> successor: the knowledge base as Markdown files with YAML front matter, one folder per locale and
/// section, attachments beside their articles, for static help centres and knowledge bases kept in a repository.
/// </summary>
public sealed class KnowledgeFilesPlugin : ConnectorPlugin
{
    /// <inheritdoc />
    public override ConnectorDescriptor Descriptor { get; } = new(KnowledgeFilesSuccessor.ConnectorName, "1.0.0",
        "Imports a package's knowledge base (kb_sections, kb_articles, kb_attachments) as Markdown files with YAML front matter, per locale, with attachments.",
        [DataFamily.Knowledge], IsSource: false, IsSuccessor: true);

    /// <inheritdoc />
    public override ISuccessorConnector CreateSuccessor(ConnectorConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.Bind<KnowledgeFilesOptions>();
        if (string.IsNullOrWhiteSpace(options.OutputPath))
        {
            throw ExitKitException.BadSetting(configuration.SourcePath, "outputPath", "is required: the folder the knowledge base is written to, e.g. \"help-centre\".");
        }
        var locale = Slug.Segment(options.DefaultLocale ?? "");
        if (locale.Length == 0 || locale != options.DefaultLocale)
        {
            throw ExitKitException.BadSetting(configuration.SourcePath, "defaultLocale", $"'{options.DefaultLocale}' is not a locale folder name such as en-us or und.");
        }
        var root = configuration.ResolvePath(options.OutputPath);
        if (File.Exists(root))
        {
            throw ExitKitException.BadSetting(configuration.SourcePath, "outputPath", $"'{root}' is a file; name a folder.");
        }
        return new KnowledgeFilesSuccessor(root, locale);
    }
}
