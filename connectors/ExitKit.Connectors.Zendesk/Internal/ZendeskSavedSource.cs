using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ExitKit.Schema;

namespace ExitKit.Connectors.Zendesk.Internal;

/// <summary>
/// Reads a folder of saved Zendesk API responses (as a vendor, another tool or an earlier ExitKit run left them) and maps them
/// exactly as the live API path does. Attachment bytes, when saved, sit at <c>files/{attachment id}/{file name}</c>.
/// </summary>
/// <remarks>
/// Memory stays flat as the folder grows: the files are walked again for each table rather than listed (see
/// <see cref="SavedFolder"/>), a ticket's comments are read with a state of their own that ends with its files, and what
/// must span the export (the latest copy of a repeated ticket, requesters, user roles) is held as sorted 64-bit keys.
/// </remarks>
internal sealed class ZendeskSavedSource(string root, string sourceSystem, bool requirePseudonyms = false) : ISourceConnector
{
    private readonly IdKeys _keys = new();
    private readonly Lock _folderGate = new();
    private readonly Lock _ticketsGate = new();
    private readonly Lock _rolesGate = new();
    private readonly Lock _metricsGate = new();
    private SavedFolder? _folder;
    private SavedTickets? _tickets;
    private (KeyMap Users, List<string> Names)? _roles;
    private Dictionary<string, JsonElement>? _metrics;

    private SavedFolder Folder
    {
        get
        {
            lock (_folderGate)
            {
                return _folder ??= SavedFolder.Scan(root, _keys);
            }
        }
    }

    public Task<SourceDescription> DescribeAsync(ExportRequest request, CancellationToken cancellationToken = default)
    {
        var present = Folder.Present;
        long? tickets = null;
        if (request.From is null && request.To is null)
        {
            foreach (var file in Folder.Of(SavedKind.Count))
            {
                using var document = Load(file.FullPath);
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
        foreach (var file in Folder.All())
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
            // Tickets keep their latest copy, comments and attachments are read once per ticket (see MessagesAsync).
            "interactions" => InteractionsAsync(mapper, resume, cancellationToken),
            "messages" => MessagesAsync(mapper, context, withAttachments: false, cancellationToken),
            "attachments" => MessagesAsync(mapper, context, withAttachments: true, cancellationToken),
            "surveys" => Distinct(ItemsAsync(SavedKind.Ratings, ["satisfaction_ratings", "satisfaction_rating"], resume, (item, _) => mapper.Survey(item), cancellationToken)),
            "kb_sections" => Distinct(SectionsAsync(mapper, cancellationToken)),
            "kb_articles" => Distinct(ArticlesAsync(mapper, cancellationToken)),
            "kb_attachments" => Distinct(KbAttachmentsAsync(mapper, context, cancellationToken)),
            "queues" => Distinct(ItemsAsync(SavedKind.Groups, ["groups", "group"], resume, (item, _) => mapper.Queue(item), cancellationToken)),
            "routing_rules" => Distinct(ItemsAsync(SavedKind.Rules, ZendeskMapper.RuleKinds.Keys.ToArray(), resume,
                (item, key) => mapper.RoutingRule(ZendeskMapper.RuleKinds[key], item), cancellationToken)),
            _ => throw ExitKitException.SourceFailed(ZendeskHttp.ConnectorName, $"it does not provide table {table.Name}; run `exitkit connectors` to see what it exports."),
        };
        return Filter(table, request, rows);
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

    // Saved folders overlap (a list and a single response): a record is read once, the first time. These tables hold
    // configuration, knowledge and ratings, not a row per ticket and comment; ids are kept as 64-bit keys all the same.
    private async IAsyncEnumerable<SourceRow> Distinct(IAsyncEnumerable<SourceRow> rows)
    {
        var seen = new HashSet<long>();
        await foreach (var row in rows)
        {
            if (seen.Add(_keys.KeyOf((string)row.Values[1]!)))
            {
                yield return row;
            }
        }
    }

    internal static JsonDocument Load(string path) => JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true });

