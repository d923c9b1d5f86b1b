using System.Globalization;
using System.Text.Json;
using ExitKit.Schema;

namespace ExitKit.Connectors.Zendesk.Internal;

/// <summary>Turns Zendesk API objects into neutral rows; the live API and saved responses share it, so both give the same rows.</summary>
/// <remarks>
/// Columns the neutral schema marks personal (customer_id, agent_id, messages.author_id) are pseudonymised by the package
/// writer; this mapper pseudonymises, through the export context, the personal values it puts elsewhere: ids, names,
/// addresses and phones inside source_extra, and article authors. Every value is hashed exactly once, so they still join.
/// </remarks>
internal sealed class ZendeskMapper(string sourceSystem, IExportContext context)
{
    /// <summary>
    /// With <c>pseudonymise: true</c> in the config, refuses to export when the pipeline was given no pseudonym key,
    /// so personal data never leaves in clear because a flag was forgotten.
    /// </summary>
    public static ZendeskMapper Create(string sourceSystem, IExportContext context, bool requirePseudonyms)
    {
        ArgumentNullException.ThrowIfNull(context);
        const string probe = "exitkit-pseudonym-probe";
        if (requirePseudonyms && context.Pseudonymise(probe) == probe)
        {
            throw new ExitKitException("The Zendesk config sets pseudonymise: true, but the export was started without a pseudonym key. "
                + "Run `exitkit export` with --pseudonym-key (the same reference as pseudonymKey), or set pseudonymise to false.");
        }
        return new ZendeskMapper(sourceSystem, context);
    }

    public string SourceSystem { get; } = sourceSystem;

    private string? Hide(string? value) => value is null ? null : context.Pseudonymise(value);

    private object?[] NewRow(TableSchema table, string sourceId)
    {
        var row = table.NewRow();
        row[0] = SourceSystem;
        row[1] = sourceId;
        return row;
    }

    private static void Set(TableSchema table, object?[] row, string column, object? value) => row[table.OrdinalOf(column)] = value;

    private string Extra(JsonElement element, HashSet<string> consumed, params (string Name, JsonElement? Value)[] additions) =>
        Json.Extra(element, consumed, Hide,
            additions.Where(pair => pair.Value is not null).Select(pair => KeyValuePair.Create(pair.Name, pair.Value!.Value)));

    private static readonly HashSet<string> TicketConsumed = new(StringComparer.Ordinal)
    {
        "id", "subject", "raw_subject", "status", "created_at", "updated_at", "group_id", "assignee_id", "requester_id", "priority", "tags", "url",
    };

    /// <summary>A ticket (from the incremental export, a list, a search or a single response) as an interaction.</summary>
    public object?[] Interaction(JsonElement ticket, JsonElement? metricSet)
    {
        var table = NeutralSchema.Interactions;
        var id = ticket.Text("id")!;
        var row = NewRow(table, id);
        var viaChannel = ticket.Get("via")?.Text("channel");
        var status = ticket.Text("status")?.ToLowerInvariant();
        Set(table, row, "channel", Channel(viaChannel));
        Set(table, row, "direction", Direction(viaChannel));
        Set(table, row, "status", status);
        Set(table, row, "subject", ticket.Text("subject") ?? ticket.Text("raw_subject"));
        Set(table, row, "started_at", ticket.Time("created_at"));
        Set(table, row, "updated_at", ticket.Time("updated_at"));
        if (status is "solved" or "closed")
        {
            // Zendesk has no "closed at" on the ticket; the metric set's solved_at is when it ended.
            Set(table, row, "ended_at", metricSet?.Time("solved_at"));
        }
        Set(table, row, "queue_id", ticket.Text("group_id"));
        Set(table, row, "agent_id", ticket.Text("assignee_id"));
        Set(table, row, "customer_id", ticket.Text("requester_id"));
        Set(table, row, "priority", ticket.Text("priority")?.ToLowerInvariant());
        Set(table, row, "tags", ticket.TextList("tags") ?? []);
        Set(table, row, "source_extra", Extra(ticket, TicketConsumed, ("metric_set", metricSet)));
        return row;
    }

