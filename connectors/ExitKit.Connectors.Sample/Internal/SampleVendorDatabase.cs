using System.Globalization;
using System.Reflection;
using ExitKit.Schema;
using Microsoft.Data.Sqlite;

namespace ExitKit.Connectors.Sample.Internal;

/// <summary>
/// The sample centre's SQLite form: the rows <see cref="SampleSource"/> gives, written as a vendor database in the <c>sql</c>
/// connector's generic contact-centre schema, so that connector exports the sample as it would a real vendor's database.
/// </summary>
/// <remarks>
/// Every vendor row is made from the neutral row the sample source gives (the same generator), turned back into the vendor's
/// shape: times as ISO-8601 UTC text, lists as comma-separated text, visibility as a flag, files and definition documents in
/// columns. Prepared inserts in large transactions, one interaction at a time, so memory stays flat whatever the size.
/// The file is written under a temporary name and renamed when complete: a failed write leaves nothing that looks finished.
/// </remarks>
internal sealed class SampleVendorDatabase(SampleOptions options)
{
    private const string SchemaResource = "ExitKit.Connectors.Sample.generic-contact-centre.sql";

    // Large transactions are what makes SQLite fast; bounded ones keep a crash's loss (and the page cache) small.
    private const int InteractionsPerTransaction = 20_000;

    private readonly SampleCentre _centre = new(options);

