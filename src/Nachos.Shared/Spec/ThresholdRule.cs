using System.Globalization;

namespace Nachos.Shared.Spec;

/// <summary>How a binary task's decision threshold is set: <c>evaluation.threshold</c> (docs/spec.md).</summary>
public enum ThresholdRuleKind { Fixed, Youden, Sensitivity, Specificity }

/// <summary>
/// The rule that sets the binary decision threshold: a fixed value, or chosen per outer fold on the inner validation predictions
/// of the chosen configuration (Youden J, a target sensitivity or a target specificity; <c>Value</c> is the fixed threshold or the target).
/// </summary>
public sealed record ThresholdRule(ThresholdRuleKind Kind, double Value)
{
    /// <summary>Today's rule: positive when p ≥ 0.5.</summary>
    public static readonly ThresholdRule Default = new(ThresholdRuleKind.Fixed, Metrics.DecisionRule.DefaultThreshold);

    public bool IsDefault => this == Default;

    /// <summary>Chosen on inner validation predictions (every kind but a fixed value).</summary>
    public bool ChosenOnValidation => Kind != ThresholdRuleKind.Fixed;

    /// <summary>The rule as the spec writes it: <c>0.5</c>, <c>youden</c>, <c>sensitivity: 0.9</c>, <c>specificity: 0.9</c>.</summary>
    public override string ToString() => Kind switch
    {
        ThresholdRuleKind.Fixed => Number(Value),
        ThresholdRuleKind.Youden => "youden",
        ThresholdRuleKind.Sensitivity => $"sensitivity: {Number(Value)}",
        _ => $"specificity: {Number(Value)}",
    };

    /// <summary>The rule in words, as the report states it.</summary>
    public string Describe() => Kind switch
    {
        ThresholdRuleKind.Fixed => $"fixed threshold {Number(Value)}",
        ThresholdRuleKind.Youden => "Youden J (the largest sensitivity + specificity - 1) on the chosen configuration's inner validation predictions",
        ThresholdRuleKind.Sensitivity => $"the highest threshold with sensitivity >= {Number(Value)} on the chosen configuration's inner validation predictions",
        _ => $"the lowest threshold with specificity >= {Number(Value)} on the chosen configuration's inner validation predictions",
    };

    private static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
