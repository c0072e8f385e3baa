using Nachos.Shared.Tasks;

namespace Nachos.Shared.Study;

/// <summary>One outer fold's progress: its tasks (trials × inner splits + the refit, + its stress test with <c>robustness:</c>) by state.</summary>
/// <param name="BestScore">The best score (mean inner validation value of the search metric, in the search's direction) of the fold's trials trained in full so far; null before the first.</param>
public sealed record FoldProgress(int Outer, int TasksTotal, int Succeeded, int Failed, int Running, int Pending, int TrialsFinished, int Trials, bool RefitDone,
    double? BestScore = null)
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
/// <param name="MeanTaskSeconds">The mean measured time of the succeeded tasks (null before the first), over <paramref name="MeasuredTasks"/>.</param>
/// <param name="Retried">Tasks that needed more than one attempt (a transient failure was retried), whatever their end.</param>
/// <param name="FailedByKind">The failed tasks by failure kind (<see cref="FailureKinds"/> names; "unknown" where none was recorded).</param>
public sealed record StudyProgressView(int TasksEnded, int TasksTotal, int Failed, IReadOnlyList<FoldProgress> Folds, IReadOnlyList<RunningTask> Running,
    double? MeanTaskSeconds = null, int MeasuredTasks = 0, int Retried = 0, IReadOnlyDictionary<string, int>? FailedByKind = null)
{
    public const string UnknownKind = "unknown";

    /// <summary>"2 tasks retried; failed: 1 diverged, 1 crashed", or "" when nothing was retried or failed.</summary>
    public string RetryText()
    {
        var parts = new List<string>();
        if (Retried > 0) parts.Add($"{Retried} task{(Retried == 1 ? "" : "s")} retried");
        if (FailedByKind is { Count: > 0 } kinds)
            parts.Add("failed: " + string.Join(", ", kinds.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Value} {k.Key}")));
        return string.Join("; ", parts);
    }

    public double Fraction => TasksTotal == 0 ? 0 : Math.Min(1, TasksEnded / (double)TasksTotal);

    /// <summary>"12/36 tasks ended, 2 running, 1 failed".</summary>
    public string Summary() => $"{TasksEnded}/{TasksTotal} tasks ended, {Running.Count} running, {Failed} failed";

    /// <summary>
    /// The time left on <paramref name="devices"/> device slots from measured task times: the tasks not started take the mean
    /// measured time each, a running task the part of it its epochs have not covered, and the slots share that work. Null
    /// before a task has succeeded (nothing measured). It cannot see that a fold's refit waits for the fold's last trial,
    /// so near the end, with fewer tasks than slots, it is a lower bound.
    /// </summary>
    public TimeSpan? Eta(int devices)
    {
        if (MeanTaskSeconds is not { } mean) return null;
        var notStarted = Math.Max(0, TasksTotal - TasksEnded - Running.Count);
        var running = Running.Sum(t => t.Epoch is { } e && t.MaxEpochs is { } max && max > 0 ? mean * Math.Max(0, 1 - e / (double)max) : mean);
        return TimeSpan.FromSeconds((notStarted * mean + running) / Math.Max(1, devices));
    }

    /// <summary>"elapsed 1 min 5 s, about 2 min 10 s left (mean task 4.2 s over 12, 4 device slots)", or "elapsed …, time left not measured yet".</summary>
    public string TimeText(TimeSpan elapsed, int devices) =>
        $"elapsed {Duration(elapsed)}, " + (Eta(devices) is { } eta
            ? $"about {Duration(eta)} left (mean task {MeanTaskSeconds!.Value.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} s over {MeasuredTasks}, {devices} device slot{(devices == 1 ? "" : "s")})"
            : "time left not measured yet");

    private static string Duration(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes} min" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min {t.Seconds} s" : $"{Math.Ceiling(t.TotalSeconds)} s";

    /// <summary>Trials × inner splits + one refit per outer fold, + one stress task for each of the first <paramref name="stressed"/> folds.</summary>
    public static int PlannedTasks(int trials, IReadOnlyList<int> innerSplits, int stressed = 0) =>
        innerSplits.Select((j, k) => FoldTasks(trials, j, k, stressed)).Sum();

    private static int FoldTasks(int trials, int splits, int k, int stressed) => trials * splits + 1 + (k < stressed ? 1 : 0);

    /// <summary>The folds that stress-test their refit as a task: the outer folds (not the deploy fold) of a spec with <c>robustness:</c>.</summary>
    public static int StressedFolds(Spec.StudySpec spec, Splits.SplitPlan plan) => spec.Robustness is null ? 0 : plan.Outer.Count;

    /// <param name="tasks">The queue's view of the study's tasks.</param>
    /// <param name="trials">search.trials of the spec.</param>
    /// <param name="innerSplits">Inner splits of each outer fold, from the split plan (empty when the plan cannot be read: no folds, total 0).</param>
    /// <param name="metric">The search metric, for each fold's best score so far (none without it).</param>
    /// <param name="maximise">The search's direction.</param>
    /// <param name="stressed">The first folds that also run a stress task (<see cref="StressedFolds"/>).</param>
    public static StudyProgressView Of(IReadOnlyList<TaskView> tasks, int trials, IReadOnlyList<int> innerSplits, string? metric = null, bool maximise = true,
        int stressed = 0)
    {
        var counted = Counted(QueueViews.LatestPerTraining(tasks), trials, innerSplits, stressed);
        return counted with
        {
            // Every attempt counter, rungs included: a rung retried is a retry.
            Retried = tasks.Count(t => t.Ended ? t.Attempts > 1 : t.Attempts > 0),
            FailedByKind = tasks.Where(t => t.State == TaskStates.Failed).GroupBy(t => t.Kind?.Name() ?? UnknownKind).ToDictionary(g => g.Key, g => g.Count()),
            Folds = metric is null ? counted.Folds
                : counted.Folds.Select(f => f with { BestScore = BestScore(tasks.Where(t => t.Outer == f.Outer).ToList(), innerSplits[f.Outer], metric, maximise) }).ToList(),
        };
    }

    /// <summary>The best score of the trials whose every inner split has succeeded in full training (a rung's score is of fewer epochs: not comparable).</summary>
    private static double? BestScore(IReadOnlyList<TaskView> fold, int splits, string metric, bool maximise)
    {
        var scores = TrialRows.Build(fold, splits, metric).Where(r => r.State == TaskStates.Succeeded && r.Score is not null).Select(r => r.Score!.Value).ToList();
        return scores.Count == 0 ? null : maximise ? scores.Max() : scores.Min();
    }

    // Under a scheduler a training counts once, where its latest rung stands: ended at a rung until it is promoted.
    private static StudyProgressView Counted(IReadOnlyList<TaskView> tasks, int trials, IReadOnlyList<int> innerSplits, int stressed) =>
        new(tasks.Count(t => t.Ended), PlannedTasks(trials, innerSplits, stressed), tasks.Count(t => t.State == TaskStates.Failed),
            FoldsOf(tasks, trials, innerSplits, stressed),
            tasks.Where(t => t.State == TaskStates.Running)
                .OrderBy(t => t.Outer).ThenBy(t => t.IsStress).ThenBy(t => t.IsRefit).ThenBy(t => t.Trial).ThenBy(t => t.Inner)
                .Select(t => new RunningTask(t.TaskId, t.Outer, t.Attempts, t.Progress?.Epoch, t.Progress?.MaxEpochs))
                .ToList(),
            tasks.Where(t => t.Seconds is not null).Select(t => t.Seconds!.Value).DefaultIfEmpty(double.NaN).Average() is var m && !double.IsNaN(m) ? m : null,
            tasks.Count(t => t.Seconds is not null));

    private static IReadOnlyList<FoldProgress> FoldsOf(IReadOnlyList<TaskView> tasks, int trials, IReadOnlyList<int> innerSplits, int stressed) =>
        innerSplits.Select((splits, k) =>
        {
            var fold = tasks.Where(t => t.Outer == k).ToList();
            var trialsFinished = fold.Where(t => !t.IsRefit && !t.IsStress && t.Ended).GroupBy(t => t.Trial).Count(g => g.Count() == splits);
            return new FoldProgress(k, FoldTasks(trials, splits, k, stressed),
                fold.Count(t => t.State == TaskStates.Succeeded), fold.Count(t => t.State == TaskStates.Failed),
                fold.Count(t => t.State == TaskStates.Running), fold.Count(t => t.State == TaskStates.Pending),
                trialsFinished, trials, fold.Any(t => t.IsRefit && t.Ended));
        }).ToList();
}
