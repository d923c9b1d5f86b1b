using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using ExitKit.Schema;
using YamlDotNet.RepresentationModel;

namespace ExitKit.Connectors.KnowledgeFiles.Internal;

/// <summary>Writes knowledge rows as files under one folder, idempotently, and reads them back from the files themselves.</summary>
/// <remarks>
/// Every file is written to a temporary file first and renamed into place, so a crash leaves a file whole or absent. A row is
/// skipped when its files already hold exactly what would be written; otherwise the files are rewritten and the row counts as
/// updated. Read-back parses the files ExitKit wrote (found by the <c>exitkit_table</c> key of their front matter), not the id map.
/// </remarks>
internal sealed class KnowledgeFilesSuccessor(string root, string defaultLocale) : ISuccessorConnector
{
    public const string ConnectorName = "kb-files";
    private const string TemporaryFolderName = ".exitkit-tmp";

    private static readonly TableSchema Sections = NeutralSchema.KbSections;
    private static readonly TableSchema Articles = NeutralSchema.KbArticles;
    private static readonly TableSchema Attachments = NeutralSchema.KbAttachments;
    private static readonly HashSet<string> Held = new(StringComparer.Ordinal) { Sections.Name, Articles.Name, Attachments.Name };
    private static readonly HashSet<string> AttachmentColumnsLeftOut = new(StringComparer.Ordinal) { "article_id" };

    private IImportSource? _package;
    private KnowledgeLayout? _layout;
    private IdMap? _idMap;

    private string TemporaryFolder => Path.Combine(root, TemporaryFolderName);

    public async Task AttachPackageAsync(IImportSource package, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        if (!ReferenceEquals(package, _package) && (_package is null || _package.Location != package.Location || _layout is null))
        {
            _layout = await KnowledgeLayout.BuildAsync(package, defaultLocale, cancellationToken);
        }
        _package = package;
    }

    public Task PrepareAsync(IReadOnlyList<TableSchema> tables, bool dryRun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var others = tables.Where(table => !Held.Contains(table.Name)).Select(table => table.Name).ToArray();
        if (others.Length > 0)
        {
            var knowledge = tables.Where(table => Held.Contains(table.Name)).Select(table => table.Name).ToArray();
            throw new ExitKitException($"Successor {ConnectorName} holds only the knowledge base (kb_sections, kb_articles, kb_attachments); this import " +
                $"also selects {string.Join(", ", others)}. Run it with --tables {(knowledge.Length > 0 ? string.Join(",", knowledge) : "kb_sections,kb_articles,kb_attachments")} " +
                "and import the other tables into a successor that holds them.");
        }
        if (!dryRun)
        {
            Directory.CreateDirectory(root);
            // Temporary files of a run that was killed are the only thing in there; nothing refers to them.
            if (Directory.Exists(TemporaryFolder))
            {
                Directory.Delete(TemporaryFolder, recursive: true);
            }
            Directory.CreateDirectory(TemporaryFolder);
        }
        _idMap = IdMap.Load(root);
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<RowImportResult>> ImportAsync(TableSchema table, IReadOnlyList<object?[]> rows, bool dryRun,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(rows);
        var layout = _layout ?? throw new InvalidOperationException($"{ConnectorName} needs the package: call AttachPackageAsync first (the import pipeline does).");
        var idMap = _idMap ??= IdMap.Load(root);
        var results = new List<RowImportResult>(rows.Count);
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sourceId = (string)row[1]!;
            var targets = table.Name switch
            {
                "kb_sections" => SectionTargets(layout, row),
                "kb_articles" => ArticleTargets(layout, row),
                "kb_attachments" => await AttachmentTargetsAsync(layout, row, dryRun, cancellationToken),
                _ => throw new ExitKitException($"Successor {ConnectorName} holds no table {table.Name}."),
            };
            if (targets.Problem is not null)
            {
                results.Add(new RowImportResult(sourceId, ImportOutcome.Failed, Reason: targets.Problem));
                continue;
            }
            try
            {
                results.Add(await WriteAsync(table, row, targets.Files, idMap, dryRun, cancellationToken));
            }
            catch (PathTooLongException error)
            {
                results.Add(new RowImportResult(sourceId, ImportOutcome.Failed, Reason: $"its path is too long for this file system: {error.Message}"));
            }
            finally
            {
                foreach (var file in targets.Files.OfType<CopyTarget>())
                {
                    File.Delete(file.TemporaryPath);
                }
            }
        }
        if (!dryRun)
        {
            await idMap.SaveAsync(root, TemporaryFolder, cancellationToken);
        }
        return results;
    }