    /// <summary>Zendesk's via.channel in the neutral channel vocabulary; the raw value stays in source_extra.via.</summary>
    public static string Channel(string? via) => via switch
    {
        "email" => "email",
        "web" or "web_form" or "web_widget" or "help_center" or "web_service" or "mobile" or "mobile_sdk" => "web",
        "chat" or "chat_transcript" => "chat",
        "voice" or "phone" or "phone_call_inbound" or "phone_call_outbound" or "voicemail" or "any_channel_voice" => "voice",
        "sms" or "text" => "sms",
        "twitter" or "facebook" or "instagram_dm" or "twitter_dm" or "twitter_favorite" or "facebook_post" or "facebook_message" => "social",
        "native_messaging" or "messaging" or "whatsapp" or "line" or "wechat" or "telegram" or "viber" or "apple_business_chat"
            or "google_rcs" or "kakaotalk" or "mailgun" or "messagebird_sms" or "slack" or "sunshine_conversations_api"
            or "sunshine_conversations_facebook_messenger" or "sunshine_conversations_twitter_dm" => "messaging",
        _ => "other",
    };

    private static string? Direction(string? via) => via switch
    {
        "phone_call_outbound" => "outbound",
        null or "api" or "rule" or "sample_ticket" or "closed_ticket" or "merge" or "side_conversation" or "batch" or "linked_problem" => null,
        _ => "inbound",
    };

    private static readonly HashSet<string> CommentConsumed = new(StringComparer.Ordinal)
    {
        "id", "author_id", "public", "body", "html_body", "plain_body", "created_at", "attachments",
    };

    /// <summary>A ticket comment as a message. <paramref name="authorRole"/> is Zendesk's role of the author when known.</summary>
    /// <remarks>Comments read from audits take their time and author from the audit when the event has none.</remarks>
    public object?[] Message(string ticketId, long sequence, JsonElement comment, string? requesterId, string? authorRole,
        DateTimeOffset? auditTime = null, string? auditAuthor = null)
    {
        var table = NeutralSchema.Messages;
        var row = NewRow(table, comment.Text("id")!);
        var isPublic = comment.Bool("public") ?? true;
        var authorId = comment.Text("author_id") ?? auditAuthor;
        Set(table, row, "interaction_id", ticketId);
        Set(table, row, "sequence", sequence);
        Set(table, row, "author_role", AuthorRole(authorId, requesterId, authorRole));
        Set(table, row, "author_id", authorId);
        Set(table, row, "kind", isPublic ? "turn" : "note");
        Set(table, row, "visibility", isPublic ? "public" : "internal");
        // html_body keeps the formatting; body (plain text) is derived from it by Zendesk.
        var html = comment.Text("html_body");
        if (!string.IsNullOrEmpty(html))
        {
            Set(table, row, "body", html);
            Set(table, row, "body_format", "html");
        }
        else
        {
            Set(table, row, "body", comment.Text("body") ?? comment.Text("plain_body"));
            Set(table, row, "body_format", "text");
        }
        Set(table, row, "sent_at", comment.Time("created_at") ?? auditTime);
        Set(table, row, "source_extra", Extra(comment, CommentConsumed));
        return row;
    }

    /// <summary>Agent or customer: by the author's Zendesk role when known, otherwise by comparing the author with the requester.</summary>
    public static string AuthorRole(string? authorId, string? requesterId, string? zendeskRole) => (authorId, zendeskRole) switch
    {
        ("-1", _) => "system",
        (_, "end-user") => "customer",
        (_, "agent" or "admin") => "agent",
        _ when authorId is not null && authorId == requesterId => "customer",
        _ => "agent",
    };

