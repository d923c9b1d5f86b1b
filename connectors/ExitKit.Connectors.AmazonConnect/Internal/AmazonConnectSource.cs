using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using ExitKit.Schema;

namespace ExitKit.Connectors.AmazonConnect.Internal;

/// <summary>Reads a folder or .zip of Amazon Connect export files into neutral rows.</summary>
internal sealed partial class AmazonConnectSource(ExportFiles files, string sourceSystem) : ISourceConnector
{
    private const string OriginalsFolder = AmazonConnectPlugin.Name + "/";
    private readonly Dictionary<string, string> _originalPaths = new(StringComparer.Ordinal);
    // What each file turned out to be, so reading one table does not parse the files of the others again.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, FileKind> _kinds = new(StringComparer.Ordinal);
    private readonly Lock _contactsLock = new();
    private Task<ContactIndex>? _contacts;

    private static readonly TableSchema[] Provided =
    [
        NeutralSchema.Interactions, NeutralSchema.Messages, NeutralSchema.Participants,
        NeutralSchema.BusinessHours, NeutralSchema.Queues, NeutralSchema.RoutingRules,
        NeutralSchema.Flows, NeutralSchema.FlowNodes, NeutralSchema.FlowEdges,
    ];

    public async Task<SourceDescription> DescribeAsync(ExportRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        long flows = 0;
        await foreach (var (_, _) in FilesOf(FileKind.Flow, cancellationToken))
        {
            flows++;
        }
        var contacts = await ContactsAsync(cancellationToken);
        var tables = Provided.Select(table => table.Name switch
        {
            "flows" => new SourceTable(table.Name, flows, TotalMethod: "contact flow files in the export"),
            "interactions" => new SourceTable(table.Name, contacts.CountStartedIn(request), TotalMethod: "distinct ContactId in the contact record files of the export"),
            _ => new SourceTable(table.Name, null),
        }).ToList();
        return new SourceDescription(sourceSystem, "Amazon Connect", tables);
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
            else if (classified.Kind == FileKind.Flow && DeploymentPlaceholder().Match(System.Text.Encoding.UTF8.GetString(bytes)) is { Success: true } placeholder)
            {
                context.ReportProblem(new ExportProblem(ProblemKind.Degraded, NeutralSchema.FlowEdges.Name, OriginalsFolder + file.RelativePath,
                    $"the flow holds the unrendered deployment placeholder {placeholder.Value}: the graph is exported, but references written as placeholders cannot resolve. Export the flow from the running instance (aws connect describe-contact-flow) to get real ARNs."));
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
            throw ExitKitException.SourceFailed(AmazonConnectPlugin.Name, $"the resume cursor '{resumeAfter}' was not written by this connector; restart the export without resuming");
        }
        var rows = table.Name switch
        {
            "flows" or "flow_nodes" or "flow_edges" => FlowRows(table, cancellationToken),
            "interactions" or "participants" => ContactRows(table, request, context, cancellationToken),
            "messages" => MessageRows(request, context, cancellationToken),
            "queues" or "routing_rules" or "business_hours" => ConfigurationRows(table, cancellationToken),
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

    private string OriginalPath(string relativePath) =>
        _originalPaths.GetValueOrDefault(relativePath) ?? $"data/originals/{OriginalsFolder}{relativePath}";

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

    // ---- flows ----

    private async IAsyncEnumerable<object?[]> FlowRows(TableSchema table, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (file, content) in FilesOf(FileKind.Flow, cancellationToken))
        {
            var graph = ContactFlows.Read(content.Values[0].RootElement, Path.GetFileNameWithoutExtension(file.RelativePath));
            var flowId = file.RelativePath;
            foreach (var row in graph.Rows(table, sourceSystem, flowId, OriginalPath(file.RelativePath)))
            {
                yield return row;
            }
        }
    }

    // ---- contact records ----

    // The export pipeline reads tables in parallel; the index is built once and shared.
    private Task<ContactIndex> ContactsAsync(CancellationToken cancellationToken)
    {
        lock (_contactsLock)
        {
            return _contacts ??= BuildContactIndexAsync(cancellationToken);
        }
    }

    private async Task<ContactIndex> BuildContactIndexAsync(CancellationToken cancellationToken)
    {
        var index = new ContactIndex();
        await foreach (var (file, content) in FilesOf(FileKind.ContactRecords, cancellationToken))
        {
            var record = 0;
            foreach (var contact in content.Records)
            {
                record++;
                if (contact.Text("ContactId") is { Length: > 0 } contactId)
                {
                    index.Offer(file.RelativePath, record, contactId, contact.Time("LastUpdateTimestamp"), contact.Time("InitiationTimestamp"),
                        contact.Time("Agent", "ConnectedToAgentTimestamp"));
                }
            }
        }
        return index;
    }

    private async IAsyncEnumerable<object?[]> ContactRows(TableSchema table, ExportRequest request, IExportContext context,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var index = await ContactsAsync(cancellationToken);
        await foreach (var (file, content) in FilesOf(FileKind.ContactRecords, cancellationToken))
        {
            var record = 0;
            foreach (var contact in content.Records)
            {
                record++;
                var subject = string.Create(CultureInfo.InvariantCulture, $"{OriginalsFolder}{file.RelativePath}#{record}");
                var contactId = contact.Text("ContactId");
                var startedAt = contact.Time("InitiationTimestamp");
                if (contactId is not { Length: > 0 } || startedAt is null)
                {
                    if (table.Name == "interactions")
                    {
                        context.ReportProblem(new ExportProblem(ProblemKind.Unparsed, table.Name, subject,
                            "the contact record has no ContactId or no InitiationTimestamp, so it cannot become an interaction; the file is kept under data/originals/"));
                    }
                    continue;
                }
                if (!index.IsNewest(contactId, file.RelativePath, record))
                {
                    continue;
                }
                if (table.Name == "interactions")
                {
                    if (request.Contains(startedAt.Value))
                    {
                        yield return Interaction(table, contact, contactId, startedAt.Value, index.Find(contactId)!.Versions, context);
                    }
                    continue;
                }
                foreach (var participant in Participants(table, contact, contactId, startedAt.Value, context))
                {
                    var joined = (DateTimeOffset?)participant[table.OrdinalOf("joined_at")] ?? startedAt.Value;
                    if (request.Contains(joined))
                    {
                        yield return participant;
                    }
                }
            }
        }
    }

    private object?[] Interaction(TableSchema table, JsonElement contact, string contactId, DateTimeOffset startedAt, int versions, IExportContext context)
    {
        var agent = contact.Get("Agent");
        long? handleSeconds = agent is { } a && (a.Long("AgentInteractionDuration") ?? a.Long("CustomerHoldDuration") ?? a.Long("AfterContactWorkDuration")) is not null
            ? (a.Long("AgentInteractionDuration") ?? 0) + (a.Long("CustomerHoldDuration") ?? 0) + (a.Long("AfterContactWorkDuration") ?? 0)
            : null;
        var tags = contact.Get("Tags") is { ValueKind: JsonValueKind.Object } tagObject
            ? tagObject.EnumerateObject().Select(tag => $"{tag.Name}={(tag.Value.ValueKind == JsonValueKind.String ? tag.Value.GetString() : tag.Value.GetRawText())}").ToArray()
            : null;
        var extra = System.Text.Json.Nodes.JsonNode.Parse(contact.Except("ContactId", "Channel", "InitiationTimestamp", "DisconnectTimestamp", "LastUpdateTimestamp",
            "CustomerEndpoint", "Tags", "Agent"));
        return new Row(table, sourceSystem, contactId)
            .Set("channel", contact.Text("Channel") switch
            {
                "VOICE" => "voice",
                "CHAT" => "chat",
                "EMAIL" => "email",
                _ => "other",
            })
            .Set("direction", contact.Text("InitiationMethod") switch
            {
                "INBOUND" or "TRANSFER" or "QUEUE_TRANSFER" or "API" or "WEBRTC_API" => "inbound",
                "OUTBOUND" or "CALLBACK" or "EXTERNAL_OUTBOUND" or "AGENT_REPLY" => "outbound",
                "MONITOR" or "DISCONNECT" or "FLOW" => "internal",
                _ => null,
            })
            .Set("status", contact.Text("DisconnectReason")?.ToLowerInvariant())
            .Set("started_at", startedAt)
            .Set("ended_at", contact.Time("DisconnectTimestamp"))
            .Set("updated_at", contact.Time("LastUpdateTimestamp"))
            .Set("queue_id", contact.Text("Queue", "ARN"))
            .Set("agent_id", context.Pseudonymise(agent?.Text("ARN")))
            .Set("customer_id", context.Pseudonymise(contact.Text("CustomerEndpoint", "Address")))
            .Set("duration_seconds", handleSeconds)
            .Set("tags", tags)
            .Set("source_extra", Json.Object(
                ("Record", extra),
                ("Agent", agent is { } agentElement ? System.Text.Json.Nodes.JsonNode.Parse(agentElement.Except("ARN", "Username")) : null),
                ("CustomerEndpointType", contact.Text("CustomerEndpoint", "Type")),
                ("Channel", contact.Text("Channel")),
                ("VersionsInExport", versions)))
            .Build();
    }

    private IEnumerable<object?[]> Participants(TableSchema table, JsonElement contact, string contactId, DateTimeOffset startedAt, IExportContext context)
    {
        if (contact.Get("CustomerEndpoint") is { ValueKind: JsonValueKind.Object } customer)
        {
            yield return new Row(table, sourceSystem, $"{contactId}/customer")
                .Set("interaction_id", contactId)
                .Set("role", "customer")
                .Set("participant_ref", context.Pseudonymise(customer.Text("Address")))
                .Set("joined_at", startedAt)
                .Set("left_at", contact.Time("DisconnectTimestamp"))
                .Set("source_extra", Json.Object(("Type", customer.Text("Type"))))
                .Build();
        }
        if (contact.Get("Agent") is { ValueKind: JsonValueKind.Object } agent)
        {
            yield return new Row(table, sourceSystem, $"{contactId}/agent")
                .Set("interaction_id", contactId)
                .Set("role", "agent")
                .Set("participant_ref", context.Pseudonymise(agent.Text("ARN")))
                .Set("display_name", context.Pseudonymise(agent.Text("Username")))
                .Set("joined_at", agent.Time("ConnectedToAgentTimestamp"))
                .Set("left_at", agent.Time("AfterContactWorkEndTimestamp") ?? contact.Time("DisconnectTimestamp"))
                .Set("source_extra", Json.Object(("RoutingProfile", agent.Get("RoutingProfile")), ("HierarchyGroups", agent.Get("HierarchyGroups"))))
                .Build();
        }
    }

    // ---- Contact Lens ----

    [GeneratedRegex(@"%%[A-Za-z0-9_]+%%")]
    private static partial Regex DeploymentPlaceholder();

    [GeneratedRegex(@"_(\d{8}T\d{2}:\d{2})_UTC")]
    private static partial Regex RecordingTime();

    private async IAsyncEnumerable<object?[]> MessageRows(ExportRequest request, IExportContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = NeutralSchema.Messages;
        var contacts = await ContactsAsync(cancellationToken);
        // Contact Lens writes a raw and a redacted copy of the same analysis; the raw one is the complete record.
        var chosen = new Dictionary<string, (string Path, bool Raw)>(StringComparer.Ordinal);
        await foreach (var (file, content) in FilesOf(FileKind.ContactLens, cancellationToken))
        {
            var root = content.Values[0].RootElement;
            var contactId = root.Text("CustomerMetadata", "ContactId") ?? file.RelativePath;
            var raw = !string.Equals(root.Text("ContentMetadata", "Output"), "Redacted", StringComparison.OrdinalIgnoreCase);
            if (!chosen.TryGetValue(contactId, out var current) || (raw && !current.Raw))
            {
                chosen[contactId] = (file.RelativePath, raw);
            }
        }
        await foreach (var (file, content) in FilesOf(FileKind.ContactLens, cancellationToken))
        {
            var root = content.Values[0].RootElement;
            var contactId = root.Text("CustomerMetadata", "ContactId");
            var subject = OriginalsFolder + file.RelativePath;
            if (contactId is null)
            {
                context.ReportProblem(new ExportProblem(ProblemKind.Unparsed, table.Name, subject,
                    "the Contact Lens output has no CustomerMetadata.ContactId, so its turns cannot be tied to a contact; the file is kept under data/originals/"));
                continue;
            }
            if (!string.Equals(chosen[contactId].Path, file.RelativePath, StringComparison.Ordinal))
            {
                continue;
            }
            var contact = contacts.Find(contactId);
            var baseTime = contact?.AgentConnectedAt ?? contact?.StartedAt ?? RecordingStart(root.Text("CustomerMetadata", "InputS3Uri"));
            if (contact is null)
            {
                context.ReportProblem(new ExportProblem(ProblemKind.Degraded, table.Name, subject,
                    $"the export has no contact record for contact {contactId}: its messages point at an interaction that is not in the package. Add the contact records (CTR) of that contact to the export."));
            }
            var roles = root.Array("Participants")
                .Where(participant => participant.Text("ParticipantId") is not null)
                .GroupBy(participant => participant.Text("ParticipantId")!, StringComparer.Ordinal)
                .ToDictionary(group => group.Key, group => group.First().Text("ParticipantRole"), StringComparer.Ordinal);
            var groupSentiment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var group in root.Array("ConversationCharacteristics", "Sentiment", "DetailsByTranscriptItemGroup"))
            {
                foreach (var item in group.Array("TranscriptItems"))
                {
                    if (item.Text("Id") is { } id && group.Text("Sentiment") is { } label)
                    {
                        groupSentiment[id] = label;
                    }
                }
            }
            var sequence = 0;
            var turns = new List<object?[]>();
            string? failure = null;
            foreach (var item in root.Array("Transcript"))
            {
                sequence++;
                var sentAt = item.Time("AbsoluteTime") ?? (baseTime is { } start && item.Long("BeginOffsetMillis") is { } offset ? start.AddMilliseconds(offset) : null);
                if (sentAt is null)
                {
                    failure = $"transcript item {sequence} cannot be placed in time: it has no AbsoluteTime, and neither a contact record for contact {contactId} nor the recording's S3 key gives the call's start. Add the contact's CTR to the export.";
                    break;
                }
                var participantId = item.Text("ParticipantId");
                var role = item.Text("ParticipantRole") ?? (participantId is not null ? roles.GetValueOrDefault(participantId) : null);
                var label = item.Text("Sentiment") ?? (item.Text("Id") is { } itemId ? groupSentiment.GetValueOrDefault(itemId) : null);
                var contentType = item.Text("ContentType");
                var isEvent = string.Equals(item.Text("Type"), "EVENT", StringComparison.Ordinal);
                // Transcript item ids are not promised unique; the position is, and the id stays in source_extra.
                turns.Add(new Row(table, sourceSystem, string.Create(CultureInfo.InvariantCulture, $"{contactId}/{sequence}"))
                    .Set("interaction_id", contactId)
                    .Set("sequence", (long)sequence)
                    .Set("author_role", AuthorRole(role))
                    .Set("author_id", context.Pseudonymise(participantId))
                    .Set("kind", isEvent ? "event" : "turn")
                    .Set("visibility", "public")
                    .Set("body", item.Text("Content"))
                    .Set("body_format", item.Text("Content") is null ? null : contentType == "text/markdown" ? "markdown" : "text")
                    .Set("sent_at", sentAt.Value)
                    .Set("sentiment", SentimentScore(label))
                    .Set("language", root.Text("LanguageCode"))
                    .Set("source_extra", Json.Object(
                        ("SentimentLabel", label),
                        ("ParticipantRole", role),
                        ("DisplayName", context.Pseudonymise(item.Text("DisplayName"))),
                        ("Item", System.Text.Json.Nodes.JsonNode.Parse(item.Except("Content", "ParticipantId", "ParticipantRole", "Sentiment", "DisplayName"))),
                        ("Channel", root.Text("Channel")),
                        ("Output", root.Text("ContentMetadata", "Output"))))
                    .Build());
            }
            if (failure is not null)
            {
                context.ReportProblem(new ExportProblem(ProblemKind.Unparsed, table.Name, subject, failure));
                continue;
            }
            foreach (var turn in turns)
            {
                if (request.Contains((DateTimeOffset)turn[table.OrdinalOf("sent_at")]!))
                {
                    yield return turn;
                }
            }
        }
    }

