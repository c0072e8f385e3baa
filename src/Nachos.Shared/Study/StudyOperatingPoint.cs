using Nachos.Shared.Metrics;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Study;

/// <summary>An outer fold's decision threshold: chosen on its inner validation predictions only, applied unchanged to its outer test fold.</summary>
/// <param name="InnerPositives">Positive samples among the chosen configuration's inner validation predictions the rule saw.</param>
/// <param name="InnerSensitivity">The sensitivity at the threshold on those inner validation predictions (the outer test's is in the fold's test metrics).</param>
public sealed record FoldThreshold(int Outer, double Threshold, string ChosenBy, int InnerPositives, int InnerNegatives, double? InnerSensitivity, double? InnerSpecificity);

/// <summary>
/// The report's binary operating point when <c>evaluation.threshold</c> is not 0.5: the rule as the spec writes it, and per outer
/// fold the threshold it chose (report.json's <c>operating_point</c>; absent when the threshold is 0.5).
/// </summary>
/// <param name="Description">The rule in words; a fold whose <c>ChosenBy</c> says otherwise could not apply it.</param>
public sealed record StudyOperatingPoint(string Rule, string Description, IReadOnlyList<FoldThreshold> Folds)
{
    /// <summary>Each fold's threshold from <paramref name="validation"/>, that fold's inner validation predictions and nothing else.</summary>
    public static StudyOperatingPoint Decide(ThresholdRule rule, IEnumerable<int> outerFolds, IReadOnlyDictionary<int, IReadOnlyList<Prediction>> validation) =>
        new(rule.ToString(), rule.Describe(), outerFolds.Order().Select(k =>
        {
            var rows = validation.GetValueOrDefault(k) ?? [];
            var point = OperatingPoint.Decide(rule, rows.Select(Positive).ToList(), rows.Select(p => p.Probabilities[1]).ToList());
            return new FoldThreshold(k, point.Threshold, point.ChosenBy, point.Positives, point.Negatives, point.Sensitivity, point.Specificity);
        }).ToList());

    public double? ThresholdOf(int outer) => Folds.FirstOrDefault(f => f.Outer == outer)?.Threshold;

    /// <summary>A binary prediction's truth: the second class (the positive one).</summary>
    public static bool Positive(Prediction p) => p.Labels[0] == 1;
}
