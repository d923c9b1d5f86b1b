using System.Collections.Frozen;

namespace ExitKit.Schema;

/// <summary>The neutral format: every table of every family, defined once. Documentation and JSON Schemas derive from it.</summary>
public static class NeutralSchema
{
    /// <summary>The format version written to every manifest. A reader refuses a major version it does not know.</summary>
    public const string FormatVersion = "1.0";

    private static ColumnSchema Text(string name, string description, bool required = false, bool personal = false, string[]? allowed = null) =>
        new(name, ColumnType.Text, required, description, personal, allowed);
    private static ColumnSchema Integer(string name, string description, bool required = false) => new(name, ColumnType.Integer, required, description);
    private static ColumnSchema Number(string name, string description) => new(name, ColumnType.Number, false, description);
    private static ColumnSchema Boolean(string name, string description) => new(name, ColumnType.Boolean, false, description);
    private static ColumnSchema Time(string name, string description, bool required = false) => new(name, ColumnType.Timestamp, required, description);
    private static ColumnSchema Json(string name, string description) => new(name, ColumnType.Json, false, description);
    private static ColumnSchema List(string name, string description) => new(name, ColumnType.TextList, false, description);

    private static TableSchema Table(string name, DataFamily family, string description, string? timeColumn, ForeignKey[] foreignKeys, params ColumnSchema[] columns) =>
        new(name, family, description,
            [
                Text("source_system", "The system the row came from, e.g. `zendesk:acme` or `sample`.", required: true),
                Text("source_id", "The row's identifier in the source system; with source_system the stable key.", required: true),
                .. columns,
                Json("source_extra", "Vendor fields with no neutral home, as a JSON object, so nothing is dropped."),
            ],
            timeColumn, foreignKeys);

    private static readonly string[] Channels = ["voice", "chat", "email", "sms", "social", "web", "messaging", "other"];
    private static readonly string[] AuthorRoles = ["customer", "agent", "bot", "system", "supervisor", "external"];

    /// <summary>Contacts, tickets and conversations.</summary>
    public static TableSchema Interactions { get; } = Table("interactions", DataFamily.Interactions,
        "One row per contact, ticket or conversation.", "started_at", [new("queue_id", "queues")],
        Text("channel", "How the customer reached the centre.", required: true, allowed: Channels),
        Text("direction", "Who started the contact.", allowed: ["inbound", "outbound", "internal"]),
        Text("status", "The vendor's final status, lower case (e.g. `solved`, `closed`, `abandoned`)."),
        Text("subject", "The subject line or title, when the channel has one."),
        Time("started_at", "When the interaction began (ticket created, call connected).", required: true),
        Time("ended_at", "When it ended or was closed."),
        Time("updated_at", "When the source last changed it."),
        Text("queue_id", "The queue it was routed to (`queues.source_id`)."),
        Text("agent_id", "The agent who owned it, as the source identifies them.", personal: true),
        Text("customer_id", "The customer, as the source identifies them; pseudonymised on request.", personal: true),
        Text("language", "BCP 47 language tag."),
        Text("priority", "The vendor's priority, lower case."),
        Text("disposition", "Wrap-up code or resolution."),
        Integer("duration_seconds", "Handle time in seconds, when the source measures it."),
        List("tags", "Tags or labels."));

    /// <summary>Turns and internal notes inside interactions.</summary>
    public static TableSchema Messages { get; } = Table("messages", DataFamily.Interactions,
        "Every turn of a conversation and every note on a ticket, in order.", "sent_at", [new("interaction_id", "interactions")],
        Text("interaction_id", "The interaction it belongs to (`interactions.source_id`).", required: true),
        Integer("sequence", "Its position in the interaction, from 1.", required: true),
        Text("author_role", "Who wrote or said it.", required: true, allowed: AuthorRoles),
        Text("author_id", "The author, as the source identifies them.", personal: true),
        Text("kind", "A turn of the conversation or a note.", required: true, allowed: ["turn", "note", "event"]),
        Text("visibility", "Whether the customer could see it.", required: true, allowed: ["public", "internal"]),
        Text("body", "The text."),
        Text("body_format", "How the body is encoded.", allowed: ["text", "html", "markdown"]),
        Time("sent_at", "When it was sent or spoken.", required: true),
        Number("sentiment", "Sentiment score from -1 (negative) to 1 (positive), when the source computed one."),
        Text("language", "BCP 47 language tag."));

