using MathNet.Numerics;

namespace Nachos.Shared.Statistics;

/// <summary>
/// The Friedman statistic (tie-corrected) with df = k − 1, and each method's average rank over the blocks, rank 1
/// for the best (highest score when higher is better).
/// </summary>
public sealed record FriedmanResult(double ChiSquare, double P, int DegreesOfFreedom, IReadOnlyList<double> AverageRanks, int Blocks);

/// <summary>
/// Friedman test of k methods measured on the same N blocks (data sets, folds), as scipy.stats.friedmanchisquare:
/// ranks within each block (ties share the average rank), χ² = (12/(Nk(k+1)) Σ R_j² − 3N(k+1)) / C with the tie
/// correction C = 1 − Σ(t³ − t)/(N k (k² − 1)), p from the χ²(k − 1) upper tail. Needs k ≥ 3 and N ≥ 2.
/// </summary>
public static class Friedman
{
    /// <param name="scores">scores[block][method]; every block holds one score per method.</param>
    public static FriedmanResult Test(IReadOnlyList<IReadOnlyList<double>> scores, bool higherIsBetter = true)
    {
        if (scores.Count < 2) throw new ArgumentException($"Friedman test needs at least 2 blocks; got {scores.Count}", nameof(scores));
        var k = scores[0].Count;
        if (k < 3) throw new ArgumentException($"Friedman test needs at least 3 methods; got {k}", nameof(scores));
        var n = scores.Count;
        var rankSums = new double[k];
        double ties = 0;
        for (var b = 0; b < n; b++)
        {
            if (scores[b].Count != k)
                throw new ArgumentException($"Friedman test: block {b} holds {scores[b].Count} scores, block 0 holds {k}", nameof(scores));
            SampleChecks.Require(scores[b], $"scores[{b}]", k, "Friedman test");
            var ranks = Ranks.Average(higherIsBetter ? scores[b].Select(v => -v).ToArray() : scores[b], out var tieTerm);
            ties += tieTerm;
            for (var j = 0; j < k; j++) rankSums[j] += ranks[j];
        }
        double kk = k, nn = n;
        var c = 1 - ties / (kk * (kk * kk - 1) * nn);
        if (c == 0) throw new ArgumentException("Friedman test: every block ties all methods; the statistic is undefined", nameof(scores));
        var chi = (12 / (kk * nn * (kk + 1)) * rankSums.Sum(r => r * r) - 3 * nn * (kk + 1)) / c;
        var p = SpecialFunctions.GammaUpperRegularized((k - 1) / 2.0, chi / 2);
        return new FriedmanResult(chi, p, k - 1, rankSums.Select(r => r / n).ToArray(), n);
    }
}

/// <summary>
/// Nemenyi post-hoc test after a Friedman test (Demšar 2006, §3.2.2): two methods differ at level α when their
/// average ranks differ by at least CD = q_α √(k(k+1)/(6N)), q_α being the studentized range quantile for k groups
/// and infinite df divided by √2. q_α for α = 0.05 and 0.10, k = 2..10, computed as
/// scipy.stats.studentized_range.ppf(1 − α, k, ∞)/√2 (SciPy 1.10) to six decimals; Demšar (2006), Table 5(a), prints
/// the same values to three (off by 0.001 at k = 3 and 7 for α = 0.05, and k = 5 for α = 0.10).
/// </summary>
public static class Nemenyi
{
    private static readonly double[] Q05 = [1.959964, 2.343701, 2.569032, 2.727774, 2.849705, 2.948320, 3.030878, 3.101730, 3.163684];
    private static readonly double[] Q10 = [1.644854, 2.052293, 2.291341, 2.459516, 2.588521, 2.692732, 2.779884, 2.854606, 2.919889];

    public static double Q(int methods, double alpha)
    {
        if (methods is < 2 or > 10) throw new ArgumentException($"Nemenyi test: the q table covers 2 to 10 methods; got {methods}", nameof(methods));
        return alpha switch
        {
            0.05 => Q05[methods - 2],
            0.10 => Q10[methods - 2],
            _ => throw new ArgumentException($"Nemenyi test: the q table covers alpha 0.05 and 0.10; got {alpha}", nameof(alpha)),
        };
    }

    public static double CriticalDifference(int methods, int blocks, double alpha = 0.05)
    {
        if (blocks < 1) throw new ArgumentException($"Nemenyi test needs at least 1 block; got {blocks}", nameof(blocks));
        return Q(methods, alpha) * Math.Sqrt(methods * (methods + 1.0) / (6.0 * blocks));
    }

    /// <summary>Pairs (i, j), i &lt; j, whose average ranks differ by at least the critical difference.</summary>
    public static IReadOnlyList<(int First, int Second)> SignificantPairs(FriedmanResult friedman, double alpha = 0.05)
    {
        var ranks = friedman.AverageRanks;
        var cd = CriticalDifference(ranks.Count, friedman.Blocks, alpha);
        var pairs = new List<(int, int)>();
        for (var i = 0; i < ranks.Count; i++)
            for (var j = i + 1; j < ranks.Count; j++)
                if (Math.Abs(ranks[i] - ranks[j]) >= cd) pairs.Add((i, j));
        return pairs;
    }
}
