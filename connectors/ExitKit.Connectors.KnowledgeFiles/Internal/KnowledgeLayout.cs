using ExitKit.Schema;

namespace ExitKit.Connectors.KnowledgeFiles.Internal;

/// <summary>
/// Where every knowledge row goes, decided once from the whole package: section folders from the section tree, one file name per
/// article and locale (from its latest version's title), older versions under a history folder, attachments beside their articles.
/// </summary>
/// <remarks>
/// Paths must not depend on the order rows arrive in, or a re-run would move files: hence the look at the whole package first.
/// It holds one small entry per section, per article and locale, and per attachment (a few hundred bytes each), which suits
/// knowledge bases (thousands to tens of thousands of articles); rows themselves are never held.
/// </remarks>
internal sealed class KnowledgeLayout
{
    private static readonly TableSchema Sections = NeutralSchema.KbSections;
    private static readonly TableSchema Articles = NeutralSchema.KbArticles;
    private static readonly TableSchema Attachments = NeutralSchema.KbAttachments;

    private readonly string _defaultLocale;
    private readonly Dictionary<string, SectionEntry> _sections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ArticleEntry> _articles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedSet<string>> _localesOfArticle = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<object?[]>> _attachmentsOfArticle = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _attachmentFileNames = new(StringComparer.Ordinal);

    private KnowledgeLayout(string defaultLocale) => _defaultLocale = defaultLocale;

    private sealed class SectionEntry(string? parentKey, string name, string locale)
    {
        public string? ParentKey { get; } = parentKey;
        public string Name { get; } = name;
        public string Locale { get; } = locale;
        public string Folder { get; set; } = "";
        public string? Path { get; set; }
    }

    private sealed class ArticleEntry(long version, string title, string? sectionId, string system)
    {
        public long Version { get; set; } = version;
        public string Title { get; set; } = title;
        public string? SectionId { get; set; } = sectionId;
        public string System { get; } = system;
        public string FileStem { get; set; } = "";
    }

    private static string Key(string system, string id) => system + "\u0000" + id;

    private static string ArticleKey(string system, string articleId, string locale) => system + "\u0000" + articleId + "\u0000" + locale;

    public static async Task<KnowledgeLayout> BuildAsync(IImportSource package, string defaultLocale, CancellationToken cancellationToken)
    {
        var layout = new KnowledgeLayout(defaultLocale);
        if (package.HasTable(Sections.Name))
        {
            await foreach (var row in package.ReadRowsAsync(Sections.Name, cancellationToken))
            {
                var system = (string)row[0]!;
                var parent = row[Sections.OrdinalOf("parent_id")] as string;
                layout._sections[Key(system, (string)row[1]!)] = new SectionEntry(parent is null ? null : Key(system, parent),
                    (string)row[Sections.OrdinalOf("name")]!, LocaleFolder(row[Sections.OrdinalOf("locale")] as string, defaultLocale));
            }
        }
        if (package.HasTable(Articles.Name))
        {
            await foreach (var row in package.ReadRowsAsync(Articles.Name, cancellationToken))
            {
                var system = (string)row[0]!;
                var articleId = (string)row[Articles.OrdinalOf("article_id")]!;
                var locale = (string)row[Articles.OrdinalOf("locale")]!;
                var version = (long)row[Articles.OrdinalOf("version")]!;
                var key = ArticleKey(system, articleId, locale);
                if (!layout._articles.TryGetValue(key, out var entry))
                {
                    layout._articles[key] = entry = new ArticleEntry(version, (string)row[Articles.OrdinalOf("title")]!, row[Articles.OrdinalOf("section_id")] as string, system);
                }
                else if (version > entry.Version)
                {
                    entry.Version = version;
                    entry.Title = (string)row[Articles.OrdinalOf("title")]!;
                    entry.SectionId = row[Articles.OrdinalOf("section_id")] as string;
                }
                var articleKey = Key(system, articleId);
                if (!layout._localesOfArticle.TryGetValue(articleKey, out var locales))
                {
                    layout._localesOfArticle[articleKey] = locales = new SortedSet<string>(StringComparer.Ordinal);
                }
                locales.Add(locale);
            }
        }
        if (package.HasTable(Attachments.Name))
        {
            await foreach (var row in package.ReadRowsAsync(Attachments.Name, cancellationToken))
            {
                var articleKey = Key((string)row[0]!, (string)row[Attachments.OrdinalOf("article_id")]!);
                if (!layout._attachmentsOfArticle.TryGetValue(articleKey, out var list))
                {
                    layout._attachmentsOfArticle[articleKey] = list = [];
                }
                list.Add(row);
            }
        }
        layout.NameSections();
        layout.NameArticles();
        layout.NameAttachments();
        return layout;
    }

