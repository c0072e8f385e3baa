namespace Nachos.Shared.Seeding;

/// <summary>
/// A small allocation-free random stream (SplitMix64) for hot loops such as per-image augmentation;
/// seeded from <see cref="Seeds.Derive"/>, it gives the same numbers in every process.
/// </summary>
public struct SplitMix(long seed)
{
    private ulong _state = (ulong)seed;

    public ulong NextULong()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));
}
