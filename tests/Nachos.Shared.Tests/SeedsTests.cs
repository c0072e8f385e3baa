using Nachos.Shared.Seeding;

namespace Nachos.Shared.Tests;

public sealed class SeedsTests
{
    [Fact]
    public void Derive_is_deterministic()
    {
        for (var s = 0; s < 50; s++)
            Assert.Equal(Seeds.Derive(s, 3, 7, 11), Seeds.Derive(s, 3, 7, 11));
    }

    [Fact]
    public void Derive_with_no_parts_is_the_first_splitmix64_output()
    {
        // Published SplitMix64 test vector: seeded with 0, the first output is 0xE220A8397B1DCDAF.
        // Derive keeps its low 31 bits.
        Assert.Equal((int)(0xE220A8397B1DCDAFUL & 0x7fffffff), Seeds.Derive(0));
    }

    [Fact]
    public void Different_seeds_and_parts_give_different_values()
    {
        var values = new HashSet<int>();
        var count = 0;
        for (var s = 0; s < 40; s++)
            for (var a = 0; a < 40; a++)
            {
                values.Add(Seeds.Derive(s, a));
                count++;
            }
        Assert.Equal(count, values.Count);
    }

    [Fact]
    public void Order_and_number_of_parts_matter()
    {
        Assert.NotEqual(Seeds.Derive(42, 1, 2), Seeds.Derive(42, 2, 1));
        Assert.NotEqual(Seeds.Derive(42), Seeds.Derive(42, 0));
        Assert.NotEqual(Seeds.Derive(42, 5), Seeds.Derive(42, 5, 0));
        Assert.NotEqual(Seeds.Derive(42, 1, 0), Seeds.Derive(42, 0, 1));
    }

    [Fact]
    public void Values_are_non_negative_and_spread_over_the_int_range()
    {
        var values = Enumerable.Range(0, 2000).Select(i => Seeds.Derive(7, i)).ToArray();
        Assert.All(values, v => Assert.True(v >= 0));
        // Roughly uniform: each quarter of [0, 2^31) gets a fair share.
        var quarters = values.GroupBy(v => v / (1 << 29)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(4, quarters.Count);
        Assert.All(quarters.Values, c => Assert.InRange(c, 400, 600));
        // Low bit balanced too (the mixing reaches the bits that are kept).
        Assert.InRange(values.Count(v => (v & 1) == 1), 900, 1100);
    }

    [Fact]
    public void Negative_parts_and_seeds_are_accepted_and_distinct()
    {
        Assert.NotEqual(Seeds.Derive(1, -1), Seeds.Derive(1, 1));
        Assert.True(Seeds.Derive(-5, 3) >= 0);
        Assert.NotEqual(Seeds.Derive(-5, 3), Seeds.Derive(5, 3));
    }
}
