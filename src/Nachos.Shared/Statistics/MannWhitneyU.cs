using System.Numerics;
using MathNet.Numerics.Distributions;

namespace Nachos.Shared.Statistics;

/// <summary>U is the statistic of the first sample (U₁ = R₁ − n₁(n₁+1)/2), as SciPy reports it. Z is null for the exact test.</summary>
public sealed record MannWhitneyResult(double U, double P, bool Exact, double? Z);

/// <summary>
/// Mann–Whitney U test, as scipy.stats.mannwhitneyu (1.10) with method='auto' and use_continuity=True: the exact
/// null distribution when the smaller sample has at most 8 values and there are no ties in the pooled sample,
/// otherwise the normal approximation with the tie-corrected variance and a continuity correction of 0.5.
/// </summary>
public static class MannWhitneyU
{
    public const int MaxExactSmallerSize = 8;

    public static MannWhitneyResult Test(IReadOnlyList<double> x, IReadOnlyList<double> y, Alternative alternative = Alternative.TwoSided)
    {
        SampleChecks.Require(x, nameof(x), 1, "Mann–Whitney U test");
        SampleChecks.Require(y, nameof(y), 1, "Mann–Whitney U test");
        var n1 = x.Count;
        var n2 = y.Count;
        var ranks = Ranks.Average([.. x, .. y], out var tieTerm);
        double r1 = 0;
        for (var i = 0; i < n1; i++) r1 += ranks[i];
        var u1 = r1 - (double)n1 * (n1 + 1) / 2;
        var u2 = (double)n1 * n2 - u1;
        var (u, factor) = alternative switch
        {
            Alternative.Greater => (u1, 1.0),
            Alternative.Less => (u2, 1.0),
            _ => (Math.Max(u1, u2), 2.0),
        };
        if (Math.Min(n1, n2) <= MaxExactSmallerSize && tieTerm == 0)
            return new MannWhitneyResult(u1, Math.Clamp(factor * ExactSurvival((long)u, n1, n2), 0, 1), true, null);

        double n = n1 + n2;
        var s = Math.Sqrt((double)n1 * n2 / 12 * (n + 1 - tieTerm / (n * (n - 1))));
        var z = (u - (double)n1 * n2 / 2 - 0.5) / s;
        return new MannWhitneyResult(u1, Math.Clamp(factor * Normal.CDF(0, 1, -z), 0, 1), false, z);
    }

    /// <summary>
    /// P(U ≥ u) under the null. The counts of U over the C(m+n, m) equally likely rankings are the coefficients of
    /// the Gaussian binomial [m+n choose m]_q, built as Π_{i=1..m} [n+i]_q / [i]_q with m the smaller size; exact in
    /// integers (the counts pass a long from about m = 8, n = 10⁴).
    /// </summary>
    private static double ExactSurvival(long u, int n1, int n2)
    {
        var m = Math.Min(n1, n2);
        var n = Math.Max(n1, n2);
        var top = (long)m * n;
        if (u <= 0) return 1;
        if (u > top) return 0;
        var poly = new BigInteger[top + 1];
        for (var k = 0; k <= top; k++) poly[k] = BigInteger.Zero;
        poly[0] = BigInteger.One;
        long degree = 0;
        for (var i = 1; i <= m; i++)
        {
            // Multiply by [n+i]_q = 1 + q + … + q^(n+i−1): a sliding window sum of width n+i.
            var width = n + i;
            var newDegree = degree + width - 1;
            var product = new BigInteger[newDegree + 1];
            var window = BigInteger.Zero;
            for (long k = 0; k <= newDegree; k++)
            {
                if (k <= degree) window += poly[k];
                if (k - width >= 0 && k - width <= degree) window -= poly[k - width];
                product[k] = window;
            }
            // Divide exactly by [i]_q: Q[k] = S[k] − (Q[k−1] + … + Q[k−i+1]).
            var quotientDegree = newDegree - (i - 1);
            var running = BigInteger.Zero;
            for (long k = 0; k <= quotientDegree; k++)
            {
                var q = product[k] - running;
                poly[k] = q;
                running += q;
                if (k - (i - 1) >= 0) running -= poly[k - (i - 1)];
            }
            degree = quotientDegree;
        }
        // P(U ≥ u) = P(U ≤ mn − u) by symmetry.
        var cumulative = BigInteger.Zero;
        var total = BigInteger.Zero;
        for (long k = 0; k <= top; k++)
        {
            total += poly[k];
            if (k <= top - u) cumulative += poly[k];
        }
        return (double)cumulative / (double)total;
    }
}
