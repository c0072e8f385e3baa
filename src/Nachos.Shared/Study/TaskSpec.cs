using Nachos.Shared.Tasks;

namespace Nachos.Shared.Study;

/// <summary>
/// A queued training task, small enough to persist: which split of which study (ids come from the
/// study's split plan), with what configuration. Ids are deterministic, so resubmitting is idempotent:
/// <c>study/o{k}/t{n}/s{j}</c> for trial n's inner split j (<c>…/s{j}/e{B}</c> when a scheduler's rung trains it only to epoch B),
/// <c>study/o{k}/refit</c> for the refit, <c>study/o{k}/stress</c> for the stress test of that refit (an evaluation: it carries the refit's
/// trial, configuration and epochs, so it names the refit it scores).
/// </summary>
public sealed record TaskSpec(string TaskId, string StudyId, int Outer, int Trial, int? Inner, Hyperparameters Hyperparameters, int MaxEpochs, int Seed)
{
    public bool IsRefit => Inner is null && !IsStress();

    /// <summary>The stress test of the fold's refit (docs/robustness.md). A method, not a property: properties are persisted.</summary>
    public bool IsStress() => Inner is null && TaskAddress.TryParse(TaskId, out var a) && a.IsStress;

    /// <summary>The entity that waits for this task's outcome is the outer fold (a refit, a stress test), not a trial.</summary>
    public bool OwnedByFold() => Inner is null;

    /// <summary>The task's id as an address (its folder, its owner). A method, not a property: properties are persisted.</summary>
    public TaskAddress Address() =>
        IsStress() ? TaskAddress.Stress(StudyId, Outer)
        : IsRefit ? TaskAddress.Refit(StudyId, Outer)
        : TaskAddress.InnerSplit(StudyId, Outer, Trial, Inner!.Value, Budget());

    /// <summary>The refit a stress task scores (itself for a refit).</summary>
    public TaskSpec RefitOf() => Inner is null ? Refit(StudyId, Outer, Trial, Hyperparameters, MaxEpochs, Seed) : throw new InvalidOperationException($"{TaskId} is not of a refit");

    /// <summary>The rung's epoch budget the id carries (null: train to <see cref="MaxEpochs"/>).</summary>
    public int? Budget() => TaskAddress.TryParse(TaskId, out var a) ? a.Budget : null;

    /// <summary>The entity that waits for this task's outcome: the trial, or the outer fold for a refit.</summary>
    public string Owner => Address().OwnerId;

    public static TaskSpec ForSplit(string study, int outer, int trial, int inner, Hyperparameters hp, int epochs, int seed, int? budget = null) =>
        new(TaskAddress.InnerSplit(study, outer, trial, inner, budget).ToString(), study, outer, trial, inner, hp, epochs, seed);

    public static TaskSpec Refit(string study, int outer, int trial, Hyperparameters hp, int epochs, int seed) =>
        new(TaskAddress.Refit(study, outer).ToString(), study, outer, trial, null, hp, epochs, seed);

    /// <summary>The stress test of the refit <see cref="Refit"/> makes with the same arguments.</summary>
    public static TaskSpec Stress(string study, int outer, int trial, Hyperparameters hp, int epochs, int seed) =>
        new(TaskAddress.Stress(study, outer).ToString(), study, outer, trial, null, hp, epochs, seed);
}

/// <summary>How a task ended after its attempts: a result, or the last error and its kind (null in events written before kinds).</summary>
public sealed record TaskOutcome(string TaskId, TrainingResult? Result, string? Error, int Attempts, FailureKind? Kind = null)
{
    public bool Succeeded => Result is not null;

    /// <summary>The failure as shown to people: "task id: kind: error".</summary>
    public string Failure => $"{TaskId}: {FailureKinds.Describe(Kind, Error)}";
}
