using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ExitKit.Schema;

namespace ExitKit.Connectors.Zendesk.Internal;

/// <summary>Reads a Zendesk account through its REST API.</summary>
internal sealed class ZendeskApiSource(ZendeskHttp http, string sourceSystem, int pageSize, bool requirePseudonyms = false) : ISourceConnector
{
    private readonly HashSet<string> _storedOriginals = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _originalsGate = new(1, 1);

    private const string TicketsCount = "/api/v2/tickets/count.json";
    private const string Ratings = "/api/v2/satisfaction_ratings.json?page%5Bsize%5D=100";
    private const string Categories = "/api/v2/help_center/categories.json?per_page=100";
    private const string Sections = "/api/v2/help_center/sections.json?per_page=100";
    private const string Articles = "/api/v2/help_center/articles.json?per_page=100";
    private const string Groups = "/api/v2/groups.json?per_page=100";

    private static readonly (string Path, string Key, string RuleType)[] RuleLists =
    [
        ("/api/v2/triggers.json?per_page=100", "triggers", "trigger"),
        ("/api/v2/automations.json?per_page=100", "automations", "automation"),
        ("/api/v2/slas/policies.json", "sla_policies", "sla_policy"),
        ("/api/v2/macros.json?per_page=100", "macros", "macro"),
        ("/api/v2/views.json?per_page=100", "views", "view"),
    ];

    private string TicketsStart(ExportRequest request) => string.Create(CultureInfo.InvariantCulture,
        $"/api/v2/incremental/tickets/cursor.json?start_time={request.From?.ToUnixTimeSeconds() ?? 0}&include=metric_sets&per_page={pageSize}");

    private readonly DescribeContext _describe = new();

    public async Task<SourceDescription> DescribeAsync(ExportRequest request, CancellationToken cancellationToken = default)
    {
        var context = _describe;
        var whole = request.From is null && request.To is null;
        long? tickets = null, sections = null, articles = null, groups = null, rules = 0;
        if (whole)
        {
            using var count = await FetchAsync(TicketsCount, 1, context, cancellationToken);
            tickets = count.RootElement.Get("count")?.Long("value");
            sections = await CountAsync(Categories, context, cancellationToken) + await CountAsync(Sections, context, cancellationToken);
            articles = await CountAsync(Articles, context, cancellationToken);
        }
        groups = await CountAsync(Groups, context, cancellationToken);
        foreach (var (path, _, _) in RuleLists)
        {
            rules += await CountAsync(path, context, cancellationToken);
        }
        SourceTable Table(TableSchema table, long? total = null, string? method = null) => new(table.Name, total, null, method);
        return new SourceDescription(sourceSystem, "Zendesk Support and Help Center",
        [
            Table(NeutralSchema.Interactions, tickets, whole ? "GET /api/v2/tickets/count.json (whole history only; deleted tickets are not counted)" : null),
            Table(NeutralSchema.Messages),
            Table(NeutralSchema.Attachments),
            Table(NeutralSchema.Surveys),
            Table(NeutralSchema.KbSections, sections, whole ? "count of GET /api/v2/help_center/categories.json + sections.json" : null),
            Table(NeutralSchema.KbArticles, articles, whole
                ? "count of GET /api/v2/help_center/articles.json: articles, while rows are one per article per locale, so rows >= total" : null),
            Table(NeutralSchema.KbAttachments),
            Table(NeutralSchema.Queues, groups, "count of GET /api/v2/groups.json"),
            Table(NeutralSchema.RoutingRules, rules, "counts of GET /api/v2/triggers, automations, slas/policies, macros and views"),
        ]);
    }

