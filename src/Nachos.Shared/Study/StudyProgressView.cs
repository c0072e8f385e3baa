namespace Nachos.Shared.Study;

/// <summary>One outer fold's progress: its tasks (trials × inner splits + the refit) by state.</summary>
public sealed record FoldProgress(int Outer, int TasksTotal, int Succeeded, int Failed, int Running, int Pending, int TrialsFinished, int Trials, bool RefitDone)
{
    public int TasksEnded => Succeeded + Failed;
}

/// <summary>A study's progress from the queue's view of its tasks and the study's planned shape.</summary>
public static class StudyProgressView
{
    /// <param name="trials">search.trials of the spec.</param>
    /// <param name="innerSplits">Inner splits of each outer fold, from the split plan.</param>
    public static IReadOnlyList<FoldProgress> Folds(IReadOnlyList<TaskView> tasks, int trials, IReadOnlyList<int> innerSplits) =>
        innerSplits.Select((splits, k) =>
        {
            var fold = tasks.Where(t => t.Outer == k).ToList();
            var trialsFinished = fold.Where(t => !t.IsRefit && t.Ended).GroupBy(t => t.Trial).Count(g => g.Count() == splits);
            return new FoldProgress(k, trials * splits + 1,
                fold.Count(t => t.State == TaskStates.Succeeded), fold.Count(t => t.State == TaskStates.Failed),
                fold.Count(t => t.State == TaskStates.Running), fold.Count(t => t.State == TaskStates.Pending),
                trialsFinished, trials, fold.Any(t => t.IsRefit && t.Ended));
        }).ToList();
}
