using ExitKit.Validation.Engine;

namespace ExitKit.Validation.Tests;

public sealed class HashSet128Tests
{
    [Fact]
    public void Holds_every_key_added_through_its_growth_and_nothing_else()
    {
        var random = new Random(42);
        var keys = Enumerable.Range(0, 50_000).Select(_ => new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64())).Distinct().ToList();
        var set = new HashSet128();
        foreach (var key in keys)
        {
            Assert.True(set.Add(key));
        }
        Assert.False(set.Add(keys[123]));
        Assert.Equal(keys.Count, set.Count);
        Assert.All(keys, key => Assert.True(set.Contains(key)));
        // Keys that share their low bits with one in the set, so they land in its slot, are still told apart.
        Assert.All(keys.Take(1_000), key => Assert.False(set.Contains(key ^ (UInt128.One << 100))));
    }

    [Fact]
    public void A_hash_of_zero_is_a_key_like_any_other()
    {
        var set = new HashSet128();
        Assert.False(set.Contains(UInt128.Zero));
        set.Add(UInt128.Zero);
        Assert.True(set.Contains(UInt128.Zero));
        set.EnsureCapacity(1_000);
        Assert.True(set.Contains(UInt128.Zero));
        Assert.Equal(1, set.Count);
    }

    [Fact]
    public void Key_sets_hash_a_string_and_its_UTF8_bytes_alike()
    {
        var keys = new KeySet(ExitKit.Schema.NeutralSchema.Interactions, ["source_id"]);
        keys.Add(KeySet.Hash(System.Text.Encoding.UTF8.GetBytes("int-0001-é")));
        Assert.True(keys.Contains("int-0001-é"));
        Assert.True(keys.Contains(System.Text.Encoding.UTF8.GetBytes("int-0001-é")));
        Assert.False(keys.Contains("int-0001-e"));
    }
}
