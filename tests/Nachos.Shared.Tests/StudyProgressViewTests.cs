using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

/// <summary>The one progress model of <c>nachos run</c>, <c>study watch</c> and the live study page, from the queue's task views.</summary>
public sealed class StudyProgressViewTests
{
    private static readonly Hyperparameters Config = Hyperparameters.Empty.With("learning_rate", 0.01);

    private static TaskOutcome Ok(string id) =>
        new(id, new TrainingResult(id, 3, 5, 0.5, new Dictionary<string, double?> { ["auroc"] = 0.8 }, new Dictionary<string, double?>(), "h.csv", "p.csv", 1, "cpu0"), null, 1);

    private static EpochProgress Epoch(int epoch, int max) => new(epoch, max, 0.7, 0.6, "val_loss", 0.6, 1.5);

    /// <summary>
    /// Study p: 2 trials; outer fold 0 has 2 inner splits, fold 1 has 1. Fold 0: trial 0 done, trial 1 with split 0 failed
    /// and split 1 running (epoch 3 of 20). Fold 1: both trials done, its refit running (no epoch yet), attempt 2.
    /// Study q's task does not count.
    /// </summary>
    private static IReadOnlyList<TaskView> Tasks()
    {
        var s = QueueState.Empty;
        foreach (var t in new[]
                 {
                     TaskSpec.ForSplit("p", 0, 0, 0, Config, 20, 1), TaskSpec.ForSplit("p", 0, 0, 1, Config, 20, 1),
                     TaskSpec.ForSplit("p", 0, 1, 0, Config, 20, 1), TaskSpec.ForSplit("p", 0, 1, 1, Config, 20, 1),
                     TaskSpec.ForSplit("p", 1, 0, 0, Config, 20, 1), TaskSpec.ForSplit("p", 1, 1, 0, Config, 20, 1),
                     TaskSpec.Refit("p", 1, 1, Config, 20, 1), TaskSpec.ForSplit("q", 0, 0, 0, Config, 20, 1),
                 })
            s = s.Apply(new TaskQueued(t, 0));
        s = s.Apply(new TaskCompleted(Ok("p/o0/t0/s0"))).Apply(new TaskCompleted(Ok("p/o0/t0/s1")))
            .Apply(new TaskCompleted(new TaskOutcome("p/o0/t1/s0", null, "diverged", 1, FailureKind.Diverged)))
            .Apply(new TaskCompleted(Ok("p/o1/t0/s0"))).Apply(new TaskCompleted(Ok("p/o1/t1/s0")));
        var refit = TaskAddress.Refit("p", 1).ToString();
        s = s.Apply(new TaskAttemptRecorded(refit, "node lost", FailureKind.Crashed));
        return s.TasksOf("p", new HashSet<string> { "p/o0/t1/s1", refit, "q/o0/t0/s0" },
            new Dictionary<string, EpochProgress> { ["p/o0/t1/s1"] = Epoch(3, 20) });
    }

    [Fact]
    public void The_time_left_is_the_measured_mean_for_each_task_not_started_and_the_uncovered_epochs_of_running_ones_shared_by_the_slots()
    {
        var progress = StudyProgressView.Of(Tasks(), trials: 2, innerSplits: [2, 1]);
        // Four tasks succeeded in 1 s each (the failed one is not a measurement); 8 planned, 5 ended, 2 running: 1 not started.
        Assert.Equal((1.0, 4), (progress.MeanTaskSeconds, progress.MeasuredTasks));
        // 1 not started × 1 s + the split at epoch 3 of 20 (0.85 s left) + the refit with no epoch yet (1 s), on 2 slots.
        Assert.Equal((1 + 0.85 + 1) / 2, progress.Eta(2)!.Value.TotalSeconds, 9);
        Assert.Equal(1 + 0.85 + 1, progress.Eta(0)!.Value.TotalSeconds, 9); // at least one slot
        Assert.Equal("elapsed 2 min 5 s, about 2 s left (mean task 1 s over 4, 2 device slots)", progress.TimeText(TimeSpan.FromSeconds(125), 2));

        var nothingMeasured = StudyProgressView.Of([], trials: 2, innerSplits: [2, 1]);
        Assert.Null(nothingMeasured.Eta(4));
        Assert.Equal("elapsed 3 s, time left not measured yet", nothingMeasured.TimeText(TimeSpan.FromSeconds(3), 4));
    }

