namespace ExitKit.Connectors.AmazonConnect.Internal;

/// <summary>The newest version of each contact record in the export, found in a first pass so the second emits each contact once.</summary>
/// <remarks>
/// Amazon Connect streams a contact record again each time it changes (after-contact work, a transfer, a Contact Lens
/// update); the newest <c>LastUpdateTimestamp</c> wins, and on a tie the one read last (files in ordinal order). The
/// index holds ids and timestamps only, not the records, so memory grows with the number of contacts, not their size.
/// </remarks>
internal sealed class ContactIndex
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    internal sealed record Entry(string FilePath, int Record, DateTimeOffset? LastUpdate, int Versions, DateTimeOffset? StartedAt, DateTimeOffset? AgentConnectedAt);

    public int Count => _entries.Count;

    /// <summary>Contacts whose newest version started inside the export window.</summary>
    public long CountStartedIn(ExportRequest request) => _entries.Values.LongCount(entry => entry.StartedAt is { } started && request.Contains(started));

    public void Offer(string filePath, int record, string contactId, DateTimeOffset? lastUpdate, DateTimeOffset? startedAt, DateTimeOffset? agentConnectedAt)
    {
        if (_entries.TryGetValue(contactId, out var current))
        {
            var newer = (lastUpdate ?? DateTimeOffset.MinValue) >= (current.LastUpdate ?? DateTimeOffset.MinValue);
            _entries[contactId] = newer
                ? new Entry(filePath, record, lastUpdate, current.Versions + 1, startedAt, agentConnectedAt)
                : current with { Versions = current.Versions + 1 };
            return;
        }
        _entries[contactId] = new Entry(filePath, record, lastUpdate, 1, startedAt, agentConnectedAt);
    }

    public bool IsNewest(string contactId, string filePath, int record) =>
        _entries.TryGetValue(contactId, out var entry) && entry.Record == record && string.Equals(entry.FilePath, filePath, StringComparison.Ordinal);

    public Entry? Find(string contactId) => _entries.GetValueOrDefault(contactId);
}
