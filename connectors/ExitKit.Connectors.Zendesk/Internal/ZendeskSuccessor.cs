using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using ExitKit.Schema;

namespace ExitKit.Connectors.Zendesk.Internal;

/// <summary>What the Zendesk successor was configured with (validated by the plugin).</summary>
internal sealed record ZendeskSuccessorSettings(string IdMapPath, long? RequesterId, long? AuthorId, bool ArchiveImmediately,
    IReadOnlyDictionary<string, long> Sections, long? SectionId, long? PermissionGroupId, long? UserSegmentId, string ConfigPath);

/// <summary>
/// Imports interactions with their messages as tickets through the Ticket Import API, and article versions as Help Center
/// articles and translations; reads them back from Zendesk for reconciliation.
/// </summary>
/// <remarks>
/// Idempotent three ways: every ticket carries the package key as its <c>external_id</c>; an id map (SQLite, beside the config)
/// records what Zendesk holds for every key; and a request that creates something is marked pending in the id map before it is
/// sent, so after a crash the keys left pending are looked for in Zendesk (by external_id, or by section and title for articles)
/// before anything is created again.
/// </remarks>
internal sealed class ZendeskSuccessor(ZendeskHttp http, ZendeskSuccessorSettings settings) : ISuccessorConnector
{
    private static readonly TableSchema Interactions = NeutralSchema.Interactions;
    private static readonly TableSchema Messages = NeutralSchema.Messages;
    private static readonly TableSchema Articles = NeutralSchema.KbArticles;
    private static readonly HashSet<string> Held = new(StringComparer.Ordinal) { Interactions.Name, Messages.Name, Articles.Name };
    private static readonly HashSet<string> Statuses = new(StringComparer.Ordinal) { "new", "open", "pending", "hold", "solved", "closed" };
    private static readonly HashSet<string> Priorities = new(StringComparer.Ordinal) { "low", "normal", "high", "urgent" };

    private readonly string _run = Guid.NewGuid().ToString("N");
    private readonly Dictionary<string, string> _refusedTickets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _latestVersion = new(StringComparer.Ordinal);
    private readonly Dictionary<long, string?> _packageSectionOf = BuildReverse(settings.Sections);
    private IImportSource? _package;
    private ZendeskIdMap? _idMap;
    private bool _dryRun;

    private static Dictionary<long, string?> BuildReverse(IReadOnlyDictionary<string, long> sections)
    {
        // A Zendesk section that several package sections go to cannot say which one an article came from: it reads back empty.
        var reverse = new Dictionary<long, string?>();
        foreach (var (packageId, zendeskId) in sections)
        {
            reverse[zendeskId] = reverse.ContainsKey(zendeskId) ? null : packageId;
        }
        return reverse;
    }

    public async Task AttachPackageAsync(IImportSource package, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        if (_package?.Location == package.Location)
        {
            _package = package;
            return;
        }
        _package = package;
        _latestVersion.Clear();
        if (package.HasTable(Articles.Name))
        {
            // Only the latest version of each translation is imported; which one that is must be known before the first row arrives.
            await foreach (var row in package.ReadRowsAsync(Articles.Name, cancellationToken))
            {
                var key = TranslationKey(row);
                var version = (long)row[Articles.OrdinalOf("version")]!;
                if (!_latestVersion.TryGetValue(key, out var latest) || version > latest)
                {
                    _latestVersion[key] = version;
                }
            }
        }
    }

    private static string TranslationKey(object?[] row) =>
        (string)row[0]! + "\u0000" + (string)row[Articles.OrdinalOf("article_id")]! + "\u0000" + (string)row[Articles.OrdinalOf("locale")]!;

