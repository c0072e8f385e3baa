using Nachos.Shared.Data;
using Nachos.Shared.Seeding;

namespace Nachos.Shared.LearningCurves;

/// <summary>
/// The training subsets of a learning curve: for each fraction, a part of one outer fold's outer-train set, reading only
/// outer-train samples. Whole patients; a patient belongs to its most frequent stratum (class, or label combination); per
/// stratum the patients are put in one seeded order, and a fraction f takes the prefix of that order whose image count is
/// closest to f × the stratum's images (at least one patient). So each class keeps its share of the outer-train set, and
/// every smaller subset is contained in every larger one (the prefixes grow with f); f = 1 is the whole outer-train set.
/// </summary>
public static class NestedSubsets
{
    /// <summary>The seed of an outer fold's subsets: from the study's seed, so a rerun selects the same images.</summary>
    public static int SeedOf(int studySeed, int outer) => Seeds.Derive(studySeed, Seeds.Hash("learning-curve"), outer);

    /// <param name="outerTrain">The outer fold's training samples (its test fold is never passed here).</param>
    /// <param name="fractions">Each in (0, 1].</param>
    /// <returns>Per fraction (in the given order), the selected sample ids in <paramref name="outerTrain"/>'s order.</returns>
    public static IReadOnlyList<IReadOnlyList<string>> Select(IReadOnlyList<string> outerTrain, IReadOnlyDictionary<string, Sample> samples,
        IReadOnlyList<double> fractions, int seed)
    {
        foreach (var f in fractions)
            if (f is <= 0 or > 1 || double.IsNaN(f)) throw new ArgumentOutOfRangeException(nameof(fractions), $"fraction {f} is not in (0, 1]");
        var strata = outerTrain.Select(id => samples[id])
            .GroupBy(s => s.Group, StringComparer.Ordinal)
            .Select(g => (
                Key: Seeds.Derive(seed, Seeds.Hash(g.Key)),
                Group: g.Key,
                Stratum: g.GroupBy(s => s.Stratum).OrderByDescending(x => x.Count()).ThenBy(x => x.Key, StringComparer.Ordinal).First().Key,
                Ids: g.Select(s => s.Id).ToList()))
            .GroupBy(p => p.Stratum)
            .Select(s => s.OrderBy(p => p.Key).ThenBy(p => p.Group, StringComparer.Ordinal).Select(p => p.Ids).ToList())
            .ToList();
        return fractions.Select(f =>
        {
            var selected = new HashSet<string>(StringComparer.Ordinal);
            foreach (var patients in strata)
            {
                var take = Prefix(patients.Select(p => p.Count).ToList(), f);
                foreach (var ids in patients.Take(take)) selected.UnionWith(ids);
            }
            return (IReadOnlyList<string>)outerTrain.Where(selected.Contains).ToList();
        }).ToList();
    }

    /// <summary>How many patients (in order) make the image count closest to f × all (ties: fewer); at least one.</summary>
    private static int Prefix(IReadOnlyList<int> images, double f)
    {
        if (f >= 1) return images.Count;
        var target = f * images.Sum();
        var (best, bestGap, count) = (0, target, 0);
        for (var i = 0; i < images.Count; i++)
        {
            count += images[i];
            var gap = Math.Abs(count - target);
            if (gap < bestGap)
            {
                best = i + 1;
                bestGap = gap;
            }
        }
        return Math.Max(1, best);
    }
}
