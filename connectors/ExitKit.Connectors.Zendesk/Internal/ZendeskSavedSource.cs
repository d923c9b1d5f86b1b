using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using ExitKit.Schema;

namespace ExitKit.Connectors.Zendesk.Internal;

/// <summary>What a saved response holds, told by its top-level keys.</summary>
[Flags]
internal enum SavedKind
{
    None = 0,
    Tickets = 1 << 0,
    Metrics = 1 << 1,
    Users = 1 << 2,
    Comments = 1 << 3,
    Audits = 1 << 4,
    Ratings = 1 << 5,
    Groups = 1 << 6,
    Rules = 1 << 7,
    Categories = 1 << 8,
    Sections = 1 << 9,
    Articles = 1 << 10,
    Translations = 1 << 11,
    ArticleAttachments = 1 << 12,
    Count = 1 << 13,
    Content = 1 << 14,
}

/// <summary>
/// Reads a folder of saved Zendesk API responses (as a vendor, another tool or an earlier ExitKit run left them) and maps them
/// exactly as the live API path does. Attachment bytes, when saved, sit at <c>files/{attachment id}/{file name}</c>.
/// </summary>
internal sealed partial class ZendeskSavedSource(string root, string sourceSystem, bool requirePseudonyms = false) : ISourceConnector
{
    private List<SavedFile>? _files;

    internal sealed record SavedFile(string RelativePath, string FullPath, SavedKind Kind, string? Problem, string? TicketId)
    {
        /// <summary>Part of the file that is read but not exported (search results that are not tickets).</summary>
        public string? Degraded { get; init; }
    }

    [GeneratedRegex(@"tickets?[/_\-](\d+)[/_\-]comments", RegexOptions.CultureInvariant)]
    private static partial Regex CommentsTicket();

