using System.Text.Json.Serialization;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;

namespace Nachos.Shared.Study;

/// <summary>
/// What a study's entities need of its spec and split plan. The host makes it from the run directory and hands it
/// to the study in <c>StartStudy</c>; the study journals it and passes each fold its part in <c>StartFold</c>, each
/// fold passes its trials theirs, so no entity reads a file in a message handler.
/// </summary>
/// <param name="InnerSplits">Per outer fold, its number of inner splits.</param>
/// <param name="DeploySplits">The deploy fold's inner splits (DACHOS, <see cref="SplitPlan.Deploy"/>); null without one.</param>
/// <param name="Inherited">
/// The results of folds this study does not run but takes from a finished study (<c>nachos deploy</c>: the outer folds of
/// the study it deploys, unchanged); null for a study that runs all its folds.
/// </param>
/// <param name="Stress">The spec has <c>robustness:</c>: each outer fold stress-tests its refit as a task (docs/robustness.md).</param>
public sealed record StudyBrief(IReadOnlyList<int> InnerSplits, SearchSpec Search, int MaxEpochs, int Seed, int MaxRetries, double MaxFailedTrials,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? DeploySplits = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FoldResult>? Inherited = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Stress = false)
{
    /// <summary>The outer folds.</summary>
    [JsonIgnore]
    public int Folds => InnerSplits.Count;

    /// <summary>The fold entities the study runs: the outer folds, then the deploy fold if there is one.</summary>
    [JsonIgnore]
    public int FoldEntities => Folds + (DeploySplits is null ? 0 : 1);

    /// <summary>The inner splits of fold entity <paramref name="k"/>.</summary>
    public int SplitsOf(int k) => k < Folds ? InnerSplits[k] : DeploySplits ?? throw new ArgumentOutOfRangeException(nameof(k));

    public static StudyBrief Of(StudySpec spec, SplitPlan plan) =>
        new(plan.Outer.Select(f => f.Inner.Count).ToList(), spec.Search, spec.Training.MaxEpochs, spec.Seed,
            spec.Execution.MaxRetries, spec.Execution.MaxFailedTrials, plan.Deploy?.Inner.Count, Stress: spec.Robustness is not null);
}
