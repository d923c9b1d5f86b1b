using System.Security.Cryptography;
using System.Text.Json;

namespace ExitKit.Connectors.Zendesk.Internal;

/// <summary>Interactions and their messages as tickets with comments, through the Ticket Import API.</summary>
internal sealed partial class ZendeskSuccessor
{
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
}
