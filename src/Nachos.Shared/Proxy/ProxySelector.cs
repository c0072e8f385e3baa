using Nachos.Shared.Data;
using Nachos.Shared.Seeding;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Proxy;

/// <summary>
/// Chooses an outer fold's proxy data: a fraction of its outer-train set, reading only outer-train samples. Each sample
/// is scored (higher is kept first): mutual information or NCC to the mean image of its own class (stratum) over the
/// outer-train set, the entropy of its intensity histogram, or a seeded random key. A patient's score is the mean of its
/// samples'; a patient belongs to its most frequent stratum (within its part, when parts are given: its inner validation
/// fold); per stratum and part, patients are taken best first until at least round(fraction × its samples) samples (at
/// least one patient) are in, so every class stays on both sides of every inner split.
/// </summary>
public static class ProxySelector
{
    /// <param name="part">The part of the outer-train set a sample is in, selected from separately (its inner validation fold).</param>
    /// <returns>The selected sample ids, in <paramref name="outerTrain"/>'s order.</returns>
    public static IReadOnlyList<string> Select(IReadOnlyList<string> outerTrain, IReadOnlyDictionary<string, Sample> samples,
        Func<string, float[]> pixels, ProxyDataSpec spec, int seed, Func<string, int>? part = null)
    {
        var train = outerTrain.Select(id => samples[id]).ToList();
        var score = Scores(train, pixels, spec.Method, seed);
        var selected = new HashSet<string>();
        var patients = train.GroupBy(s => s.Group, StringComparer.Ordinal).Select(g => (
            Group: g.Key,
            Stratum: g.GroupBy(s => $"{s.Stratum}/{part?.Invoke(s.Id)}").OrderByDescending(x => x.Count()).ThenBy(x => x.Key, StringComparer.Ordinal).First().Key,
            Score: g.Average(s => score[s.Id]),
            Ids: g.Select(s => s.Id).ToList()));
        foreach (var stratum in patients.GroupBy(p => p.Stratum))
        {
            var target = Math.Max(1, (int)Math.Round(spec.Fraction * stratum.Sum(p => p.Ids.Count), MidpointRounding.AwayFromZero));
            var taken = 0;
            foreach (var p in stratum.OrderByDescending(p => p.Score).ThenBy(p => p.Group, StringComparer.Ordinal))
            {
                if (taken >= target) break;
                selected.UnionWith(p.Ids);
                taken += p.Ids.Count;
            }
        }
        return outerTrain.Where(selected.Contains).ToList();
    }

    private static Dictionary<string, double> Scores(IReadOnlyList<Sample> train, Func<string, float[]> pixels, ProxyMethod method, int seed)
    {
        switch (method)
        {
            case ProxyMethod.Random:
                return train.ToDictionary(s => s.Id, s => (double)Seeds.Derive(seed, Seeds.Hash(s.Group)));
            case ProxyMethod.Entropy:
                return train.ToDictionary(s => s.Id, s => ImageSimilarity.Entropy(pixels(s.Id)));
        }
        var means = train.GroupBy(s => s.Stratum).ToDictionary(g => g.Key, g => ImageSimilarity.Mean(g.Select(s => pixels(s.Id)).ToList()));
        return train.ToDictionary(s => s.Id, s => method == ProxyMethod.Ncc
            ? ImageSimilarity.Ncc(pixels(s.Id), means[s.Stratum])
            : ImageSimilarity.MutualInformation(pixels(s.Id), means[s.Stratum]));
    }
}
