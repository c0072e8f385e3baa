namespace Nachos.Shared.Metrics.Segmentation;

/// <summary>One image of an ensemble evaluation: each rule's Dice and each model's Dice.</summary>
public sealed record EnsembleImage(string Id, IReadOnlyDictionary<EnsembleRule, double> RuleDice, IReadOnlyList<double> ModelDice)
{
    /// <summary>The best model's Dice on this image: known only with the truth, so an optimistic upper bound.</summary>
    public double Oracle => ModelDice.Max();
}

/// <summary>
/// Several models' foreground probability maps on the same images scored against the truth: the mean per-image Dice
/// of every <see cref="EnsembleRule"/>, of every model alone, and of the per-image best model (the oracle).
/// </summary>
public sealed record EnsembleScores(IReadOnlyList<EnsembleImage> Images)
{
    public double RuleMean(EnsembleRule rule) => Images.Average(i => i.RuleDice[rule]);

    public double ModelMean(int model) => Images.Average(i => i.ModelDice[model]);

    public double OracleMean => Images.Average(i => i.Oracle);

    /// <summary>
    /// The rule with the highest mean Dice; ties go to the first in <see cref="EnsembleRule"/>'s order. Chosen on
    /// validation images and then applied unchanged to test images, so the test Dice of the choice is not optimistic.
    /// </summary>
    public EnsembleRule Best() => Enum.GetValues<EnsembleRule>().Aggregate((best, rule) => RuleMean(rule) > RuleMean(best) ? rule : best);

    /// <param name="truth">Per image, its true foreground mask (height × width).</param>
    /// <param name="models">Per model, per image id, its foreground probability map (height × width).</param>
    public static EnsembleScores Evaluate(int height, int width, IReadOnlyDictionary<string, bool[]> truth, IReadOnlyList<IReadOnlyDictionary<string, double[]>> models)
    {
        if (models.Count == 0) throw new ArgumentException("an ensemble needs at least one model", nameof(models));
        if (truth.Count == 0) throw new ArgumentException("no image to score", nameof(truth));
        var images = new List<EnsembleImage>();
        foreach (var (id, mask) in truth.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var maps = models.Select((m, k) => m.TryGetValue(id, out var p) ? p
                : throw new ArgumentException($"model {k + 1} has no probability map of image '{id}'")).ToList();
            var truthMask = new BinaryMask(height, width, mask);
            var rules = Enum.GetValues<EnsembleRule>().ToDictionary(r => r, r => Dice(truthMask, MaskEnsemble.Combine(r, height, width, maps)));
            var alone = maps.Select(p => Dice(truthMask, MaskEnsemble.Combine(EnsembleRule.Union, height, width, [p]))).ToList();
            images.Add(new EnsembleImage(id, rules, alone));
        }
        return new EnsembleScores(images);
    }

    /// <summary>Dice as <see cref="MaskMetrics"/> defines it (both empty: 1), without the surface distances.</summary>
    public static double Dice(BinaryMask truth, BinaryMask predicted)
    {
        long tp = 0, fp = 0, fn = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            if (truth[i] && predicted[i]) tp++;
            else if (predicted[i]) fp++;
            else if (truth[i]) fn++;
        }
        return tp + fp + fn == 0 ? 1 : 2.0 * tp / (2.0 * tp + fp + fn);
    }
}