    public async Task PrepareAsync(IReadOnlyList<TableSchema> tables, bool dryRun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var others = tables.Where(table => !Held.Contains(table.Name)).Select(table => table.Name).ToArray();
        if (others.Length > 0)
        {
            var held = tables.Where(table => Held.Contains(table.Name)).Select(table => table.Name).ToArray();
            throw new ExitKitException($"Successor zendesk imports interactions (as tickets, with their messages as comments) and kb_articles (as Help Center " +
                $"articles); this import also selects {string.Join(", ", others)}, which it cannot hold. Run it with --tables " +
                $"{(held.Length > 0 ? string.Join(",", held) : "interactions,messages,kb_articles")} and import the others into a successor that holds them.");
        }
        if (tables.Any(table => table.Name == Interactions.Name) && (settings.RequesterId is null || settings.AuthorId is null))
        {
            throw ExitKitException.BadSetting(settings.ConfigPath, settings.RequesterId is null ? "requesterId" : "authorId",
                "is required to import tickets: requesterId is the Zendesk user who requests every imported ticket, authorId the agent who authors the comments of agents, bots and the system.");
        }
        if (tables.Any(table => table.Name == Articles.Name) && settings.PermissionGroupId is null)
        {
            throw ExitKitException.BadSetting(settings.ConfigPath, "permissionGroupId", "is required to import articles: the Help Center permission group that may edit them.");
        }
        _dryRun = dryRun;
        if (_idMap is not null)
        {
            await _idMap.DisposeAsync();
        }
        _idMap = await ZendeskIdMap.OpenAsync(settings.IdMapPath, dryRun, cancellationToken);
    }

    private ZendeskIdMap IdMap => _idMap ?? throw new InvalidOperationException("Call PrepareAsync first (the import pipeline does).");

    public async Task<IReadOnlyList<RowImportResult>> ImportAsync(TableSchema table, IReadOnlyList<object?[]> rows, bool dryRun,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(rows);
        return table.Name switch
        {
            "interactions" => await ImportTicketsAsync(rows, dryRun, cancellationToken),
            "messages" => await ImportCommentsAsync(rows, cancellationToken),
            "kb_articles" => await ImportArticlesAsync(rows, dryRun, cancellationToken),
            _ => throw new ExitKitException($"Successor zendesk holds no table {table.Name}."),
        };
    }

    // ---- Tickets -------------------------------------------------------------------------------------------------------------

    private static string ExternalId(string system, string id) => system + "/" + id;

