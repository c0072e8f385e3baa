using MathNet.Numerics.Distributions;
using Nachos.Shared.Seeding;

namespace Nachos.Shared.Study;

/// <summary>Mean, SD (n − 1), SE and a two-sided 95 % t-interval of a sample.</summary>
public sealed record Summary(int Count, double Mean, double? StandardDeviation, double? StandardError, double? CiLow, double? CiHigh)
{
    /// <summary>The interval cut to a metric's range (a proportion's t-interval can pass 0 or 1 with few folds).</summary>
    public Summary Within(double low, double high) =>
        this with { CiLow = CiLow is { } l ? Math.Max(l, low) : null, CiHigh = CiHigh is { } h ? Math.Min(h, high) : null };
}

public static class Intervals
{
    public static Summary Summarise(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no values to summarise");
        var n = values.Count;
        var mean = values.Average();
        if (n < 2) return new Summary(n, mean, null, null, null, null);
        var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (n - 1));
        var se = sd / Math.Sqrt(n);
        var t = StudentT.InvCDF(0, 1, n - 1, 0.975);
        return new Summary(n, mean, sd, se, mean - t * se, mean + t * se);
    }

    /// <summary>
    /// Percentile bootstrap CI of the mean over strata (outer folds) of a per-stratum statistic, resampling
    /// whole groups (patients) with replacement within each stratum. Each outer fold's model is scored only
    /// on its own test patients, as the per-fold metrics are, so the interval describes their mean.
    /// Replicates where a statistic is undefined (null) are skipped.
    /// </summary>
    public static (double Low, double High)? BootstrapMeanByGroup<T>(IReadOnlyList<IReadOnlyList<IReadOnlyList<T>>> strata,
        Func<IReadOnlyList<T>, double?> statistic, int replicates, int seed, double level = 0.95) =>
        BootstrapMeanByGroup(strata, items => [statistic(items)], 1, replicates, seed, level)[0];

    /// <summary>The same for several statistics computed together on each resample (one CI per statistic).</summary>
    public static (double Low, double High)?[] BootstrapMeanByGroup<T>(IReadOnlyList<IReadOnlyList<IReadOnlyList<T>>> strata,
        Func<IReadOnlyList<T>, double?[]> statistics, int count, int replicates, int seed, double level = 0.95) =>
        BootstrapMeanByGroup(strata, (_, items) => statistics(items), count, replicates, seed, level);

    /// <summary>The same with a statistic that depends on its stratum (given by index), such as an outer fold's own decision threshold.</summary>
    public static (double Low, double High)?[] BootstrapMeanByGroup<T>(IReadOnlyList<IReadOnlyList<IReadOnlyList<T>>> strata,
        Func<int, IReadOnlyList<T>, double?[]> statistics, int count, int replicates, int seed, double level = 0.95)
    {
        var result = new (double, double)?[count];
        if (strata.Count == 0 || strata.Any(s => s.Count < 2)) return result;
        // One random stream per replicate, so the replicates run in parallel (a report is built at the very
        // end of a study, on the critical path) and the interval does not depend on the thread count.
        var replicate = new double?[replicates, count];
        Parallel.For(0, replicates, () => new List<T>(), (r, _, items) =>
        {
            var rng = new Random(Seeds.Derive(seed, r));
            var sums = new double[count];
            var defined = Enumerable.Repeat(true, count).ToArray();
            for (var stratum = 0; stratum < strata.Count; stratum++)
            {
                var groups = strata[stratum];
                items.Clear();
                for (var i = 0; i < groups.Count; i++) items.AddRange(groups[rng.Next(groups.Count)]);
                var v = statistics(stratum, items);
                for (var k = 0; k < count; k++)
                    if (v[k] is { } x) sums[k] += x;
                    else defined[k] = false;
            }
            for (var k = 0; k < count; k++)
                if (defined[k]) replicate[r, k] = sums[k] / strata.Count;
            return items;
        }, _ => { });
        var values = Enumerable.Range(0, count)
            .Select(k => Enumerable.Range(0, replicates).Select(r => replicate[r, k]).OfType<double>().ToList()).ToArray();
        for (var k = 0; k < count; k++)
        {
            var v = values[k];
            if (v.Count < replicates / 2) continue;
            v.Sort();
            double Quantile(double q) => v[(int)Math.Clamp(Math.Floor(q * (v.Count - 1)), 0, v.Count - 1)];
            result[k] = (Quantile((1 - level) / 2), Quantile(1 - (1 - level) / 2));
        }
        return result;
    }
}
