using MathNet.Numerics.Distributions;

namespace Nachos.Shared.Statistics;

/// <summary>
/// Statistic: min(W+, W−) for the two-sided test, W+ for one-sided (as SciPy). Z is null for the exact test.
/// Count is the number of non-zero differences the ranks were taken over.
/// </summary>
public sealed record WilcoxonResult(double Statistic, double P, bool Exact, double? Z, int Count, int ZeroCount);

/// <summary>
/// Wilcoxon signed-rank test on the paired differences x − y, as scipy.stats.wilcoxon with zero_method='wilcox'
/// (zero differences dropped) and correction=True. The exact null distribution of W+ is used when there are at
/// most 50 differences, none zero and none tied in absolute value; otherwise the normal approximation with the tie
/// correction of the variance and a continuity correction of 0.5. SciPy 1.10's method='auto' also takes the exact
/// branch with tied |d| (truncating a half-integer W+); we take the normal approximation there (newer SciPy releases switch on ties as well).
/// </summary>
public static class WilcoxonSignedRank
{
    public const int MaxExactCount = 50;

    public static WilcoxonResult Test(IReadOnlyList<double> x, IReadOnlyList<double> y, Alternative alternative = Alternative.TwoSided)
    {
        SampleChecks.RequirePaired(x, y, 1, "Wilcoxon signed-rank test");
        return Test(SampleChecks.Differences(x, y), alternative);
    }

    /// <summary>On differences directly. At least one must be non-zero.</summary>
    public static WilcoxonResult Test(IReadOnlyList<double> differences, Alternative alternative = Alternative.TwoSided)
    {
        SampleChecks.Require(differences, nameof(differences), 1, "Wilcoxon signed-rank test");
        var d = differences.Where(v => v != 0).ToArray();
        var zeros = differences.Count - d.Length;
        if (d.Length == 0)
            throw new ArgumentException($"Wilcoxon signed-rank test: all {differences.Count} differences are zero; the test is undefined", nameof(differences));
        var ranks = Ranks.Average(d.Select(Math.Abs).ToArray(), out var tieTerm);
        double plus = 0, minus = 0;
        for (var i = 0; i < d.Length; i++)
            if (d[i] > 0) plus += ranks[i]; else minus += ranks[i];
        var statistic = alternative == Alternative.TwoSided ? Math.Min(plus, minus) : plus;
        var n = d.Length;

        if (zeros == 0 && tieTerm == 0 && n <= MaxExactCount)
            return new WilcoxonResult(statistic, ExactP(n, (int)plus, alternative), true, null, n, zeros);

        double nn = n;
        var mean = nn * (nn + 1) / 4;
        var se = Math.Sqrt((nn * (nn + 1) * (2 * nn + 1) - tieTerm / 2) / 24);
        var correction = alternative switch
        {
            Alternative.Less => -0.5,
            Alternative.Greater => 0.5,
            _ => 0.5 * Math.Sign(statistic - mean),
        };
        var z = (statistic - mean - correction) / se;
        var p = alternative switch
        {
            Alternative.Less => Normal.CDF(0, 1, z),
            Alternative.Greater => Normal.CDF(0, 1, -z),
            _ => 2 * Normal.CDF(0, 1, -Math.Abs(z)),
        };
        return new WilcoxonResult(statistic, p, false, z, n, zeros);
    }

    /// <summary>P-value from the exact distribution of W+ over the 2ⁿ sign patterns; the counts fit a long for n ≤ 50 (≤ 2⁵⁰).</summary>
    private static double ExactP(int n, int plus, Alternative alternative)
    {
        var max = n * (n + 1) / 2;
        var counts = new long[max + 1];
        counts[0] = 1;
        for (var k = 1; k <= n; k++)
            for (var s = k * (k + 1) / 2; s >= k; s--) counts[s] += counts[s - k];
        long below = 0, above = 0;
        for (var s = 0; s <= plus; s++) below += counts[s];
        for (var s = plus; s <= max; s++) above += counts[s];
        var total = Math.Pow(2, n);
        var p = alternative switch
        {
            Alternative.Less => below / total,
            Alternative.Greater => above / total,
            _ => plus == max / 2 ? 1.0 : 2 * Math.Min(below, above) / total,
        };
        return Math.Clamp(p, 0, 1);
    }
}
