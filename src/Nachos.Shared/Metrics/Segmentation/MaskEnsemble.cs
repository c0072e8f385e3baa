namespace Nachos.Shared.Metrics.Segmentation;

/// <summary>How several models' masks of one image combine into one (the synergistic segmentation rules).</summary>
public enum EnsembleRule
{
    /// <summary>Foreground where any model says so.</summary>
    Union,
    /// <summary>Foreground where every model says so.</summary>
    Intersection,
    /// <summary>Foreground where more than half of the models say so (a tie is background).</summary>
    Majority,
    /// <summary>Foreground where the mean of the models' probabilities is at least the decision threshold (0.5).</summary>
    MeanProbability,
}

public static class MaskEnsemble
{
    /// <summary>Combines the models' probability maps (each the same size) by <paramref name="rule"/>; masks are the maps at p ≥ 0.5.</summary>
    public static BinaryMask Combine(EnsembleRule rule, int height, int width, IReadOnlyList<IReadOnlyList<double>> probabilities)
    {
        if (probabilities.Count == 0) throw new ArgumentException("an ensemble needs at least one model", nameof(probabilities));
        var n = height * width;
        if (probabilities.FirstOrDefault(p => p.Count != n) is { } wrong)
            throw new ArgumentException($"a {height}×{width} probability map has {n} pixels, not {wrong.Count}", nameof(probabilities));
        var models = probabilities.Count;
        var pixels = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var votes = 0;
            var sum = 0.0;
            foreach (var p in probabilities)
            {
                if (DecisionRule.Positive(p[i])) votes++;
                sum += p[i];
            }
            pixels[i] = rule switch
            {
                EnsembleRule.Union => votes > 0,
                EnsembleRule.Intersection => votes == models,
                EnsembleRule.Majority => 2 * votes > models,
                EnsembleRule.MeanProbability => DecisionRule.Positive(sum / models),
                _ => throw new ArgumentOutOfRangeException(nameof(rule)),
            };
        }
        return new BinaryMask(height, width, pixels);
    }
}