    private static DateTimeOffset? RecordingStart(string? s3Uri) =>
        s3Uri is not null && RecordingTime().Match(s3Uri) is { Success: true } match
            && DateTimeOffset.TryParseExact(match.Groups[1].Value, "yyyyMMdd'T'HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant)
            ? instant
            : null;

    internal static string AuthorRole(string? participantRole) => participantRole?.ToUpperInvariant() switch
    {
        "AGENT" => "agent",
        "CUSTOMER" => "customer",
        "SUPERVISOR" => "supervisor",
        "CUSTOM_BOT" or "BOT" => "bot",
        _ => "system",
    };

    internal static double? SentimentScore(string? label) => label?.ToUpperInvariant() switch
    {
        "POSITIVE" => 1.0,
        "NEGATIVE" => -1.0,
        // MIXED holds both; its label stays in source_extra to keep the distinction from NEUTRAL.
        "NEUTRAL" or "MIXED" => 0.0,
        _ => null,
    };

    // ---- queues, routing profiles, hours of operation ----

    private async IAsyncEnumerable<object?[]> ConfigurationRows(TableSchema table, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var kind = table.Name switch
        {
            "queues" => FileKind.Queues,
            "routing_rules" => FileKind.RoutingProfiles,
            _ => FileKind.HoursOfOperation,
        };
        // Configuration is small; a Describe response is more complete than a List summary of the same resource, so it wins.
        var rows = new SortedDictionary<string, (bool Described, object?[] Row)>(StringComparer.Ordinal);
        await foreach (var (_, content) in FilesOf(kind, cancellationToken))
        {
            foreach (var root in content.Records)
            {
                foreach (var (described, row) in ConfigurationRecords(table, root))
                {
                    var id = (string)row[table.OrdinalOf("source_id")]!;
                    if (!rows.TryGetValue(id, out var existing) || (described && !existing.Described))
                    {
                        rows[id] = (described, row);
                    }
                }
            }
        }
        foreach (var (_, (_, row)) in rows)
        {
            yield return row;
        }
    }

    private IEnumerable<(bool Described, object?[] Row)> ConfigurationRecords(TableSchema table, JsonElement root)
    {
        switch (table.Name)
        {
            case "queues":
                foreach (var summary in root.Array("QueueSummaryList"))
                {
                    var id = summary.Text("Arn") ?? summary.Text("Id") ?? "";
                    yield return (false, new Row(table, sourceSystem, id)
                        .Set("name", summary.Text("Name") ?? summary.Text("Id") ?? id)
                        .Set("updated_at", summary.Time("LastModifiedTime"))
                        .Set("source_extra", summary.Except("Arn", "Name", "LastModifiedTime"))
                        .Build());
                }
                if (root.Get("Queue") is { ValueKind: JsonValueKind.Object } queue)
                {
                    var arn = queue.Text("QueueArn");
                    var id = arn ?? queue.Text("QueueId") ?? "";
                    yield return (true, new Row(table, sourceSystem, id)
                        .Set("name", queue.Text("Name") ?? id)
                        .Set("description", queue.Text("Description"))
                        .Set("business_hours_id", Sibling(arn, "queue", "operating-hours", queue.Text("HoursOfOperationId")))
                        .Set("updated_at", queue.Time("LastModifiedTime"))
                        .Set("source_extra", queue.Except("QueueArn", "Name", "Description", "LastModifiedTime"))
                        .Build());
                }
                break;
            case "routing_rules":
                foreach (var summary in root.Array("RoutingProfileSummaryList"))
                {
                    var id = summary.Text("Arn") ?? summary.Text("Id") ?? "";
                    yield return (false, new Row(table, sourceSystem, id)
                        .Set("name", summary.Text("Name") ?? id)
                        .Set("rule_type", "routing_profile")
                        .Set("updated_at", summary.Time("LastModifiedTime"))
                        .Set("source_extra", summary.Except("Arn", "Name", "LastModifiedTime"))
                        .Build());
                }
                if (root.Get("RoutingProfile") is { ValueKind: JsonValueKind.Object } profile)
                {
                    var arn = profile.Text("RoutingProfileArn");
                    var id = arn ?? profile.Text("RoutingProfileId") ?? "";
                    yield return (true, new Row(table, sourceSystem, id)
                        .Set("name", profile.Text("Name") ?? id)
                        .Set("rule_type", "routing_profile")
                        .Set("conditions", profile.Get("MediaConcurrencies")?.Compact())
                        .Set("actions", Json.Object(("DefaultOutboundQueueId", profile.Text("DefaultOutboundQueueId")),
                            ("AgentAvailabilityTimer", profile.Text("AgentAvailabilityTimer"))))
                        .Set("queue_id", Sibling(arn, "routing-profile", "queue", profile.Text("DefaultOutboundQueueId")))
                        .Set("updated_at", profile.Time("LastModifiedTime"))
                        .Set("source_extra", profile.Except("RoutingProfileArn", "Name", "MediaConcurrencies", "LastModifiedTime"))
                        .Build());
                }
                break;
            default:
                foreach (var summary in root.Array("HoursOfOperationSummaryList"))
                {
                    var id = summary.Text("Arn") ?? summary.Text("Id") ?? "";
                    yield return (false, new Row(table, sourceSystem, id)
                        .Set("name", summary.Text("Name") ?? id)
                        .Set("source_extra", summary.Except("Arn", "Name"))
                        .Build());
                }
                if (root.Get("HoursOfOperation") is { ValueKind: JsonValueKind.Object } hours)
                {
                    var id = hours.Text("HoursOfOperationArn") ?? hours.Text("HoursOfOperationId") ?? "";
                    yield return (true, new Row(table, sourceSystem, id)
                        .Set("name", hours.Text("Name") ?? id)
                        .Set("time_zone", hours.Text("TimeZone"))
                        .Set("weekly_schedule", WeeklySchedule(hours))
                        .Set("source_extra", hours.Except("HoursOfOperationArn", "Name", "TimeZone", "Config"))
                        .Build());
                }
                break;
        }
    }

    /// <summary>The ARN of a resource of the same instance: <c>…/instance/I/queue/Q</c> to <c>…/instance/I/operating-hours/H</c>.</summary>
    private static string? Sibling(string? arn, string kind, string siblingKind, string? siblingId)
    {
        if (siblingId is null || siblingId.StartsWith("arn:", StringComparison.Ordinal))
        {
            return siblingId;
        }
        var marker = $"/{kind}/";
        var at = arn?.LastIndexOf(marker, StringComparison.Ordinal) ?? -1;
        return at < 0 ? siblingId : $"{arn![..at]}/{siblingKind}/{siblingId}";
    }

    private static string WeeklySchedule(JsonElement hours)
    {
        static string Clock(JsonElement? time) => string.Create(CultureInfo.InvariantCulture,
            $"{time?.Long("Hours") ?? 0:00}:{time?.Long("Minutes") ?? 0:00}");
        var days = new System.Text.Json.Nodes.JsonObject();
        foreach (var config in hours.Array("Config"))
        {
            var day = (config.Text("Day") ?? "UNKNOWN").ToLowerInvariant();
            if (days[day] is not System.Text.Json.Nodes.JsonArray intervals)
            {
                days[day] = intervals = [];
            }
            intervals.Add(new System.Text.Json.Nodes.JsonObject { ["start"] = Clock(config.Get("StartTime")), ["end"] = Clock(config.Get("EndTime")) });
        }
        return days.ToJsonString();
    }
}