    /// <summary>The people and bots in an interaction.</summary>
    public static TableSchema Participants { get; } = Table("participants", DataFamily.Interactions,
        "Everyone who took part in an interaction.", "joined_at", [new("interaction_id", "interactions")],
        Text("interaction_id", "The interaction (`interactions.source_id`).", required: true),
        Text("role", "The participant's role.", required: true, allowed: AuthorRoles),
        Text("participant_ref", "The participant, as the source identifies them; pseudonymised on request.", personal: true),
        Text("display_name", "The name shown; pseudonymised on request.", personal: true),
        Time("joined_at", "When they joined."),
        Time("left_at", "When they left."));

    /// <summary>Files attached to interactions, and recordings.</summary>
    public static TableSchema Attachments { get; } = Table("attachments", DataFamily.Interactions,
        "Attachments and recordings; each row points at a content-addressed artefact in the package.", "created_at",
        [new("interaction_id", "interactions"), new("message_id", "messages")],
        Text("interaction_id", "The interaction (`interactions.source_id`).", required: true),
        Text("message_id", "The message it was attached to (`messages.source_id`), if any."),
        Text("kind", "What the file is.", required: true, allowed: ["attachment", "recording", "transcript", "screenshot", "other"]),
        Text("file_name", "The file name the source gave it.", required: true),
        Text("media_type", "IANA media type."),
        Integer("size_bytes", "The artefact's size in bytes."),
        Text("sha256", "SHA-256 of the artefact, lower-case hex; null when the file could not be retrieved."),
        Text("artefact_path", "The artefact's path in the package; null when the file could not be retrieved."),
        Time("created_at", "When the file was attached or recorded.", required: true));

    /// <summary>CSAT, NPS and other survey answers.</summary>
    public static TableSchema Surveys { get; } = Table("surveys", DataFamily.Interactions,
        "Customer satisfaction answers (CSAT, NPS, CES).", "answered_at", [new("interaction_id", "interactions")],
        Text("interaction_id", "The interaction surveyed (`interactions.source_id`)."),
        Text("survey_type", "The kind of survey.", required: true, allowed: ["csat", "nps", "ces", "other"]),
        Number("score", "The answer on the survey's scale."),
        Number("scale_max", "The top of the scale (5 for CSAT, 10 for NPS)."),
        Text("comment", "The customer's free-text comment."),
        Time("answered_at", "When the customer answered.", required: true));

    /// <summary>Knowledge-base categories, sections and folders.</summary>
    public static TableSchema KbSections { get; } = Table("kb_sections", DataFamily.Knowledge,
        "Categories, sections and folders that organise articles, as a tree.", "updated_at", [new("parent_id", "kb_sections")],
        Text("parent_id", "The enclosing section (`kb_sections.source_id`), null at the top."),
        Text("kind", "The vendor's level.", required: true, allowed: ["category", "section", "folder"]),
        Text("name", "The name shown.", required: true),
        Text("description", "Its description."),
        Text("locale", "The locale of name and description."),
        Integer("position", "Sort order among siblings."),
        Time("created_at", "When it was created."),
        Time("updated_at", "When it last changed."));

    /// <summary>Knowledge-base articles, one row per version per locale.</summary>
    public static TableSchema KbArticles { get; } = Table("kb_articles", DataFamily.Knowledge,
        "Knowledge articles: one row per article version per locale. `source_id` is `{article_id}/{locale}/{version}`.", "updated_at",
        [new("section_id", "kb_sections")],
        Text("article_id", "The article, across versions and locales.", required: true),
        Text("locale", "The translation's locale, e.g. `en-us`.", required: true),
        Integer("version", "The version number, from 1.", required: true),
        Text("title", "The title.", required: true),
        Text("body", "The body."),
        Text("body_format", "How the body is encoded.", allowed: ["text", "html", "markdown"]),
        Text("section_id", "The section it is filed under (`kb_sections.source_id`)."),
        Text("state", "Its publication state.", required: true, allowed: ["draft", "published", "archived"]),
        List("labels", "Labels or keywords."),
        Text("author_id", "The author, as the source identifies them."),
        Time("created_at", "When this version was created."),
        Time("updated_at", "When this version last changed.", required: true),
        Time("published_at", "When it was published, if it was."));

    /// <summary>Files attached to knowledge articles.</summary>
    public static TableSchema KbAttachments { get; } = Table("kb_attachments", DataFamily.Knowledge,
        "Images and files attached to articles; each row points at an artefact in the package.", "created_at", [],
        Text("article_id", "The article (`kb_articles.article_id`).", required: true),
        Text("locale", "The translation it belongs to, if any."),
        Text("file_name", "The file name.", required: true),
        Text("media_type", "IANA media type."),
        Integer("size_bytes", "Size in bytes."),
        Text("sha256", "SHA-256 of the artefact; null when it could not be retrieved."),
        Text("artefact_path", "The artefact's path in the package."),
        Time("created_at", "When it was attached."));

