namespace Nachos.Shared.Study;

/// <summary>One outer fold's progress: its tasks (trials × inner splits + the refit) by state.</summary>
public sealed record FoldProgress(int Outer, int TasksTotal, int Succeeded, int Failed, int Running, int Pending, int TrialsFinished, int Trials, bool RefitDone)
{
    public int TasksEnded => Succeeded + Failed;
}

/// <summary>A running task and its latest finished epoch (null before the first).</summary>
public sealed record RunningTask(string TaskId, int Outer, int Attempts, int? Epoch, int? MaxEpochs)
{
    /// <summary>"epoch 3/20", or "-" before the first finished epoch.</summary>
    public string EpochText() => Epoch is { } e ? $"epoch {e}/{MaxEpochs}" : "-";
}

/// <summary>
/// A study's progress: tasks ended (succeeded or failed) of the planned total, failed, per outer fold, and the
/// running tasks with their epochs. The one model <c>nachos run</c>, <c>study watch</c> and the live study page show.
/// </summary>
public sealed record StudyProgressView(int TasksEnded, int TasksTotal, int Failed, IReadOnlyList<FoldProgress> Folds, IReadOnlyList<RunningTask> Running)
{
    public double Fraction => TasksTotal == 0 ? 0 : Math.Min(1, TasksEnded / (double)TasksTotal);

    /// <summary>"12/36 tasks ended, 2 running, 1 failed".</summary>
    public string Summary() => $"{TasksEnded}/{TasksTotal} tasks ended, {Running.Count} running, {Failed} failed";

    /// <summary>Trials × inner splits + one refit per outer fold.</summary>
    public static int PlannedTasks(int trials, IReadOnlyList<int> innerSplits) => innerSplits.Sum(j => trials * j + 1);

    /// <param name="tasks">The queue's view of the study's tasks.</param>
    /// <param name="trials">search.trials of the spec.</param>
    /// <param name="innerSplits">Inner splits of each outer fold, from the split plan (empty when the plan cannot be read: no folds, total 0).</param>
    public static StudyProgressView Of(IReadOnlyList<TaskView> tasks, int trials, IReadOnlyList<int> innerSplits) =>
        new(tasks.Count(t => t.Ended), PlannedTasks(trials, innerSplits), tasks.Count(t => t.State == TaskStates.Failed),
            FoldsOf(tasks, trials, innerSplits),
            tasks.Where(t => t.State == TaskStates.Running)
                .OrderBy(t => t.Outer).ThenBy(t => t.IsRefit).ThenBy(t => t.Trial).ThenBy(t => t.Inner)
                .Select(t => new RunningTask(t.TaskId, t.Outer, t.Attempts, t.Progress?.Epoch, t.Progress?.MaxEpochs))
                .ToList());

    private static IReadOnlyList<FoldProgress> FoldsOf(IReadOnlyList<TaskView> tasks, int trials, IReadOnlyList<int> innerSplits) =>
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