    [Fact]
    public void Counts_tasks_ended_of_the_planned_total_with_failed_and_running()
    {
        var progress = StudyProgressView.Of(Tasks(), trials: 2, innerSplits: [2, 1]);

        Assert.Equal((5, 2 * 2 + 1 + 2 * 1 + 1, 1), (progress.TasksEnded, progress.TasksTotal, progress.Failed));
        Assert.Equal(5 / 8.0, progress.Fraction);
        Assert.Equal("5/8 tasks ended, 2 running, 1 failed", progress.Summary());
    }

    [Fact]
    public void Each_outer_fold_counts_its_own_tasks_whole_trials_and_its_refit()
    {
        var folds = StudyProgressView.Of(Tasks(), trials: 2, innerSplits: [2, 1]).Folds;

        Assert.Equal(new FoldProgress(0, 5, 2, 1, 1, 0, 1, 2, false), folds[0]);
        Assert.Equal(new FoldProgress(1, 3, 2, 0, 1, 0, 2, 2, false), folds[1]);
        Assert.Equal(3, folds[0].TasksEnded);
    }

    [Fact]
    public void Running_tasks_carry_their_latest_epoch_by_fold_trials_before_the_refit()
    {
        var running = StudyProgressView.Of(Tasks(), trials: 2, innerSplits: [2, 1]).Running;

        Assert.Equal(
            [new RunningTask("p/o0/t1/s1", 0, 0, 3, 20), new RunningTask(TaskAddress.Refit("p", 1).ToString(), 1, 1, null, null)],
            running);
        Assert.Equal(["epoch 3/20", "-"], running.Select(t => t.EpochText()));
    }

    [Fact]
    public void Without_the_plan_there_are_no_folds_and_no_total_but_the_tasks_still_count()
    {
        var progress = StudyProgressView.Of(Tasks(), trials: 0, innerSplits: []);

        Assert.Empty(progress.Folds);
        Assert.Equal((5, 0, 1, 2, 0.0), (progress.TasksEnded, progress.TasksTotal, progress.Failed, progress.Running.Count, progress.Fraction));
    }

    [Fact]
    public void Before_any_task_the_plan_gives_the_totals_and_empty_folds()
    {
        var progress = StudyProgressView.Of([], trials: 3, innerSplits: [2, 2, 2]);

        Assert.Equal(3 * (3 * 2 + 1), progress.TasksTotal);
        Assert.All(progress.Folds, f => Assert.Equal(new FoldProgress(f.Outer, 7, 0, 0, 0, 0, 0, 3, false), f));
        Assert.Equal("0/21 tasks ended, 0 running, 0 failed", progress.Summary());
    }

    [Fact]
    public void A_stress_task_counts_in_its_folds_total_and_never_as_a_trial_or_refit()
    {
        var s = QueueState.Empty;
        foreach (var t in new[] { TaskSpec.ForSplit("p", 0, 0, 0, Config, 20, 1), TaskSpec.Refit("p", 0, 0, Config, 20, 1), TaskSpec.Stress("p", 0, 0, Config, 20, 1) })
            s = s.Apply(new TaskQueued(t, 0));
        s = s.Apply(new TaskCompleted(Ok("p/o0/t0/s0"))).Apply(new TaskCompleted(Ok("p/o0/refit")));
        var tasks = s.TasksOf("p", new HashSet<string> { "p/o0/stress" });

        var stress = Assert.Single(tasks, t => t.IsStress);
        Assert.Equal(("p/o0/stress", false, TaskStates.Running), (stress.TaskId, stress.IsRefit, stress.State));
        // One trial of one split, the refit and the stress test: 3 tasks in fold 0; none in fold 1 (the deploy fold is never stressed).
        var progress = StudyProgressView.Of(tasks, trials: 1, innerSplits: [1, 1], stressed: 1);
        Assert.Equal((2, 3 + 2), (progress.TasksEnded, progress.TasksTotal));
        var fold = progress.Folds[0];
        Assert.Equal((3, 1, 1, true, 1), (fold.TasksTotal, fold.TrialsFinished, fold.Running, fold.RefitDone, fold.Trials));
        Assert.Equal(2, progress.Folds[1].TasksTotal);
        Assert.Equal(2 + 2, StudyProgressView.PlannedTasks(1, [1, 1]));
    }
}