    /// <summary>Queues (Zendesk groups, Connect queues, Genesys queues).</summary>
    public static TableSchema Queues { get; } = Table("queues", DataFamily.Routing,
        "Queues and groups work is routed to.", null, [new("business_hours_id", "business_hours")],
        Text("name", "The name.", required: true),
        Text("description", "Its description."),
        Text("channel", "The channel it serves, if it serves one.", allowed: Channels),
        Text("business_hours_id", "Its hours of operation (`business_hours.source_id`)."),
        Time("created_at", "When it was created."),
        Time("updated_at", "When it last changed."));

    /// <summary>Skills that routing matches agents on.</summary>
    public static TableSchema Skills { get; } = Table("skills", DataFamily.Routing,
        "Skills, languages and proficiencies that routing matches on.", null, [],
        Text("name", "The name.", required: true),
        Text("description", "Its description."),
        Text("skill_type", "The vendor's kind of skill (skill, language, proficiency)."));

    /// <summary>Ordered routing rules: triggers, automations, SLA policies, routing profiles, workflows.</summary>
    public static TableSchema RoutingRules { get; } = Table("routing_rules", DataFamily.Routing,
        "Routing and business rules, each with its ordered conditions and actions kept structured.", null, [new("queue_id", "queues")],
        Text("name", "The name.", required: true),
        Text("rule_type", "The vendor's kind of rule.", required: true, allowed: ["trigger", "automation", "sla_policy", "macro", "view", "routing_profile", "workflow", "other"]),
        Integer("position", "Evaluation order, from 1."),
        Boolean("active", "Whether it is in force."),
        Json("conditions", "The conditions, as the vendor structures them (JSON)."),
        Json("actions", "The actions, as the vendor structures them (JSON)."),
        Text("queue_id", "The queue it routes to, when it names one (`queues.source_id`)."),
        Time("created_at", "When it was created."),
        Time("updated_at", "When it last changed."));

    /// <summary>Contact, IVR and bot flows.</summary>
    public static TableSchema Flows { get; } = Table("flows", DataFamily.Routing,
        "Contact, IVR, chat and bot flows; the graph is in flow_nodes and flow_edges, the vendor's definition under data/originals/.", null, [],
        Text("name", "The name.", required: true),
        Text("flow_type", "The vendor's flow type (e.g. `CONTACT_FLOW`, `inboundCall`)."),
        Text("description", "Its description."),
        Text("start_node_id", "The node the flow starts at (`flow_nodes.source_id`)."),
        Text("definition_format", "The vendor format of the original (e.g. `amazon-connect-flow-language`, `genesys-archy-yaml`).", required: true),
        Text("original_path", "The byte-exact vendor definition in the package, under `data/originals/`."),
        Time("created_at", "When it was created."),
        Time("updated_at", "When it last changed."));

    /// <summary>Blocks and actions of flows.</summary>
    public static TableSchema FlowNodes { get; } = Table("flow_nodes", DataFamily.Routing,
        "Every block or action of a flow. `source_id` is unique within the source system (`{flow}/{node}`).", null, [new("flow_id", "flows")],
        Text("flow_id", "The flow (`flows.source_id`).", required: true),
        Text("node_type", "The vendor's block or action type.", required: true),
        Text("label", "The name shown in the designer."),
        Json("parameters", "The block's parameters (JSON)."));

    /// <summary>Transitions between flow blocks and references to named resources.</summary>
    public static TableSchema FlowEdges { get; } = Table("flow_edges", DataFamily.Routing,
        "Every transition, including error and default branches, and every reference from a block to a named resource.", null,
        [new("flow_id", "flows"), new("from_node_id", "flow_nodes")],
        Text("flow_id", "The flow (`flows.source_id`).", required: true),
        Text("from_node_id", "The node it leaves (`flow_nodes.source_id`).", required: true),
        Text("to_node_id", "The node it enters, when the target is a node of this flow."),
        Text("condition", "When it is taken: `next`, `default`, `error:<kind>`, or the vendor's condition."),
        Text("target_kind", "What the edge points at.", required: true, allowed: ["node", "flow", "queue", "prompt", "lambda", "bot", "data_table", "skill", "schedule", "external", "other"]),
        Text("target_ref", "The name or identifier of the resource, when the target is not a node."));

