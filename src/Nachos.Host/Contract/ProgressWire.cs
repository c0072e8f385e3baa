using Nachos.Shared.Study;

namespace Nachos.Host.Contract;

/// <summary>The progress model (<see cref="StudyProgressView"/>) back from the documents the API sends of it.</summary>
public static class ProgressWire
{
    /// <param name="tasks">The study's tasks (of any state): its running ones are the model's running tasks.</param>
    public static StudyProgressView ProgressView(this StudyDetail study, IReadOnlyList<TaskInfo> tasks) =>
        new(study.Progress.TasksEnded, study.Progress.TasksTotal, study.Progress.Failed,
            study.Folds.Select(f => new FoldProgress(f.Outer, f.TasksTotal, f.Succeeded, f.Failed, f.Running, f.Pending, f.TrialsFinished, f.Trials, f.RefitDone, f.BestScore)).ToList(),
            tasks.Where(t => t.State == TaskStates.Running).Select(t => new RunningTask(t.TaskId, t.Outer, t.Attempts, t.Epoch, t.MaxEpochs)).ToList(),
            study.Progress.MeanTaskSeconds, study.Progress.MeasuredTasks, study.Progress.Retried, study.Progress.FailedByKind);

    /// <summary>Time since the study was stored (zero when the node did not say), and "elapsed …, about … left" as <c>nachos run</c> shows it.</summary>
    public static string TimeText(this StudyDetail study, StudyProgressView progress, DateTimeOffset now) =>
        progress.TimeText(study.Progress.Started is { } started && now > started ? now - started : TimeSpan.Zero, study.Progress.Devices ?? 1);
}
