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
public sealed record StudyBrief(IReadOnlyList<int> InnerSplits, SearchSpec Search, int MaxEpochs, int Seed, int MaxRetries, double MaxFailedTrials)
{
    [JsonIgnore]
    public int Folds => InnerSplits.Count;

    public static StudyBrief Of(StudySpec spec, SplitPlan plan) =>
        new(plan.Outer.Select(f => f.Inner.Count).ToList(), spec.Search, spec.Training.MaxEpochs, spec.Seed,
            spec.Execution.MaxRetries, spec.Execution.MaxFailedTrials);
}
