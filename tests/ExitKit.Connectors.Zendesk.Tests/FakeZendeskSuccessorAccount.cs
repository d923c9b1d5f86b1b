using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reply = ExitKit.Connectors.Zendesk.Tests.LocalHttpServer.Reply;

namespace ExitKit.Connectors.Zendesk.Tests;

/// <summary>
/// A Zendesk account to import into, served over real HTTP in the request and response shapes of Zendesk's API reference:
/// the Ticket Import API (POST /api/v2/imports/tickets with comments, archive_immediately, 201 with the ticket, 422 RecordInvalid
/// with details), tickets listed by external_id (archived ones left out, as Zendesk does), show_many, cursor-paginated comments,
/// and Help Center articles and translations (create, list per section, show, update).
/// </summary>
internal sealed class FakeZendeskSuccessorAccount : IAsyncDisposable
{
    public const string Email = "import.admin@example.com";
    public const string Token = "zd-IMPORT-secret-91c2e7";
    /// <summary>The longest subject this account takes; longer ones are refused with 422, as Zendesk refuses values too long for a field.</summary>
    public const int SubjectLimit = 150;
    public static readonly long[] Sections = [501, 502];

    private readonly object _gate = new();
    private readonly List<Ticket> _tickets = [];
    private readonly List<Article> _articles = [];
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Fault>> _faults = new(StringComparer.Ordinal);
    private long _nextId = 1000;

    public FakeZendeskSuccessorAccount() => Server = new LocalHttpServer(Route);

    public LocalHttpServer Server { get; }

    /// <summary>Requests that changed the account (POST and PUT), in order: "POST /api/v2/imports/tickets" and so on.</summary>
    public ConcurrentQueue<string> Writes { get; } = new();

    private sealed record Fault(string Method, Reply Reply, bool AfterApplying);

    private int _writesBeforeKill = -1;
    private CancellationTokenSource? _kill;

    /// <summary>
    /// Kills the importer (cancels its token) right after the account applied its <paramref name="writes"/>-th next write, before
    /// answering: the crash that leaves a ticket or article in Zendesk that the id map has not recorded yet.
    /// </summary>
    public void KillAfterWrites(int writes, CancellationTokenSource kill)
    {
        _writesBeforeKill = writes;
        _kill = kill;
    }

    public void StopKilling() => _kill = null;

    /// <summary>The next <paramref name="times"/> requests of this method whose path starts with the prefix get this answer instead.</summary>
    /// <param name="afterApplying">Apply the request first, then answer with the fault (a 500 after the ticket was created).</param>
    public void Fail(string method, string pathPrefix, Reply reply, int times = 1, bool afterApplying = false)
    {
        var queue = _faults.GetOrAdd(method + " " + pathPrefix, _ => new ConcurrentQueue<Fault>());
        for (var i = 0; i < times; i++)
        {
            queue.Enqueue(new Fault(method, reply, afterApplying));
        }
    }

    public sealed class Ticket
    {
        public long Id { get; init; }
        public string? ExternalId { get; set; }
        public string? Subject { get; set; }
        public string Status { get; set; } = "new";
        public string? Priority { get; set; }
        public string[] Tags { get; set; } = [];
        public long RequesterId { get; set; }
        public string CreatedAt { get; set; } = "";
        public string UpdatedAt { get; set; } = "";
        public bool Archived { get; set; }
        public List<Comment> Comments { get; } = [];
    }

    public sealed record Comment(long Id, long AuthorId, bool Public, string Body, string HtmlBody, string CreatedAt);

    public sealed class Article
    {
        public long Id { get; init; }
        public long SectionId { get; set; }
        public string SourceLocale { get; init; } = "";
        public string[] Labels { get; set; } = [];
        public Dictionary<string, Translation> Translations { get; } = new(StringComparer.Ordinal);
    }

    public sealed class Translation
    {
        public string Locale { get; init; } = "";
        public string Title { get; set; } = "";
        public string Body { get; set; } = "";
        public bool Draft { get; set; }
    }

    public IReadOnlyList<Ticket> Tickets
    {
        get
        {
            lock (_gate)
            {
                return [.. _tickets];
            }
        }
    }