    private abstract record Target(string Path);

    private sealed record TextTarget(string Path, byte[] Content) : Target(Path);

    /// <summary>An attachment already copied out of the package into a temporary file, to be put at <see cref="Target.Path"/>.</summary>
    private sealed record CopyTarget(string Path, string TemporaryPath, string Sha256, long Length) : Target(Path);

    private sealed record Targets(IReadOnlyList<Target> Files, string? Problem = null);

    private static Targets SectionTargets(KnowledgeLayout layout, object?[] row)
    {
        var content = FrontMatter.Write(FrontMatter.Entries(Sections, row, "name", "description"), row[Sections.OrdinalOf("description")] as string);
        return new Targets([new TextTarget(layout.SectionFile(row), content)]);
    }

    private static Targets ArticleTargets(KnowledgeLayout layout, object?[] row)
    {
        if (layout.ArticleFile(row) is not { } file)
        {
            return new Targets([], "the article is not in the package's kb_articles as read when the import began; run the import again");
        }
        var entries = FrontMatter.Entries(Articles, row, "title", "body");
        if (file.Latest && layout.AttachmentsOf(row) is { Count: > 0 } attachments)
        {
            entries.Add(new FrontMatter.Entry(FrontMatter.AttachmentsKey, attachments
                .Select(attachment => (IReadOnlyList<FrontMatter.Entry>)[new(FrontMatter.PathKey, attachment.RelativePath),
                    .. FrontMatter.NestedEntries(Attachments, attachment.Row, AttachmentColumnsLeftOut)])
                .ToList()));
        }
        return new Targets([new TextTarget(file.Path, FrontMatter.Write(entries, row[Articles.OrdinalOf("body")] as string))]);
    }