    private static readonly HashSet<string> AttachmentConsumed = new(StringComparer.Ordinal) { "id", "file_name", "content_type", "size" };

    /// <summary>A comment attachment; <paramref name="stored"/> is null when its download failed.</summary>
    public object?[] Attachment(string ticketId, JsonElement comment, JsonElement attachment, ArtefactReference? stored, DateTimeOffset? auditTime = null)
    {
        var table = NeutralSchema.Attachments;
        var row = NewRow(table, attachment.Text("id")!);
        Set(table, row, "interaction_id", ticketId);
        Set(table, row, "message_id", comment.Text("id"));
        Set(table, row, "kind", "attachment");
        Set(table, row, "file_name", attachment.Text("file_name") ?? attachment.Text("id"));
        Set(table, row, "media_type", attachment.Text("content_type"));
        Set(table, row, "size_bytes", stored?.SizeBytes ?? attachment.Long("size"));
        Set(table, row, "sha256", stored?.Sha256);
        Set(table, row, "artefact_path", stored?.PackagePath);
        Set(table, row, "created_at", comment.Time("created_at") ?? auditTime);
        Set(table, row, "source_extra", Extra(attachment, AttachmentConsumed));
        return row;
    }

    private static readonly HashSet<string> RatingConsumed = new(StringComparer.Ordinal) { "id", "ticket_id", "score", "comment", "updated_at", "url" };

    /// <summary>
    /// A satisfaction rating as a CSAT answer: Zendesk's binary CSAT is scored good = 1, bad = 0 on a scale whose top is 1.
    /// Ratings that were only offered (no answer) return null.
    /// </summary>
    public object?[]? Survey(JsonElement rating)
    {
        var score = rating.Text("score") switch
        {
            "good" or "good_with_comment" => 1.0,
            "bad" or "bad_with_comment" => 0.0,
            _ => (double?)null,
        };
        if (score is null)
        {
            return null;
        }
        var table = NeutralSchema.Surveys;
        var row = NewRow(table, rating.Text("id")!);
        Set(table, row, "interaction_id", rating.Text("ticket_id"));
        Set(table, row, "survey_type", "csat");
        Set(table, row, "score", score);
        Set(table, row, "scale_max", 1.0);
        Set(table, row, "comment", rating.Text("comment") is { Length: > 0 } comment ? comment : null);
        // A rating is created when the survey is offered and updated when the customer answers.
        Set(table, row, "answered_at", rating.Time("updated_at") ?? rating.Time("created_at"));
        Set(table, row, "source_extra", Extra(rating, RatingConsumed, ("zendesk_score", rating.Get("score"))));
        return row;
    }

    private static readonly HashSet<string> SectionConsumed = new(StringComparer.Ordinal)
    {
        "id", "category_id", "parent_section_id", "name", "description", "locale", "position", "created_at", "updated_at", "url",
    };

    public static string CategoryId(string id) => $"category/{id}";

    public static string SectionId(string id) => $"section/{id}";

    /// <summary>A Help Center category (kind category, at the top) or section (kind section, under its parent section or category).</summary>
    public object?[] KbSection(JsonElement element, bool isCategory)
    {
        var table = NeutralSchema.KbSections;
        var id = element.Text("id")!;
        var row = NewRow(table, isCategory ? CategoryId(id) : SectionId(id));
        Set(table, row, "kind", isCategory ? "category" : "section");
        if (!isCategory)
        {
            Set(table, row, "parent_id", element.Text("parent_section_id") is { } parent ? SectionId(parent)
                : element.Text("category_id") is { } category ? CategoryId(category) : null);
        }
        Set(table, row, "name", element.Text("name") ?? id);
        Set(table, row, "description", element.Text("description") is { Length: > 0 } description ? description : null);
        Set(table, row, "locale", element.Text("locale"));
        Set(table, row, "position", element.Long("position"));
        Set(table, row, "created_at", element.Time("created_at"));
        Set(table, row, "updated_at", element.Time("updated_at"));
        Set(table, row, "source_extra", Extra(element, SectionConsumed));
        return row;
    }