    private async Task<IReadOnlyList<RowImportResult>> ImportTicketsAsync(IReadOnlyList<object?[]> rows, bool dryRun, CancellationToken cancellationToken)
    {
        var messages = await MessagesOfAsync(rows, cancellationToken);
        var results = new List<RowImportResult>(rows.Count);
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var system = (string)row[0]!;
            var id = (string)row[1]!;
            var comments = messages.GetValueOrDefault(system + "\u0000" + id) ?? [];
            var result = await ImportTicketAsync(row, comments, dryRun, cancellationToken);
            if (result.Outcome == ImportOutcome.Failed)
            {
                _refusedTickets[system + "\u0000" + id] = result.Reason!;
            }
            results.Add(result);
        }
        return results;
    }

    /// <summary>The messages of a batch's interactions, in order, read from the package (one pass over messages per batch).</summary>
    private async Task<Dictionary<string, List<object?[]>>> MessagesOfAsync(IReadOnlyList<object?[]> tickets, CancellationToken cancellationToken)
    {
        var wanted = tickets.Select(row => (string)row[0]! + "\u0000" + (string)row[1]!).ToHashSet(StringComparer.Ordinal);
        var found = new Dictionary<string, List<object?[]>>(StringComparer.Ordinal);
        if (_package is null || !_package.HasTable(Messages.Name))
        {
            return found;
        }
        var interaction = Messages.OrdinalOf("interaction_id");
        await foreach (var message in _package.ReadRowsAsync(Messages.Name, cancellationToken))
        {
            var key = (string)message[0]! + "\u0000" + (string)message[interaction]!;
            if (wanted.Contains(key))
            {
                if (!found.TryGetValue(key, out var list))
                {
                    found[key] = list = [];
                }
                list.Add(message);
            }
        }
        foreach (var list in found.Values)
        {
            list.Sort((left, right) =>
            {
                var bySequence = ((long)left[Messages.OrdinalOf("sequence")]!).CompareTo((long)right[Messages.OrdinalOf("sequence")]!);
                return bySequence != 0 ? bySequence : string.CompareOrdinal((string)left[1]!, (string)right[1]!);
            });
        }
        return found;
    }

    private static string? TicketProblem(object?[] row, List<object?[]> comments)
    {
        var status = row[Interactions.OrdinalOf("status")] as string;
        if (status is null || !Statuses.Contains(status))
        {
            return $"its status '{status}' is not one Zendesk's ticket import takes (new, open, pending, hold, solved, closed)";
        }
        if (comments.Count == 0)
        {
            return "it has no messages in the package, and Zendesk cannot import a ticket without a comment";
        }
        return null;
    }

    private byte[] TicketRequest(object?[] row, List<object?[]> comments) => ZendeskReplies.Body(json =>
    {
        json.WriteStartObject();
        json.WriteStartObject("ticket");
        json.WriteString("external_id", ExternalId((string)row[0]!, (string)row[1]!));
        if (row[Interactions.OrdinalOf("subject")] is string subject)
        {
            json.WriteString("subject", subject);
        }
        var status = (string)row[Interactions.OrdinalOf("status")]!;
        json.WriteString("status", status);
        if (row[Interactions.OrdinalOf("priority")] is string priority && Priorities.Contains(priority))
        {
            json.WriteString("priority", priority);
        }
        json.WriteNumber("requester_id", settings.RequesterId!.Value);
        json.WriteStartArray("tags");
        foreach (var tag in row[Interactions.OrdinalOf("tags")] as string[] ?? [])
        {
            json.WriteStringValue(tag);
        }
        json.WriteEndArray();
        json.WriteString("created_at", ZendeskReplies.Time((DateTimeOffset)row[Interactions.OrdinalOf("started_at")]!));
        if (row[Interactions.OrdinalOf("updated_at")] is DateTimeOffset updated)
        {
            json.WriteString("updated_at", ZendeskReplies.Time(updated));
        }
        if (status is "solved" or "closed" && row[Interactions.OrdinalOf("ended_at")] is DateTimeOffset ended)
        {
            json.WriteString("solved_at", ZendeskReplies.Time(ended));
        }
        json.WriteStartArray("comments");
        foreach (var message in comments)
        {
            json.WriteStartObject();
            json.WriteNumber("author_id", message[Messages.OrdinalOf("author_role")] as string == "customer" ? settings.RequesterId!.Value : settings.AuthorId!.Value);
            json.WriteString("created_at", ZendeskReplies.Time((DateTimeOffset)message[Messages.OrdinalOf("sent_at")]!));
            json.WriteBoolean("public", message[Messages.OrdinalOf("visibility")] as string == "public");
            json.WriteString(message[Messages.OrdinalOf("body_format")] as string == "html" ? "html_body" : "value", message[Messages.OrdinalOf("body")] as string ?? "");
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    });

    private async Task<RowImportResult> ImportTicketAsync(object?[] row, List<object?[]> comments, bool dryRun, CancellationToken cancellationToken)
    {
        var system = (string)row[0]!;
        var id = (string)row[1]!;
        if (TicketProblem(row, comments) is { } problem)
        {
            return new RowImportResult(id, ImportOutcome.Failed, Reason: problem);
        }
        var request = TicketRequest(row, comments);
        var hash = Convert.ToHexStringLower(SHA256.HashData(request));
        var entry = await IdMap.GetAsync(ZendeskIdMap.Tickets, system, id, cancellationToken);
        if (entry is { State: "done" })
        {
            return entry.ContentSha256 == hash
                ? new RowImportResult(id, ImportOutcome.Skipped, entry.ZendeskId)
                : new RowImportResult(id, ImportOutcome.Failed, Reason: $"it changed since it was imported as ticket {entry.ZendeskId}; Zendesk's ticket import creates " +
                    "tickets and cannot replace their comments. Delete that ticket in Zendesk (and its id map entry) to import the new version");
        }
        if (entry is { State: "pending" })
        {
            // A run stopped between sending this ticket and recording Zendesk's answer: look before creating it again.
            var found = await FindTicketsAsync(system, id, cancellationToken);
            if (found.Count > 1)
            {
                return new RowImportResult(id, ImportOutcome.Failed, Reason: $"Zendesk holds {found.Count} tickets with external_id {ExternalId(system, id)} " +
                    $"({string.Join(", ", found)}); delete all but one and run the import again");
            }
            if (found.Count == 1)
            {
                if (!dryRun)
                {
                    await RecordTicketAsync(system, id, found[0], hash, comments, run: "", cancellationToken);
                }
                return new RowImportResult(id, ImportOutcome.Skipped, found[0]);
            }
        }
        if (dryRun)
        {
            await RecordTicketAsync(system, id, null, hash, comments, _run, cancellationToken, state: "dry");
            return new RowImportResult(id, ImportOutcome.Created);
        }
        await IdMap.SetAsync(ZendeskIdMap.Tickets, system, id, new IdMapEntry("pending", null, hash, _run, null, null, null), cancellationToken);
        var path = "/api/v2/imports/tickets" + (settings.ArchiveImmediately ? "?archive_immediately=true" : "");
        for (var attempt = 1; ; attempt++)
        {
            ZendeskReply reply;
            try
            {
                reply = await http.SendJsonAsync(HttpMethod.Post, path, request, cancellationToken);
            }
            catch (ZendeskUncertainException error)
            {
                // Zendesk may have created it before failing: look before sending it again.
                var found = await FindTicketsAsync(system, id, cancellationToken);
                if (found.Count == 1)
                {
                    await RecordTicketAsync(system, id, found[0], hash, comments, _run, cancellationToken);
                    return new RowImportResult(id, ImportOutcome.Created, found[0]);
                }
                if (found.Count > 1 || attempt >= 3)
                {
                    throw ExitKitException.SourceFailed(ZendeskHttp.ConnectorName,
                        $"importing ticket {ExternalId(system, id)} failed {attempt} times ({error.Message}); run the import again later: it resumes from here.", error);
                }
                await Task.Delay(http.RetryBaseDelay * attempt, cancellationToken);
                continue;
            }
            if (!reply.Succeeded)
            {
                await IdMap.RemoveAsync(ZendeskIdMap.Tickets, system, id, cancellationToken);
                return new RowImportResult(id, ImportOutcome.Failed, Reason: ZendeskReplies.Reason(reply));
            }
            using var document = JsonDocument.Parse(reply.Body);
            var ticketId = document.RootElement.Get("ticket")?.Text("id")
                ?? throw ExitKitException.SourceFailed(ZendeskHttp.ConnectorName, $"POST {path} answered {reply.Status} without a ticket id.");
            await RecordTicketAsync(system, id, ticketId, hash, comments, _run, cancellationToken);
            return new RowImportResult(id, ImportOutcome.Created, ticketId);
        }
    }

    /// <summary>The ticket and its comments' positions, in one transaction.</summary>
    private Task RecordTicketAsync(string system, string id, string? ticketId, string hash, List<object?[]> comments, string run,
        CancellationToken cancellationToken, string state = "done") =>
        IdMap.InOneAsync(async () =>
        {
            await IdMap.SetAsync(ZendeskIdMap.Tickets, system, id, new IdMapEntry(state, ticketId, hash, run, null, null, null), cancellationToken);
            for (var position = 0; position < comments.Count; position++)
            {
                var message = comments[position];
                await IdMap.SetAsync(ZendeskIdMap.Comments, (string)message[0]!, (string)message[1]!,
                    new IdMapEntry(state, ticketId, null, run, id, position, message[Messages.OrdinalOf("body_format")] as string ?? "text"), cancellationToken);
            }
        }, cancellationToken);

    /// <summary>The ids of the tickets whose external_id is this key (Zendesk's list leaves archived tickets out).</summary>
    private async Task<List<string>> FindTicketsAsync(string system, string id, CancellationToken cancellationToken)
    {
        var reply = await http.SendJsonAsync(HttpMethod.Get, "/api/v2/tickets.json?external_id=" + Uri.EscapeDataString(ExternalId(system, id)), null, cancellationToken);
        if (!reply.Succeeded)
        {
            throw ExitKitException.SourceFailed(ZendeskHttp.ConnectorName, $"looking up tickets by external_id failed: {ZendeskReplies.Reason(reply)}");
        }
        using var document = JsonDocument.Parse(reply.Body);
        return document.RootElement.Array("tickets").Select(ticket => ticket.Text("id")).OfType<string>().ToList();
    }

    private async Task<IReadOnlyList<RowImportResult>> ImportCommentsAsync(IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        var results = new List<RowImportResult>(rows.Count);
        foreach (var row in rows)
        {
            var system = (string)row[0]!;
            var id = (string)row[1]!;
            var interaction = (string)row[Messages.OrdinalOf("interaction_id")]!;
            var entry = await IdMap.GetAsync(ZendeskIdMap.Comments, system, id, cancellationToken);
            if (entry is { State: "done" or "dry" })
            {
                results.Add(new RowImportResult(id, entry.Run == _run ? ImportOutcome.Created : ImportOutcome.Skipped,
                    entry.ZendeskId is null ? null : entry.ZendeskId + "#" + ZendeskIdMap.Text(entry.Position ?? 0)));
                continue;
            }
            var ticket = await IdMap.GetAsync(ZendeskIdMap.Tickets, system, interaction, cancellationToken);
            var reason = ticket is { State: "done" or "dry" }
                ? $"ticket {ticket.ZendeskId ?? "(dry run)"} of interaction {interaction} was imported without it (it was not in the package then); Zendesk's ticket import takes comments only when it creates a ticket"
                : _refusedTickets.TryGetValue(system + "\u0000" + interaction, out var refused)
                    ? $"its interaction {interaction} was refused: {refused}"
                    : $"its interaction {interaction} was not imported; Zendesk takes comments only with their ticket, so import interactions and messages together";
            results.Add(new RowImportResult(id, ImportOutcome.Failed, Reason: reason));
        }
        return results;
    }

    // ---- Articles ------------------------------------------------------------------------------------------------------------

    private long? ZendeskSection(object?[] row) =>
        row[Articles.OrdinalOf("section_id")] is string section && settings.Sections.TryGetValue(section, out var mapped) ? mapped : settings.SectionId;

    private static byte[] TranslationRequest(object?[] row, bool withLocale) => ZendeskReplies.Body(json =>
    {
        json.WriteStartObject();
        json.WriteStartObject("translation");
        if (withLocale)
        {
            json.WriteString("locale", (string)row[Articles.OrdinalOf("locale")]!);
        }
        json.WriteString("title", (string)row[Articles.OrdinalOf("title")]!);
        json.WriteString("body", row[Articles.OrdinalOf("body")] as string ?? "");
        json.WriteBoolean("draft", row[Articles.OrdinalOf("state")] as string == "draft");
        json.WriteEndObject();
        json.WriteEndObject();
    });

    private byte[] ArticleRequest(object?[] row) => ZendeskReplies.Body(json =>
    {
        json.WriteStartObject();
        json.WriteStartObject("article");
        json.WriteString("title", (string)row[Articles.OrdinalOf("title")]!);
        json.WriteString("body", row[Articles.OrdinalOf("body")] as string ?? "");
        json.WriteString("locale", (string)row[Articles.OrdinalOf("locale")]!);
        json.WriteBoolean("draft", row[Articles.OrdinalOf("state")] as string == "draft");
        json.WriteNumber("permission_group_id", settings.PermissionGroupId!.Value);
        if (settings.UserSegmentId is { } segment)
        {
            json.WriteNumber("user_segment_id", segment);
        }
        else
        {
            json.WriteNull("user_segment_id");
        }
        WriteLabels(json, row);
        json.WriteEndObject();
        // Importing is not publishing news: followers of the section are not e-mailed.
        json.WriteBoolean("notify_subscribers", false);
        json.WriteEndObject();
    });

    private static void WriteLabels(Utf8JsonWriter json, object?[] row)
    {
        json.WriteStartArray("label_names");
        foreach (var label in row[Articles.OrdinalOf("labels")] as string[] ?? [])
        {
            json.WriteStringValue(label);
        }
        json.WriteEndArray();
    }

    private async Task<IReadOnlyList<RowImportResult>> ImportArticlesAsync(IReadOnlyList<object?[]> rows, bool dryRun, CancellationToken cancellationToken)
    {
        var results = new List<RowImportResult>(rows.Count);
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.Add(await ImportArticleAsync(row, dryRun, cancellationToken));
        }
        return results;
    }

    private async Task<RowImportResult> ImportArticleAsync(object?[] row, bool dryRun, CancellationToken cancellationToken)
    {
        var system = (string)row[0]!;
        var id = (string)row[1]!;
        var articleId = (string)row[Articles.OrdinalOf("article_id")]!;
        var locale = (string)row[Articles.OrdinalOf("locale")]!;
        var version = (long)row[Articles.OrdinalOf("version")]!;
        if (_latestVersion.TryGetValue(TranslationKey(row), out var latest) && version < latest)
        {
            return new RowImportResult(id, ImportOutcome.Failed, Reason: $"superseded: Zendesk Help Center keeps one body per translation, and version {latest} of " +
                $"this article in {locale} was imported instead (older versions stay in the package)");
        }
        if (row[Articles.OrdinalOf("state")] as string == "archived")
        {
            return new RowImportResult(id, ImportOutcome.Failed, Reason: "it is archived; Help Center's API creates articles and translations, not archived ones (archive it in Guide after importing, or leave it in the package)");
        }
        if (ZendeskSection(row) is not { } section)
        {
            return new RowImportResult(id, ImportOutcome.Failed, Reason: $"no Help Center section is configured for its section '{row[Articles.OrdinalOf("section_id")]}': " +
                "add it to the sections setting or set sectionId");
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData([.. TranslationRequest(row, withLocale: true), .. ArticleRequest(row),
            .. BitConverter.GetBytes(section)]));
        var translation = await IdMap.GetAsync(ZendeskIdMap.Translations, system, id, cancellationToken);
        var article = await IdMap.GetAsync(ZendeskIdMap.Articles, system, articleId, cancellationToken);
        if (article is { State: "pending" } && !dryRun)
        {
            article = await FindArticleAsync(row, section, system, articleId, hash, cancellationToken);
        }
        if (translation is { State: "pending" } && article is { State: "done" } && !dryRun)
        {
            translation = await FindTranslationAsync(row, article.ZendeskId!, system, id, cancellationToken);
        }
        if (translation is { State: "done" or "dry" })
        {
            if (translation.ContentSha256 == hash)
            {
                return new RowImportResult(id, ImportOutcome.Skipped, translation.ZendeskId);
            }
            if (dryRun)
            {
                return new RowImportResult(id, ImportOutcome.Updated, translation.ZendeskId);
            }
            return await UpdateArticleAsync(row, translation, hash, cancellationToken);
        }
        if (dryRun)
        {
            if (article is null)
            {
                await IdMap.SetAsync(ZendeskIdMap.Articles, system, articleId, new IdMapEntry("dry", null, null, _run, null, null, null), cancellationToken);
            }
            await IdMap.SetAsync(ZendeskIdMap.Translations, system, id, new IdMapEntry("dry", null, hash, _run, articleId, version, null), cancellationToken);
            return new RowImportResult(id, ImportOutcome.Created);
        }
        if (article is not { State: "done" })
        {
            // The article does not exist yet: it is created in this row's locale, which becomes its source locale.
            await IdMap.SetAsync(ZendeskIdMap.Articles, system, articleId, new IdMapEntry("pending", null, null, _run, null, section, null), cancellationToken);
            await IdMap.SetAsync(ZendeskIdMap.Translations, system, id, new IdMapEntry("pending", null, hash, _run, articleId, version, null), cancellationToken);
            var reply = await SendOnceAsync(HttpMethod.Post, $"/api/v2/help_center/sections/{ZendeskIdMap.Text(section)}/articles", ArticleRequest(row), cancellationToken);
            if (!reply.Succeeded)
            {
                await IdMap.RemoveAsync(ZendeskIdMap.Translations, system, id, cancellationToken);
                await IdMap.RemoveAsync(ZendeskIdMap.Articles, system, articleId, cancellationToken);
                return new RowImportResult(id, ImportOutcome.Failed, Reason: ZendeskReplies.Reason(reply));
            }
            using var document = JsonDocument.Parse(reply.Body);
            var created = document.RootElement.Get("article")?.Text("id")
                ?? throw ExitKitException.SourceFailed(ZendeskHttp.ConnectorName, $"creating an article answered {reply.Status} without an article id.");
            var translationId = created + "/" + locale;
            await IdMap.InOneAsync(async () =>
            {
                await IdMap.SetAsync(ZendeskIdMap.Articles, system, articleId, new IdMapEntry("done", created, null, _run, null, section, null), cancellationToken);
                await IdMap.SetAsync(ZendeskIdMap.Translations, system, id, new IdMapEntry("done", translationId, hash, _run, articleId, version, null), cancellationToken);
            }, cancellationToken);
            return new RowImportResult(id, ImportOutcome.Created, translationId);
        }
        await IdMap.SetAsync(ZendeskIdMap.Translations, system, id, new IdMapEntry("pending", null, hash, _run, articleId, version, null), cancellationToken);
        var added = await SendOnceAsync(HttpMethod.Post, $"/api/v2/help_center/articles/{article.ZendeskId}/translations", TranslationRequest(row, withLocale: true), cancellationToken);
        if (!added.Succeeded)
        {
            await IdMap.RemoveAsync(ZendeskIdMap.Translations, system, id, cancellationToken);
            return new RowImportResult(id, ImportOutcome.Failed, Reason: ZendeskReplies.Reason(added));
        }
        var addedId = article.ZendeskId + "/" + locale;
        await IdMap.SetAsync(ZendeskIdMap.Translations, system, id, new IdMapEntry("done", addedId, hash, _run, articleId, version, null), cancellationToken);
        return new RowImportResult(id, ImportOutcome.Created, addedId);
    }

    private async Task<RowImportResult> UpdateArticleAsync(object?[] row, IdMapEntry translation, string hash, CancellationToken cancellationToken)
    {
        var system = (string)row[0]!;
        var id = (string)row[1]!;
        var (articleZendeskId, locale) = SplitTranslationId(translation.ZendeskId!);
        var section = ZendeskSection(row)!.Value;
        var reply = await http.SendJsonAsync(HttpMethod.Put, $"/api/v2/help_center/articles/{articleZendeskId}/translations/{Uri.EscapeDataString(locale)}",
            TranslationRequest(row, withLocale: false), cancellationToken);
        if (reply.Succeeded)
        {
            reply = await http.SendJsonAsync(HttpMethod.Put, $"/api/v2/help_center/articles/{articleZendeskId}",
                ZendeskReplies.Body(json =>
                {
                    json.WriteStartObject();
                    json.WriteStartObject("article");
                    WriteLabels(json, row);
                    json.WriteNumber("section_id", section);
                    json.WriteEndObject();
                    json.WriteEndObject();
                }), cancellationToken);
        }
        if (!reply.Succeeded)
        {
            return new RowImportResult(id, ImportOutcome.Failed, Reason: ZendeskReplies.Reason(reply));
        }
        await IdMap.SetAsync(ZendeskIdMap.Translations, system, id, translation with { ContentSha256 = hash, State = "done" }, cancellationToken);
        return new RowImportResult(id, ImportOutcome.Updated, translation.ZendeskId);
    }

    private static (string Article, string Locale) SplitTranslationId(string translationId)
    {
        var slash = translationId.IndexOf('/', StringComparison.Ordinal);
        return (translationId[..slash], translationId[(slash + 1)..]);
    }

    /// <summary>Creating requests are sent once: on a 5xx or a broken connection the run stops, and the next run looks for what was created.</summary>
    private async Task<ZendeskReply> SendOnceAsync(HttpMethod method, string path, byte[] body, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendJsonAsync(method, path, body, cancellationToken);
        }
        catch (ZendeskUncertainException error)
        {
            throw ExitKitException.SourceFailed(ZendeskHttp.ConnectorName,
                $"{error.Message}; Zendesk may or may not have created it. Run the import again: it looks for it before creating it again.", error);
        }
    }

    /// <summary>An article whose creation was cut off: found again in its section by its title and locale, or created afresh.</summary>
    private async Task<IdMapEntry?> FindArticleAsync(object?[] row, long section, string system, string articleId, string hash, CancellationToken cancellationToken)
    {
        var title = (string)row[Articles.OrdinalOf("title")]!;
        var locale = (string)row[Articles.OrdinalOf("locale")]!;
        var matches = new List<string>();
        string? next = $"/api/v2/help_center/sections/{ZendeskIdMap.Text(section)}/articles.json?per_page=100";
        while (next is not null)
        {
            var reply = await http.SendJsonAsync(HttpMethod.Get, next, null, cancellationToken);
            if (!reply.Succeeded)
            {
                throw ExitKitException.SourceFailed(ZendeskHttp.ConnectorName, $"listing the articles of section {section} failed: {ZendeskReplies.Reason(reply)}");
            }
            using var document = JsonDocument.Parse(reply.Body);
            matches.AddRange(document.RootElement.Array("articles")
                .Where(article => article.Text("title") == title && (article.Text("source_locale") ?? article.Text("locale")) == locale)
                .Select(article => article.Text("id")).OfType<string>());
            next = document.RootElement.Text("next_page");
        }
        if (matches.Count == 1)
        {
            var entry = new IdMapEntry("done", matches[0], null, "", null, section, null);
            await IdMap.SetAsync(ZendeskIdMap.Articles, system, articleId, entry, cancellationToken);
            await IdMap.SetAsync(ZendeskIdMap.Translations, system, (string)row[1]!,
                new IdMapEntry("done", matches[0] + "/" + locale, hash, "", articleId, (long)row[Articles.OrdinalOf("version")]!, null), cancellationToken);
            return entry;
        }
        if (matches.Count > 1)
        {
            throw new ExitKitException($"Section {section} holds {matches.Count} articles titled '{title}' in {locale} ({string.Join(", ", matches)}), and an earlier " +
                $"import of article {articleId} stopped before it recorded which one it created. Delete the extra ones in Guide and run the import again.", FailureKind.Incomplete);
        }
        await IdMap.RemoveAsync(ZendeskIdMap.Articles, system, articleId, cancellationToken);
        return null;
    }

    private async Task<IdMapEntry?> FindTranslationAsync(object?[] row, string articleZendeskId, string system, string id, CancellationToken cancellationToken)
    {
        var locale = (string)row[Articles.OrdinalOf("locale")]!;
        var reply = await http.SendJsonAsync(HttpMethod.Get, $"/api/v2/help_center/articles/{articleZendeskId}/translations/{Uri.EscapeDataString(locale)}.json", null, cancellationToken);
        if (reply.Status == 404)
        {
            await IdMap.RemoveAsync(ZendeskIdMap.Translations, system, id, cancellationToken);
            return null;
        }
        if (!reply.Succeeded)
        {
            throw ExitKitException.SourceFailed(ZendeskHttp.ConnectorName, $"looking up translation {locale} of article {articleZendeskId} failed: {ZendeskReplies.Reason(reply)}");
        }
        // Found: recorded with no content hash, so the row is sent again as an update and Zendesk holds exactly the package's version.
        var entry = new IdMapEntry("done", articleZendeskId + "/" + locale, null, "", (string)row[Articles.OrdinalOf("article_id")]!,
            (long)row[Articles.OrdinalOf("version")]!, null);
        await IdMap.SetAsync(ZendeskIdMap.Translations, system, id, entry, cancellationToken);
        return entry;
    }

    // ---- What Zendesk holds, and reading it back ------------------------------------------------------------------------------

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

    public async ValueTask DisposeAsync()
    {
        if (_idMap is not null)
        {
            await _idMap.DisposeAsync();
        }
        http.Dispose();
    }
}
