using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExitKit.Schema;

namespace ExitKit.Connectors.GenesysCloud.Internal;

/// <summary>Reads a folder or .zip of Genesys Cloud export files (Archy YAML flows, analytics conversation details) into neutral rows.</summary>
internal sealed class GenesysCloudSource(ExportFiles files, string sourceSystem) : ISourceConnector
{
    private const string OriginalsFolder = GenesysCloudPlugin.Name + "/";
    private readonly Dictionary<string, string> _originalPaths = new(StringComparer.Ordinal);
    // What each file turned out to be, so reading one table does not parse the files of the others again.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, FileKind> _kinds = new(StringComparer.Ordinal);

    private static readonly TableSchema[] Provided =
    [
        NeutralSchema.Interactions, NeutralSchema.Participants,
        NeutralSchema.Flows, NeutralSchema.FlowNodes, NeutralSchema.FlowEdges,
    ];

    // Session fields that identify the customer; they reach source_extra only through the pseudonymiser.
    private static readonly HashSet<string> PersonalSessionFields = new(StringComparer.Ordinal)
    {
        "ani", "dnis", "remote", "remoteNameDisplayable", "addressFrom", "addressTo", "addressOther", "addressSelf", "outboundCallerId", "outboundCallerName",
    };

    public async Task<SourceDescription> DescribeAsync(ExportRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        long flows = 0;
        var conversations = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files.List())
        {
            // A file that cannot be read was reported as missing when the originals were stored.
            if ((await file.TryReadAsync(cancellationToken)).Bytes is not { } bytes)
            {
                continue;
            }
            using var classified = Classifier.Classify(file.RelativePath, bytes);
            flows += classified.Kind == FileKind.Flow ? 1 : 0;
            foreach (var conversation in classified.Conversations)
            {
                if (conversation.Text("conversationId") is { } id && conversation.Time("conversationStart") is { } start && request.Contains(start))
                {
                    conversations.Add(id);
                }
            }
        }
        var tables = Provided.Select(table => table.Name switch
        {
            "flows" => new SourceTable(table.Name, flows, TotalMethod: "Archy flow files in the export"),
            "interactions" => new SourceTable(table.Name, conversations.Count, TotalMethod: "distinct conversationId in the analytics files of the export"),
            _ => new SourceTable(table.Name, null),
        }).ToList();
        return new SourceDescription(sourceSystem, "Genesys Cloud", tables);
    }

    public async Task ExportOriginalsAsync(ExportRequest request, IExportContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var file in files.List())
        {
            var (bytes, error) = await file.TryReadAsync(cancellationToken);
            if (bytes is null)
            {
                context.ReportProblem(new ExportProblem(ProblemKind.Missing, null, OriginalsFolder + file.RelativePath,
                    $"the file could not be read ({error}); check its permissions or the integrity of the .zip, then export again"));
                continue;
            }
            using (var content = new MemoryStream(bytes, writable: false))
            {
                _originalPaths[file.RelativePath] = await context.StoreOriginalAsync(OriginalsFolder + file.RelativePath, content, cancellationToken);
            }
            using var classified = Classifier.Classify(file.RelativePath, bytes);
            _kinds[file.RelativePath] = classified.Kind;
            if (classified.Kind == FileKind.Unparsed)
            {
                context.ReportProblem(new ExportProblem(ProblemKind.Unparsed, null, OriginalsFolder + file.RelativePath,
                    $"{classified.Reason}. The file is kept byte-exact under data/originals/{OriginalsFolder}{file.RelativePath}."));
            }
        }
    }

    public async IAsyncEnumerable<SourceRow> ReadTableAsync(TableSchema table, ExportRequest request, string? resumeAfter, IExportContext context,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        // Rows come in a fixed order (files in ordinal order, records in file order), so a cursor is the row's position.
        long skip = 0;
        if (resumeAfter is not null && !long.TryParse(resumeAfter, NumberStyles.None, CultureInfo.InvariantCulture, out skip))
        {
            throw ExitKitException.SourceFailed(GenesysCloudPlugin.Name, $"the resume cursor '{resumeAfter}' was not written by this connector; restart the export without resuming");
        }
        var rows = table.Name switch
        {
            "flows" or "flow_nodes" or "flow_edges" => FlowRows(table, cancellationToken),
            "interactions" or "participants" => ConversationRows(table, request, context, cancellationToken),
            _ => throw ExitKitException.UnknownTable(table.Name),
        };
        long position = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            // Files are read whole; stopping between rows keeps a cancelled read of one large file short.
            cancellationToken.ThrowIfCancellationRequested();
            position++;
            if (position > skip)
            {
                yield return new SourceRow(row, position.ToString(CultureInfo.InvariantCulture));
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        files.Dispose();
        return ValueTask.CompletedTask;
    }

    private async IAsyncEnumerable<(ExportFile File, ClassifiedFile Content)> FilesOf(FileKind kind, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var file in files.List())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_kinds.TryGetValue(file.RelativePath, out var known) && known != kind)
            {
                continue;
            }
            // A file that cannot be read was reported as missing when the originals were stored.
            if ((await file.TryReadAsync(cancellationToken)).Bytes is not { } bytes)
            {
                continue;
            }
            using var classified = Classifier.Classify(file.RelativePath, bytes);
            _kinds[file.RelativePath] = classified.Kind;
            if (classified.Kind == kind)
            {
                yield return (file, classified);
            }
        }
    }

    private async IAsyncEnumerable<object?[]> FlowRows(TableSchema table, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (file, content) in FilesOf(FileKind.Flow, cancellationToken))
        {
            var graph = content.Flow!;
            var flowId = file.RelativePath;
            foreach (var row in graph.Rows(table, sourceSystem, flowId, _originalPaths.GetValueOrDefault(file.RelativePath) ?? $"data/originals/{OriginalsFolder}{file.RelativePath}"))
            {
                yield return row;
            }
        }
    }

    private async IAsyncEnumerable<object?[]> ConversationRows(TableSchema table, ExportRequest request, IExportContext context,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A conversation can appear in two pages or two jobs of an export; the first copy is used.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var (file, content) in FilesOf(FileKind.Conversations, cancellationToken))
        {
            var record = 0;
            foreach (var conversation in content.Conversations)
            {
                record++;
                var conversationId = conversation.Text("conversationId");
                var startedAt = conversation.Time("conversationStart");
                if (conversationId is null || startedAt is null)
                {
                    if (table.Name == "interactions")
                    {
                        context.ReportProblem(new ExportProblem(ProblemKind.Unparsed, table.Name, string.Create(CultureInfo.InvariantCulture, $"{OriginalsFolder}{file.RelativePath}#{record}"),
                            "the conversation has no conversationId or no conversationStart, so it cannot become an interaction; the file is kept under data/originals/"));
                    }
                    continue;
                }
                if (!seen.Add(conversationId))
                {
                    continue;
                }
                if (table.Name == "interactions")
                {
                    if (request.Contains(startedAt.Value))
                    {
                        yield return Interaction(table, conversation, conversationId, startedAt.Value, context);
                    }
                    continue;
                }
                foreach (var participant in conversation.Array("participants"))
                {
                    var row = Participant(table, conversationId, participant, context);
                    if (request.Contains((DateTimeOffset?)row[table.OrdinalOf("joined_at")] ?? startedAt.Value))
                    {
                        yield return row;
                    }
                }
            }
        }
    }

    private object?[] Interaction(TableSchema table, JsonElement conversation, string conversationId, DateTimeOffset startedAt, IExportContext context)
    {
        var participants = conversation.Array("participants").ToList();
        var customer = participants.FirstOrDefault(participant => participant.Text("purpose") is "customer" or "external");
        var agent = participants.FirstOrDefault(participant => participant.Text("purpose") == "agent");
        var sessions = (customer.ValueKind == JsonValueKind.Object ? [customer] : participants).SelectMany(participant => participant.Array("sessions")).ToList();
        var segments = participants.SelectMany(participant => participant.Array("sessions")).SelectMany(session => session.Array("segments"))
            .OrderBy(segment => segment.Time("segmentStart") ?? DateTimeOffset.MaxValue).ToList();
        var endedAt = conversation.Time("conversationEnd");
        return new Row(table, sourceSystem, conversationId)
            .Set("channel", sessions.Select(session => session.Text("mediaType")).FirstOrDefault(media => media is not null) switch
            {
                "voice" or "callback" => "voice",
                "chat" => "chat",
                "email" => "email",
                "message" => "messaging",
                "cobrowse" or "screenshare" => "web",
                _ => "other",
            })
            .Set("direction", conversation.Text("originatingDirection") is "inbound" or "outbound" ? conversation.Text("originatingDirection") : null)
            .Set("started_at", startedAt)
            .Set("ended_at", endedAt)
            .Set("queue_id", segments.Select(segment => segment.Text("queueId")).FirstOrDefault(queue => queue is not null))
            .Set("agent_id", context.Pseudonymise(agent.ValueKind == JsonValueKind.Object ? agent.Text("userId") ?? agent.Text("participantId") : null))
            .Set("customer_id", context.Pseudonymise(customer.ValueKind == JsonValueKind.Object
                ? sessions.Select(session => session.Text("ani") ?? session.Text("addressFrom") ?? session.Text("remote")).FirstOrDefault(address => address is not null) ?? customer.Text("participantId")
                : null))
            .Set("duration_seconds", endedAt is { } end ? (long)Math.Round((end - startedAt).TotalSeconds) : null)
            .Set("status", segments.LastOrDefault(segment => segment.Text("disconnectType") is not null) is { ValueKind: JsonValueKind.Object } last ? last.Text("disconnectType") : null)
            .Set("source_extra", Json.Object(
                ("Conversation", System.Text.Json.Nodes.JsonNode.Parse(conversation.Except("conversationId", "conversationStart", "conversationEnd", "participants"))),
                ("ParticipantCount", participants.Count)))
            .Build();
    }

    private object?[] Participant(TableSchema table, string conversationId, JsonElement participant, IExportContext context)
    {
        var purpose = participant.Text("purpose");
        var participantId = participant.Text("participantId") ?? "unknown";
        var segments = participant.Array("sessions").SelectMany(session => session.Array("segments")).ToList();
        var sessions = JsonNode.Parse(participant.Get("sessions")?.GetRawText() ?? "[]");
        Pseudonymise(sessions, context);
        return new Row(table, sourceSystem, $"{conversationId}/{participantId}")
            .Set("interaction_id", conversationId)
            .Set("role", purpose switch
            {
                "customer" or "external" => "customer",
                "agent" or "user" => "agent",
                "bot" => "bot",
                _ => "system",
            })
            .Set("participant_ref", context.Pseudonymise(participant.Text("userId") ?? participantId))
            .Set("display_name", context.Pseudonymise(participant.Text("participantName")))
            .Set("joined_at", segments.Select(segment => segment.Time("segmentStart")).Where(time => time is not null).Min())
            .Set("left_at", segments.Select(segment => segment.Time("segmentEnd")).Where(time => time is not null).Max())
            .Set("source_extra", Json.Object(("purpose", purpose), ("participantId", participantId), ("sessions", sessions),
                ("Other", System.Text.Json.Nodes.JsonNode.Parse(participant.Except("purpose", "participantId", "participantName", "userId", "sessions")))))
            .Build();
    }

    private static void Pseudonymise(JsonNode? node, IExportContext context)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(property => property.Key).ToList())
                {
                    if (PersonalSessionFields.Contains(name) && obj[name] is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        obj[name] = context.Pseudonymise(text);
                    }
                    else
                    {
                        Pseudonymise(obj[name], context);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Pseudonymise(item, context);
                }
                break;
        }
    }
}