    public IReadOnlyList<Article> Articles
    {
        get
        {
            lock (_gate)
            {
                return [.. _articles];
            }
        }
    }

    public ConnectorConfiguration Configuration(string idMapPath, string? extra = null, string token = Token)
    {
        var json = $$"""
            {"baseUrl": "{{Server.BaseUrl}}", "email": "{{Email}}", "apiToken": "env:ZD_IMPORT_TOKEN", "requestsPerMinute": 6000,
             "requesterId": 9001, "authorId": 9002, "permissionGroupId": 11, "sections": {"sec-faq": 501}, "sectionId": 502,
             "idMapPath": {{JsonSerializer.Serialize(idMapPath)}} {{extra}} }
            """;
        using var document = JsonDocument.Parse(json);
        return new ConnectorConfiguration(document.RootElement.Clone(), "/tmp/zendesk-import-test.config.json", name => name == "ZD_IMPORT_TOKEN" ? token : null);
    }

    public ISuccessorConnector CreateSuccessor(string idMapPath, string? extra = null, string token = Token) =>
        ZendeskPlugin.CreateSuccessor(Configuration(idMapPath, extra, token), settings => settings.RetryBaseDelay = TimeSpan.FromMilliseconds(20));

    private Reply Route(HttpListenerRequest request)
    {
        var reply = RouteWithFaults(request);
        if (request.HttpMethod is "POST" or "PUT" && reply.Status is >= 200 and < 300 && _kill is { } kill && Interlocked.Decrement(ref _writesBeforeKill) == 0)
        {
            kill.Cancel();
            // The answer comes after the importer has stopped listening.
            Thread.Sleep(100);
        }
        return reply;
    }

