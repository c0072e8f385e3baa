using Nachos.Shared.Data;

namespace Nachos.Shared.Splits;

/// <summary>
/// Deals whole groups (patients) into folds with target weights, balancing each stratum (class) across folds.
/// Each group goes to the fold where its strata are least filled relative to the fold's weight, then the
/// fold least filled overall. With one sample per group and equal weights this keeps every class's count
/// per fold within one of every other fold's.
/// </summary>
internal static class FoldAssigner
{
    public static int[] Assign(IReadOnlyList<Sample> samples, IReadOnlyList<double> weights, bool stratify, bool grouped, Random rng, string what)
    {
        var k = weights.Count;
        var units = samples.Select((s, i) => (s, i))
            .GroupBy(t => grouped ? t.s.Group : t.s.Id)
            .Select(g => g.Select(t => t.i).ToArray())
            .ToList();
        if (units.Count < k)
            throw new SplitException($"cannot make {k} {what} from {units.Count} {(grouped ? "patients (groups)" : "samples")}");

        var strata = samples.Select(s => stratify ? s.Stratum : "").Distinct().OrderBy(x => x, StringComparer.Ordinal).ToList();
        var stratumOf = samples.Select(s => strata.IndexOf(stratify ? s.Stratum : "")).ToArray();

        // Seeded shuffle, then largest groups first (they are the hardest to place).
        var order = units.OrderBy(_ => rng.Next()).OrderByDescending(u => u.Length).ToList();
        var count = new double[k, strata.Count];
        var size = new double[k];
        var foldOf = new int[samples.Count];
        foreach (var unit in order)
        {
            var v = new double[strata.Count];
            foreach (var i in unit) v[stratumOf[i]]++;
            var best = -1;
            double bestCost = double.MaxValue, bestSize = double.MaxValue;
            for (var f = 0; f < k; f++)
            {
                double cost = 0;
                for (var c = 0; c < strata.Count; c++) cost += v[c] * (count[f, c] + v[c]) / weights[f];
                var fill = (size[f] + unit.Length) / weights[f];
                if (cost < bestCost - 1e-9 || (Math.Abs(cost - bestCost) <= 1e-9 && fill < bestSize - 1e-9))
                {
                    best = f;
                    bestCost = cost;
                    bestSize = fill;
                }
            }
            foreach (var i in unit)
            {
                foldOf[i] = best;
                count[best, stratumOf[i]]++;
            }
            size[best] += unit.Length;
        }
        for (var f = 0; f < k; f++)
            if (size[f] == 0)
                throw new SplitException($"cannot make {k} {what}: fold {f} would be empty");
        return foldOf;
    }

    /// <summary>Every class must be present in every fold when stratifying a single-label task.</summary>
    public static void RequireEveryClass(IReadOnlyList<Sample> samples, int[] foldOf, int k, IReadOnlyList<string> classes, bool grouped, string what)
    {
        for (var c = 0; c < classes.Count; c++)
        {
            var members = samples.Where(s => s.Labels[0] == c).ToList();
            var units = members.Select(s => grouped ? s.Group : s.Id).Distinct().Count();
            for (var f = 0; f < k; f++)
                if (!samples.Where((s, i) => foldOf[i] == f).Any(s => s.Labels[0] == c))
                    throw new SplitException(
                        $"class '{classes[c]}' has {units} {(grouped ? "patients" : "samples")}, too few to appear in every one of {k} {what} (stratified); use fewer folds");
        }
    }
}