    private async Task<Targets> AttachmentTargetsAsync(KnowledgeLayout layout, object?[] row, bool dryRun, CancellationToken cancellationToken)
    {
        var (paths, problem) = layout.AttachmentFiles(row);
        if (problem is not null)
        {
            return new Targets([], problem);
        }
        if (row[Attachments.OrdinalOf("artefact_path")] is not string artefact)
        {
            return new Targets([], "the package holds no file for it (artefact_path is empty: the export could not retrieve it)");
        }
        var recorded = row[Attachments.OrdinalOf("sha256")] as string;
        // Copied once out of the package, hashed on the way; a dry run copies too, into the system's temporary folder, to find what would fail.
        var temporary = Path.Combine(dryRun ? Path.GetTempPath() : TemporaryFolder, "exitkit-kb-" + Guid.NewGuid().ToString("N"));
        string sha256;
        long length;
        try
        {
            await using var source = await _package!.OpenArtefactAsync(artefact, cancellationToken);
            await using var copy = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await copy.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
            length = copy.Length;
            sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        catch (ExitKitException error)
        {
            File.Delete(temporary);
            return new Targets([], $"its file could not be read from the package: {error.Message}");
        }
        if (recorded is not null && !string.Equals(recorded, sha256, StringComparison.OrdinalIgnoreCase))
        {
            File.Delete(temporary);
            return new Targets([], $"the package's file {artefact} has SHA-256 {sha256}, not the {recorded} the row records: the package is damaged (run `exitkit verify`)");
        }
        return new Targets(paths.Select((path, index) => (Target)new CopyTarget(path, temporary, sha256, length)).ToList());
    }

    private async Task<RowImportResult> WriteAsync(TableSchema table, object?[] row, IReadOnlyList<Target> targets, IdMap idMap, bool dryRun,
        CancellationToken cancellationToken)
    {
        var system = (string)row[0]!;
        var sourceId = (string)row[1]!;
        var paths = targets.Select(target => target.Path).ToArray();
        var old = idMap.PathsOf(table.Name, system, sourceId);
        var changed = new List<Target>();
        var anyExisted = false;
        foreach (var target in targets)
        {
            var full = Full(target.Path);
            if (!File.Exists(full))
            {
                changed.Add(target);
                continue;
            }
            anyExisted = true;
            if (!await HoldsAsync(full, target, cancellationToken))
            {
                changed.Add(target);
            }
        }
        var moved = old?.Where(path => !paths.Contains(path, StringComparer.Ordinal)).ToArray() ?? [];
        // A row whose files are all gone is created again; one that moved (a renamed section) is updated.
        anyExisted |= moved.Any(path => File.Exists(Full(path)));
        // Files that already hold exactly this row (a run that stopped before saving the id map wrote them) are left alone.
        var outcome = changed.Count == 0 && moved.Length == 0 ? ImportOutcome.Skipped
            : anyExisted ? ImportOutcome.Updated : ImportOutcome.Created;
        if (!dryRun)
        {
            foreach (var target in changed)
            {
                await PutAsync(target, cancellationToken);
            }
            idMap.Set(table.Name, system, sourceId, paths);
            foreach (var path in moved.Where(path => !idMap.IsClaimed(path)))
            {
                DeleteIfOurs(path, table, system, sourceId);
            }
        }
        return new RowImportResult(sourceId, outcome, paths.FirstOrDefault());
    }

    private static async Task<bool> HoldsAsync(string full, Target target, CancellationToken cancellationToken)
    {
        switch (target)
        {
            case TextTarget text:
                var info = new FileInfo(full);
                return info.Length == text.Content.Length && (await File.ReadAllBytesAsync(full, cancellationToken)).AsSpan().SequenceEqual(text.Content);
            case CopyTarget copy:
                if (new FileInfo(full).Length != copy.Length)
                {
                    return false;
                }
                await using (var existing = File.OpenRead(full))
                {
                    return string.Equals(Convert.ToHexStringLower(await SHA256.HashDataAsync(existing, cancellationToken)), copy.Sha256, StringComparison.Ordinal);
                }
            default:
                throw new InvalidOperationException($"Unknown target {target.GetType().Name}.");
        }
    }

    private async Task PutAsync(Target target, CancellationToken cancellationToken)
    {
        var full = Full(target.Path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = Path.Combine(TemporaryFolder, Guid.NewGuid().ToString("N"));
        switch (target)
        {
            case TextTarget text:
                await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.WriteThrough))
                {
                    await stream.WriteAsync(text.Content, cancellationToken);
                }
                break;
            case CopyTarget copy:
                File.Copy(copy.TemporaryPath, temporary);
                break;
        }
        File.Move(temporary, full, overwrite: true);
    }

    // A file this row no longer uses goes, unless it now holds another row (an article file is checked by the key in its front matter).
    private void DeleteIfOurs(string path, TableSchema table, string system, string sourceId)
    {
        var full = Full(path);
        if (!File.Exists(full))
        {
            return;
        }
        if (path.EndsWith(".md", StringComparison.Ordinal))
        {
            var parsed = FrontMatter.Read(File.ReadAllText(full), full);
            if (parsed is null || parsed.Table != table.Name || FrontMatter.Scalar(parsed.Matter, "source_system") != system
                || FrontMatter.Scalar(parsed.Matter, "source_id") != sourceId)
            {
                return;
            }
        }
        File.Delete(full);
        // Folders left empty (a renamed section's) go too, up to the output folder.
        var folder = Path.GetDirectoryName(full);
        while (folder is not null && folder.Length > root.Length && Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
        {
            Directory.Delete(folder);
            folder = Path.GetDirectoryName(folder);
        }
    }

    private string Full(string relativePath) => Path.Combine(root, relativePath.Replace('/', Path.DirectorySeparatorChar));

    public async IAsyncEnumerable<object?[]> ReadBackAsync(TableSchema table, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (!Held.Contains(table.Name) || !Directory.Exists(root))
        {
            yield break;
        }
        var isAttachments = table.Name == Attachments.Name;
        var attachments = new AttachmentCopies();
        foreach (var full in MarkdownFiles())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var parsed = FrontMatter.Read(await File.ReadAllTextAsync(full, cancellationToken), full);
            if (parsed is null)
            {
                continue;
            }
            if (isAttachments)
            {
                if (parsed.Table == Articles.Name)
                {
                    await attachments.CollectAsync(parsed, full, cancellationToken);
                }
                continue;
            }
            if (parsed.Table == table.Name)
            {
                yield return table.Name == Sections.Name
                    ? FrontMatter.Row(Sections, parsed.Matter, parsed.Body, "name", "description", full)
                    : FrontMatter.Row(Articles, parsed.Matter, parsed.Body, "title", "body", full);
            }
        }
        foreach (var row in attachments.Rows())
        {
            yield return row;
        }
    }