    private Reply RouteWithFaults(HttpListenerRequest request)
    {
        var path = request.Url!.AbsolutePath;
        var method = request.HttpMethod;
        foreach (var (key, queue) in _faults)
        {
            if (key.StartsWith(method + " ", StringComparison.Ordinal) && path.StartsWith(key[(method.Length + 1)..], StringComparison.Ordinal)
                && queue.TryDequeue(out var fault))
            {
                if (!fault.AfterApplying)
                {
                    return fault.Reply;
                }
                _ = Answer(request, path, method);
                return fault.Reply;
            }
        }
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Email}/token:{Token}"));
        if (request.Headers["Authorization"] != expected)
        {
            return new Reply(401, Encoding.UTF8.GetBytes("""{"error":"Couldn't authenticate you"}"""));
        }
        return Answer(request, path, method);
    }

    private Reply Answer(HttpListenerRequest request, string path, string method)
    {
        JsonNode? body = null;
        if (request.HasEntityBody)
        {
            using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
            body = JsonNode.Parse(reader.ReadToEnd());
        }
        if (method is "POST" or "PUT")
        {
            Writes.Enqueue($"{method} {path}");
        }
        var segments = path.Trim('/').Split('/');
        lock (_gate)
        {
            return (method, path) switch
            {
                ("POST", "/api/v2/imports/tickets") => ImportTicket(body!["ticket"]!, request.QueryString["archive_immediately"] == "true"),
                ("GET", "/api/v2/tickets.json") => Json(200, new JsonObject
                {
                    ["tickets"] = Array(_tickets.Where(ticket => !ticket.Archived && ticket.ExternalId == request.QueryString["external_id"]).Select(TicketJson)),
                    ["next_page"] = null, ["previous_page"] = null,
                    ["count"] = _tickets.Count(ticket => !ticket.Archived && ticket.ExternalId == request.QueryString["external_id"]),
                }),
                // Archived tickets are left out of show_many here, so the successor's fallback to the single ticket is exercised.
                ("GET", "/api/v2/tickets/show_many.json") => Json(200, new JsonObject
                {
                    ["tickets"] = Array((request.QueryString["ids"] ?? "").Split(',').Select(id => _tickets.FirstOrDefault(ticket => ticket.Id.ToString(CultureInfo.InvariantCulture) == id))
                        .Where(ticket => ticket is { Archived: false }).Select(ticket => TicketJson(ticket!))),
                }),
                ("GET", _) when segments is ["api", "v2", "tickets", var id, "comments.json"] => Comments(id, request),
                ("GET", _) when segments is ["api", "v2", "tickets", var file] && file.EndsWith(".json", StringComparison.Ordinal) =>
                    FindTicket(file[..^5]) is { } ticket ? Json(200, new JsonObject { ["ticket"] = TicketJson(ticket) }) : NotFound(),
                ("POST", _) when segments is ["api", "v2", "help_center", "sections", var section, "articles"] => CreateArticle(section, body!["article"]!),
                ("GET", _) when segments is ["api", "v2", "help_center", "sections", var section, "articles.json"] => Json(200, new JsonObject
                {
                    ["articles"] = Array(_articles.Where(article => article.SectionId.ToString(CultureInfo.InvariantCulture) == section).Select(ArticleJson)),
                    ["page"] = 1, ["per_page"] = 100, ["page_count"] = 1, ["next_page"] = null, ["previous_page"] = null,
                    ["count"] = _articles.Count(article => article.SectionId.ToString(CultureInfo.InvariantCulture) == section),
                }),
                ("GET", _) when segments is ["api", "v2", "help_center", "articles", var file] && file.EndsWith(".json", StringComparison.Ordinal) =>
                    FindArticle(file[..^5]) is { } article ? Json(200, new JsonObject { ["article"] = ArticleJson(article) }) : NotFound(),
                ("PUT", _) when segments is ["api", "v2", "help_center", "articles", var id] => UpdateArticle(id, body!["article"]!),
                ("POST", _) when segments is ["api", "v2", "help_center", "articles", var id, "translations"] => AddTranslation(id, body!["translation"]!),
                ("GET", _) when segments is ["api", "v2", "help_center", "articles", var id, "translations.json"] => FindArticle(id) is { } article
                    ? Json(200, new JsonObject
                    {
                        ["translations"] = Array(article.Translations.Values.OrderBy(translation => translation.Locale, StringComparer.Ordinal).Select(translation => TranslationJson(article, translation))),
                        ["next_page"] = null, ["previous_page"] = null, ["count"] = article.Translations.Count,
                    })
                    : NotFound(),
                ("GET", _) when segments is ["api", "v2", "help_center", "articles", var id, "translations", var file] =>
                    FindArticle(id) is { } article && article.Translations.TryGetValue(file.Replace(".json", "", StringComparison.Ordinal), out var translation)
                        ? Json(200, new JsonObject { ["translation"] = TranslationJson(article, translation) })
                        : NotFound(),
                ("PUT", _) when segments is ["api", "v2", "help_center", "articles", var id, "translations", var locale] => UpdateTranslation(id, locale, body!["translation"]!),
                _ => NotFound(),
            };
        }
    }

    private long NextId() => Interlocked.Increment(ref _nextId);

    private static Reply Json(int status, JsonNode node) => new(status, Encoding.UTF8.GetBytes(node.ToJsonString()));

    private static Reply NotFound() => new(404, Encoding.UTF8.GetBytes("""{"error":"RecordNotFound","description":"Not found"}"""));

    private static JsonArray Array(IEnumerable<JsonNode?> items) => new([.. items]);

    private Ticket? FindTicket(string id) => _tickets.FirstOrDefault(ticket => ticket.Id.ToString(CultureInfo.InvariantCulture) == id);

    private Article? FindArticle(string id) => _articles.FirstOrDefault(article => article.Id.ToString(CultureInfo.InvariantCulture) == id);

    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private Reply ImportTicket(JsonNode ticket, bool archiveImmediately)
    {
        var subject = (string?)ticket["subject"];
        if (subject is { Length: > SubjectLimit })
        {
            return Json(422, JsonNode.Parse($$$"""
                {"error":"RecordInvalid","description":"Record validation errors",
                 "details":{"subject":[{"description":"Subject: is too long (maximum is {{{SubjectLimit}}} characters)","error":"TooLong"}]}}
                """)!);
        }
        var comments = ticket["comments"]?.AsArray() ?? [];
        if (comments.Count == 0)
        {
            return Json(422, JsonNode.Parse("""{"error":"RecordInvalid","description":"Record validation errors","details":{"base":[{"description":"Description: cannot be blank","error":"BlankValue"}]}}""")!);
        }
        var created = new Ticket
        {
            Id = NextId(),
            ExternalId = (string?)ticket["external_id"],
            Subject = subject,
            Status = (string?)ticket["status"] ?? "new",
            Priority = (string?)ticket["priority"],
            Tags = ticket["tags"]?.AsArray().Select(tag => ((string)tag!).ToLowerInvariant()).Distinct().ToArray() ?? [],
            RequesterId = (long)ticket["requester_id"]!,
            CreatedAt = (string?)ticket["created_at"] ?? Now(),
            UpdatedAt = (string?)ticket["updated_at"] ?? Now(),
        };
        created.Archived = archiveImmediately && created.Status == "closed";
        foreach (var comment in comments)
        {
            var html = (string?)comment!["html_body"];
            var value = (string?)comment["value"] ?? (string?)comment["body"] ?? "";
            created.Comments.Add(new Comment(NextId(), (long?)comment["author_id"] ?? created.RequesterId, (bool?)comment["public"] ?? true,
                html is null ? value : System.Text.RegularExpressions.Regex.Replace(html, "<[^>]+>", ""),
                "<div class=\"zd-comment\" dir=\"auto\">" + (html ?? "<p>" + WebUtility.HtmlEncode(value) + "</p>") + "</div>",
                (string?)comment["created_at"] ?? created.CreatedAt));
        }
        _tickets.Add(created);
        return Json(201, new JsonObject { ["ticket"] = TicketJson(created) });
    }

    private JsonObject TicketJson(Ticket ticket) => new()
    {
        ["url"] = $"{Server.BaseUrl}/api/v2/tickets/{ticket.Id}.json",
        ["id"] = ticket.Id,
        ["external_id"] = ticket.ExternalId,
        ["via"] = new JsonObject { ["channel"] = "api" },
        ["created_at"] = ticket.CreatedAt,
        ["updated_at"] = ticket.UpdatedAt,
        ["subject"] = ticket.Subject,
        ["raw_subject"] = ticket.Subject,
        ["description"] = ticket.Comments.FirstOrDefault()?.Body,
        ["priority"] = ticket.Priority,
        ["status"] = ticket.Status,
        ["requester_id"] = ticket.RequesterId,
        ["submitter_id"] = ticket.RequesterId,
        ["assignee_id"] = null,
        ["group_id"] = null,
        ["tags"] = Array(ticket.Tags.Select(tag => (JsonNode?)tag)),
        ["is_public"] = ticket.Comments.FirstOrDefault()?.Public ?? true,
    };

    private Reply Comments(string id, HttpListenerRequest request)
    {
        if (FindTicket(id) is not { } ticket)
        {
            return NotFound();
        }
        var size = int.Parse(request.QueryString["page[size]"] ?? "100", CultureInfo.InvariantCulture);
        var after = int.Parse(request.QueryString["page[after]"] ?? "0", CultureInfo.InvariantCulture);
        var page = ticket.Comments.Skip(after).Take(size).ToList();
        var more = after + page.Count < ticket.Comments.Count;
        var next = more ? $"{Server.BaseUrl}/api/v2/tickets/{id}/comments.json?page%5Bsize%5D={size}&page%5Bafter%5D={after + page.Count}" : null;
        return Json(200, new JsonObject
        {
            ["comments"] = Array(page.Select(comment => (JsonNode?)new JsonObject
            {
                ["id"] = comment.Id, ["type"] = "Comment", ["author_id"] = comment.AuthorId, ["body"] = comment.Body, ["html_body"] = comment.HtmlBody,
                ["plain_body"] = comment.Body, ["public"] = comment.Public, ["created_at"] = comment.CreatedAt, ["attachments"] = new JsonArray(),
            })),
            ["meta"] = new JsonObject { ["has_more"] = more, ["after_cursor"] = more ? (after + page.Count).ToString(CultureInfo.InvariantCulture) : null, ["before_cursor"] = null },
            ["links"] = new JsonObject { ["prev"] = null, ["next"] = next },
        });
    }

    private Reply CreateArticle(string section, JsonNode article)
    {
        if (!Sections.Any(known => known.ToString(CultureInfo.InvariantCulture) == section))
        {
            return NotFound();
        }
        if (article["permission_group_id"] is null)
        {
            return Json(400, JsonNode.Parse("""{"error":"InvalidParameter","errors":{"permission_group_id":["is required"]}}""")!);
        }
        var created = new Article
        {
            Id = NextId(),
            SectionId = long.Parse(section, CultureInfo.InvariantCulture),
            SourceLocale = (string)article["locale"]!,
            Labels = article["label_names"]?.AsArray().Select(label => (string)label!).ToArray() ?? [],
        };
        created.Translations[created.SourceLocale] = new Translation
        {
            Locale = created.SourceLocale, Title = (string)article["title"]!, Body = (string?)article["body"] ?? "", Draft = (bool?)article["draft"] ?? false,
        };
        _articles.Add(created);
        return Json(201, new JsonObject { ["article"] = ArticleJson(created) });
    }

    private static JsonObject ArticleJson(Article article)
    {
        var source = article.Translations[article.SourceLocale];
        return new JsonObject
        {
            ["id"] = article.Id, ["section_id"] = article.SectionId, ["locale"] = article.SourceLocale, ["source_locale"] = article.SourceLocale,
            ["title"] = source.Title, ["body"] = source.Body, ["draft"] = source.Draft, ["label_names"] = Array(article.Labels.Select(label => (JsonNode?)label)),
            ["permission_group_id"] = 11, ["user_segment_id"] = null, ["created_at"] = Now(), ["updated_at"] = Now(),
        };
    }

    private static JsonObject TranslationJson(Article article, Translation translation) => new()
    {
        ["id"] = article.Id * 100 + translation.Locale.Length, ["source_id"] = article.Id, ["source_type"] = "Article", ["locale"] = translation.Locale,
        ["title"] = translation.Title, ["body"] = translation.Body, ["draft"] = translation.Draft, ["outdated"] = false,
        ["created_at"] = Now(), ["updated_at"] = Now(),
    };

    private Reply UpdateArticle(string id, JsonNode article)
    {
        if (FindArticle(id) is not { } found)
        {
            return NotFound();
        }
        if (article["label_names"] is JsonArray labels)
        {
            found.Labels = labels.Select(label => (string)label!).ToArray();
        }
        if (article["section_id"] is { } section)
        {
            found.SectionId = (long)section;
        }
        return Json(200, new JsonObject { ["article"] = ArticleJson(found) });
    }

    private Reply AddTranslation(string id, JsonNode translation)
    {
        if (FindArticle(id) is not { } article)
        {
            return NotFound();
        }
        var locale = (string)translation["locale"]!;
        if (article.Translations.ContainsKey(locale))
        {
            return Json(400, JsonNode.Parse($$$"""{"error":"InvalidRecord","errors":{"locale":["{{{locale}}} already has a translation"]}}""")!);
        }
        var added = new Translation { Locale = locale, Title = (string)translation["title"]!, Body = (string?)translation["body"] ?? "", Draft = (bool?)translation["draft"] ?? false };
        article.Translations[locale] = added;
        return Json(201, new JsonObject { ["translation"] = TranslationJson(article, added) });
    }

    private Reply UpdateTranslation(string id, string locale, JsonNode translation)
    {
        locale = locale.Replace(".json", "", StringComparison.Ordinal);
        if (FindArticle(id) is not { } article || !article.Translations.TryGetValue(locale, out var found))
        {
            return NotFound();
        }
        found.Title = (string?)translation["title"] ?? found.Title;
        found.Body = (string?)translation["body"] ?? found.Body;
        found.Draft = (bool?)translation["draft"] ?? found.Draft;
        return Json(200, new JsonObject { ["translation"] = TranslationJson(article, found) });
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