    private static string LocaleFolder(string? locale, string defaultLocale) =>
        locale is null ? defaultLocale : Slug.Segment(locale) is { Length: > 0 } segment ? segment : defaultLocale;

    // Siblings (same locale, same parent) whose names give the same folder are told apart by their ids.
    private void NameSections()
    {
        foreach (var group in _sections.GroupBy(pair => (pair.Value.Locale, pair.Value.ParentKey)))
        {
            var names = group.Select(pair => (pair.Key, Name: Slug.Of(pair.Value.Name) is { Length: > 0 } slug ? slug : Slug.Of(IdOf(pair.Key)))).ToList();
            foreach (var (key, name) in names)
            {
                var clash = names.Count(other => other.Name == name) > 1;
                _sections[key].Folder = clash ? $"{name}-{Slug.Of(IdOf(key))}" : name;
            }
        }
    }

    private static string IdOf(string key) => key[(key.IndexOf('\u0000', StringComparison.Ordinal) + 1)..];

    /// <summary>A section's folder path below its locale folder: its ancestors' folders and its own.</summary>
    private string? SectionPath(string key) => SectionPath(key, new HashSet<string>(StringComparer.Ordinal));

    private string? SectionPath(string key, HashSet<string> visiting)
    {
        if (!_sections.TryGetValue(key, out var section))
        {
            return null;
        }
        if (section.Path is not null)
        {
            return section.Path;
        }
        if (!visiting.Add(key))
        {
            // A parent chain that loops back (damaged data) is cut where it closes.
            return null;
        }
        var parent = section.ParentKey is null ? null : SectionPath(section.ParentKey, visiting);
        section.Path = parent is null ? section.Folder : parent + "/" + section.Folder;
        return section.Path;
    }

    private string ArticleFolder(string system, string locale, string? sectionId)
    {
        var localeFolder = LocaleFolder(locale, _defaultLocale);
        if (sectionId is null)
        {
            return localeFolder;
        }
        var path = SectionPath(Key(system, sectionId)) ?? (Slug.Of(sectionId) is { Length: > 0 } slug ? slug : "section");
        return localeFolder + "/" + path;
    }

    // Articles whose latest titles give the same name in one folder are told apart by their ids.
    private void NameArticles()
    {
        var named = _articles.Select(pair =>
        {
            var parts = pair.Key.Split('\u0000');
            var folder = ArticleFolder(parts[0], parts[2], pair.Value.SectionId);
            var name = Slug.Of(pair.Value.Title) is { Length: > 0 } slug ? slug : Slug.Of(parts[1]);
            return (pair.Key, Folder: folder, Name: name, ArticleId: parts[1]);
        }).ToList();
        foreach (var group in named.GroupBy(entry => (entry.Folder, entry.Name)))
        {
            var clash = group.Select(entry => entry.ArticleId).Distinct(StringComparer.Ordinal).Count() > 1;
            foreach (var entry in group)
            {
                _articles[entry.Key].FileStem = entry.Folder + "/" + (clash ? $"{entry.Name}-{Slug.Of(entry.ArticleId)}" : entry.Name);
            }
        }
    }

