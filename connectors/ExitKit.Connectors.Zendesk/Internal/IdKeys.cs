using System.Globalization;

namespace ExitKit.Connectors.Zendesk.Internal;

/// <summary>
/// Zendesk ids as 64-bit keys, so that what is remembered per ticket costs 8 bytes rather than a 30–40 byte string.
/// Zendesk's ids are integers; an id that is not a plain integer (another tool's export) gets a negative key of its own,
/// so no two ids share a key and none is dropped for a collision.
/// </summary>
internal sealed class IdKeys
{
    /// <summary>No id: never the key of one.</summary>
    public const long None = long.MinValue;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _others = new(StringComparer.Ordinal);
    private readonly List<string> _otherTexts = [];

    public long KeyOf(string? id)
    {
        if (id is null)
        {
            return None;
        }
        // Leading zeros would not survive the round trip to text ("007" → 7 → "7"), so such ids are kept as text.
        if (long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && (id.Length == 1 || id[0] != '0'))
        {
            return number;
        }
        lock (_gate)
        {
            if (!_others.TryGetValue(id, out var key))
            {
                _otherTexts.Add(id);
                key = -_otherTexts.Count;
                _others[id] = key;
            }
            return key;
        }
    }

    public string? TextOf(long key)
    {
        if (key == None)
        {
            return null;
        }
        if (key >= 0)
        {
            return key.ToString(CultureInfo.InvariantCulture);
        }
        lock (_gate)
        {
            return _otherTexts[(int)(-key) - 1];
        }
    }

    /// <summary>The keys in ascending order, each once.</summary>
    public static long[] SortedDistinct(IEnumerable<long> keys)
    {
        var sorted = keys.ToArray();
        Array.Sort(sorted);
        var count = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            if (count == 0 || sorted[count - 1] != sorted[i])
            {
                sorted[count++] = sorted[i];
            }
        }
        Array.Resize(ref sorted, count);
        return sorted;
    }

    /// <summary>The keys that occur more than once.</summary>
    public static HashSet<long> Repeated(IEnumerable<long> keys)
    {
        var sorted = keys.ToArray();
        Array.Sort(sorted);
        var repeated = new HashSet<long>();
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i] == sorted[i - 1])
            {
                repeated.Add(sorted[i]);
            }
        }
        return repeated;
    }
}

/// <summary>
/// A read-only map from id key to a value key, as two sorted arrays: 16 bytes an entry and no object per entry, where a
/// dictionary of strings costs about 100.
/// </summary>
internal sealed class KeyMap
{
    private readonly long[] _keys;
    private readonly long[] _values;

    private KeyMap(long[] keys, long[] values)
    {
        _keys = keys;
        _values = values;
    }

    public static KeyMap Empty { get; } = new([], []);

    public int Count => _keys.Length;

    public long this[long key]
    {
        get
        {
            var at = Array.BinarySearch(_keys, key);
            return at >= 0 ? _values[at] : IdKeys.None;
        }
    }

    /// <summary>Sorts the pairs by key; of pairs with the same key, the one earliest in the lists is kept.</summary>
    public static KeyMap FirstOfEach(List<long> keys, List<long> values)
    {
        var sortedKeys = keys.ToArray();
        var order = new int[sortedKeys.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        Array.Sort(sortedKeys, order);
        var count = 0;
        for (var i = 0; i < sortedKeys.Length; i++)
        {
            if (count > 0 && sortedKeys[count - 1] == sortedKeys[i])
            {
                order[count - 1] = Math.Min(order[count - 1], order[i]);
                continue;
            }
            sortedKeys[count] = sortedKeys[i];
            order[count] = order[i];
            count++;
        }
        var sortedValues = new long[count];
        for (var i = 0; i < count; i++)
        {
            sortedValues[i] = values[order[i]];
        }
        Array.Resize(ref sortedKeys, count);
        return new KeyMap(sortedKeys, sortedValues);
    }

    /// <summary>
    /// Sorts the pairs in place and keeps one of each key, saying which keys came more than once (whose value the caller
    /// then sets). No copy of the lists is made but the map's own arrays.
    /// </summary>
    public static KeyMap OneOfEach(List<long> keys, List<long> values, out HashSet<long> repeated)
    {
        var keySpan = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(keys);
        var valueSpan = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values);
        keySpan.Sort(valueSpan);
        repeated = [];
        var count = 0;
        for (var i = 0; i < keySpan.Length; i++)
        {
            if (count > 0 && keySpan[count - 1] == keySpan[i])
            {
                repeated.Add(keySpan[i]);
                continue;
            }
            keySpan[count] = keySpan[i];
            valueSpan[count] = valueSpan[i];
            count++;
        }
        return new KeyMap(keySpan[..count].ToArray(), valueSpan[..count].ToArray());
    }

    /// <summary>Sets the value of a key that is in the map.</summary>
    public void Set(long key, long value) => _values[Array.BinarySearch(_keys, key)] = value;
}
