using System.Runtime.CompilerServices;
using System.Text.Json;
using ExitKit.Schema;

namespace ExitKit.Connectors.Zendesk.Internal;

/// <summary>What Zendesk holds of each table, and reading it back for reconciliation.</summary>
internal sealed partial class ZendeskSuccessor
{
    public IReadOnlyList<ColumnNotHeld> ColumnsNotHeld(TableSchema table) => (table ?? throw new ArgumentNullException(nameof(table))).Name switch
    {
        "interactions" =>
        [
            new("channel", "Zendesk sets a ticket's channel (via) itself; imported tickets show via api"),
            new("direction", "Zendesk tickets have no direction"),
            new("ended_at", "sent as solved_at for solved and closed tickets; Zendesk shows it only in ticket metrics, which read-back does not fetch"),
            new("queue_id", "groups are not mapped in this version: tickets are imported without a group"),
            new("agent_id", "agents are not mapped in this version: tickets are imported without an assignee"),
            new("customer_id", "the package's customers are not Zendesk users: every ticket is requested by requesterId"),
            new("language", "Zendesk keeps a language on users, not tickets"),
            new("disposition", "no standard ticket field; not imported"),
            new("duration_seconds", "no standard ticket field; not imported"),
            new("priority", "only low, normal, high and urgent are Zendesk priorities; other values are left out"),
            new("started_at", "Zendesk keeps times to the second; compared to the second"),
            new("updated_at", "Zendesk keeps times to the second; compared to the second"),
            new("source_extra", "no place in a ticket; stays in the package"),
        ],
        "messages" =>
        [
            new("sequence", "comments keep their order, not their numbers: read-back checks the order by matching each comment's position with the id map"),
            new("author_role", "the requester's comments read back as customer, all others (agent, bot, system, supervisor, external) as agent"),
            new("author_id", "comments are authored by requesterId (customers) or authorId (everyone else)"),
            new("kind", "Zendesk comments are public replies or internal notes: read back as turn or note by visibility"),
            new("body_format", "Zendesk stores every comment as text and HTML; the format it was sent in is kept in the id map"),
            new("sent_at", "Zendesk keeps times to the second; compared to the second"),
            new("sentiment", "no place in a comment; not imported"),
            new("language", "no place in a comment; not imported"),
            new("source_extra", "no place in a comment; stays in the package"),
        ],
        "kb_articles" =>
        [
            new("version", "Help Center keeps one body per translation: the latest version of each locale is imported, older ones are refused by key"),
            new("section_id", "held for sections listed in the sections setting; articles placed in sectionId read back without a section"),
            new("body_format", "Help Center bodies are HTML: read back as html"),
            new("author_id", "articles are authored by the user of the API token"),
            new("created_at", "Zendesk sets its own times when articles are created"),
            new("updated_at", "Zendesk sets its own times when articles are created"),
            new("published_at", "Zendesk sets its own times when articles are created"),
            new("source_extra", "no place in an article; stays in the package"),
        ],
        _ => [],
    };