    private static readonly HashSet<string> ArticleConsumed = new(StringComparer.Ordinal)
    {
        "id", "title", "body", "section_id", "draft", "label_names", "author_id", "created_at", "updated_at", "locale", "url",
    };

    private static readonly HashSet<string> TranslationConsumed = new(StringComparer.Ordinal)
    {
        "id", "source_id", "source_type", "title", "body", "draft", "created_at", "updated_at", "locale", "url", "created_by_id",
    };

    /// <summary>The kb_articles source_id: Zendesk exposes one version per locale, so the version is always 1.</summary>
    public static string ArticleRowId(string articleId, string locale) => $"{articleId}/{locale}/1";

    /// <summary>An article in its own locale.</summary>
    public object?[] KbArticle(JsonElement article)
    {
        var table = NeutralSchema.KbArticles;
        var id = article.Text("id")!;
        var locale = article.Text("locale") ?? article.Text("source_locale") ?? "und";
        var row = NewRow(table, ArticleRowId(id, locale));
        FillArticle(table, row, id, locale, article.Text("title") ?? article.Text("name") ?? id, article.Text("body"),
            article.Bool("draft") ?? false, article.Time("created_at"), article.Time("updated_at"));
        Set(table, row, "section_id", article.Text("section_id") is { } section ? SectionId(section) : null);
        Set(table, row, "labels", article.TextList("label_names") ?? []);
        Set(table, row, "author_id", Hide(article.Text("author_id")));
        Set(table, row, "source_extra", Extra(article, ArticleConsumed));
        return row;
    }

    /// <summary>An article translation (one locale of an article).</summary>
    public object?[] KbTranslation(JsonElement translation, JsonElement? article)
    {
        var table = NeutralSchema.KbArticles;
        var id = translation.Text("source_id")!;
        var locale = translation.Text("locale") ?? "und";
        var row = NewRow(table, ArticleRowId(id, locale));
        FillArticle(table, row, id, locale, translation.Text("title") ?? id, translation.Text("body"),
            translation.Bool("draft") ?? false, translation.Time("created_at"), translation.Time("updated_at"));
        if (article is { } parent)
        {
            Set(table, row, "section_id", parent.Text("section_id") is { } section ? SectionId(section) : null);
            Set(table, row, "labels", parent.TextList("label_names") ?? []);
        }
        Set(table, row, "author_id", Hide(translation.Text("created_by_id")));
        Set(table, row, "source_extra", Extra(translation, TranslationConsumed, ("translation_id", translation.Get("id"))));
        return row;
    }

    private static void FillArticle(TableSchema table, object?[] row, string id, string locale, string title, string? body, bool draft,
        DateTimeOffset? created, DateTimeOffset? updated)
    {
        Set(table, row, "article_id", id);
        Set(table, row, "locale", locale);
        Set(table, row, "version", 1L);
        Set(table, row, "title", title);
        Set(table, row, "body", body);
        Set(table, row, "body_format", "html");
        Set(table, row, "state", draft ? "draft" : "published");
        Set(table, row, "created_at", created);
        Set(table, row, "updated_at", updated ?? created);
    }

    private static readonly HashSet<string> KbAttachmentConsumed = new(StringComparer.Ordinal)
    {
        "id", "article_id", "locale", "file_name", "content_type", "size", "created_at",
    };

