using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

public sealed class StudyQueueControlTests
{
    private static TaskSpec Task(string study, int trial, int inner = 0) =>
        TaskSpec.ForSplit(study, 0, trial, inner, Hyperparameters.Empty.With("learning_rate", 0.01), 5, 1);

    private static QueueState Queue(params TaskSpec[] tasks) =>
        tasks.Aggregate(QueueState.Empty, (s, t) => s.Apply(new TaskQueued(t, 1)));

    private static List<string> Drain(ref QueueState s)
    {
        var served = new List<string>();
        while (s.Take() is ({ } next, { } task))
        {
            s = next;
            served.Add(task.Task.TaskId);
        }
        return served;
    }

    private static QueueState Do(QueueState s, string study, StudyControl control)
    {
        var (e, refusal) = s.Decide(study, control);
        Assert.Null(refusal);
        return e is null ? s : s.Apply(e);
    }

    [Fact]
    public void A_paused_study_is_not_served_and_the_others_go_on_until_it_is_resumed()
    {
        var s = Queue(Task("a", 0), Task("a", 1), Task("b", 0), Task("b", 1));
        s = Do(s, "a", StudyControl.Pause);

        Assert.Equal(["b/o0/t0/s0", "b/o0/t1/s0"], Drain(ref s));
        Assert.Equal(2, s.PendingCount); // a's tasks wait in their line

        s = Do(s, "a", StudyControl.Resume);
        Assert.Equal(["a/o0/t0/s0", "a/o0/t1/s0"], Drain(ref s));
    }

    [Fact]
    public void Pause_and_resume_are_idempotent()
    {
        var s = Do(Queue(Task("a", 0)), "a", StudyControl.Pause);
        Assert.Null(s.Decide("a", StudyControl.Pause).Event);
        s = Do(s, "a", StudyControl.Resume);
        Assert.Null(s.Decide("a", StudyControl.Resume).Event);
        Assert.Empty(s.Paused);
    }

    [Fact]
    public void A_cancelled_study_is_never_served_again_and_cannot_be_resumed_or_paused()
    {
        var s = Do(Queue(Task("a", 0), Task("b", 0)), "a", StudyControl.Cancel);

        Assert.Equal(["b/o0/t0/s0"], Drain(ref s));
        Assert.Equal("study a is cancelled", s.Decide("a", StudyControl.Resume).Refusal);
        Assert.NotNull(s.Decide("a", StudyControl.Pause).Refusal);
        Assert.Null(s.Decide("a", StudyControl.Cancel).Event);
        // Even a resume event that slipped into the journal leaves it cancelled.
        s = s.Apply(new StudyResumed("a"));
        Assert.Contains("a", s.Paused);
        Assert.Null(s.Take().Task);
    }

    [Fact]
    public void Pauses_cancellations_and_completed_specs_survive_a_snapshot()
    {
        var s = Queue(Task("a", 0), Task("b", 0), Task("c", 0));
        s = Do(Do(s, "a", StudyControl.Pause), "b", StudyControl.Cancel);
        s = s.Apply(new TaskCompleted(new TaskOutcome("c/o0/t0/s0", null, "boom", 1)));

        var restored = QueueState.FromSnapshot(s.ToSnapshot());

        Assert.Equal(["a", "b"], restored.Paused.Order(StringComparer.Ordinal));
        Assert.Equal(["b"], restored.Cancelled);
        Assert.Equal(Task("c", 0), restored.CompletedTasks["c/o0/t0/s0"]);
        Assert.Null(restored.Take().Task);
    }

    [Fact]
    public void A_snapshot_written_before_pauses_existed_restores_with_none()
    {
        var old = new QueueSnapshot([new TaskQueued(Task("a", 0), 1)], new Dictionary<string, int>(), []);
        var restored = QueueState.FromSnapshot(old);
        Assert.Empty(restored.Paused);
        Assert.Equal("a/o0/t0/s0", restored.Take().Task!.Task.TaskId);
    }
}
