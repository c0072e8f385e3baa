namespace Nachos.Shared.Seeding;

/// <summary>
/// Derives independent, process-stable seeds from a base seed and coordinates (epoch, batch, sample...).
/// SplitMix64 mixing; never HashCode.Combine, which is randomised per process.
/// </summary>
public static class Seeds
{
    public static int Derive(int seed, params long[] parts)
    {
        var x = Mix((ulong)seed);
        foreach (var p in parts) x = Mix(x ^ (ulong)p);
        return (int)(x & 0x7fffffff);
    }

    /// <summary>FNV-1a of a string: a process-stable number to derive seeds from names and ids.</summary>
    public static long Hash(string text)
    {
        var h = 14695981039346656037UL;
        foreach (var c in text)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        return (long)h;
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