    private IEnumerable<string> MarkdownFiles() =>
        Directory.EnumerateFiles(root, "*.md", SearchOption.AllDirectories)
            .Where(path => !path.StartsWith(TemporaryFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    /// <summary>
    /// Attachments read back from the files beside their articles: hash and size are the file's, the rest is what the article lists.
    /// One copied beside several locales reads back once, as its worst copy: a copy that is missing or differs from what the article
    /// lists is what is reported; none present at all reads back as missing.
    /// </summary>
    private sealed class AttachmentCopies
    {
        private readonly Dictionary<(string System, string Id), (object?[] Row, bool Bad)> _found = [];
        private readonly HashSet<(string System, string Id)> _missingCopy = [];

        public async Task CollectAsync(FrontMatter.Parsed article, string articlePath, CancellationToken cancellationToken)
        {
            if (!article.Matter.Children.TryGetValue(new YamlScalarNode(FrontMatter.AttachmentsKey), out var node) || node is not YamlSequenceNode list)
            {
                return;
            }
            var articleId = FrontMatter.Scalar(article.Matter, "article_id");
            foreach (var entry in list.Children.OfType<YamlMappingNode>())
            {
                var row = Attachments.NewRow();
                for (var ordinal = 0; ordinal < row.Length; ordinal++)
                {
                    var column = Attachments.Columns[ordinal];
                    row[ordinal] = column.Name == "article_id" ? articleId : FrontMatter.ColumnValue(column, entry, column.Name, articlePath);
                }
                if (row[0] is not string system || row[1] is not string id)
                {
                    continue;
                }
                var relative = FrontMatter.Scalar(entry, FrontMatter.PathKey);
                var file = relative is null || relative.Split('/').Any(segment => segment is ".." or "." or "")
                    ? null
                    : Path.Combine(Path.GetDirectoryName(articlePath)!, relative.Replace('/', Path.DirectorySeparatorChar));
                if (file is null || !File.Exists(file))
                {
                    _missingCopy.Add((system, id));
                    continue;
                }
                var listed = row[Attachments.OrdinalOf("sha256")] as string;
                await using (var content = File.OpenRead(file))
                {
                    row[Attachments.OrdinalOf("size_bytes")] = content.Length;
                    row[Attachments.OrdinalOf("sha256")] = Convert.ToHexStringLower(await SHA256.HashDataAsync(content, cancellationToken));
                }
                var bad = !string.Equals(listed, (string)row[Attachments.OrdinalOf("sha256")]!, StringComparison.OrdinalIgnoreCase);
                if (!_found.TryGetValue((system, id), out var earlier) || (bad && !earlier.Bad))
                {
                    _found[(system, id)] = (row, bad);
                }
            }
        }

        public IEnumerable<object?[]> Rows()
        {
            foreach (var (key, (row, _)) in _found)
            {
                if (_missingCopy.Contains(key))
                {
                    // Present beside one locale, missing beside another: not all of it arrived.
                    row[Attachments.OrdinalOf("sha256")] = null;
                    row[Attachments.OrdinalOf("size_bytes")] = null;
                }
                yield return row;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        // The temporary folder is left only when a run died with files in it (the next run clears it).
        if (Directory.Exists(TemporaryFolder) && !Directory.EnumerateFileSystemEntries(TemporaryFolder).Any())
        {
            Directory.Delete(TemporaryFolder);
        }
        return ValueTask.CompletedTask;
    }
}