    public object?[] KbAttachment(JsonElement attachment, ArtefactReference? stored)
    {
        var table = NeutralSchema.KbAttachments;
        var row = NewRow(table, attachment.Text("id")!);
        Set(table, row, "article_id", attachment.Text("article_id"));
        Set(table, row, "locale", attachment.Text("locale"));
        Set(table, row, "file_name", attachment.Text("file_name") ?? attachment.Text("display_file_name") ?? attachment.Text("id"));
        Set(table, row, "media_type", attachment.Text("content_type"));
        Set(table, row, "size_bytes", stored?.SizeBytes ?? attachment.Long("size"));
        Set(table, row, "sha256", stored?.Sha256);
        Set(table, row, "artefact_path", stored?.PackagePath);
        Set(table, row, "created_at", attachment.Time("created_at"));
        Set(table, row, "source_extra", Extra(attachment, KbAttachmentConsumed));
        return row;
    }

    private static readonly HashSet<string> GroupConsumed = new(StringComparer.Ordinal) { "id", "name", "description", "created_at", "updated_at", "url" };

    public object?[] Queue(JsonElement group)
    {
        var table = NeutralSchema.Queues;
        var id = group.Text("id")!;
        var row = NewRow(table, id);
        Set(table, row, "name", group.Text("name") ?? id);
        Set(table, row, "description", group.Text("description") is { Length: > 0 } description ? description : null);
        Set(table, row, "created_at", group.Time("created_at"));
        Set(table, row, "updated_at", group.Time("updated_at"));
        Set(table, row, "source_extra", Extra(group, GroupConsumed));
        return row;
    }

    private static readonly HashSet<string> RuleConsumed = new(StringComparer.Ordinal)
    {
        "id", "title", "position", "active", "conditions", "actions", "created_at", "updated_at", "url", "filter", "policy_metrics",
    };

    /// <summary>A trigger, automation, SLA policy, macro or view. Conditions and actions stay structured as Zendesk writes them.</summary>
    /// <remarks>position is Zendesk's position + 1 (Zendesk counts from 0). SLA policies: conditions = filter, actions = policy_metrics.</remarks>
    public object?[] RoutingRule(string ruleType, JsonElement rule)
    {
        var table = NeutralSchema.RoutingRules;
        var id = rule.Text("id")!;
        var row = NewRow(table, $"{ruleType}/{id}");
        Set(table, row, "name", rule.Text("title") ?? rule.Text("raw_title") ?? id);
        Set(table, row, "rule_type", ruleType);
        Set(table, row, "position", rule.Long("position") is { } position ? position + 1 : null);
        Set(table, row, "active", rule.Bool("active") ?? (ruleType == "sla_policy" ? true : null));
        Set(table, row, "conditions", ruleType == "sla_policy" ? rule.Raw("filter") : rule.Raw("conditions"));
        Set(table, row, "actions", ruleType == "sla_policy" ? rule.Raw("policy_metrics") : rule.Raw("actions"));
        Set(table, row, "queue_id", RoutedGroup(rule));
        Set(table, row, "created_at", rule.Time("created_at"));
        Set(table, row, "updated_at", rule.Time("updated_at"));
        Set(table, row, "source_extra", Extra(rule, RuleConsumed));
        return row;
    }

    /// <summary>The group an action sets (<c>{"field":"group_id","value":"123"}</c>), when it names a concrete one.</summary>
    private static string? RoutedGroup(JsonElement rule)
    {
        foreach (var action in rule.Array("actions"))
        {
            if (action.Text("field") == "group_id" && action.Get("value") is { } value)
            {
                var text = value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0 ? Json.AsText(value[0]) : Json.AsText(value);
                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
                {
                    return text;
                }
            }
        }
        return null;
    }

    /// <summary>The table a routing list key belongs to, with the rule type.</summary>
    public static readonly IReadOnlyDictionary<string, string> RuleKinds = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["triggers"] = "trigger", ["trigger"] = "trigger",
        ["automations"] = "automation", ["automation"] = "automation",
        ["sla_policies"] = "sla_policy", ["sla_policy"] = "sla_policy",
        ["macros"] = "macro", ["macro"] = "macro",
        ["views"] = "view", ["view"] = "view",
    };
}
