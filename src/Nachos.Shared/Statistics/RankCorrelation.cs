namespace Nachos.Shared.Statistics;

/// <summary>
/// How alike two rankings of the same items are: Spearman's ρ and Kendall's τ-b, both with ties handled as
/// scipy.stats.spearmanr and scipy.stats.kendalltau do. Null where SciPy gives NaN: fewer than two pairs, or a side
/// without two distinct values.
/// </summary>
public static class RankCorrelation
{
    /// <summary>Spearman's ρ: Pearson's correlation of the average ranks.</summary>
    public static double? Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Check(x, y);
        return x.Count < 2 ? null : Pearson(Ranks.Average(x), Ranks.Average(y));
    }

    /// <summary>
    /// Kendall's τ-b = (C − D) / √((n₀ − n₁)(n₀ − n₂)): C and D the concordant and discordant pairs, n₀ = n(n − 1)/2,
    /// n₁ and n₂ the pairs tied on x and on y (a pair tied on both counts in each and in neither C nor D).
    /// </summary>
    public static double? KendallTauB(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Check(x, y);
        var n = x.Count;
        if (n < 2) return null;
        double concordant = 0, discordant = 0, tiedX = 0, tiedY = 0;
        for (var i = 0; i < n; i++)
            for (var j = i + 1; j < n; j++)
            {
                var dx = Math.Sign(x[j] - x[i]);
                var dy = Math.Sign(y[j] - y[i]);
                if (dx == 0) tiedX++;
                if (dy == 0) tiedY++;
                if (dx == 0 || dy == 0) continue;
                if (dx == dy) concordant++;
                else discordant++;
            }
        var pairs = n * (n - 1) / 2.0;
        var denominator = Math.Sqrt((pairs - tiedX) * (pairs - tiedY));
        return denominator > 0 ? Math.Clamp((concordant - discordant) / denominator, -1, 1) : null;
    }

    internal static double? Pearson(double[] x, double[] y)
    {
        var mx = x.Average();
        var my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx <= 0 || syy <= 0 ? null : Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1, 1);
    }

    private static void Check(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"{x.Count} values against {y.Count}");
    }
}
