namespace Nachos.Shared.Registry;

public enum PromotionOutcome
{
    /// <summary>The challenger becomes the champion (better by the test, or the task had none).</summary>
    Promoted,

    /// <summary>The challenger is not significantly better on the champion's evaluation set.</summary>
    NotBetter,

    /// <summary>The two were evaluated on different sets (content hashes differ): no paired comparison exists.</summary>
    DifferentSet,

    /// <summary>The challenger is the champion already.</summary>
    AlreadyChampion,
}

/// <summary>
/// What <see cref="PromotionRule.Decide"/> found. <see cref="Difference"/> is challenger − champion on
/// <see cref="Metric"/> over the evaluation set, its interval at level 1 − 2α (two-sided; its better end is the
/// one-sided bound of the test at α), and the one-sided p-value of "the challenger is better". Null where no test ran.
/// </summary>
public sealed record PromotionDecision(
    PromotionOutcome Outcome,
    string Metric,
    string Test,
    double Alpha,
    double? Champion,
    double? Challenger,
    double? Difference,
    double? CiLow,
    double? CiHigh,
    double? P,
    string Reason)
{
    public bool Promoted => Outcome == PromotionOutcome.Promoted;

    /// <summary>The confidence level of the difference's interval.</summary>
    public double Level => 1 - 2 * Alpha;
}