    [GeneratedRegex(@"^files/(\d+)/[^/]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ContentFile();

    private static readonly Dictionary<string, SavedKind> KeyKinds = new(StringComparer.Ordinal)
    {
        ["tickets"] = SavedKind.Tickets, ["ticket"] = SavedKind.Tickets,
        ["metric_sets"] = SavedKind.Metrics, ["ticket_metrics"] = SavedKind.Metrics, ["ticket_metric"] = SavedKind.Metrics,
        ["users"] = SavedKind.Users,
        ["comments"] = SavedKind.Comments,
        ["audits"] = SavedKind.Audits, ["audit"] = SavedKind.Audits,
        ["satisfaction_ratings"] = SavedKind.Ratings, ["satisfaction_rating"] = SavedKind.Ratings,
        ["groups"] = SavedKind.Groups, ["group"] = SavedKind.Groups,
        ["categories"] = SavedKind.Categories, ["category"] = SavedKind.Categories,
        ["sections"] = SavedKind.Sections, ["section"] = SavedKind.Sections,
        ["articles"] = SavedKind.Articles, ["article"] = SavedKind.Articles,
        ["translations"] = SavedKind.Translations, ["translation"] = SavedKind.Translations,
        ["article_attachments"] = SavedKind.ArticleAttachments, ["article_attachment"] = SavedKind.ArticleAttachments,
    };

    // Zendesk responses this connector recognises but that no neutral table holds; they are kept as originals and named.
    private static readonly Dictionary<string, string> KnownWithoutTable = new(StringComparer.Ordinal)
    {
        ["ticket_fields"] = "ticket field definitions have no neutral table",
        ["ticket_field"] = "ticket field definitions have no neutral table",
        ["ticket_forms"] = "ticket form definitions have no neutral table",
        ["targets"] = "targets (notification endpoints, possibly with credentials) have no neutral table",
        ["organizations"] = "organizations have no neutral table",
        ["brands"] = "brands have no neutral table",
    };

    private readonly Lock _gate = new();

    private List<SavedFile> Files
    {
        get
        {
            lock (_gate)
            {
                return _files ??= Scan();
            }
        }
    }

    private List<SavedFile> Scan()
    {
        if (!Directory.Exists(root))
        {
            throw ExitKitException.FileNotFound(root, "The savedResponsesPath folder");
        }
        return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(path => (Full: path, Relative: Path.GetRelativePath(root, path).Replace('\\', '/')))
            .OrderBy(file => file.Relative, StringComparer.Ordinal)
            .Select(file => Classify(file.Relative, file.Full))
            .ToList();
    }

    internal static SavedFile Classify(string relative, string full)
    {
        if (ContentFile().IsMatch(relative))
        {
            return new SavedFile(relative, full, SavedKind.Content, null, null);
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(full), new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException error)
        {
            return new SavedFile(relative, full, SavedKind.None,
                $"not a JSON document ({error.Message}); a saved Zendesk API response is the JSON body the API returned.", null);
        }
        using (document)
        {
            var rootElement = document.RootElement;
            if (rootElement.ValueKind != JsonValueKind.Object)
            {
                return new SavedFile(relative, full, SavedKind.None, "a Zendesk API response is a JSON object; this file holds a " + rootElement.ValueKind + ".", null);
            }
            var kind = SavedKind.None;
            foreach (var property in rootElement.EnumerateObject())
            {
                if (property.Value.ValueKind is not (JsonValueKind.Array or JsonValueKind.Object))
                {
                    continue;
                }
                if (KeyKinds.TryGetValue(property.Name, out var found))
                {
                    kind |= found;
                }
                else if (ZendeskMapper.RuleKinds.ContainsKey(property.Name))
                {
                    kind |= SavedKind.Rules;
                }
                else if (property.Name == "results" && property.Value.ValueKind == JsonValueKind.Array
                    && property.Value.EnumerateArray().Any(item => item.Text("result_type") == "ticket"))
                {
                    kind |= SavedKind.Tickets;
                }
                else if (property.Name == "count" && property.Value.Long("value") is not null)
                {
                    kind |= SavedKind.Count;
                }
            }
            string? ticketId = null;
            string? problem = null;
            if (kind.HasFlag(SavedKind.Comments))
            {
                ticketId = CommentsTicket().Match(relative) is { Success: true } match ? match.Groups[1].Value : null;
                if (ticketId is null)
                {
                    kind &= ~SavedKind.Comments;
                    problem = "a comments response does not say which ticket it belongs to; put it at tickets/<ticket id>/comments/<page>.json "
                        + "(or name it ticket-<id>-comments.json) and export again.";
                }
            }
            if (kind.HasFlag(SavedKind.Count) && !relative.Contains("tickets/count", StringComparison.Ordinal))
            {
                kind &= ~SavedKind.Count;
                problem ??= "a count response is understood only as tickets/count (GET /api/v2/tickets/count.json); rename it if it counts tickets.";
            }
            if (kind == SavedKind.Users)
            {
                return new SavedFile(relative, full, SavedKind.Users,
                    "users are read only to tell agents from customers in comments; no neutral table holds a user directory.", null);
            }
            if ((kind & ~SavedKind.Users) == SavedKind.None)
            {
                var keys = Json.Keys(rootElement);
                var known = keys.FirstOrDefault(KnownWithoutTable.ContainsKey);
                problem ??= known is not null
                    ? $"a Zendesk {known} response: {KnownWithoutTable[known]}; it is kept as an original."
                    : $"not a Zendesk response this connector understands (top-level keys: {string.Join(", ", keys)}).";
                return new SavedFile(relative, full, SavedKind.None, problem, null);
            }
            var others = rootElement.Array("results").Count(item => item.Text("result_type") is not "ticket");
            return new SavedFile(relative, full, kind, problem, ticketId)
            {
                Degraded = kind.HasFlag(SavedKind.Tickets) && others > 0
                    ? $"{others} search result(s) are not tickets (users, organizations, articles) and are not exported from this file; export them from their own endpoints."
                    : null,
            };
        }
    }

    public Task<SourceDescription> DescribeAsync(ExportRequest request, CancellationToken cancellationToken = default)
    {
        var present = Files.Aggregate(SavedKind.None, (all, file) => all | file.Kind);
        long? tickets = null;
        if (request.From is null && request.To is null)
        {
            foreach (var file in Files.Where(file => file.Kind.HasFlag(SavedKind.Count)))
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(file.FullPath));
                tickets = document.RootElement.Get("count")?.Long("value");
            }
        }
        var tables = new List<SourceTable>();
        void Add(TableSchema table, SavedKind kinds, long? total = null, string? method = null)
        {
            if ((present & kinds) != SavedKind.None)
            {
                tables.Add(new SourceTable(table.Name, total, null, method));
            }
        }
        Add(NeutralSchema.Interactions, SavedKind.Tickets, tickets, tickets is null ? null : "saved response of GET /api/v2/tickets/count.json");
        Add(NeutralSchema.Messages, SavedKind.Comments | SavedKind.Audits);
        Add(NeutralSchema.Attachments, SavedKind.Comments | SavedKind.Audits);
        Add(NeutralSchema.Surveys, SavedKind.Ratings);
        Add(NeutralSchema.KbSections, SavedKind.Categories | SavedKind.Sections);
        Add(NeutralSchema.KbArticles, SavedKind.Articles | SavedKind.Translations);
        Add(NeutralSchema.KbAttachments, SavedKind.ArticleAttachments);
        Add(NeutralSchema.Queues, SavedKind.Groups);
        Add(NeutralSchema.RoutingRules, SavedKind.Rules);
        return Task.FromResult(new SourceDescription(sourceSystem, "Zendesk (saved API responses)", tables));
    }

