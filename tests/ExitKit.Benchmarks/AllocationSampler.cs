using System.Diagnostics.Tracing;

namespace ExitKit.Benchmarks;

/// <summary>Samples allocations by type (the runtime's allocation ticks, one per ~100 KB) while a benchmark runs.</summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly Dictionary<string, long> _bytesByType = new(StringComparer.Ordinal);
    private bool _enabled;

    public void Start() => _enabled = true;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs data)
    {
        if (!_enabled || data.EventName is null || !data.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || data.Payload is null)
        {
            return;
        }
        var type = data.PayloadNames!.IndexOf("TypeName") is var index and >= 0 ? data.Payload[index] as string ?? "?" : "?";
        var amount = data.PayloadNames.IndexOf("AllocationAmount64") is var at and >= 0 ? Convert.ToInt64(data.Payload[at]) : 100_000;
        lock (_bytesByType)
        {
            _bytesByType[type] = _bytesByType.GetValueOrDefault(type) + amount;
        }
    }

    public IEnumerable<(string Type, long Bytes)> Top(int count)
    {
        lock (_bytesByType)
        {
            return _bytesByType.OrderByDescending(pair => pair.Value).Take(count).Select(pair => (pair.Key, pair.Value)).ToList();
        }
    }
}
