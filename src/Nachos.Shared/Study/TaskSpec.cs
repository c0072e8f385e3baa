using Nachos.Shared.Tasks;

namespace Nachos.Shared.Study;

/// <summary>
/// A queued training task, small enough to persist: which split of which study (ids come from the
/// study's split plan), with what configuration. Ids are deterministic, so resubmitting is idempotent:
/// <c>study/o{k}/t{n}/s{j}</c> for trial n's inner split j, <c>study/o{k}/refit</c> for the refit.
/// </summary>
public sealed record TaskSpec(string TaskId, string StudyId, int Outer, int Trial, int? Inner, Hyperparameters Hyperparameters, int MaxEpochs, int Seed)
{
    public bool IsRefit => Inner is null;

    /// <summary>The entity that waits for this task's outcome: the trial, or the outer fold for a refit.</summary>
    public string Owner => IsRefit ? Ids.Fold(StudyId, Outer) : Ids.Trial(StudyId, Outer, Trial);

    public static TaskSpec ForSplit(string study, int outer, int trial, int inner, Hyperparameters hp, int epochs, int seed) =>
        new(Ids.Task(study, outer, trial, inner), study, outer, trial, inner, hp, epochs, seed);

    public static TaskSpec Refit(string study, int outer, int trial, Hyperparameters hp, int epochs, int seed) =>
        new(Ids.Refit(study, outer), study, outer, trial, null, hp, epochs, seed);
}

/// <summary>How a task ended after its attempts: a result, or the last error and its kind (null in events written before kinds).</summary>
public sealed record TaskOutcome(string TaskId, TrainingResult? Result, string? Error, int Attempts, FailureKind? Kind = null)
{
    public bool Succeeded => Result is not null;

    /// <summary>The failure as shown to people: "task id: kind: error".</summary>
    public string Failure => $"{TaskId}: {FailureKinds.Describe(Kind, Error)}";
}

/// <summary>Entity and task ids.</summary>
public static class Ids
{
    public static string Fold(string study, int outer) => $"{study}/o{outer}";
    public static string Trial(string study, int outer, int trial) => $"{study}/o{outer}/t{trial}";
    public static string Task(string study, int outer, int trial, int inner) => $"{study}/o{outer}/t{trial}/s{inner}";
    public static string Refit(string study, int outer) => $"{study}/o{outer}/refit";
}
