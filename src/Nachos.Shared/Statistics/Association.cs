namespace Nachos.Shared.Statistics;

/// <summary>
/// How strongly a score goes with one variable, as a share in [0, 1]: the search plots' hyperparameter importance
/// (one parameter at a time; interactions between parameters are not seen).
/// </summary>
public static class Association
{
    /// <summary>
    /// Spearman's rank correlation ρ: Pearson's correlation of the average ranks (scipy.stats.spearmanr). Null with fewer
    /// than three pairs or when either side is constant (ρ undefined).
    /// </summary>
    public static double? Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"{x.Count} values against {y.Count} scores");
        return x.Count < 3 ? null : RankCorrelation.Spearman(x, y);
    }

    /// <summary>
    /// The correlation ratio η² = Σ_g n_g (ȳ_g − ȳ)² / Σ (y − ȳ)²: the share of the score's variance between the groups.
    /// Null with fewer than three values, a single group, or constant scores.
    /// </summary>
    public static double? CorrelationRatio(IReadOnlyList<string> groups, IReadOnlyList<double> y)
    {
        if (groups.Count != y.Count) throw new ArgumentException($"{groups.Count} values against {y.Count} scores");
        if (y.Count < 3) return null;
        var mean = y.Average();
        var total = y.Sum(v => (v - mean) * (v - mean));
        var byGroup = groups.Zip(y).GroupBy(p => p.First, StringComparer.Ordinal).ToList();
        if (byGroup.Count < 2 || total <= 0) return null;
        var between = byGroup.Sum(g =>
        {
            var m = g.Average(p => p.Second);
            return g.Count() * (m - mean) * (m - mean);
        });
        return Math.Clamp(between / total, 0, 1);
    }
}