    public object?[] AsHeld(TableSchema table, object?[] row)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(row);
        var held = (object?[])row.Clone();
        switch (table.Name)
        {
            case "interactions":
                Keep(table, held, "source_system", "source_id", "status", "subject", "started_at", "updated_at", "priority", "tags");
                if (held[table.OrdinalOf("priority")] is string priority && !Priorities.Contains(priority))
                {
                    held[table.OrdinalOf("priority")] = null;
                }
                held[table.OrdinalOf("tags")] ??= Array.Empty<string>();
                Seconds(table, held, "started_at", "updated_at");
                break;
            case "messages":
                var visibility = held[table.OrdinalOf("visibility")] as string;
                Keep(table, held, "source_system", "source_id", "interaction_id", "author_role", "visibility", "body", "body_format", "sent_at", "kind");
                held[table.OrdinalOf("author_role")] = held[table.OrdinalOf("author_role")] as string == "customer" ? "customer" : "agent";
                held[table.OrdinalOf("kind")] = visibility == "public" ? "turn" : "note";
                held[table.OrdinalOf("body")] ??= "";
                Seconds(table, held, "sent_at");
                break;
            case "kb_articles":
                Keep(table, held, "source_system", "source_id", "article_id", "locale", "version", "title", "body", "state", "labels", "section_id");
                held[table.OrdinalOf("body_format")] = "html";
                held[table.OrdinalOf("body")] ??= "";
                held[table.OrdinalOf("labels")] ??= Array.Empty<string>();
                if (held[table.OrdinalOf("section_id")] is string section
                    && !(settings.Sections.TryGetValue(section, out var zendesk) && _packageSectionOf.GetValueOrDefault(zendesk) == section))
                {
                    held[table.OrdinalOf("section_id")] = null;
                }
                break;
        }
        return held;
    }

    private static void Keep(TableSchema table, object?[] row, params string[] columns)
    {
        for (var ordinal = 0; ordinal < row.Length; ordinal++)
        {
            if (!columns.Contains(table.Columns[ordinal].Name))
            {
                row[ordinal] = null;
            }
        }
    }

    private static void Seconds(TableSchema table, object?[] row, params string[] columns)
    {
        foreach (var column in columns)
        {
            if (row[table.OrdinalOf(column)] is DateTimeOffset instant)
            {
                row[table.OrdinalOf(column)] = ZendeskReplies.ToSecond(instant);
            }
        }
    }

    public IAsyncEnumerable<object?[]> ReadBackAsync(TableSchema table, CancellationToken cancellationToken = default) =>
        (table ?? throw new ArgumentNullException(nameof(table))).Name switch
        {
            "interactions" => ReadTicketsAsync(cancellationToken),
            "messages" => ReadCommentsAsync(cancellationToken),
            "kb_articles" => ReadArticlesAsync(cancellationToken),
            _ => AsyncEnumerable.Empty<object?[]>(),
        };

    private async Task<ZendeskIdMap> ReadingMapAsync(CancellationToken cancellationToken)
    {
        if (_idMap is null || _dryRun)
        {
            if (_idMap is not null)
            {
                await _idMap.DisposeAsync();
            }
            _dryRun = false;
            _idMap = await ZendeskIdMap.OpenAsync(settings.IdMapPath, dryRun: !File.Exists(settings.IdMapPath), cancellationToken);
        }
        return _idMap;
    }

    private async IAsyncEnumerable<object?[]> ReadTicketsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var map = await ReadingMapAsync(cancellationToken);
        var batch = new List<(string System, string Id, string TicketId)>(100);
        await foreach (var (system, id, entry) in map.DoneAsync(ZendeskIdMap.Tickets, cancellationToken))
        {
            batch.Add((system, id, entry.ZendeskId!));
            if (batch.Count == 100)
            {
                await foreach (var row in TicketRowsAsync(batch, cancellationToken))
                {
                    yield return row;
                }
                batch.Clear();
            }
        }
        await foreach (var row in TicketRowsAsync(batch, cancellationToken))
        {
            yield return row;
        }
    }

    private async IAsyncEnumerable<object?[]> TicketRowsAsync(List<(string System, string Id, string TicketId)> batch, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            yield break;
        }
        var reply = await http.SendJsonAsync(HttpMethod.Get, "/api/v2/tickets/show_many.json?ids=" + string.Join(",", batch.Select(item => item.TicketId)), null, cancellationToken);
        if (!reply.Succeeded)
        {
            throw ExitKitException.SourceFailed(ZendeskHttp.ConnectorName, $"reading tickets back failed: {ZendeskReplies.Reason(reply)}");
        }
        var tickets = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(reply.Body);
        foreach (var ticket in document.RootElement.Array("tickets"))
        {
            tickets[ticket.Text("id") ?? ""] = ticket;
        }
        foreach (var (system, id, ticketId) in batch)
        {
            if (tickets.TryGetValue(ticketId, out var ticket))
            {
                yield return TicketRow(ticket, system, id);
                continue;
            }
            // show_many may leave archived tickets out; a ticket that is really gone answers 404 and reads back as missing.
            var single = await http.SendJsonAsync(HttpMethod.Get, $"/api/v2/tickets/{ticketId}.json", null, cancellationToken);
            if (single.Succeeded)
            {
                using var one = JsonDocument.Parse(single.Body);
                if (one.RootElement.Get("ticket") is { } found)
                {
                    yield return TicketRow(found, system, id);
                }
            }
        }
    }

    /// <summary>A ticket as the interaction row it holds; keyed by its external_id, so a ticket that lost or changed it reads back as another row.</summary>
    private static object?[] TicketRow(JsonElement ticket, string system, string id)
    {
        var row = Interactions.NewRow();
        var externalId = ticket.Text("external_id");
        if (externalId == ExternalId(system, id))
        {
            (row[0], row[1]) = (system, id);
        }
        else
        {
            (row[0], row[1]) = (system, "zendesk-ticket/" + ticket.Text("id") + (externalId is null ? "" : " (external_id " + externalId + ")"));
        }
        row[Interactions.OrdinalOf("status")] = ticket.Text("status");
        row[Interactions.OrdinalOf("subject")] = ticket.Text("subject") ?? ticket.Text("raw_subject");
        row[Interactions.OrdinalOf("started_at")] = ticket.Time("created_at");
        row[Interactions.OrdinalOf("updated_at")] = ticket.Time("updated_at");
        row[Interactions.OrdinalOf("priority")] = ticket.Text("priority");
        row[Interactions.OrdinalOf("tags")] = ticket.TextList("tags") ?? [];
        return row;
    }

    private async IAsyncEnumerable<object?[]> ReadCommentsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var map = await ReadingMapAsync(cancellationToken);
        await foreach (var (system, interactionId, ticket) in map.DoneAsync(ZendeskIdMap.Tickets, cancellationToken))
        {
            var ticketReply = await http.SendJsonAsync(HttpMethod.Get, $"/api/v2/tickets/{ticket.ZendeskId}.json", null, cancellationToken);
            if (!ticketReply.Succeeded)
            {
                continue;
            }
            string? requester;
            using (var ticketDocument = JsonDocument.Parse(ticketReply.Body))
            {
                requester = ticketDocument.RootElement.Get("ticket")?.Text("requester_id");
            }
            var position = 0L;
            string? next = $"/api/v2/tickets/{ticket.ZendeskId}/comments.json?page%5Bsize%5D=100";
            while (next is not null)
            {
                var reply = await http.SendJsonAsync(HttpMethod.Get, next, null, cancellationToken);
                if (!reply.Succeeded)
                {
                    throw ExitKitException.SourceFailed(ZendeskHttp.ConnectorName, $"reading the comments of ticket {ticket.ZendeskId} back failed: {ZendeskReplies.Reason(reply)}");
                }
                using var document = JsonDocument.Parse(reply.Body);
                foreach (var comment in document.RootElement.Array("comments"))
                {
                    var key = await map.ByZendeskIdAsync(ZendeskIdMap.Comments, ticket.ZendeskId!, position, cancellationToken);
                    yield return CommentRow(comment, system, interactionId, requester, key, position);
                    position++;
                }
                next = document.RootElement.Get("meta")?.Bool("has_more") == true ? document.RootElement.Get("links")?.Text("next") : null;
            }
        }
    }

    private static object?[] CommentRow(JsonElement comment, string system, string interactionId, string? requester,
        (string System, string Id, IdMapEntry Entry)? key, long position)
    {
        var row = Messages.NewRow();
        var format = key?.Entry.BodyFormat ?? "html";
        (row[0], row[1]) = key is { } known ? (known.System, known.Id) : (system, "zendesk-comment/" + comment.Text("id"));
        row[Messages.OrdinalOf("interaction_id")] = interactionId;
        row[Messages.OrdinalOf("sequence")] = key is null ? position + 1 : null;
        row[Messages.OrdinalOf("author_role")] = requester is not null && comment.Text("author_id") == requester ? "customer" : "agent";
        var isPublic = comment.Bool("public") ?? true;
        row[Messages.OrdinalOf("visibility")] = isPublic ? "public" : "internal";
        row[Messages.OrdinalOf("kind")] = isPublic ? "turn" : "note";
        row[Messages.OrdinalOf("body")] = format == "html" ? ZendeskReplies.Unwrap(comment.Text("html_body")) ?? "" : comment.Text("body") ?? "";
        row[Messages.OrdinalOf("body_format")] = format;
        row[Messages.OrdinalOf("sent_at")] = comment.Time("created_at");
        return row;
    }

    private async IAsyncEnumerable<object?[]> ReadArticlesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var map = await ReadingMapAsync(cancellationToken);
        await foreach (var (system, articleId, article) in map.DoneAsync(ZendeskIdMap.Articles, cancellationToken))
        {
            var articleReply = await http.SendJsonAsync(HttpMethod.Get, $"/api/v2/help_center/articles/{article.ZendeskId}.json", null, cancellationToken);
            if (articleReply.Status == 404)
            {
                continue;
            }
            if (!articleReply.Succeeded)
            {
                throw ExitKitException.SourceFailed(ZendeskHttp.ConnectorName, $"reading article {article.ZendeskId} back failed: {ZendeskReplies.Reason(articleReply)}");
            }
            string[] labels;
            string? section;
            using (var document = JsonDocument.Parse(articleReply.Body))
            {
                var element = document.RootElement.Get("article");
                labels = element?.TextList("label_names") ?? [];
                section = element?.Long("section_id") is { } zendeskSection ? _packageSectionOf.GetValueOrDefault(zendeskSection) : null;
            }
            string? next = $"/api/v2/help_center/articles/{article.ZendeskId}/translations.json";
            while (next is not null)
            {
                var reply = await http.SendJsonAsync(HttpMethod.Get, next, null, cancellationToken);
                if (!reply.Succeeded)
                {
                    throw ExitKitException.SourceFailed(ZendeskHttp.ConnectorName, $"reading the translations of article {article.ZendeskId} back failed: {ZendeskReplies.Reason(reply)}");
                }
                using var document = JsonDocument.Parse(reply.Body);
                foreach (var translation in document.RootElement.Array("translations"))
                {
                    var locale = translation.Text("locale") ?? "";
                    var key = await map.ByZendeskIdAsync(ZendeskIdMap.Translations, article.ZendeskId + "/" + locale, null, cancellationToken);
                    var row = Articles.NewRow();
                    (row[0], row[1]) = key is { } known ? (known.System, known.Id) : (system, $"zendesk-translation/{article.ZendeskId}/{locale}");
                    row[Articles.OrdinalOf("article_id")] = articleId;
                    row[Articles.OrdinalOf("locale")] = locale;
                    row[Articles.OrdinalOf("version")] = key?.Entry.Position;
                    row[Articles.OrdinalOf("title")] = translation.Text("title");
                    row[Articles.OrdinalOf("body")] = translation.Text("body") ?? "";
                    row[Articles.OrdinalOf("body_format")] = "html";
                    row[Articles.OrdinalOf("state")] = translation.Bool("draft") == true ? "draft" : "published";
                    row[Articles.OrdinalOf("labels")] = labels;
                    row[Articles.OrdinalOf("section_id")] = section;
                    yield return row;
                }
                next = document.RootElement.Text("next_page");
            }
        }
    }
}