    // Two attachments of one article with the same file name are told apart by their ids.
    private void NameAttachments()
    {
        foreach (var (_, rows) in _attachmentsOfArticle)
        {
            var names = rows.Select(row => (Key: Key((string)row[0]!, (string)row[1]!),
                Name: Slug.FileName(row[Attachments.OrdinalOf("file_name")] as string, (string)row[1]!))).ToList();
            foreach (var (key, name) in names)
            {
                var clash = names.Count(other => string.Equals(other.Name, name, StringComparison.OrdinalIgnoreCase)) > 1;
                _attachmentFileNames[key] = clash ? $"{Path.GetFileNameWithoutExtension(name)}-{Slug.Of(IdOf(key))}{Path.GetExtension(name)}" : name;
            }
        }
    }

    /// <summary>The path of a section's index file, relative to the output folder.</summary>
    public string SectionFile(object?[] row)
    {
        var key = Key((string)row[0]!, (string)row[1]!);
        var path = SectionPath(key) ?? (Slug.Of((string)row[1]!) is { Length: > 0 } slug ? slug : "section");
        var locale = _sections.TryGetValue(key, out var section) ? section.Locale : LocaleFolder(row[Sections.OrdinalOf("locale")] as string, _defaultLocale);
        return $"{locale}/{path}/_index.md";
    }

    /// <summary>An article version's file: the latest version of its locale as <c>{name}.md</c>, older ones as <c>{name}.history/v{n}.md</c>.</summary>
    /// <returns>The path, and whether it is the latest version; null when the package did not list the article (it changed since the import began).</returns>
    public (string Path, bool Latest)? ArticleFile(object?[] row)
    {
        var key = ArticleKey((string)row[0]!, (string)row[Articles.OrdinalOf("article_id")]!, (string)row[Articles.OrdinalOf("locale")]!);
        if (!_articles.TryGetValue(key, out var entry))
        {
            return null;
        }
        var version = (long)row[Articles.OrdinalOf("version")]!;
        return version == entry.Version
            ? (entry.FileStem + ".md", true)
            : (string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{entry.FileStem}.history/v{version}.md"), false);
    }

    /// <summary>The attachments listed in the latest file of an article's locale: those of that locale and those of every locale.</summary>
    public IReadOnlyList<(object?[] Row, string RelativePath)> AttachmentsOf(object?[] articleRow)
    {
        var system = (string)articleRow[0]!;
        var articleId = (string)articleRow[Articles.OrdinalOf("article_id")]!;
        var locale = (string)articleRow[Articles.OrdinalOf("locale")]!;
        if (!_attachmentsOfArticle.TryGetValue(Key(system, articleId), out var rows) || !_articles.TryGetValue(ArticleKey(system, articleId, locale), out var entry))
        {
            return [];
        }
        var stem = Path.GetFileName(entry.FileStem);
        return rows
            .Where(row => row[Attachments.OrdinalOf("artefact_path")] is not null)
            .Where(row => row[Attachments.OrdinalOf("locale")] is not string own || own == locale)
            .Select(row => (row, $"{stem}.files/{_attachmentFileNames[Key(system, (string)row[1]!)]}"))
            .OrderBy(pair => pair.Item2, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Where an attachment is copied: beside the latest file of its locale, or of every locale of its article when it has none.</summary>
    /// <returns>The paths, or why it has none.</returns>
    public (IReadOnlyList<string> Paths, string? Problem) AttachmentFiles(object?[] row)
    {
        var system = (string)row[0]!;
        var articleId = (string)row[Attachments.OrdinalOf("article_id")]!;
        var own = row[Attachments.OrdinalOf("locale")] as string;
        if (!_localesOfArticle.TryGetValue(Key(system, articleId), out var locales))
        {
            return ([], $"its article {articleId} is not in the package's kb_articles, so there is no page to put it beside");
        }
        if (own is not null && !locales.Contains(own))
        {
            return ([], $"its article {articleId} has no version in locale {own} in the package, so there is no page to put it beside");
        }
        var name = _attachmentFileNames[Key(system, (string)row[1]!)];
        return ((own is null ? locales : [own])
            .Select(locale => _articles[ArticleKey(system, articleId, locale)].FileStem + ".files/" + name)
            .ToList(), null);
    }
}