    private async Task<long?> CountAsync(string path, IExportContext context, CancellationToken cancellationToken)
    {
        using var page = await FetchAsync(path, 1, context, cancellationToken);
        var root = page.RootElement;
        // Offset-paginated lists carry the total in "count"; a list without one is counted when it fits one page.
        return root.Long("count") ?? (root.Get("next_page") is null
            ? root.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array).Sum(p => (long)p.Value.GetArrayLength())
            : null);
    }

    /// <summary>Stores the responses Describe read (count endpoints, first pages); every other response is stored while the tables are read.</summary>
    public async Task ExportOriginalsAsync(ExportRequest request, IExportContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var (path, bytes) in _describe.Responses)
        {
            await _originalsGate.WaitAsync(cancellationToken);
            try
            {
                if (_storedOriginals.Add(path))
                {
                    using var stream = new MemoryStream(bytes, writable: false);
                    await context.StoreOriginalAsync(path, stream, cancellationToken);
                }
            }
            finally
            {
                _originalsGate.Release();
            }
        }
    }

    public IAsyncEnumerable<SourceRow> ReadTableAsync(TableSchema table, ExportRequest request, string? resumeAfter, IExportContext context,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        var mapper = ZendeskMapper.Create(sourceSystem, context, requirePseudonyms);
        var cursor = ListCursor.Parse(resumeAfter);
        return table.Name switch
        {
            "interactions" => InteractionsAsync(mapper, request, cursor, context, cancellationToken),
            "messages" => MessagesAsync(mapper, request, cursor, context, cancellationToken),
            "attachments" => AttachmentsAsync(mapper, request, cursor, context, cancellationToken),
            "surveys" => Filter(table, request, MapList([(Ratings, "satisfaction_ratings")], cursor, context, mapper.Survey, cancellationToken)),
            "kb_sections" => Filter(table, request, MapList([(Categories, "categories"), (Sections, "sections")], cursor, context,
                (element, list) => mapper.KbSection(element, isCategory: list == 0), cancellationToken)),
            "kb_articles" => Filter(table, request, ArticlesAsync(mapper, cursor, context, cancellationToken)),
            "kb_attachments" => Filter(table, request, ArticleAttachmentsAsync(mapper, cursor, context, cancellationToken)),
            "queues" => MapList([(Groups, "groups")], cursor, context, mapper.Queue, cancellationToken),
            "routing_rules" => MapList(RuleLists.Select(list => (list.Path, list.Key)).ToArray(), cursor, context,
                (element, list) => mapper.RoutingRule(RuleLists[list].RuleType, element), cancellationToken),
            _ => throw ExitKitException.SourceFailed(ZendeskHttp.ConnectorName, $"it does not provide table {table.Name}; run `exitkit connectors` to see what it exports."),
        };
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

    private IAsyncEnumerable<SourceRow> MapList((string Path, string Key)[] lists, ListCursor? cursor, IExportContext context,
        Func<JsonElement, object?[]?> map, CancellationToken cancellationToken) =>
        MapList(lists, cursor, context, (element, _) => map(element), cancellationToken);

    private async IAsyncEnumerable<SourceRow> MapList((string Path, string Key)[] lists, ListCursor? cursor, IExportContext context,
        Func<JsonElement, int, object?[]?> map, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var list = cursor?.List ?? 0; list < lists.Length; list++)
        {
            var start = cursor is not null && cursor.List == list ? cursor : null;
            await foreach (var (item, position) in ItemsAsync(list, lists[list].Path, lists[list].Key, start, context, cancellationToken))
            {
                if (map(item, list) is { } row)
                {
                    yield return new SourceRow(row, position.ToString());
                }
            }
        }
    }

    /// <summary>Every item of a paged list, to the last page, each with the cursor after it.</summary>
    private async IAsyncEnumerable<(JsonElement Item, ListCursor After)> ItemsAsync(int list, string firstPath, string key, ListCursor? resume,
        IExportContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var fetch = resume?.FetchPath ?? firstPath;
        var number = resume?.Page ?? 1;
        var skip = resume?.Skip ?? 0;
        var originals = OriginalFolder(firstPath);
        while (true)
        {
            using var page = await FetchAsync(fetch, number, context, cancellationToken, originals);
            var root = page.RootElement;
            var index = 0;
            foreach (var item in root.Array(key))
            {
                index++;
                if (index <= skip)
                {
                    continue;
                }
                yield return (item, new ListCursor(list, number, index, fetch));
            }
            var next = NextPage(root);
            if (next is null)
            {
                yield break;
            }
            var uri = http.Resolve(next);
            fetch = uri.AbsolutePath.Contains("/incremental/", StringComparison.Ordinal) ? WithTicketParameters(uri.PathAndQuery) : uri.PathAndQuery;
            number++;
            skip = 0;
        }
    }

    /// <summary>The next page of any of Zendesk's three paginations, or null at the end.</summary>
    internal static string? NextPage(JsonElement root)
    {
        if (root.Bool("end_of_stream") is { } end)
        {
            // Incremental cursor export: follow after_url until end_of_stream.
            return end ? null : root.Text("after_url");
        }
        if (root.Get("meta")?.Bool("has_more") is { } more)
        {
            return more ? root.Get("links")?.Text("next") : null;
        }
        return root.Text("next_page");
    }

    private async Task<JsonDocument> FetchAsync(string pathOrUrl, int pageNumber, IExportContext context, CancellationToken cancellationToken,
        string? originalFolder = null)
    {
        var uri = http.Resolve(pathOrUrl);
        var bytes = await http.GetJsonAsync(uri, cancellationToken);
        var originalPath = string.Create(CultureInfo.InvariantCulture, $"{originalFolder ?? OriginalFolder(uri.AbsolutePath)}/page-{pageNumber:0000}.json");
        await _originalsGate.WaitAsync(cancellationToken);
        try
        {
            if (context is DescribeContext describe)
            {
                describe.Responses.Enqueue((originalPath, bytes));
            }
            else if (_storedOriginals.Add(originalPath))
            {
                using var stream = new MemoryStream(bytes, writable: false);
                await context.StoreOriginalAsync(originalPath, stream, cancellationToken);
            }
        }
        finally
        {
            _originalsGate.Release();
        }
        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException error)
        {
            throw ExitKitException.SourceFailed(ZendeskHttp.ConnectorName,
                $"GET {uri.GetLeftPart(UriPartial.Path)} did not return JSON ({error.Message}); the response is kept as original {originalPath}.", error);
        }
    }

    /// <summary><c>/api/v2/tickets/5/comments.json?x</c> → <c>zendesk/api/tickets/5/comments</c>.</summary>
    internal static string OriginalFolder(string pathOrUrl)
    {
        var path = pathOrUrl.Split('?', 2)[0];
        if (Uri.TryCreate(path, UriKind.Absolute, out var absolute))
        {
            path = absolute.AbsolutePath;
        }
        path = path.TrimStart('/');
        if (path.StartsWith("api/v2/", StringComparison.Ordinal))
        {
            path = path["api/v2/".Length..];
        }
        if (path.EndsWith(".json", StringComparison.Ordinal))
        {
            path = path[..^".json".Length];
        }
        return $"zendesk/api/{path}";
    }

    /// <summary>The incremental ticket export, each ticket with the cursor after it (messages and attachments walk it too).</summary>
    private IAsyncEnumerable<(JsonElement Item, ListCursor After)> TicketsAsync(ExportRequest request, ListCursor? resume, IExportContext context,
        CancellationToken cancellationToken) => ItemsAsync(0, TicketsStart(request), "tickets", resume, context, cancellationToken);

    private async IAsyncEnumerable<SourceRow> InteractionsAsync(ZendeskMapper mapper, ExportRequest request, ListCursor? resume,
        IExportContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Metric sets come in the same page as their tickets; look them up in that page.
        var first = TicketsStart(request);
        var fetch = resume?.FetchPath ?? first;
        var number = resume?.Page ?? 1;
        var skip = resume?.Skip ?? 0;
        var originals = OriginalFolder(first);
        while (true)
        {
            using var page = await FetchAsync(fetch, number, context, cancellationToken, originals);
            var root = page.RootElement;
            var metrics = MetricSets(root);
            var index = 0;
            foreach (var ticket in root.Array("tickets"))
            {
                index++;
                if (index <= skip)
                {
                    continue;
                }
                var row = mapper.Interaction(ticket, metrics.TryGetValue(ticket.Text("id") ?? string.Empty, out var metric) ? metric : null);
                if (ticket.Time("created_at") is not { } created || request.Contains(created))
                {
                    yield return new SourceRow(row, new ListCursor(0, number, index, fetch).ToString());
                }
            }
            var next = NextPage(root);
            if (next is null)
            {
                yield break;
            }
            fetch = WithTicketParameters(http.Resolve(next).PathAndQuery);
            number++;
            skip = 0;
        }
    }

    /// <summary>Keeps the sideload and page size on every page, whether or not Zendesk's after_url repeats them.</summary>
    private string WithTicketParameters(string pathAndQuery)
    {
        if (!pathAndQuery.Contains("include=", StringComparison.Ordinal))
        {
            pathAndQuery += (pathAndQuery.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "include=metric_sets";
        }
        if (!pathAndQuery.Contains("per_page=", StringComparison.Ordinal))
        {
            pathAndQuery += string.Create(CultureInfo.InvariantCulture, $"&per_page={pageSize}");
        }
        return pathAndQuery;
    }

    internal static Dictionary<string, JsonElement> MetricSets(JsonElement root)
    {
        var metrics = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var key in new[] { "metric_sets", "ticket_metrics" })
        {
            foreach (var metric in root.Array(key))
            {
                if (metric.Text("ticket_id") is { } ticketId)
                {
                    metrics[ticketId] = metric;
                }
            }
        }
        if (root.Get("ticket_metric") is { ValueKind: JsonValueKind.Object } single && single.Text("ticket_id") is { } id)
        {
            metrics[id] = single;
        }
        return metrics;
    }

    /// <summary>A ticket's comments, every page, with the Zendesk role of each author from the users sideload.</summary>
    private async IAsyncEnumerable<(JsonElement Comment, string? Role)> CommentsAsync(string ticketId, IExportContext context,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var first = $"/api/v2/tickets/{ticketId}/comments.json?include=users&page%5Bsize%5D=100";
        var originals = OriginalFolder(first);
        var fetch = first;
        for (var number = 1; ; number++)
        {
            using var page = await FetchAsync(fetch, number, context, cancellationToken, originals);
            var root = page.RootElement;
            var roles = Roles(root);
            foreach (var comment in root.Array("comments"))
            {
                yield return (comment, roles.GetValueOrDefault(comment.Text("author_id") ?? string.Empty));
            }
            var next = NextPage(root);
            if (next is null)
            {
                yield break;
            }
            fetch = http.Resolve(next).PathAndQuery;
        }
    }

    internal static Dictionary<string, string> Roles(JsonElement root)
    {
        var roles = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var user in root.Array("users"))
        {
            if (user.Text("id") is { } id && user.Text("role") is { } role)
            {
                roles[id] = role;
            }
        }
        return roles;
    }

    private async IAsyncEnumerable<SourceRow> MessagesAsync(ZendeskMapper mapper, ExportRequest request, ListCursor? resume,
        IExportContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (ticket, after) in TicketsAsync(request, resume, context, cancellationToken))
        {
            var ticketId = ticket.Text("id")!;
            if (ticket.Text("status") == "deleted")
            {
                context.ReportProblem(new ExportProblem(ProblemKind.Missing, "messages", $"ticket {ticketId} comments",
                    "the ticket is deleted and Zendesk no longer serves its comments; its interaction row is kept with status 'deleted'."));
                continue;
            }
            // A ticket's rows are collected so the last one can carry the cursor: resuming restarts at the next ticket.
            var rows = new List<object?[]>();
            long sequence = 0;
            try
            {
                await foreach (var (comment, role) in CommentsAsync(ticketId, context, cancellationToken))
                {
                    sequence++;
                    var row = mapper.Message(ticketId, sequence, comment, ticket.Text("requester_id"), role);
                    if (comment.Time("created_at") is not { } sent || request.Contains(sent))
                    {
                        rows.Add(row);
                    }
                }
            }
            catch (ZendeskNotFoundException gone)
            {
                context.ReportProblem(new ExportProblem(ProblemKind.Missing, "messages", $"ticket {ticketId} comments",
                    $"{gone.Message}: the ticket was removed while the export ran; its interaction row is kept."));
            }
            for (var i = 0; i < rows.Count; i++)
            {
                yield return new SourceRow(rows[i], i == rows.Count - 1 ? after.ToString() : null);
            }
        }
    }

    private async IAsyncEnumerable<SourceRow> AttachmentsAsync(ZendeskMapper mapper, ExportRequest request, ListCursor? resume,
        IExportContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (ticket, after) in TicketsAsync(request, resume, context, cancellationToken))
        {
            var ticketId = ticket.Text("id")!;
            if (ticket.Text("status") == "deleted")
            {
                continue;
            }
            var rows = new List<object?[]>();
            try
            {
                await foreach (var (comment, _) in CommentsAsync(ticketId, context, cancellationToken))
                {
                    if (comment.Time("created_at") is { } sent && !request.Contains(sent))
                    {
                        continue;
                    }
                    foreach (var attachment in comment.Array("attachments"))
                    {
                        var name = attachment.Text("file_name") ?? attachment.Text("id");
                        var stored = await DownloadAsync(attachment.Text("content_url"), "attachments", $"ticket {ticketId} attachment {name}",
                            context, cancellationToken);
                        rows.Add(mapper.Attachment(ticketId, comment, attachment, stored));
                    }
                }
            }
            catch (ZendeskNotFoundException gone)
            {
                context.ReportProblem(new ExportProblem(ProblemKind.Missing, "attachments", $"ticket {ticketId} comments",
                    $"{gone.Message}: the ticket was removed while the export ran, its attachments could not be listed."));
            }
            for (var i = 0; i < rows.Count; i++)
            {
                yield return new SourceRow(rows[i], i == rows.Count - 1 ? after.ToString() : null);
            }
        }
    }

    /// <summary>Downloads a file into an artefact; a failure is reported by name and returns null, so its row is still written.</summary>
    private async Task<ArtefactReference?> DownloadAsync(string? contentUrl, string table, string subject, IExportContext context,
        CancellationToken cancellationToken)
    {
        if (contentUrl is null)
        {
            context.ReportProblem(new ExportProblem(ProblemKind.Missing, table, subject, "Zendesk lists no content_url for it, so it cannot be downloaded."));
            return null;
        }
        try
        {
            var uri = new Uri(http.BaseAddress, contentUrl);
            using var response = await http.DownloadAsync(uri, cancellationToken);
            await using var content = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await context.StoreArtefactAsync(content, cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            context.ReportProblem(new ExportProblem(ProblemKind.Missing, table, subject,
                $"the download failed ({error.Message}); the row is kept without a checksum. Export again to retry it."));
            return null;
        }
    }

    private IAsyncEnumerable<(JsonElement Item, ListCursor After)> ArticleItemsAsync(ListCursor? resume, IExportContext context,
        CancellationToken cancellationToken) => ItemsAsync(0, Articles, "articles", resume, context, cancellationToken);

    private async IAsyncEnumerable<SourceRow> ArticlesAsync(ZendeskMapper mapper, ListCursor? resume, IExportContext context,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (article, after) in ArticleItemsAsync(resume, context, cancellationToken))
        {
            var articleId = article.Text("id")!;
            var rows = new List<object?[]> { mapper.KbArticle(article) };
            var seen = new HashSet<string>(StringComparer.Ordinal) { (string)rows[0][1]! };
            var path = $"/api/v2/help_center/articles/{articleId}/translations.json?per_page=100";
            await foreach (var (translation, _) in ItemsAsync(0, path, "translations", null, context, cancellationToken))
            {
                var row = mapper.KbTranslation(translation, article);
                if (seen.Add((string)row[1]!))
                {
                    rows.Add(row);
                }
            }
            for (var i = 0; i < rows.Count; i++)
            {
                yield return new SourceRow(rows[i], i == rows.Count - 1 ? after.ToString() : null);
            }
        }
    }

    private async IAsyncEnumerable<SourceRow> ArticleAttachmentsAsync(ZendeskMapper mapper, ListCursor? resume, IExportContext context,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (article, after) in ArticleItemsAsync(resume, context, cancellationToken))
        {
            var articleId = article.Text("id")!;
            var rows = new List<object?[]>();
            var path = $"/api/v2/help_center/articles/{articleId}/attachments.json?per_page=100";
            await foreach (var (attachment, _) in ItemsAsync(0, path, "article_attachments", null, context, cancellationToken))
            {
                var name = attachment.Text("file_name") ?? attachment.Text("id");
                var stored = await DownloadAsync(attachment.Text("content_url"), "kb_attachments", $"article {articleId} attachment {name}",
                    context, cancellationToken);
                rows.Add(mapper.KbAttachment(attachment, stored));
            }
            for (var i = 0; i < rows.Count; i++)
            {
                yield return new SourceRow(rows[i], i == rows.Count - 1 ? after.ToString() : null);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        http.Dispose();
        _originalsGate.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Describe runs before the pipeline hands out an export context; its responses wait for <see cref="ExportOriginalsAsync"/>.</summary>
    private sealed class DescribeContext : IExportContext
    {
        public System.Collections.Concurrent.ConcurrentQueue<(string Path, byte[] Bytes)> Responses { get; } = new();

        public Task<ArtefactReference> StoreArtefactAsync(Stream content, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("Describe stores no artefacts.");

        public Task<string> StoreOriginalAsync(string relativePath, Stream content, CancellationToken cancellationToken = default) =>
            Task.FromResult(relativePath);

        public void ReportProblem(ExportProblem problem) { }

        public string? Pseudonymise(string? personalValue) => personalValue;
    }
}