    private static JsonDocument Load(SavedFile file) => Load(file.FullPath);

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
        foreach (var file in Folder.Of(kind))
        {
            if (resume is not null && file.Index < resume.File)
            {
                continue;
            }
            cancellationToken.ThrowIfCancellationRequested();
            using var document = Load(file);
            var index = 0;
            foreach (var (item, key) in Items(document.RootElement, keys))
            {
                index++;
                if (resume is not null && file.Index == resume.File && index <= resume.Item)
                {
                    continue;
                }
                if (item.Text("id") is not null && map(item, key) is { } row)
                {
                    yield return new SourceRow(row, new SavedCursor(file.Index, index).ToString());
                }
            }
        }
    }

    /// <summary>Metric sets saved in files of their own (GET /api/v2/ticket_metrics), by ticket id.</summary>
    /// <remarks>Held whole, as they are joined to tickets saved elsewhere; the API path (and its saved originals) sideloads them
    /// in the tickets' own pages instead, which are read page by page.</remarks>
    private Dictionary<string, JsonElement> SeparateMetrics()
    {
        lock (_metricsGate)
        {
            if (_metrics is null)
            {
                _metrics = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var file in Folder.Of(SavedKind.Metrics).Where(file => !file.Kind.HasFlag(SavedKind.Tickets)))
                {
                    using var document = Load(file);
                    foreach (var (id, metric) in ZendeskApiSource.MetricSets(document.RootElement))
                    {
                        _metrics[id] = metric.Clone();
                    }
                }
            }
            return _metrics;
        }
    }

    /// <summary>Which copy of a repeated ticket is exported, and requesters; read once, for interactions and messages.</summary>
    private SavedTickets Tickets(CancellationToken cancellationToken)
    {
        lock (_ticketsGate)
        {
            return _tickets ??= SavedTickets.Read(TicketsIn(0, cancellationToken).Select(entry => (entry.Ticket, entry.File, entry.Item)),
                TicketsIn(0, cancellationToken).Select(entry => (entry.Ticket, entry.File, entry.Item)), _keys);
        }
    }

    private async IAsyncEnumerable<SourceRow> InteractionsAsync(ZendeskMapper mapper, SavedCursor? resume,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        var separate = SeparateMetrics();
        var tickets = Tickets(cancellationToken);
        var metricsFile = -1;
        Dictionary<string, JsonElement> inPage = [];
        foreach (var (ticket, file, item, page) in TicketsIn(resume?.File ?? 0, cancellationToken))
        {
            if (resume is not null && file == resume.File && item <= resume.Item)
            {
                continue;
            }
            var id = ticket.Text("id")!;
            if (!tickets.IsExported(id, file, item))
            {
                continue;
            }
            if (file != metricsFile)
            {
                inPage = ZendeskApiSource.MetricSets(page);
                metricsFile = file;
            }
            var metric = inPage.TryGetValue(id, out var found) ? found : separate.TryGetValue(id, out var other) ? other : (JsonElement?)null;
            yield return new SourceRow(mapper.Interaction(ticket, metric), new SavedCursor(file, item).ToString());
        }
    }

    /// <summary>Every saved ticket from the first file on, with its file, its place in the file and the file's root.</summary>
    private IEnumerable<(JsonElement Ticket, int File, int Item, JsonElement Root)> TicketsIn(int firstFile, CancellationToken cancellationToken)
    {
        foreach (var file in Folder.Of(SavedKind.Tickets))
        {
            if (file.Index < firstFile)
            {
                continue;
            }
            cancellationToken.ThrowIfCancellationRequested();
            using var document = Load(file);
            var root = document.RootElement;
            var index = 0;
            foreach (var ticket in Tickets(root))
            {
                yield return (ticket, file.Index, ++index, root);
            }
        }
    }

    internal static IEnumerable<JsonElement> Tickets(JsonElement root) =>
        Items(root, ["tickets", "ticket"]).Select(entry => entry.Item)
            .Concat(root.Array("results").Where(item => item.Text("result_type") == "ticket"))
            .Where(ticket => ticket.Text("id") is not null);

    /// <summary>The audits of a response with the ticket each belongs to (the response's ticket when the audit does not say).</summary>
    internal static IEnumerable<(JsonElement Audit, string TicketId)> Audits(JsonElement root)
    {
        foreach (var (audit, _) in Items(root, ["audits", "audit"]))
        {
            if ((audit.Text("ticket_id") ?? Tickets(root).FirstOrDefault().Text("id")) is { } ticketId)
            {
                yield return (audit, ticketId);
            }
        }
    }

    /// <summary>Zendesk roles of users (from users responses and users sideloaded in comment pages), the first one saved.</summary>
    private (KeyMap Users, List<string> Names) Roles(CancellationToken cancellationToken)
    {
        lock (_rolesGate)
        {
            if (_roles is null)
            {
                var users = new List<long>();
                var roles = new List<long>();
                var names = new List<string>();
                foreach (var file in Folder.Of(SavedKind.Users))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var document = Load(file);
                    foreach (var (id, role) in ZendeskApiSource.Roles(document.RootElement))
                    {
                        var name = names.IndexOf(role);
                        if (name < 0)
                        {
                            names.Add(role);
                            name = names.Count - 1;
                        }
                        users.Add(_keys.KeyOf(id));
                        roles.Add(name);
                    }
                }
                _roles = (KeyMap.FirstOfEach(users, roles), names);
            }
            return _roles.Value;
        }
    }

    /// <summary>One ticket's messages while its files are read: the sequence so far and the comments and attachments read.</summary>
    private sealed class TicketMessages(long key, string ticketId, string? requesterId)
    {
        public long Key { get; } = key;
        public string TicketId { get; } = ticketId;
        public string? RequesterId { get; } = requesterId;
        public long Sequence { get; set; }
        public HashSet<string> Comments { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Attachments { get; } = new(StringComparer.Ordinal);
    }

    /// <remarks>
    /// Comments are read ticket by ticket: a ticket's comment files sit next to each other in path order (tickets/{id}/comments/...),
    /// so its sequence and the comment ids already read (a page saved twice) are kept only until the next ticket's files begin.
    /// A ticket whose files are apart (found when the folder was scanned) keeps its state until the end.
    /// </remarks>
    private async IAsyncEnumerable<SourceRow> MessagesAsync(ZendeskMapper mapper, IExportContext context, bool withAttachments,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        var folder = Folder;
        var tickets = Tickets(cancellationToken);
        var (users, roleNames) = Roles(cancellationToken);
        var apart = new Dictionary<long, TicketMessages>();
        TicketMessages? current = null;

        TicketMessages Enter(string ticketId)
        {
            var key = _keys.KeyOf(ticketId);
            if (current?.Key == key)
            {
                return current;
            }
            if (current is not null && folder.ScatteredTickets.Contains(current.Key))
            {
                apart[current.Key] = current;
            }
            return current = apart.Remove(key, out var kept) ? kept : new TicketMessages(key, ticketId, tickets.RequesterOf(key));
        }

        foreach (var file in folder.Of(SavedKind.Comments))
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var document = Load(file);
            var ticket = Enter(file.TicketId!);
            foreach (var comment in document.RootElement.Array("comments"))
            {
                await foreach (var row in Emit(ticket, comment, null, null))
                {
                    yield return row;
                }
            }
        }
        // Audits hold comments as events; they are read for tickets whose comments were not saved on their own.
        foreach (var file in folder.Of(SavedKind.Audits))
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var document = Load(file);
            foreach (var (audit, ticketId) in Audits(document.RootElement))
            {
                if (folder.HasCommentFiles(_keys.KeyOf(ticketId)))
                {
                    continue;
                }
                var ticket = Enter(ticketId);
                foreach (var comment in audit.Array("events").Where(e => e.Text("type") is "Comment" or "VoiceComment"))
                {
                    await foreach (var row in Emit(ticket, comment, audit.Time("created_at"), audit.Text("author_id")))
                    {
                        yield return row;
                    }
                }
            }
        }

        async IAsyncEnumerable<SourceRow> Emit(TicketMessages ticket, JsonElement comment, DateTimeOffset? auditTime, string? auditAuthor)
        {
            if (comment.Text("id") is not { } commentId || !ticket.Comments.Add(commentId))
            {
                yield break;
            }
            var sequence = ++ticket.Sequence;
            if (!withAttachments)
            {
                var authorId = comment.Text("author_id") ?? auditAuthor;
                var role = users[_keys.KeyOf(authorId)];
                yield return new SourceRow(mapper.Message(ticket.TicketId, sequence, comment, ticket.RequesterId,
                    role == IdKeys.None ? null : roleNames[(int)role], auditTime, auditAuthor));
                yield break;
            }
            foreach (var attachment in comment.Array("attachments"))
            {
                var id = attachment.Text("id");
                if (id is null || !ticket.Attachments.Add(id))
                {
                    continue;
                }
                var name = attachment.Text("file_name") ?? id;
                var stored = await StoreAsync(folder.ContentOf(id), "attachments", $"ticket {ticket.TicketId} attachment {name}", context, cancellationToken);
                yield return new SourceRow(mapper.Attachment(ticket.TicketId, comment, attachment, stored, auditTime));
            }
        }
    }

    private static async Task<ArtefactReference?> StoreAsync(string? path, string table, string subject, IExportContext context,
        CancellationToken cancellationToken)
    {
        if (path is null)
        {
            context.ReportProblem(new ExportProblem(ProblemKind.Missing, table, subject,
                "the saved responses hold no copy of the file (expected at files/<attachment id>/<file name>); the row is kept without a checksum."));
            return null;
        }
        await using var stream = File.OpenRead(path);
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
        var folder = Folder;
        foreach (var file in folder.Of(SavedKind.ArticleAttachments))
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
                var stored = await StoreAsync(folder.ContentOf(id), "kb_attachments",
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
