using Nachos.Host.Contract;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Host.Application;

/// <summary>The API's documents built from the queue's task views and the study's shape (pure: no queue, no files).</summary>
public static class StudyViews
{
    public static IReadOnlyList<FoldInfo> FoldInfos(StudyProgressView progress) =>
        progress.Folds.Select(f => new FoldInfo(f.Outer, f.TasksEnded, f.TasksTotal, f.Succeeded, f.Failed, f.Running, f.Pending, f.TrialsFinished, f.Trials, f.RefitDone, f.BestScore)).ToList();

    /// <summary>The tasks of one outer fold (or all) in one state (or any), by fold, trials before the refit before the stress test, trial and inner split.</summary>
    public static IReadOnlyList<TaskInfo> TaskInfos(IReadOnlyList<TaskView> tasks, int? outer, string? state) =>
        tasks.Where(t => (outer is null || t.Outer == outer) && (state is null || t.State == state))
            .OrderBy(t => t.Outer).ThenBy(t => t.IsStress).ThenBy(t => t.IsRefit).ThenBy(t => t.Trial).ThenBy(t => t.Inner)
            .Select(t => new TaskInfo(t.TaskId, t.Outer, t.Trial, t.Inner, t.State, t.Attempts, t.Scores?.BestEpoch, t.Error, t.Kind,
                t.Progress?.Epoch, t.Progress?.MaxEpochs))
            .ToList();

    /// <summary>The trials of one outer fold (or all), sorted; configurations the queue no longer holds come from the report.</summary>
    public static IReadOnlyList<TrialInfo> TrialInfos(StudyReport? report, StudyShape shape, IReadOnlyList<TaskView> tasks, int? outer, string sort)
    {
        var rows = Enumerable.Range(0, shape.InnerSplits.Count)
            .Where(k => outer is null || k == outer)
            .SelectMany(k => TrialRows.Build(tasks.Where(t => t.Outer == k).ToList(), shape.InnerSplits[k], shape.Spec.Search.Metric)).ToList();
        var ranks = TrialRows.Rank(rows, sort, shape.Spec.Search.Maximise);
        return TrialRows.Sort(rows, sort, shape.Spec.Search.Maximise).Select(r =>
        {
            var reported = report?.Folds.FirstOrDefault(f => f.Outer == r.Outer);
            var trial = reported?.Trials.FirstOrDefault(t => t.Trial == r.Trial);
            var config = r.Config ?? trial?.Config;
            // Paused at a rung: the report, once there, says whether the scheduler stopped it there.
            var state = r.State == TrialRows.Paused && trial is { Stopped: true } ? TrialRows.Stopped : r.State;
            return new TrialInfo(r.Outer, r.Trial, config?.Values, r.RungEpoch is { } e ? $"{state} at epoch {e}" : state, r.SplitsEnded, r.Splits, r.Score, r.StandardError, r.MeanBestEpoch,
                r.Metrics, reported?.ChosenTrial == r.Trial, r.Failure, r.FailureKind, ranks[(r.Outer, r.Trial)]);
        }).ToList();
    }

    /// <summary>The trial table of a trial list (<c>nachos trial list</c>'s and the dashboard's <c>trials.csv</c>): ranked within each outer fold.</summary>
    public static TrialTable Table(TrialList list) =>
        TrialTable.Of(list.Id, list.Metric, list.Sort, list.Trials.Select(t => new TrialTableRow(t.Outer, t.Rank, t.Trial, t.Chosen,
            t.State, t.SplitsEnded, t.Splits, t.Score, t.StandardError,
            t.Metrics.GetValueOrDefault(TrialRows.Loss), t.MeanBestEpoch, t.Config ?? new Dictionary<string, string>(), t.Failure, t.FailureKind?.Name())));

    /// <summary>The wire's progress of a study from the model (the study list's comes from the queue's counts instead).</summary>
    /// <param name="started">When the study was stored.</param>
    /// <param name="devices">Device slots that take work.</param>
    public static ProgressInfo ProgressInfo(StudyProgressView progress, DateTimeOffset? started, int? devices) =>
        new(progress.TasksEnded, progress.TasksTotal, progress.Running.Count, progress.Failed,
            progress.MeanTaskSeconds, progress.MeasuredTasks, started, devices, progress.Retried, progress.FailedByKind);
}
