using Nachos.Shared.Metrics.Segmentation;

namespace Nachos.Shared.Study;

/// <summary>
/// A study's outer-fold refits applied to an external set: every rule, every refit and the per-image oracle on its
/// images, and the rule applied (<see cref="Vote"/>).
/// </summary>
/// <param name="Refits">The outer folds whose refits are the models, in the models' order.</param>
/// <param name="Votes">Per rule, how many outer folds chose it on inner validation (empty when none could choose).</param>
public sealed record ExternalEnsemble(IReadOnlyList<int> Refits, IReadOnlyDictionary<EnsembleRule, int> Votes, EnsembleRule Applied, EnsembleScores Scores)
{
    /// <summary>The estimate on the external set: the applied rule's mean per-image Dice.</summary>
    public double Dice => Scores.RuleMean(Applied);

    /// <summary>
    /// The rule the outer folds chose most often on their inner validation images (each fold's top-trial ensemble,
    /// <see cref="FoldEnsembles"/>); ties by <see cref="EnsembleRule"/>'s order. With no fold able to choose (none has two
    /// finished trials), mean probability: the rule that needs no choice of how many models must agree.
    /// </summary>
    public static EnsembleRule Vote(IEnumerable<EnsembleRule> chosen)
    {
        var counts = chosen.GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count());
        return counts.Count == 0 ? EnsembleRule.MeanProbability
            : Enum.GetValues<EnsembleRule>().Where(counts.ContainsKey).OrderByDescending(r => counts[r]).First();
    }

    /// <param name="chosen">Each outer fold's rule chosen on inner validation (folds that could not choose left out).</param>
    /// <param name="refits">Per outer fold, its refit's foreground probability map of each external image.</param>
    /// <param name="truth">Each external image's true foreground mask.</param>
    public static ExternalEnsemble Evaluate(int height, int width, IReadOnlyList<EnsembleRule> chosen,
        IReadOnlyList<(int Outer, IReadOnlyDictionary<string, double[]> Maps)> refits, IReadOnlyDictionary<string, bool[]> truth)
    {
        if (refits.Count < 2) throw new ArgumentException($"an ensemble of refits needs at least two outer folds' refits, found {refits.Count}", nameof(refits));
        var votes = chosen.GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count());
        var scores = EnsembleScores.Evaluate(height, width, truth, refits.Select(r => r.Maps).ToList());
        return new ExternalEnsemble(refits.Select(r => r.Outer).ToList(), votes, Vote(chosen), scores);
    }
}