    public async Task ExportOriginalsAsync(ExportRequest request, IExportContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var file in Files)
        {
            await using (var stream = File.OpenRead(file.FullPath))
            {
                await context.StoreOriginalAsync($"zendesk/saved/{file.RelativePath}", stream, cancellationToken);
            }
            if (file.Problem is not null)
            {
                context.ReportProblem(new ExportProblem(ProblemKind.Unparsed, null, file.RelativePath, file.Problem));
            }
            if (file.Degraded is not null)
            {
                context.ReportProblem(new ExportProblem(ProblemKind.Degraded, "interactions", file.RelativePath, file.Degraded));
            }
        }
    }

    public IAsyncEnumerable<SourceRow> ReadTableAsync(TableSchema table, ExportRequest request, string? resumeAfter, IExportContext context,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        var mapper = ZendeskMapper.Create(sourceSystem, context, requirePseudonyms);
        var resume = SavedCursor.Parse(resumeAfter);
        var rows = table.Name switch
        {
            "interactions" => InteractionsAsync(mapper, resume, cancellationToken),
            "messages" => MessagesAsync(mapper, context, withAttachments: false, cancellationToken),
            "attachments" => MessagesAsync(mapper, context, withAttachments: true, cancellationToken),
            "surveys" => ItemsAsync(SavedKind.Ratings, ["satisfaction_ratings", "satisfaction_rating"], resume, (item, _) => mapper.Survey(item), cancellationToken),
            "kb_sections" => SectionsAsync(mapper, cancellationToken),
            "kb_articles" => ArticlesAsync(mapper, cancellationToken),
            "kb_attachments" => KbAttachmentsAsync(mapper, context, cancellationToken),
            "queues" => ItemsAsync(SavedKind.Groups, ["groups", "group"], resume, (item, _) => mapper.Queue(item), cancellationToken),
            "routing_rules" => ItemsAsync(SavedKind.Rules, ZendeskMapper.RuleKinds.Keys.ToArray(), resume,
                (item, key) => mapper.RoutingRule(ZendeskMapper.RuleKinds[key], item), cancellationToken),
            _ => throw ExitKitException.SourceFailed(ZendeskHttp.ConnectorName, $"it does not provide table {table.Name}; run `exitkit connectors` to see what it exports."),
        };
        return Filter(table, request, Distinct(rows));
    }

    private static async IAsyncEnumerable<SourceRow> Filter(TableSchema table, ExportRequest request, IAsyncEnumerable<SourceRow> rows)
    {
        var ordinal = table.TimeColumn is null ? -1 : table.OrdinalOf(table.TimeColumn);
        await foreach (var row in rows)
        {
            if (ordinal < 0 || row.Values[ordinal] is not DateTimeOffset instant || request.Contains(instant))
            {
                yield return row;
            }
        }
    }

    // Saved folders overlap (a list and a single-ticket response, a search and an export): a record is read once, the first time.
    private static async IAsyncEnumerable<SourceRow> Distinct(IAsyncEnumerable<SourceRow> rows)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in rows)
        {
            if (seen.Add((string)row.Values[1]!))
            {
                yield return row;
            }
        }
    }

    private static JsonDocument Load(SavedFile file) => JsonDocument.Parse(File.ReadAllBytes(file.FullPath), new JsonDocumentOptions { AllowTrailingCommas = true });

    /// <summary>The items under any of the keys, whether the key holds a list or a single object.</summary>
    private static IEnumerable<(JsonElement Item, string Key)> Items(JsonElement root, IReadOnlyList<string> keys)
    {
        foreach (var key in keys)
        {
            switch (root.Get(key))
            {
                case { ValueKind: JsonValueKind.Array } array:
                    foreach (var item in array.EnumerateArray())
                    {
                        yield return (item, key);
                    }
                    break;
                case { ValueKind: JsonValueKind.Object } single:
                    yield return (single, key);
                    break;
            }
        }
    }

    private async IAsyncEnumerable<SourceRow> ItemsAsync(SavedKind kind, string[] keys, SavedCursor? resume,
        Func<JsonElement, string, object?[]?> map, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        for (var fileIndex = 0; fileIndex < Files.Count; fileIndex++)
        {
            var file = Files[fileIndex];
            if (!file.Kind.HasFlag(kind) || (resume is not null && fileIndex < resume.File))
            {
                continue;
            }
            cancellationToken.ThrowIfCancellationRequested();
            using var document = Load(file);
            var index = 0;
            foreach (var (item, key) in Items(document.RootElement, keys))
            {
                index++;
                if (resume is not null && fileIndex == resume.File && index <= resume.Item)
                {
                    continue;
                }
                if (item.Text("id") is not null && map(item, key) is { } row)
                {
                    yield return new SourceRow(row, new SavedCursor(fileIndex, index).ToString());
                }
            }
        }
    }

    private Dictionary<string, JsonElement>? _metrics;

    /// <summary>Metric sets saved in files of their own (GET /api/v2/ticket_metrics), by ticket id.</summary>
    private Dictionary<string, JsonElement> SeparateMetrics()
    {
        lock (_gate)
        {
            return _metrics ??= LoadMetrics();
        }
    }

    private Dictionary<string, JsonElement> LoadMetrics()
    {
        {
            var metrics = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var file in Files.Where(file => file.Kind.HasFlag(SavedKind.Metrics) && !file.Kind.HasFlag(SavedKind.Tickets)))
            {
                using var document = Load(file);
                foreach (var (id, metric) in ZendeskApiSource.MetricSets(document.RootElement))
                {
                    metrics[id] = metric.Clone();
                }
            }
            return metrics;
        }
    }

    private async IAsyncEnumerable<SourceRow> InteractionsAsync(ZendeskMapper mapper, SavedCursor? resume,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var separate = SeparateMetrics();
        await foreach (var (ticket, _, document, cursor) in TicketsAsync(resume, cancellationToken))
        {
            var id = ticket.Text("id")!;
            var inPage = ZendeskApiSource.MetricSets(document);
            var metric = inPage.TryGetValue(id, out var found) ? found : separate.TryGetValue(id, out var other) ? other : (JsonElement?)null;
            yield return new SourceRow(mapper.Interaction(ticket, metric), cursor.ToString());
        }
    }

    private async IAsyncEnumerable<(JsonElement Ticket, int File, JsonElement Root, SavedCursor After)> TicketsAsync(SavedCursor? resume,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        for (var fileIndex = 0; fileIndex < Files.Count; fileIndex++)
        {
            var file = Files[fileIndex];
            if (!file.Kind.HasFlag(SavedKind.Tickets) || (resume is not null && fileIndex < resume.File))
            {
                continue;
            }
            cancellationToken.ThrowIfCancellationRequested();
            using var document = Load(file);
            var root = document.RootElement;
            var index = 0;
            foreach (var ticket in Tickets(root))
            {
                index++;
                if (resume is not null && fileIndex == resume.File && index <= resume.Item)
                {
                    continue;
                }
                yield return (ticket, fileIndex, root, new SavedCursor(fileIndex, index));
            }
        }
    }

    private static IEnumerable<JsonElement> Tickets(JsonElement root) =>
        Items(root, ["tickets", "ticket"]).Select(entry => entry.Item)
            .Concat(root.Array("results").Where(item => item.Text("result_type") == "ticket"))
            .Where(ticket => ticket.Text("id") is not null);

    private async IAsyncEnumerable<SourceRow> MessagesAsync(ZendeskMapper mapper, IExportContext context, bool withAttachments,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Requesters and user roles tell customers from agents; they are small indexes (one entry per ticket or user), not tables.
        var requesters = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var (ticket, _, _, _) in TicketsAsync(null, cancellationToken))
        {
            if (ticket.Text("requester_id") is { } requester)
            {
                requesters.TryAdd(ticket.Text("id")!, requester);
            }
        }
        var roles = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Files.Where(file => file.Kind.HasFlag(SavedKind.Users)))
        {
            using var document = Load(file);
            foreach (var (id, role) in ZendeskApiSource.Roles(document.RootElement))
            {
                roles.TryAdd(id, role);
            }
        }
        var content = Files.Where(file => file.Kind == SavedKind.Content)
            .GroupBy(file => file.RelativePath.Split('/')[1], StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.First(), StringComparer.Ordinal);
        var sequences = new Dictionary<string, long>(StringComparer.Ordinal);
        var withCommentFiles = Files.Where(file => file.TicketId is not null).Select(file => file.TicketId!).ToHashSet(StringComparer.Ordinal);

        foreach (var file in Files.Where(file => file.Kind.HasFlag(SavedKind.Comments)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var document = Load(file);
            var ticketId = file.TicketId!;
            foreach (var comment in document.RootElement.Array("comments"))
            {
                await foreach (var row in Emit(ticketId, comment, null, null))
                {
                    yield return row;
                }
            }
        }
        // Audits hold comments as events; they are read for tickets whose comments were not saved on their own.
        foreach (var file in Files.Where(file => file.Kind.HasFlag(SavedKind.Audits)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var document = Load(file);
            foreach (var (audit, _) in Items(document.RootElement, ["audits", "audit"]))
            {
                var ticketId = audit.Text("ticket_id") ?? Tickets(document.RootElement).FirstOrDefault().Text("id");
                if (ticketId is null || withCommentFiles.Contains(ticketId))
                {
                    continue;
                }
                foreach (var comment in audit.Array("events").Where(e => e.Text("type") is "Comment" or "VoiceComment"))
                {
                    await foreach (var row in Emit(ticketId, comment, audit.Time("created_at"), audit.Text("author_id")))
                    {
                        yield return row;
                    }
                }
            }
        }

        async IAsyncEnumerable<SourceRow> Emit(string ticketId, JsonElement comment, DateTimeOffset? auditTime, string? auditAuthor)
        {
            if (comment.Text("id") is null)
            {
                yield break;
            }
            var sequence = sequences[ticketId] = sequences.GetValueOrDefault(ticketId) + 1;
            var authorId = comment.Text("author_id") ?? auditAuthor;
            var row = mapper.Message(ticketId, sequence, comment, requesters.GetValueOrDefault(ticketId),
                authorId is null ? null : roles.GetValueOrDefault(authorId), auditTime, auditAuthor);
            if (!withAttachments)
            {
                yield return new SourceRow(row);
                yield break;
            }
            foreach (var attachment in comment.Array("attachments"))
            {
                var id = attachment.Text("id");
                if (id is null)
                {
                    continue;
                }
                var name = attachment.Text("file_name") ?? id;
                var stored = await StoreAsync(content.GetValueOrDefault(id), "attachments", $"ticket {ticketId} attachment {name}", context, cancellationToken);
                yield return new SourceRow(mapper.Attachment(ticketId, comment, attachment, stored, auditTime));
            }
        }
    }

    private static async Task<ArtefactReference?> StoreAsync(SavedFile? file, string table, string subject, IExportContext context,
        CancellationToken cancellationToken)
    {
        if (file is null)
        {
            context.ReportProblem(new ExportProblem(ProblemKind.Missing, table, subject,
                "the saved responses hold no copy of the file (expected at files/<attachment id>/<file name>); the row is kept without a checksum."));
            return null;
        }
        await using var stream = File.OpenRead(file.FullPath);
        return await context.StoreArtefactAsync(stream, cancellationToken);
    }

    private async IAsyncEnumerable<SourceRow> SectionsAsync(ZendeskMapper mapper, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Categories first, then sections, as the API path reads them.
        await foreach (var row in ItemsAsync(SavedKind.Categories, ["categories", "category"], null, (item, _) => mapper.KbSection(item, isCategory: true), cancellationToken))
        {
            yield return row with { ResumeCursor = null };
        }
        await foreach (var row in ItemsAsync(SavedKind.Sections, ["sections", "section"], null, (item, _) => mapper.KbSection(item, isCategory: false), cancellationToken))
        {
            yield return row with { ResumeCursor = null };
        }
    }

    private async IAsyncEnumerable<SourceRow> ArticlesAsync(ZendeskMapper mapper, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var articles = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        await foreach (var row in ItemsAsync(SavedKind.Articles, ["articles", "article"], null, (item, _) =>
        {
            articles.TryAdd(item.Text("id")!, item.Clone());
            return mapper.KbArticle(item);
        }, cancellationToken))
        {
            yield return row with { ResumeCursor = null };
        }
        await foreach (var row in ItemsAsync(SavedKind.Translations, ["translations", "translation"], null, (item, _) =>
            item.Text("source_id") is { } articleId && item.Text("source_type") is null or "Article"
                ? mapper.KbTranslation(item, articles.TryGetValue(articleId, out var article) ? article : null)
                : null, cancellationToken))
        {
            yield return row with { ResumeCursor = null };
        }
    }

    private async IAsyncEnumerable<SourceRow> KbAttachmentsAsync(ZendeskMapper mapper, IExportContext context,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var content = Files.Where(file => file.Kind == SavedKind.Content)
            .GroupBy(file => file.RelativePath.Split('/')[1], StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.First(), StringComparer.Ordinal);
        foreach (var file in Files.Where(file => file.Kind.HasFlag(SavedKind.ArticleAttachments)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var document = Load(file);
            foreach (var (attachment, _) in Items(document.RootElement, ["article_attachments", "article_attachment"]))
            {
                if (attachment.Text("id") is not { } id)
                {
                    continue;
                }
                var name = attachment.Text("file_name") ?? id;
                var stored = await StoreAsync(content.GetValueOrDefault(id), "kb_attachments",
                    $"article {attachment.Text("article_id")} attachment {name}", context, cancellationToken);
                yield return new SourceRow(mapper.KbAttachment(attachment, stored));
            }
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Where reading saved files stands: the file (in path order) and how many of its items were read.</summary>
    private sealed record SavedCursor(int File, int Item)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"zds1|{File}|{Item}");

        public static SavedCursor? Parse(string? text)
        {
            if (text is null)
            {
                return null;
            }
            var parts = text.Split('|');
            return parts.Length == 3 && parts[0] == "zds1"
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var file)
                && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var item)
                ? new SavedCursor(file, item)
                : throw ExitKitException.SourceFailed(ZendeskHttp.ConnectorName,
                    $"the resume cursor '{text}' was not written by this connector for saved responses; start the export again without resuming.");
        }
    }
}
