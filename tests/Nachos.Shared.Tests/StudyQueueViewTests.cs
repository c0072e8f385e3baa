using Nachos.Shared.Study;
using Nachos.Shared.Spec;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

public sealed class StudyQueueViewTests
{
    private static Hyperparameters Config(double lr) => Hyperparameters.Empty.With("learning_rate", lr);

    private static TaskSpec Split(string study, int outer, int trial, int inner) => TaskSpec.ForSplit(study, outer, trial, inner, Config(trial / 100.0), 5, 1);

    private static TaskOutcome Ok(string id, double auroc, double loss, int bestEpoch = 3) =>
        new(id, new TrainingResult(id, bestEpoch, 5, loss, new Dictionary<string, double?> { ["auroc"] = auroc, ["accuracy"] = auroc - 0.1 },
            new Dictionary<string, double?>(), "h.csv", "p.csv", 1, "cpu0"), null, 1);

    /// <summary>Study s, outer fold 0, 2 inner splits: trial 0 done, trial 1 half done (split 1 leased), trial 2 failed; study t elsewhere.</summary>
    private static QueueState State()
    {
        var s = QueueState.Empty;
        foreach (var t in new[] { Split("s", 0, 0, 0), Split("s", 0, 0, 1), Split("s", 0, 1, 0), Split("s", 0, 1, 1), Split("s", 0, 2, 0), Split("s", 0, 2, 1), Split("t", 0, 0, 0) })
            s = s.Apply(new TaskQueued(t, 0));
        return s.Apply(new TaskCompleted(Ok("s/o0/t0/s0", 0.8, 0.5)))
            .Apply(new TaskCompleted(Ok("s/o0/t0/s1", 0.6, 0.7, 5)))
            .Apply(new TaskCompleted(Ok("s/o0/t1/s0", 0.9, 0.2)))
            .Apply(new TaskCompleted(new TaskOutcome("s/o0/t2/s0", null, "oom", 1)))
            .Apply(new TaskCompleted(Ok("s/o0/t2/s1", 0.99, 0.1)));
    }

    private static readonly IReadOnlySet<string> Leased = new HashSet<string> { "s/o0/t1/s1" };

    [Fact]
    public void A_study_s_tasks_carry_their_state_and_configuration()
    {
        var tasks = State().TasksOf("s", Leased);

        Assert.Equal(6, tasks.Count);
        Assert.Equal(TaskStates.Running, tasks.Single(t => t.TaskId == "s/o0/t1/s1").State);
        Assert.Equal(TaskStates.Failed, tasks.Single(t => t.TaskId == "s/o0/t2/s0").State);
        Assert.Equal("oom", tasks.Single(t => t.TaskId == "s/o0/t2/s0").Error);
        Assert.Equal(Config(0.01), tasks.Single(t => t.TaskId == "s/o0/t1/s0").Config);
        Assert.All(tasks, t => Assert.StartsWith("s/", t.TaskId));
    }

    [Fact]
    public void Counts_by_study_split_open_tasks_into_pending_and_running()
    {
        var counts = State().Apply(new StudyPaused("u")).CountsByStudy(Leased);

        Assert.Equal(["s", "t", "u"], counts.Select(c => c.StudyId));
        Assert.Equal(new StudyCounts("s", 0, 1, 4, 1, false, false), counts[0]);
        Assert.Equal(new StudyCounts("t", 1, 0, 0, 0, false, false), counts[1]);
        Assert.Equal(new StudyCounts("u", 0, 0, 0, 0, true, false), counts[2]);
    }

    [Fact]
    public void Fold_progress_counts_tasks_of_the_planned_total_and_whole_trials()
    {
        var folds = StudyProgressView.Of(State().TasksOf("s", Leased), trials: 4, innerSplits: [2, 2]).Folds;

        Assert.Equal(2, folds.Count);
        Assert.Equal(new FoldProgress(0, 9, 4, 1, 1, 0, 2, 4, false), folds[0]);
        Assert.Equal(new FoldProgress(1, 9, 0, 0, 0, 0, 0, 4, false), folds[1]);
    }

    [Fact]
    public void Trial_rows_score_finished_trials_only_and_sort_best_first()
    {
        var rows = TrialRows.Build(State().TasksOf("s", Leased), splits: 2, metric: "auroc");

        var done = rows.Single(r => r.Trial == 0);
        Assert.Equal(TaskStates.Succeeded, done.State);
        Assert.Equal(0.7, done.Score!.Value, 12);
        Assert.Equal(0.1, done.StandardError!.Value, 12);
        Assert.Equal(4, done.MeanBestEpoch);
        Assert.Equal(0.6, done.Metrics["loss"]!.Value, 12);
        Assert.Equal(0.6, done.Metrics["accuracy"]!.Value, 12);
        Assert.Equal(Config(0.0), done.Config);

        var running = rows.Single(r => r.Trial == 1);
        Assert.Equal((TaskStates.Running, 1, (double?)null), (running.State, running.SplitsEnded, running.Score));
        var failed = rows.Single(r => r.Trial == 2);
        Assert.Equal(TaskStates.Failed, failed.State);
        Assert.Equal("s/o0/t2/s0: oom", failed.Failure);

        // A fourth, finished trial with a better score sorts first; unscored trials last, by trial.
        var better = rows.Append(done with { Trial = 3, Score = 0.9, Metrics = new Dictionary<string, double?> { ["loss"] = 0.9 } }).ToList();
        Assert.Equal([3, 0, 1, 2], TrialRows.Sort(better, TrialRows.Score, maximiseScore: true).Select(r => r.Trial));
        Assert.Equal([0, 3, 1, 2], TrialRows.Sort(better, TrialRows.Score, maximiseScore: false).Select(r => r.Trial));
        Assert.Equal([0, 3, 1, 2], TrialRows.Sort(better, TrialRows.Loss, maximiseScore: true).Select(r => r.Trial));
        Assert.True(TrialRows.IsSortKey("auroc", TaskKind.Binary));
        Assert.False(TrialRows.IsSortKey("nonsense", TaskKind.Binary));
        // A study is sorted by its own task's metrics only.
        Assert.False(TrialRows.IsSortKey("dice", TaskKind.Binary));
        Assert.True(TrialRows.IsSortKey("dice", TaskKind.Segmentation));
        Assert.True(TrialRows.IsSortKey(TrialRows.Loss, TaskKind.Segmentation));
        Assert.False(TrialRows.IsSortKey("auroc", TaskKind.Segmentation));
    }
}
