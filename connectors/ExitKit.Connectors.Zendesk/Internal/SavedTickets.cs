using System.Text.Json;

namespace ExitKit.Connectors.Zendesk.Internal;

/// <summary>
/// What the saved ticket files say across files: which copy of a ticket saved more than once is exported, and each ticket's
/// requester (which tells customers from agents in its comments).
/// </summary>
/// <remarks>
/// Saved folders repeat tickets: an incremental export lists a ticket again each time it changed, and a list, a search and a
/// single-ticket response overlap. The latest copy is exported: the greatest <c>updated_at</c>, and of copies equally recent
/// (or without one) the later in path order. One read of the ticket files collects every ticket's id and requester as two
/// 64-bit keys (16 bytes a ticket, sorted, kept for the messages); only when some ticket repeats is a second read made, to
/// find where each repeated ticket's latest copy is.
/// </remarks>
internal sealed class SavedTickets
{
    private readonly KeyMap _requesters;
    private readonly Dictionary<long, (int File, int Item)> _latest;
    private readonly IdKeys _keys;

    private SavedTickets(KeyMap requesters, Dictionary<long, (int File, int Item)> latest, IdKeys keys)
    {
        _requesters = requesters;
        _latest = latest;
        _keys = keys;
    }

    public static SavedTickets Read(IEnumerable<(JsonElement Ticket, int File, int Item)> tickets, IEnumerable<(JsonElement Ticket, int File, int Item)> again,
        IdKeys keys)
    {
        var map = Requesters(tickets, keys, out var repeated);
        var latest = new Dictionary<long, (int File, int Item)>();
        if (repeated.Count > 0)
        {
            var newest = new Dictionary<long, long>();
            foreach (var (ticket, file, item) in again)
            {
                var key = keys.KeyOf(ticket.Text("id"));
                if (!repeated.Contains(key))
                {
                    continue;
                }
                var updated = ticket.Time("updated_at")?.UtcTicks ?? long.MinValue;
                if (!newest.TryGetValue(key, out var best) || updated >= best)
                {
                    newest[key] = updated;
                    latest[key] = (file, item);
                    map.Set(key, keys.KeyOf(ticket.Text("requester_id")));
                }
            }
        }
        return new SavedTickets(map, latest, keys);
    }

    private static KeyMap Requesters(IEnumerable<(JsonElement Ticket, int File, int Item)> tickets, IdKeys keys, out HashSet<long> repeated)
    {
        var ids = new List<long>();
        var requesters = new List<long>();
        foreach (var (ticket, _, _) in tickets)
        {
            ids.Add(keys.KeyOf(ticket.Text("id")));
            requesters.Add(keys.KeyOf(ticket.Text("requester_id")));
        }
        return KeyMap.OneOfEach(ids, requesters, out repeated);
    }

    /// <summary>Whether this copy of the ticket is the one exported.</summary>
    public bool IsExported(string ticketId, int file, int item) =>
        !_latest.TryGetValue(_keys.KeyOf(ticketId), out var at) || at == (file, item);

    public string? RequesterOf(long ticket) => _keys.TextOf(_requesters[ticket]);
}
