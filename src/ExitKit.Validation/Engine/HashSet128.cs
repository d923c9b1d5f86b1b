using System.Runtime.CompilerServices;

namespace ExitKit.Validation.Engine;

/// <summary>
/// A set of 128-bit hashes in one array, probed linearly: 16 bytes a slot, at most three quarters full, so 21 to 43
/// bytes a key (a million keys: 32 MB).
/// </summary>
/// <remarks>
/// <see cref="HashSet{T}"/> of <see cref="UInt128"/> stores a hash code and a link beside each value and, being a
/// generic type the runtime has not precompiled for <see cref="UInt128"/>, runs unoptimised code for the first
/// million or so lookups of a validation; this set's two loops are compiled optimised at once. The hashes are
/// uniformly distributed already (XxHash128), so their low bits pick the slot.
/// </remarks>
internal sealed class HashSet128
{
    // An empty slot holds zero; a hash that is zero is stored as one instead (two keys sharing it: 2⁻¹²⁸).
    private UInt128[] _slots = new UInt128[16];
    private int _count;

    public int Count => _count;

    /// <summary>Makes room for a number of keys at once.</summary>
    public void EnsureCapacity(int keys)
    {
        var needed = (long)keys * 4 / 3 + 1;
        if (needed > _slots.Length)
        {
            Resize((int)Math.Min(System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)needed), 1 << 30));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Add(UInt128 hash)
    {
        if (hash == UInt128.Zero)
        {
            hash = UInt128.One;
        }
        if ((_count + 1) * 4L > _slots.Length * 3L)
        {
            Resize(_slots.Length * 2);
        }
        var slots = _slots;
        var mask = slots.Length - 1;
        for (var slot = (int)(ulong)hash & mask; ; slot = (slot + 1) & mask)
        {
            if (slots[slot] == UInt128.Zero)
            {
                slots[slot] = hash;
                _count++;
                return true;
            }
            if (slots[slot] == hash)
            {
                return false;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Contains(UInt128 hash)
    {
        if (hash == UInt128.Zero)
        {
            hash = UInt128.One;
        }
        var slots = _slots;
        var mask = slots.Length - 1;
        for (var slot = (int)(ulong)hash & mask; ; slot = (slot + 1) & mask)
        {
            if (slots[slot] == hash)
            {
                return true;
            }
            if (slots[slot] == UInt128.Zero)
            {
                return false;
            }
        }
    }

    private void Resize(int length)
    {
        var old = _slots;
        _slots = new UInt128[length];
        _count = 0;
        foreach (var hash in old)
        {
            if (hash != UInt128.Zero)
            {
                Add(hash);
            }
        }
    }
}
