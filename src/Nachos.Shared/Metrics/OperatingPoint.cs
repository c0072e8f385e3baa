using Nachos.Shared.Spec;

namespace Nachos.Shared.Metrics;

/// <summary>
/// A binary task's decision threshold and how it was set: by the spec's fixed value, or chosen by its rule on the inner
/// validation predictions (counted in <c>Positives</c> and <c>Negatives</c>, with the sensitivity and specificity it has on them).
/// </summary>
/// <param name="ChosenBy">The rule that chose it, in words; when the rule could not apply, why 0.5 was kept.</param>
public sealed record OperatingPoint(double Threshold, string ChosenBy, int Positives, int Negatives, double? Sensitivity, double? Specificity)
{
    /// <summary>
    /// The threshold <paramref name="rule"/> sets on predictions (truth, p of the positive class), the candidates being the
    /// distinct scores as scikit-learn's <c>roc_curve</c> takes them (positive when p ≥ threshold):
    /// Youden J: the largest TPR − FPR, ties to the highest threshold; a target sensitivity: the highest threshold whose
    /// sensitivity reaches it; a target specificity: the lowest threshold whose specificity reaches it (just above the
    /// highest score when none does). Without both classes no rule applies and 0.5 is kept, saying so.
    /// </summary>
    public static OperatingPoint Decide(ThresholdRule rule, IReadOnlyList<bool> truth, IReadOnlyList<double> scores)
    {
        if (truth.Count != scores.Count) throw new ArgumentException("truth and scores differ in length");
        var positives = truth.Count(t => t);
        var negatives = truth.Count - positives;
        OperatingPoint At(double threshold, string chosenBy)
        {
            int tp = 0, tn = 0;
            for (var i = 0; i < truth.Count; i++)
                if (truth[i] && DecisionRule.Positive(scores[i], threshold)) tp++;
                else if (!truth[i] && !DecisionRule.Positive(scores[i], threshold)) tn++;
            return new OperatingPoint(threshold, chosenBy, positives, negatives,
                positives == 0 ? null : (double)tp / positives, negatives == 0 ? null : (double)tn / negatives);
        }

        if (!rule.ChosenOnValidation) return At(rule.Value, rule.Describe());
        if (truth.Count == 0) return At(DecisionRule.DefaultThreshold, $"0.5 kept: no inner validation predictions for {rule}");
        if (positives == 0 || negatives == 0)
            return At(DecisionRule.DefaultThreshold, $"0.5 kept: the inner validation predictions hold one class only, so {rule} does not apply");

        // Distinct scores from the highest down, with the positives and negatives at or above each.
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        var candidates = new List<(double Threshold, long Tp, long Fp)>();
        long tps = 0, fps = 0;
        for (var k = 0; k < order.Length; k++)
        {
            if (truth[order[k]]) tps++;
            else fps++;
            if (k == order.Length - 1 || scores[order[k + 1]] != scores[order[k]]) candidates.Add((scores[order[k]], tps, fps));
        }

        switch (rule.Kind)
        {
            case ThresholdRuleKind.Youden:
            {
                // J·P·N = TP·N − FP·P, compared exactly so ties are ties.
                var best = candidates[0];
                foreach (var c in candidates.Skip(1))
                    if (c.Tp * negatives - c.Fp * positives > best.Tp * negatives - best.Fp * positives) best = c;
                return At(best.Threshold, rule.Describe());
            }
            case ThresholdRuleKind.Sensitivity:
                // The lowest candidate has sensitivity 1, so one always qualifies.
                return At(candidates.First(c => (double)c.Tp / positives >= rule.Value).Threshold, rule.Describe());
            default:
                var reaching = candidates.Where(c => (double)(negatives - c.Fp) / negatives >= rule.Value).ToList();
                return reaching.Count > 0
                    ? At(reaching[^1].Threshold, rule.Describe())
                    : At(Math.BitIncrement(candidates[0].Threshold), $"{rule.Describe()}: no score reaches it, so above the highest score (every inner validation sample negative)");
        }
    }
}