    /// <summary>Writes the database and returns how many rows it holds.</summary>
    public async Task<long> WriteAsync(string path, CancellationToken cancellationToken)
    {
        if (File.Exists(path))
        {
            throw new ExitKitException($"The database {path} already exists; delete it or write the sample somewhere else.");
        }
        if (options.LostDays.Count > 0)
        {
            throw new ExitKitException("The sample's lostDays setting simulates an export that loses rows the source still counts; a database holds every row it counts, so its SQLite form cannot lose days. Remove lostDays.");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var partial = path + ".partial";
        File.Delete(partial);
        try
        {
            long rows;
            await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Pooling = false }.ConnectionString))
            {
                await connection.OpenAsync(cancellationToken);
                // No journal and no fsync while writing: an unfinished file is deleted, never used, so there is nothing to recover.
                Execute(connection, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;");
                Execute(connection, Schema());
                rows = Configuration(connection) + Interactions(connection, cancellationToken);
            }
            File.Move(partial, path);
            return rows;
        }
        catch
        {
            SqliteConnection.ClearAllPools();
            File.Delete(partial);
            throw;
        }
    }

    private long Interactions(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var transaction = connection.BeginTransaction();
        using var contacts = new Inserter(connection, "contacts", "contact_id", "channel", "direction", "status", "subject", "started_at", "ended_at", "updated_at",
            "queue_id", "agent_id", "customer_id", "language", "priority", "wrap_up_code", "handle_seconds", "tags", "csat_requested", "wrap_up_seconds");
        using var customers = new Inserter(connection, "customers", "customer_id", "display_name") { IgnoreDuplicates = true };
        using var turns = new Inserter(connection, "contact_turns", "turn_id", "contact_id", "seq", "author_role", "author_id", "kind", "is_public", "body",
            "body_format", "sent_at", "sentiment", "language");
        using var participants = new Inserter(connection, "contact_participants", "participant_id", "contact_id", "role", "participant_ref", "display_name",
            "joined_at", "left_at");
        using var attachments = new Inserter(connection, "contact_attachments", "attachment_id", "contact_id", "turn_id", "kind", "file_name", "media_type",
            "content", "created_at");
        using var surveys = new Inserter(connection, "csat_responses", "response_id", "contact_id", "survey_type", "score", "scale_max", "comment", "answered_at");
        Inserter[] all = [contacts, customers, turns, participants, attachments, surveys];
        try
        {
            Enlist(all, transaction);
            var interaction = NeutralSchema.Interactions;
            var message = NeutralSchema.Messages;
            var participant = NeutralSchema.Participants;
            var attachment = NeutralSchema.Attachments;
            var survey = NeutralSchema.Surveys;
            for (var index = 0; index < _centre.Count; index++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var row = _centre.Interaction(index);
                object? Of(TableSchema table, object?[] values, string column) => values[table.OrdinalOf(column)];
                // The vendor keeps customers apart; the first name the centre heard for a customer id is the one on file.
                customers.Insert(Of(interaction, row, "customer_id"), SampleText.CustomerName(SampleCentre.Seed(index)));
                contacts.Insert(Of(interaction, row, "source_id"), Of(interaction, row, "channel"), Of(interaction, row, "direction"), Of(interaction, row, "status"),
                    Of(interaction, row, "subject"), Iso(Of(interaction, row, "started_at")), Iso(Of(interaction, row, "ended_at")), Iso(Of(interaction, row, "updated_at")),
                    Of(interaction, row, "queue_id"), Of(interaction, row, "agent_id"), Of(interaction, row, "customer_id"), Of(interaction, row, "language"),
                    Of(interaction, row, "priority"), Of(interaction, row, "disposition"), Of(interaction, row, "duration_seconds"),
                    string.Join(',', (string[])Of(interaction, row, "tags")!), SampleCentre.HasSurvey(index), (long)SampleCentre.WrapUpSeconds(index));
                for (var turn = 1; turn <= SampleCentre.MessageCount(index); turn++)
                {
                    var values = _centre.Message(index, turn);
                    turns.Insert(Of(message, values, "source_id"), Of(message, values, "interaction_id"), Of(message, values, "sequence"), Of(message, values, "author_role"),
                        Of(message, values, "author_id"), Of(message, values, "kind"), (string)Of(message, values, "visibility")! == "public", Of(message, values, "body"),
                        Of(message, values, "body_format"), Iso(Of(message, values, "sent_at")), Of(message, values, "sentiment"), Of(message, values, "language"));
                }
                foreach (var values in _centre.Participants(index))
                {
                    participants.Insert(Of(participant, values, "source_id"), Of(participant, values, "interaction_id"), Of(participant, values, "role"),
                        Of(participant, values, "participant_ref"), Of(participant, values, "display_name"), Iso(Of(participant, values, "joined_at")), Iso(Of(participant, values, "left_at")));
                }
                if (SampleCentre.HasAttachment(index))
                {
                    var values = _centre.Attachment(index, "", 0, "");
                    attachments.Insert(Of(attachment, values, "source_id"), Of(attachment, values, "interaction_id"), Of(attachment, values, "message_id"),
                        Of(attachment, values, "kind"), Of(attachment, values, "file_name"), Of(attachment, values, "media_type"), SampleCentre.AttachmentContent(index),
                        Iso(Of(attachment, values, "created_at")));
                }
                if (SampleCentre.HasSurvey(index))
                {
                    var values = _centre.Survey(index);
                    surveys.Insert(Of(survey, values, "source_id"), Of(survey, values, "interaction_id"), Of(survey, values, "survey_type"), Of(survey, values, "score"),
                        Of(survey, values, "scale_max"), Of(survey, values, "comment"), Iso(Of(survey, values, "answered_at")));
                }
                if ((index + 1) % InteractionsPerTransaction == 0)
                {
                    transaction.Commit();
                    transaction.Dispose();
                    transaction = connection.BeginTransaction();
                    Enlist(all, transaction);
                }
            }
            transaction.Commit();
        }
        finally
        {
            transaction.Dispose();
        }
        return all.Sum(inserter => inserter.Rows);
    }

    /// <summary>Knowledge, routing, flows and the bot: small fixed tables, one transaction.</summary>
    private static long Configuration(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        var rows = 0L;
        long Write(string table, IEnumerable<object?[]> values, params string[] columns)
        {
            using var inserter = new Inserter(connection, table, columns);
            inserter.Transaction = transaction;
            foreach (var row in values)
            {
                inserter.Insert(row);
            }
            return inserter.Rows;
        }
        static object? Of(TableSchema table, object?[] values, string column) => values[table.OrdinalOf(column)];
        static object?[] Pick(TableSchema table, object?[] values, params string[] columns) =>
            columns.Select(column => Of(table, values, column) switch
            {
                DateTimeOffset instant => Iso(instant),
                string[] list => string.Join(',', list),
                var value => value,
            }).ToArray();

        rows += Write("agents", Enumerable.Range(0, SampleCentre.Agents).Select(agent => new object?[]
            { "agent-" + agent.ToString("D3", CultureInfo.InvariantCulture), SampleText.AgentName(agent), true }), "agent_id", "display_name", "active");
        var hours = NeutralSchema.BusinessHours;
        rows += Write("business_hours", SampleCatalogue.BusinessHours().Select(row => Pick(hours, row, "source_id", "name", "time_zone", "weekly_schedule", "holidays")),
            "hours_id", "name", "time_zone", "weekly_schedule", "holidays");
        var queues = NeutralSchema.Queues;
        rows += Write("queues", SampleCatalogue.QueueRows().Select(row => Pick(queues, row, "source_id", "name", "description", "channel", "business_hours_id", "created_at", "updated_at")),
            "queue_id", "name", "description", "channel", "hours_id", "created_at", "updated_at");
        var skills = NeutralSchema.Skills;
        rows += Write("skills", SampleCatalogue.Skills().Select(row => Pick(skills, row, "source_id", "name", "description", "skill_type")),
            "skill_id", "name", "description", "skill_type");
        var rules = NeutralSchema.RoutingRules;
        rows += Write("routing_rules", SampleCatalogue.RoutingRules().Select(row => Pick(rules, row,
                "source_id", "name", "rule_type", "position", "active", "conditions", "actions", "queue_id", "created_at", "updated_at")),
            "rule_id", "name", "rule_type", "position", "active", "conditions", "actions", "queue_id", "created_at", "updated_at");

        var sections = NeutralSchema.KbSections;
        rows += Write("kb_sections", SampleCatalogue.KbSections().Select(row => Pick(sections, row,
                "source_id", "parent_id", "kind", "name", "description", "locale", "position", "created_at", "updated_at")),
            "section_id", "parent_id", "kind", "name", "description", "locale", "position", "created_at", "updated_at");
        var articles = NeutralSchema.KbArticles;
        // The vendor keys revisions by a number of its own; the neutral id is {article_id}/{locale}/{version}, which the mapping builds.
        rows += Write("kb_articles", SampleCatalogue.KbArticles().Select((row, revision) => (object?[])[(long)revision + 1, .. Pick(articles, row,
                "article_id", "locale", "version", "title", "body", "body_format", "section_id", "state", "labels", "author_id", "created_at", "updated_at", "published_at")]),
            "revision_id", "article_id", "locale", "version", "title", "body", "body_format", "section_id", "state", "labels", "author_id", "created_at", "updated_at", "published_at");
        var images = NeutralSchema.KbAttachments;
        rows += Write("kb_article_files", SampleCatalogue.ArticlesWithImages().Select(article => SampleCatalogue.KbAttachment(article, "", 0, ""))
                .Select(row => (object?[])[.. Pick(images, row, "source_id", "article_id", "locale", "file_name", "media_type"), SampleCatalogue.TinyPng, Iso(Of(images, row, "created_at"))]),
            "file_id", "article_id", "locale", "file_name", "media_type", "content", "created_at");

        var flows = NeutralSchema.Flows;
        var nodes = NeutralSchema.FlowNodes;
        var edges = NeutralSchema.FlowEdges;
        // The definition document is kept byte-exact; its file name puts it where the sample source keeps it (sample/flows/…).
        var parsed = SampleSource.FlowDefinitions.Select(definition => (Flow: SampleSource.Flow.Parse(definition.Json), definition.Json,
            File: definition.OriginalPath[(SampleCentre.System.Length + 1)..])).ToArray();
        rows += Write("ivr_flows", parsed.Select(flow => (object?[])[.. Pick(flows, flow.Flow.Row(""), "source_id", "name", "flow_type", "description", "start_node_id",
                "definition_format", "created_at", "updated_at"), flow.File, flow.Json]),
            "flow_id", "name", "flow_type", "description", "start_block_id", "definition_format", "created_at", "updated_at", "definition_file", "definition");
        rows += Write("ivr_flow_blocks", parsed.SelectMany(flow => flow.Flow.Nodes).Select(row => Pick(nodes, row, "source_id", "flow_id", "node_type", "label", "parameters")),
            "block_id", "flow_id", "block_type", "label", "parameters");
        rows += Write("ivr_flow_transitions", parsed.SelectMany(flow => flow.Flow.Edges).Select(row => Pick(edges, row,
                "source_id", "flow_id", "from_node_id", "to_node_id", "condition", "target_kind", "target_ref")),
            "transition_id", "flow_id", "from_block_id", "to_block_id", "branch", "target_kind", "target_ref");

        var models = NeutralSchema.Models;
        var bot = SampleSource.Bot.Parse();
        string[] modelColumns = ["source_id", "name", "model_type", "platform", "version", "locale", "description", "owner", "metrics", "model_card", "created_at", "updated_at"];
        rows += Write("bots",
            [
                [.. Pick(models, SampleSource.Bot.ModelRow(), modelColumns), SampleSource.BotOriginalPath[(SampleCentre.System.Length + 1)..], SampleCatalogue.BotExportJson],
                [.. Pick(models, SampleSource.Bot.ClassifierRow(), modelColumns), null, null],
            ],
            "bot_id", "name", "model_type", "platform", "version", "locale", "description", "owner", "metrics", "model_card", "created_at", "updated_at", "definition_file", "definition");
        rows += Write("bot_intents", bot.Intents.Select(intent => Pick(NeutralSchema.Intents, intent.Row, "source_id", "model_id", "name", "locale", "description", "responses")),
            "intent_id", "bot_id", "name", "locale", "description", "responses");
        rows += Write("bot_utterances", bot.Intents.SelectMany(intent => intent.Utterances).Select(row => Pick(NeutralSchema.TrainingUtterances, row,
                "source_id", "model_id", "intent_id", "locale", "text", "annotations")),
            "utterance_id", "bot_id", "intent_id", "locale", "utterance_text", "annotations");
        rows += Write("bot_entities", bot.Entities.Select(row => Pick(NeutralSchema.Entities, row, "source_id", "model_id", "name", "entity_type", "locale", "values")),
            "entity_id", "bot_id", "name", "entity_type", "locale", "entity_values");
        var modelFile = SampleSource.ModelFileRow("", 0, "");
        rows += Write("bot_model_files",
            [[.. Pick(NeutralSchema.ModelFiles, modelFile, "source_id", "model_id", "file_name", "format", "opset", "producer", "inputs", "outputs"), SampleModelFile.Build()]],
            "file_id", "bot_id", "file_name", "format", "opset", "producer", "inputs", "outputs", "content");
        transaction.Commit();
        return rows;
    }

    private static void Enlist(IEnumerable<Inserter> inserters, SqliteTransaction transaction)
    {
        foreach (var inserter in inserters)
        {
            inserter.Transaction = transaction;
        }
    }

    /// <summary>An instant as the generic schema keeps it in SQLite: ISO-8601 UTC text, fractions only when there are some.</summary>
    private static string? Iso(object? instant) => instant is DateTimeOffset value
        ? value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture)
        : null;

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Schema()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(SchemaResource)
            ?? throw new InvalidOperationException($"The resource {SchemaResource} is missing from the sample connector; the build is broken.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>One prepared INSERT, executed once per row (SQLite's own calls are synchronous; awaiting them gains nothing).</summary>
    private sealed class Inserter : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly string _table;
        private readonly string[] _columns;
        private SqliteCommand? _command;

        public Inserter(SqliteConnection connection, string table, params string[] columns)
        {
            _connection = connection;
            _table = table;
            _columns = columns;
        }

        /// <summary>Skip a row whose key is already there (customers recur across interactions).</summary>
        public bool IgnoreDuplicates { get; init; }

        public long Rows { get; private set; }

        public SqliteTransaction? Transaction
        {
            set
            {
                Command().Transaction = value;
            }
        }

        private SqliteCommand Command()
        {
            if (_command is null)
            {
                _command = _connection.CreateCommand();
                _command.CommandText = $"INSERT {(IgnoreDuplicates ? "OR IGNORE " : "")}INTO {_table} ({string.Join(", ", _columns)}) VALUES ({string.Join(", ", _columns.Select((_, i) => $"$p{i}"))})";
                foreach (var i in Enumerable.Range(0, _columns.Length))
                {
                    _command.Parameters.Add(new SqliteParameter($"$p{i}", null));
                }
            }
            return _command;
        }

        public void Insert(params object?[] values)
        {
            var command = Command();
            if (values.Length != _columns.Length)
            {
                throw new InvalidOperationException($"{_table}: {values.Length} values for {_columns.Length} columns.");
            }
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i] ?? DBNull.Value;
            }
            Rows += command.ExecuteNonQuery();
        }

        public void Dispose() => _command?.Dispose();
    }
}
