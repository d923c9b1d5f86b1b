using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using ExitKit.Connectors;
using Reply = ExitKit.Connectors.Zendesk.Tests.LocalHttpServer.Reply;

namespace ExitKit.Connectors.Zendesk.Tests;

/// <summary>
/// A small Zendesk account served over real HTTP in the response shapes of Zendesk's API reference: the cursor-based incremental
/// ticket export (after_url / end_of_stream, metric_sets sideload), cursor-paginated comments with a users sideload,
/// offset-paginated Help Center and routing lists, count endpoints and attachment downloads.
/// </summary>
internal sealed class FakeZendeskAccount : IAsyncDisposable
{
    public const string Email = "exit.admin@example.com";
    public const string Token = "zd-SECRET-token-7f3a9c";

    public static readonly byte[] LogFile = Encoding.UTF8.GetBytes("2026-01-01 12:00 printer on fire\n");
    public static readonly byte[] Diagram = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4];

    private readonly ConcurrentDictionary<string, ConcurrentQueue<Reply>> _faults = new(StringComparer.Ordinal);

    public FakeZendeskAccount() => Server = new LocalHttpServer(Route);

    public LocalHttpServer Server { get; }

    public string BaseUrl => Server.BaseUrl;

    /// <summary>The next <paramref name="times"/> requests whose path starts with the prefix get this answer instead.</summary>
    public void Fail(string pathPrefix, Reply reply, int times = 1)
    {
        var queue = _faults.GetOrAdd(pathPrefix, _ => new ConcurrentQueue<Reply>());
        for (var i = 0; i < times; i++)
        {
            queue.Enqueue(reply);
        }
    }

    public ConnectorConfiguration Configuration(string? extra = null, Func<string, string?>? environment = null)
    {
        var json = $$"""{"baseUrl": "{{BaseUrl}}", "email": "{{Email}}", "apiToken": "env:ZD_TEST_TOKEN", "requestsPerMinute": 6000, "incrementalRequestsPerMinute": 6000, "pageSize": 2 {{extra}} }""";
        using var document = JsonDocument.Parse(json);
        return new ConnectorConfiguration(document.RootElement.Clone(), "/tmp/zendesk-test.config.json",
            environment ?? (name => name == "ZD_TEST_TOKEN" ? Token : null));
    }

    public ISourceConnector CreateSource(string? extra = null) =>
        ZendeskPlugin.CreateSource(Configuration(extra), settings => settings.RetryBaseDelay = TimeSpan.FromMilliseconds(20));

    private Reply Route(HttpListenerRequest request)
    {
        var path = request.Url!.AbsolutePath;
        foreach (var (prefix, queue) in _faults)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal) && queue.TryDequeue(out var fault))
            {
                return fault;
            }
        }
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Email}/token:{Token}"));
        if (!path.StartsWith("/attachments/", StringComparison.Ordinal) && !path.StartsWith("/hc/", StringComparison.Ordinal)
            && request.Headers["Authorization"] != expected)
        {
            return Reply.Error(401);
        }
        var query = request.QueryString;
        var b = BaseUrl;
        return path switch
        {
            "/api/v2/incremental/tickets/cursor.json" => query["cursor"] switch
            {
                null when query["start_time"] is not null => Reply.Json(TicketPage(
                    [Ticket(1, "email", "open", 1001, createdAt: "2026-01-05T09:00:00Z"), Ticket(2, "web", "solved", 1002, createdAt: "2026-01-06T10:00:00Z")],
                    [Metric(2, "2026-01-07T08:00:00Z")], "c1", endOfStream: false)),
                "c1" => Reply.Json(TicketPage(
                    [Ticket(3, "chat", "closed", 1003, createdAt: "2025-03-01T08:00:00Z"), Ticket(4, "api", "deleted", 1004, createdAt: "2026-01-08T08:00:00Z")],
                    [Metric(3, "2025-03-02T08:00:00Z")], "c2", endOfStream: false)),
                "c2" => Reply.Json(TicketPage([Ticket(5, "phone_call_inbound", "pending", 1005, createdAt: "2026-01-09T08:00:00Z")], [], "c3", endOfStream: true)),
                _ => Reply.Error(400),
            },
            "/api/v2/tickets/count.json" => Reply.Json("""{"count":{"value":4,"refreshed_at":"2026-01-10T00:00:00Z"}}"""),
            "/api/v2/tickets/1/comments.json" => query["page[after]"] switch
            {
                null => Reply.Json(CommentPage(
                    [
                        Comment(101, 1001, true, "My printer is on fire", "2026-01-05T09:00:00Z", ""),
                        Comment(102, 3001, false, "Internal: escalate to hardware", "2026-01-05T09:30:00Z",
                            Attachment(501, "log.txt", "text/plain", LogFile.Length, $"{b}/attachments/token/tok501/?name=log.txt")),
                    ],
                    """[{"id":1001,"name":"Ada Customer","email":"ada@example.org","role":"end-user"},{"id":3001,"name":"Bob Agent","email":"bob@example.com","role":"agent"}]""",
                    hasMore: true, next: $"{b}/api/v2/tickets/1/comments.json?include=users&page%5Bafter%5D=p2&page%5Bsize%5D=100")),
                "p2" => Reply.Json(CommentPage(
                    [
                        Comment(103, 3001, true, "We sent a technician", "2026-01-05T11:00:00Z",
                            Attachment(502, "foo.png", "image/png", 2048, $"{b}/attachments/token/tok502/?name=foo.png")),
                    ],
                    """[{"id":3001,"name":"Bob Agent","email":"bob@example.com","role":"agent"}]""", hasMore: false, next: null)),
                _ => Reply.Error(400),
            },
            "/api/v2/tickets/2/comments.json" => Reply.Json(CommentPage(
                [Comment(201, 1002, true, "Where is my order?", "2026-01-06T10:00:00Z", ""), Comment(202, 3002, true, "Shipped today.", "2026-01-06T12:00:00Z", "")],
                "[]", hasMore: false, next: null)),
            "/api/v2/tickets/3/comments.json" => Reply.Json(CommentPage(
                [Comment(301, 1003, true, "Archived chat transcript", "2025-03-01T08:00:00Z", "")], "[]", hasMore: false, next: null)),
            "/api/v2/tickets/5/comments.json" => Reply.Json(CommentPage(
                [Comment(501, 1005, true, "Voicemail transcript", "2026-01-09T08:00:00Z", "")], "[]", hasMore: false, next: null)),
            "/api/v2/tickets/4/comments.json" => Reply.Error(404),
            "/attachments/token/tok501/" => new Reply(200, LogFile, "text/plain"),
            "/attachments/token/tok502/" => Reply.Error(404),
            "/api/v2/satisfaction_ratings.json" => Reply.Json("""
                {"satisfaction_ratings":[
                  {"id":9001,"url":"x","assignee_id":3001,"group_id":2001,"requester_id":1002,"ticket_id":2,"score":"good","comment":"Fast!","reason":null,"created_at":"2026-01-07T09:00:00Z","updated_at":"2026-01-07T10:00:00Z"},
                  {"id":9002,"url":"x","assignee_id":3001,"group_id":2001,"requester_id":1003,"ticket_id":3,"score":"bad","comment":"","reason_code":5,"created_at":"2025-03-02T09:00:00Z","updated_at":"2025-03-02T10:00:00Z"},
                  {"id":9003,"url":"x","assignee_id":3001,"group_id":2001,"requester_id":1001,"ticket_id":1,"score":"offered","comment":null,"created_at":"2026-01-06T09:00:00Z","updated_at":"2026-01-06T09:00:00Z"}],
                 "meta":{"has_more":false,"after_cursor":null,"before_cursor":null},"links":{"next":null,"prev":null}}
                """),
            "/api/v2/help_center/categories.json" => Reply.Json("""
                {"categories":[{"id":5001,"name":"General","description":"Everything","locale":"en-us","source_locale":"en-us","position":0,"outdated":false,"created_at":"2025-06-24T18:30:00Z","updated_at":"2025-06-24T18:40:06Z"}],
                 "page":1,"per_page":100,"page_count":1,"sort_by":"position","sort_order":"asc","next_page":null,"previous_page":null,"count":1}
                """),
            "/api/v2/help_center/sections.json" => Reply.Json("""
                {"sections":[
                  {"id":6001,"name":"FAQ","description":"","locale":"en-us","category_id":5001,"parent_section_id":null,"position":0,"created_at":"2025-06-24T18:30:00Z","updated_at":"2025-06-24T18:30:00Z"},
                  {"id":6002,"name":"Printers","description":"Printer help","locale":"en-us","category_id":5001,"parent_section_id":6001,"position":1,"created_at":"2025-06-24T18:31:00Z","updated_at":"2025-06-24T18:31:00Z"}],
                 "page":1,"per_page":100,"page_count":1,"next_page":null,"previous_page":null,"count":2}
                """),
            "/api/v2/help_center/articles.json" => query["page"] switch
            {
                null => Reply.Json($$"""
                    {"articles":[{"id":7001,"title":"Put out a printer fire","body":"<p>Use CO2.</p>","locale":"en-us","source_locale":"en-us","author_id":3001,"section_id":6002,"draft":false,"promoted":false,"position":0,"label_names":["printer","safety"],"created_at":"2025-07-01T10:00:00Z","updated_at":"2025-07-02T10:00:00Z","edited_at":"2025-07-02T10:00:00Z","outdated":false,"permission_group_id":1,"user_segment_id":null}],
                     "page":1,"per_page":1,"page_count":2,"next_page":"{{b}}/api/v2/help_center/articles.json?page=2&per_page=100","previous_page":null,"count":2}
                    """),
                "2" => Reply.Json("""
                    {"articles":[{"id":7002,"title":"Draft: toner","body":"<p>TBD</p>","locale":"en-us","source_locale":"en-us","author_id":3002,"section_id":6001,"draft":true,"position":1,"label_names":[],"created_at":"2025-07-03T10:00:00Z","updated_at":"2025-07-03T10:00:00Z"}],
                     "page":2,"per_page":1,"page_count":2,"next_page":null,"previous_page":"x","count":2}
                    """),
                _ => Reply.Error(400),
            },
            "/api/v2/help_center/articles/7001/translations.json" => Reply.Json("""
                {"translations":[
                  {"id":71,"url":"x","source_id":7001,"source_type":"Article","locale":"en-us","title":"Put out a printer fire","body":"<p>Use CO2.</p>","outdated":false,"draft":false,"hidden":false,"created_at":"2025-07-01T10:00:00Z","updated_at":"2025-07-02T10:00:00Z","updated_by_id":3001,"created_by_id":3001},
                  {"id":72,"url":"x","source_id":7001,"source_type":"Article","locale":"fr","title":"Éteindre un feu d'imprimante","body":"<p>Utilisez du CO2.</p>","outdated":false,"draft":false,"hidden":false,"created_at":"2025-07-04T10:00:00Z","updated_at":"2025-07-05T10:00:00Z","updated_by_id":3002,"created_by_id":3002}],
                 "next_page":null,"previous_page":null,"count":2}
                """),
            "/api/v2/help_center/articles/7002/translations.json" => Reply.Json("""
                {"translations":[{"id":73,"url":"x","source_id":7002,"source_type":"Article","locale":"en-us","title":"Draft: toner","body":"<p>TBD</p>","draft":true,"created_at":"2025-07-03T10:00:00Z","updated_at":"2025-07-03T10:00:00Z","created_by_id":3002}],
                 "next_page":null,"previous_page":null,"count":1}
                """),
            "/api/v2/help_center/articles/7001/attachments.json" => Reply.Json($$"""
                {"article_attachments":[{"id":8001,"url":"x","article_id":7001,"display_file_name":"diagram.png","file_name":"diagram.png","locale":"en-us","content_url":"{{b}}/hc/article_attachments/8001/diagram.png","relative_path":"/hc/article_attachments/8001/diagram.png","content_type":"image/png","size":{{Diagram.Length}},"inline":true,"created_at":"2025-07-01T10:05:00Z","updated_at":"2025-07-01T10:05:00Z"}],
                 "next_page":null,"previous_page":null,"count":1}
                """),
            "/api/v2/help_center/articles/7002/attachments.json" => Reply.Json("""{"article_attachments":[],"next_page":null,"previous_page":null,"count":0}"""),
            "/hc/article_attachments/8001/diagram.png" => new Reply(200, Diagram, "image/png"),
            "/api/v2/groups.json" => Reply.Json("""
                {"groups":[{"id":2001,"name":"Tier 1","description":"First line","default":true,"deleted":false,"is_public":true,"created_at":"2024-01-01T00:00:00Z","updated_at":"2024-02-01T00:00:00Z"},
                           {"id":2002,"name":"Hardware","description":"","default":false,"deleted":false,"is_public":true,"created_at":"2024-01-02T00:00:00Z","updated_at":"2024-01-02T00:00:00Z"}],
                 "next_page":null,"previous_page":null,"count":2}
                """),
            "/api/v2/triggers.json" => Reply.Json("""
                {"triggers":[{"url":"x","id":360001,"title":"Route printer tickets to Hardware","active":true,"position":0,"raw_title":"Route printer tickets to Hardware","description":null,"category_id":"1",
                  "conditions":{"all":[{"field":"update_type","operator":"is","value":"Create"},{"field":"subject_includes_word","operator":"includes","value":"printer"}],"any":[]},
                  "actions":[{"field":"group_id","value":"2002"},{"field":"priority","value":"high"}],"created_at":"2024-03-01T00:00:00Z","updated_at":"2024-03-02T00:00:00Z"}],
                 "next_page":null,"previous_page":null,"count":1}
                """),
            "/api/v2/automations.json" => Reply.Json("""
                {"automations":[{"url":"x","id":360002,"title":"Close ticket 4 days after solved","active":true,"position":0,"raw_title":"x",
                  "conditions":{"all":[{"field":"status","operator":"is","value":"solved"},{"field":"SOLVED","operator":"greater_than","value":"96"}],"any":[]},
                  "actions":[{"field":"status","value":"closed"}],"created_at":"2024-03-01T00:00:00Z","updated_at":"2024-03-01T00:00:00Z"}],
                 "next_page":null,"previous_page":null,"count":1}
                """),
            "/api/v2/slas/policies.json" => Reply.Json("""
                {"sla_policies":[{"url":"x","id":360003,"title":"Incidents","description":"Urgent incidents in 10 minutes","position":3,
                  "filter":{"all":[{"field":"type","operator":"is","value":"incident"}],"any":[]},
                  "policy_metrics":[{"priority":"urgent","metric":"first_reply_time","target":10,"business_hours":false}],
                  "created_at":"2024-03-01T00:00:00Z","updated_at":"2024-03-01T00:00:00Z"}],
                 "next_page":null,"previous_page":null,"count":1}
                """),
            "/api/v2/macros.json" => Reply.Json("""
                {"macros":[{"url":"x","id":360004,"title":"Close and redirect","active":true,"position":9999,"description":null,"restriction":null,
                  "actions":[{"field":"status","value":"solved"},{"field":"comment_value","value":"See our forums."}],"created_at":"2024-03-01T00:00:00Z","updated_at":"2024-03-01T00:00:00Z"}],
                 "next_page":null,"previous_page":null,"count":1}
                """),
            "/api/v2/views.json" => Reply.Json("""
                {"views":[{"url":"x","id":360005,"title":"My open tickets","active":true,"position":0,"description":null,
                  "execution":{"group_by":"status","sort_by":"nice_id","columns":[{"id":"subject","title":"Subject"}]},
                  "conditions":{"all":[{"field":"status","operator":"less_than","value":"solved"},{"field":"assignee_id","operator":"is","value":"current_user"}],"any":[]},
                  "restriction":null,"watchable":true,"created_at":"2024-03-01T00:00:00Z","updated_at":"2024-03-01T00:00:00Z"}],
                 "next_page":null,"previous_page":null,"count":1}
                """),
            _ => Reply.Error(404),
        };
    }

    private string TicketPage(string[] tickets, string[] metricSets, string afterCursor, bool endOfStream) => $$"""
        {"tickets":[{{string.Join(",", tickets)}}],
         "metric_sets":[{{string.Join(",", metricSets)}}],
         "after_url":"{{BaseUrl}}/api/v2/incremental/tickets/cursor.json?cursor={{afterCursor}}",
         "after_cursor":"{{afterCursor}}","before_url":null,"before_cursor":null,"end_of_stream":{{(endOfStream ? "true" : "false")}}}
        """;

    private string Ticket(long id, string channel, string status, long requester, string createdAt) => $$"""
        {"url":"{{BaseUrl}}/api/v2/tickets/{{id}}.json","id":{{id}},"external_id":null,
         "via":{"channel":"{{channel}}","source":{"from":{"address":"customer{{requester}}@example.org","name":"Customer {{requester}}"},"to":{"name":"Acme","address":"support@acme.example"},"rel":null} },
         "created_at":"{{createdAt}}","updated_at":"2026-01-10T00:00:00Z","type":"incident","subject":"Ticket {{id}}","raw_subject":"Ticket {{id}}",
         "description":"Help with ticket {{id}}","priority":"normal","status":"{{status}}","recipient":"support@acme.example",
         "requester_id":{{requester}},"submitter_id":{{requester}},"assignee_id":3001,"organization_id":null,"group_id":2001,
         "collaborator_ids":[],"follower_ids":[],"email_cc_ids":[],"has_incidents":false,"is_public":true,"due_at":null,
         "tags":["printer","t{{id}}"],"custom_fields":[{"id":42,"value":"gold"}],"satisfaction_rating":{"score":"unoffered"},
         "ticket_form_id":1,"brand_id":1,"allow_channelback":false,"allow_attachments":true,"generated_timestamp":1767916800}
        """;

    private static string Metric(long ticketId, string solvedAt) => $$"""
        {"id":{{ticketId + 10000}},"ticket_id":{{ticketId}},"reopens":0,"replies":1,"solved_at":"{{solvedAt}}",
         "reply_time_in_minutes":{"calendar":12,"business":10},"full_resolution_time_in_minutes":{"calendar":1200,"business":600} }
        """;

    private static string CommentPage(string[] comments, string users, bool hasMore, string? next) => $$"""
        {"comments":[{{string.Join(",", comments)}}],"users":{{users}},
         "meta":{"has_more":{{(hasMore ? "true" : "false")}},"after_cursor":{{(hasMore ? "\"p2\"" : "null")}},"before_cursor":null},
         "links":{"prev":null,"next":{{(next is null ? "null" : $"\"{next}\"")}} } }
        """;

    private static string Comment(long id, long author, bool isPublic, string body, string createdAt, string attachments) => $$"""
        {"id":{{id}},"type":"Comment","author_id":{{author}},"body":"{{body}}","html_body":"<div class=\"zd-comment\"><p>{{body}}</p></div>",
         "plain_body":"{{body}}","public":{{(isPublic ? "true" : "false")}},"audit_id":{{id + 100000}},
         "via":{"channel":"web","source":{"from":{ },"to":{ },"rel":null} },"attachments":[{{attachments}}],"created_at":"{{createdAt}}"}
        """;

    private static string Attachment(long id, string name, string type, long size, string url) => $$"""
        {"id":{{id}},"file_name":"{{name}}","content_url":"{{url}}","content_type":"{{type}}","size":{{size}},"inline":false,"deleted":false,"thumbnails":[]}
        """;

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
