using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

public sealed class StudyCostTests
{
    private static TaskView Done(string id, int epochs, double seconds) =>
        new(id, TaskAddress.Parse(id).Outer, TaskAddress.Parse(id).Trial, TaskAddress.Parse(id).Split, TaskStates.Succeeded, null,
            new TaskScores(1, 0.5, new Dictionary<string, double?>(), epochs), null, 1, Seconds: seconds);

    [Fact]
    public void Rungs_add_their_seconds_count_their_training_epochs_once_and_stopped_trainings_are_priced_at_the_full_ones_mean()
    {
        var tasks = new List<TaskView>
        {
            // Trial 0 promoted to the end: a rung of 2 epochs (4 s), then the continuation to 8 (12 s).
            Done("s/o0/t0/s0/e2", 2, 4), Done("s/o0/t0/s0", 8, 12),
            // Trial 1 ran to the end without being judged... (e.g. alone in its bracket): 6 epochs, 12 s.
            Done("s/o0/t1/s0", 6, 12),
            // Trial 2 stopped at its rung of 2 epochs (4 s).
            Done("s/o0/t2/s0/e2", 2, 4),
            Done("s/o0/refit", 7, 10),
            new("s/o0/t3/s0", 0, 3, 0, TaskStates.Failed, null, null, "boom", 2, FailureKind.Crashed),
        };
        var cost = StudyCost.Of(tasks, null);

        Assert.Equal(42, cost.DeviceSeconds, 9);
        Assert.Equal(8 + 6 + 2 + 7, cost.Epochs);
        Assert.Equal(5, cost.Tasks);
        Assert.Equal([StudyCost.InnerSearch, StudyCost.Refits], cost.Stages.Select(s => s.Stage));
        Assert.Equal(32, cost.Stages[0].DeviceSeconds, 9);
        Assert.Equal(16, cost.Stages[0].Epochs);
        var saved = cost.Saved!;
        Assert.Equal(1, saved.StoppedTrainings);
        // Full trainings ran (8 + 6) / 2 = 7 epochs: 5 saved, at 32 s / 16 epochs = 2 s each.
        Assert.Equal(5, saved.EpochsSaved);
        Assert.Equal(10, saved.DeviceSecondsSaved, 9);
        Assert.Equal(10 / 42.0, saved.Share, 9);
        Assert.Contains("saved about 24 %", cost.Text());
    }

    [Fact]
    public void Without_a_scheduler_nothing_is_saved_and_the_deploy_folds_stages_are_apart()
    {
        var cost = StudyCost.Of([Done("s/o0/t0/s0", 5, 3), Done("s/o0/refit", 5, 2), Done("s/o1/t0/s0", 4, 1.5), Done("s/o1/refit", 4, 1)], deployFold: 1);
        Assert.Null(cost.Saved);
        Assert.Equal([StudyCost.InnerSearch, StudyCost.Refits, StudyCost.DeploySearch, StudyCost.FinalModel], cost.Stages.Select(s => s.Stage));
        Assert.Equal([3, 2, 1.5, 1], cost.Stages.Select(s => s.DeviceSeconds));
        Assert.DoesNotContain("scheduler", cost.Text());
    }

    [Fact]
    public void Progress_counts_a_training_once_where_its_latest_rung_stands()
    {
        var pending = new TaskView("s/o0/t0/s0", 0, 0, 0, TaskStates.Pending, null, null, null, 0);
        var view = StudyProgressView.Of([Done("s/o0/t0/s0/e2", 2, 1), pending, Done("s/o0/t1/s0/e2", 2, 1)], 2, [1]);
        Assert.Equal(3, view.TasksTotal);
        Assert.Equal(1, view.TasksEnded); // trial 0 was promoted (its full training waits); trial 1 stands at its rung
        Assert.Equal(1, view.Folds[0].Pending);
    }

    [Fact]
    public void Stress_tests_are_a_stage_of_their_own_and_not_inner_trainings()
    {
        var cost = StudyCost.Of([Done("s/o0/t0/s0", 5, 3), Done("s/o0/refit", 5, 2), Done("s/o0/stress", 0, 0.5), Done("s/o1/stress", 0, 0.25)], null);
        Assert.Equal([StudyCost.InnerSearch, StudyCost.Refits, StudyCost.StressTests], cost.Stages.Select(s => s.Stage));
        Assert.Equal([3, 2, 0.75], cost.Stages.Select(s => s.DeviceSeconds));
        Assert.Equal((10, 4), (cost.Epochs, cost.Tasks));
        Assert.Contains("stress tests 0.8 s", cost.Text());
    }
}