    /// <summary>Business hours and holiday schedules.</summary>
    public static TableSchema BusinessHours { get; } = Table("business_hours", DataFamily.Routing,
        "Hours of operation and holidays.", null, [],
        Text("name", "The name.", required: true),
        Text("time_zone", "IANA time zone."),
        Json("weekly_schedule", "Open intervals per weekday (JSON)."),
        Json("holidays", "Closed dates (JSON)."));

    /// <summary>Bots and models.</summary>
    public static TableSchema Models { get; } = Table("models", DataFamily.Models,
        "Bots and models: intent classifiers, scoring models, prompts.", null, [],
        Text("name", "The name.", required: true),
        Text("model_type", "What it is.", required: true, allowed: ["bot", "intent_classifier", "scoring", "prompt", "llm", "other"]),
        Text("platform", "The platform it was built on (e.g. `lex-v2`, `dialogflow-es`, `rasa`, `onnx`)."),
        Text("version", "The version."),
        Text("locale", "The primary locale."),
        Text("description", "Its description."),
        Text("owner", "Who owns it."),
        Json("metrics", "Evaluation metrics (JSON)."),
        Text("model_card", "The model card, as Markdown, when present."),
        Time("created_at", "When it was created."),
        Time("updated_at", "When it last changed."));

    /// <summary>Intents of bots and classifiers.</summary>
    public static TableSchema Intents { get; } = Table("intents", DataFamily.Models,
        "Intents a bot or classifier recognises.", null, [new("model_id", "models")],
        Text("model_id", "The model (`models.source_id`).", required: true),
        Text("name", "The name.", required: true),
        Text("locale", "The locale."),
        Text("description", "Its description."),
        Json("responses", "The bot's responses or fulfilment (JSON)."));

    /// <summary>Training utterances of intents.</summary>
    public static TableSchema TrainingUtterances { get; } = Table("training_utterances", DataFamily.Models,
        "Training phrases and examples, with their annotated entity spans.", null, [new("model_id", "models"), new("intent_id", "intents")],
        Text("model_id", "The model (`models.source_id`).", required: true),
        Text("intent_id", "The intent (`intents.source_id`).", required: true),
        Text("locale", "The locale."),
        Text("text", "The utterance as plain text.", required: true),
        Json("annotations", "Entity spans in the text: [{start, end, entity, value}] (JSON)."));

    /// <summary>Entities, slots and slot types.</summary>
    public static TableSchema Entities { get; } = Table("entities", DataFamily.Models,
        "Entities, slots and slot types with their values and synonyms.", null, [new("model_id", "models")],
        Text("model_id", "The model (`models.source_id`).", required: true),
        Text("name", "The name.", required: true),
        Text("entity_type", "What it is.", required: true, allowed: ["entity", "slot", "slot_type", "lookup", "regex", "synonym", "other"]),
        Text("locale", "The locale."),
        Json("values", "Values with synonyms, or the slot's definition (JSON)."));

    /// <summary>Model files (ONNX and others).</summary>
    public static TableSchema ModelFiles { get; } = Table("model_files", DataFamily.Models,
        "Model files kept byte-exact as artefacts, with what could be read of them.", null, [new("model_id", "models")],
        Text("model_id", "The model (`models.source_id`)."),
        Text("file_name", "The file name.", required: true),
        Text("format", "The file format (e.g. `onnx`).", required: true),
        Integer("size_bytes", "Size in bytes.", required: true),
        Text("sha256", "SHA-256 of the artefact.", required: true),
        Text("artefact_path", "The artefact's path in the package.", required: true),
        Integer("opset", "ONNX opset version."),
        Text("producer", "The program that produced the file."),
        Json("inputs", "Input names, types and shapes (JSON)."),
        Json("outputs", "Output names, types and shapes (JSON)."));

    /// <summary>Every table of format v1, in a stable order (parents before children).</summary>
    public static IReadOnlyList<TableSchema> Tables { get; } =
    [
        Interactions, Messages, Participants, Attachments, Surveys,
        KbSections, KbArticles, KbAttachments,
        BusinessHours, Queues, Skills, RoutingRules, Flows, FlowNodes, FlowEdges,
        Models, Intents, TrainingUtterances, Entities, ModelFiles,
    ];

    private static readonly FrozenDictionary<string, TableSchema> ByName = Tables.ToFrozenDictionary(table => table.Name, StringComparer.Ordinal);

    /// <summary>The table with this name, or null when format v1 has none.</summary>
    public static TableSchema? Find(string tableName) => ByName.GetValueOrDefault(tableName);

    /// <summary>The table with this name.</summary>
    /// <exception cref="ExitKitException">Format v1 has no such table.</exception>
    public static TableSchema Get(string tableName) => Find(tableName) ?? throw ExitKitException.UnknownTable(tableName);
}
