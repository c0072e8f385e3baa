using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

public sealed class StudyQueueStateTests
{
    private static TaskSpec Task(string study, int trial, int inner = 0) =>
        TaskSpec.ForSplit(study, 0, trial, inner, Hyperparameters.Empty.With("learning_rate", 0.01), 5, 1);

    private static QueueState Queue(QueueState s, int maxRetries, params TaskSpec[] tasks)
    {
        foreach (var t in tasks) s = s.Apply(new TaskQueued(t, maxRetries));
        return s;
    }

    /// <summary>Takes until the queue has nothing pending; returns the ids in serve order.</summary>
    private static List<string> Drain(ref QueueState s)
    {
        var served = new List<string>();
        while (true)
        {
            var (next, task) = s.Take();
            s = next;
            if (task is null) return served;
            served.Add(task.Task.TaskId);
            Assert.True(served.Count < 1000, "Take never ran dry");
        }
    }

    private static TaskOutcome Success(string id, int attempts = 1) =>
        new(id, new TrainingResult(id, 3, 5, 0.4, new Dictionary<string, double?> { ["auroc"] = 0.8 }, new Dictionary<string, double?>(), "h.csv", "p.csv", 1, "cpu0"), null, attempts);

    [Fact]
    public void Studies_are_served_in_turn_with_uneven_queues()
    {
        // Queued study by study, in an order unrelated to the study ids: c first, then a, then b.
        var s = Queue(QueueState.Empty, 2, Task("c", 0), Task("c", 1));
        s = Queue(s, 2, Task("a", 0), Task("a", 1), Task("a", 2), Task("a", 3));
        s = Queue(s, 2, Task("b", 0));
        Assert.Equal(7, s.PendingCount);

        var served = Drain(ref s);

        Assert.Equal(
            ["a/o0/t0/s0", "b/o0/t0/s0", "c/o0/t0/s0", "a/o0/t1/s0", "c/o0/t1/s0", "a/o0/t2/s0", "a/o0/t3/s0"],
            served);
        Assert.Equal(0, s.PendingCount);
    }

    [Fact]
    public void The_next_turn_goes_to_the_study_after_the_one_served_last()
    {
        var s = Queue(QueueState.Empty, 2, Task("b", 0), Task("b", 1), Task("c", 0));
        (s, var first) = s.Take();
        Assert.Equal("b/o0/t0/s0", first!.Task.TaskId);

        // Study a arrives after b was served: c's turn comes first, then a, then b again.
        s = Queue(s, 2, Task("a", 0));
        var served = Drain(ref s);

        Assert.Equal(["c/o0/t0/s0", "a/o0/t0/s0", "b/o0/t1/s0"], served);
    }

    [Fact]
    public void Studies_take_turns_in_ordinal_order_of_their_ids()
    {
        // Ordinal: "B" (0x42) < "a" (0x61) < "a-b" … ; '-' (0x2D) sorts before letters and digits.
        var s = Queue(QueueState.Empty, 2, Task("a", 0), Task("a", 1), Task("B", 0), Task("B", 1), Task("a-b", 0), Task("a-b", 1));
        var served = Drain(ref s);

        Assert.Equal(
            ["B/o0/t0/s0", "a/o0/t0/s0", "a-b/o0/t0/s0", "B/o0/t1/s0", "a/o0/t1/s0", "a-b/o0/t1/s0"],
            served);
    }

    [Fact]
    public void Within_a_study_tasks_are_served_first_in_first_out()
    {
        // Queue order differs from id order (t10 sorts before t2 ordinally).
        var s = Queue(QueueState.Empty, 2, Task("a", 10), Task("a", 2), Task("a", 2, 1), Task("a", 0));

        Assert.Equal(["a/o0/t10/s0", "a/o0/t2/s0", "a/o0/t2/s1", "a/o0/t0/s0"], Drain(ref s));
    }

    [Fact]
    public void A_failed_attempt_is_retried_until_max_retries_then_fails_with_the_attempt_count()
    {
        var id = Task("a", 0).TaskId;
        var s = Queue(QueueState.Empty, maxRetries: 2, Task("a", 0));

        // Attempt 1 fails → retry recorded.
        (s, _) = s.Take();
        var e1 = Assert.IsType<TaskAttemptRecorded>(s.AfterFailure(id, "oom 1", FailureKind.OutOfMemory));
        Assert.Equal(id, e1.TaskId);
        s = s.Apply(e1).Requeue(id);
        Assert.Equal(1, s.Attempts[id]);

        // Attempt 2 fails → second retry recorded.
        (s, var again) = s.Take();
        Assert.Equal(id, again!.Task.TaskId);
        s = s.Apply(Assert.IsType<TaskAttemptRecorded>(s.AfterFailure(id, "oom 2", FailureKind.OutOfMemory))).Requeue(id);
        Assert.Equal(2, s.Attempts[id]);

        // Attempt 3 fails → no retries left: completed with a failure after 3 attempts.
        (s, var third) = s.Take();
        Assert.Equal(id, third!.Task.TaskId);
        var done = Assert.IsType<TaskCompleted>(s.AfterFailure(id, "oom 3", FailureKind.OutOfMemory));
        Assert.False(done.Outcome.Succeeded);
        Assert.Null(done.Outcome.Result);
        Assert.Equal(id, done.Outcome.TaskId);
        Assert.Equal("oom 3", done.Outcome.Error);
        Assert.Equal(3, done.Outcome.Attempts);

        s = s.Apply(done);
        Assert.False(s.Open.ContainsKey(id));
        Assert.Equal(done.Outcome, s.Completed[id]);
        Assert.Null(s.Take().Task);
    }

    [Fact]
    public void With_no_retries_the_first_failure_is_final()
    {
        var id = Task("a", 0).TaskId;
        var s = Queue(QueueState.Empty, maxRetries: 0, Task("a", 0));

        var done = Assert.IsType<TaskCompleted>(s.AfterFailure(id, "boom", FailureKind.Crashed));

        Assert.Equal(1, done.Outcome.Attempts);
        Assert.Equal("boom", done.Outcome.Error);
    }

    [Theory]
    [InlineData(FailureKind.Diverged)]
    [InlineData(FailureKind.DataError)]
    [InlineData(FailureKind.SpecError)]
    public void A_deterministic_failure_is_final_at_the_first_attempt_whatever_the_retries_left(FailureKind kind)
    {
        var id = Task("a", 0).TaskId;
        var s = Queue(QueueState.Empty, maxRetries: 3, Task("a", 0));

        var done = Assert.IsType<TaskCompleted>(s.AfterFailure(id, "same again", kind));

        Assert.Equal(1, done.Outcome.Attempts);
        Assert.Equal(kind, done.Outcome.Kind);
        Assert.Equal($"{id}: {kind.Name()}: same again", done.Outcome.Failure);
    }

    [Theory]
    [InlineData(FailureKind.Timeout)]
    [InlineData(FailureKind.Crashed)]
    [InlineData(FailureKind.OutOfMemory)]
    [InlineData(null)] // an attempt reported without a kind (before kinds existed) is retried, as then
    public void A_transient_failure_is_retried_and_the_final_outcome_keeps_its_kind(FailureKind? kind)
    {
        var id = Task("a", 0).TaskId;
        var s = Queue(QueueState.Empty, maxRetries: 1, Task("a", 0));

        var retry = Assert.IsType<TaskAttemptRecorded>(s.AfterFailure(id, "try again", kind));
        Assert.Equal(kind, retry.Kind);
        var done = Assert.IsType<TaskCompleted>(s.Apply(retry).AfterFailure(id, "try again", kind));
        Assert.Equal(2, done.Outcome.Attempts);
        Assert.Equal(kind, done.Outcome.Kind);
    }

    [Fact]
    public void Requeue_puts_a_task_at_the_front_of_its_study_line()
    {
        var s = Queue(QueueState.Empty, 2, Task("a", 0), Task("a", 1), Task("a", 2));
        (s, var first) = s.Take();
        Assert.Equal("a/o0/t0/s0", first!.Task.TaskId);

        s = s.Requeue("a/o0/t0/s0");

        Assert.Equal(3, s.PendingCount);
        Assert.Equal(["a/o0/t0/s0", "a/o0/t1/s0", "a/o0/t2/s0"], Drain(ref s));
    }

    [Fact]
    public void Requeue_of_an_unknown_or_completed_task_does_nothing()
    {
        var s = Queue(QueueState.Empty, 2, Task("a", 0), Task("a", 1));
        (s, _) = s.Take();
        s = s.Apply(new TaskCompleted(Success("a/o0/t0/s0")));

        Assert.Same(s, s.Requeue("a/o0/t0/s0"));
        Assert.Same(s, s.Requeue("nope/o0/t0/s0"));
        Assert.Equal(["a/o0/t1/s0"], Drain(ref s));
    }

    [Fact]
    public void A_duplicate_of_an_open_task_is_ignored()
    {
        var s = Queue(QueueState.Empty, 2, Task("a", 0), Task("a", 1));
        s = s.Apply(new TaskQueued(Task("a", 0), 7));

        Assert.Equal(2, s.PendingCount);
        Assert.Equal(2, s.Open["a/o0/t0/s0"].MaxRetries);
        Assert.Equal(["a/o0/t0/s0", "a/o0/t1/s0"], Drain(ref s));

        // Still open while leased: resubmitting does not put a second copy in the line.
        s = s.Apply(new TaskQueued(Task("a", 0), 2));
        Assert.Equal(0, s.PendingCount);
        Assert.Null(s.Take().Task);
    }

    [Fact]
    public void A_duplicate_of_a_completed_task_is_ignored()
    {
        var s = Queue(QueueState.Empty, 2, Task("a", 0));
        (s, _) = s.Take();
        var outcome = Success("a/o0/t0/s0");
        s = s.Apply(new TaskCompleted(outcome));

        s = s.Apply(new TaskQueued(Task("a", 0), 2));

        Assert.Equal(0, s.PendingCount);
        Assert.False(s.Open.ContainsKey("a/o0/t0/s0"));
        Assert.Equal(outcome, s.Completed["a/o0/t0/s0"]);
        Assert.Null(s.Take().Task);
    }

    [Fact]
    public void A_task_completed_while_a_stale_copy_waits_in_the_line_is_skipped()
    {
        var s = Queue(QueueState.Empty, 2, Task("a", 0), Task("a", 1));
        // Leased, lease lost (requeued), then the first holder's result arrives anyway.
        (s, _) = s.Take();
        s = s.Requeue("a/o0/t0/s0").Apply(new TaskCompleted(Success("a/o0/t0/s0")));

        Assert.Equal(["a/o0/t1/s0"], Drain(ref s));
    }

    [Fact]
    public void A_stale_copy_does_not_cost_its_study_a_turn()
    {
        // Study a's line: [a0 (completed, stale), a1]; study b's line: [b0, b1]. Round robin starts at a,
        // so the first task served is a's next pending task a1, not b0.
        var s = Queue(QueueState.Empty, 2, Task("a", 0), Task("a", 1), Task("b", 0), Task("b", 1));
        s = s.Apply(new TaskCompleted(Success("a/o0/t0/s0")));

        Assert.Equal(["a/o0/t1/s0", "b/o0/t0/s0", "b/o0/t1/s0"], Drain(ref s));
    }

    [Fact]
    public void Snapshot_round_trip_preserves_open_tasks_attempts_and_completed_outcomes()
    {
        var s = Queue(QueueState.Empty, 3, Task("a", 0), Task("a", 1), Task("b", 0));
        s = Queue(s, 1, Task("b", 1), Task("c", 0));
        s = s.Apply(new TaskAttemptRecorded("a/o0/t1/s0", "oom"))
             .Apply(new TaskAttemptRecorded("a/o0/t1/s0", "oom"))
             .Apply(new TaskAttemptRecorded("b/o0/t1/s0", "lost"));
        var ok = Success("a/o0/t0/s0", attempts: 1);
        var failed = new TaskOutcome("c/o0/t0/s0", null, "gave up", 2);
        s = s.Apply(new TaskCompleted(ok)).Apply(new TaskCompleted(failed));
        (s, _) = s.Take(); // a lease: not durable

        var restored = QueueState.FromSnapshot(s.ToSnapshot());

        Assert.Equal(["a/o0/t1/s0", "b/o0/t0/s0", "b/o0/t1/s0"], restored.Open.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(3, restored.Open["a/o0/t1/s0"].MaxRetries);
        Assert.Equal(1, restored.Open["b/o0/t1/s0"].MaxRetries);
        Assert.Equal(Task("b", 1), restored.Open["b/o0/t1/s0"].Task);
        Assert.Equal(2, restored.Attempts["a/o0/t1/s0"]);
        Assert.Equal(1, restored.Attempts["b/o0/t1/s0"]);
        Assert.Equal(ok, restored.Completed["a/o0/t0/s0"]);
        Assert.Equal(failed, restored.Completed["c/o0/t0/s0"]);
        Assert.Equal(2, restored.Completed.Count);

        // Every open task is pending again (leases are not durable), each exactly once.
        Assert.Equal(3, restored.PendingCount);
        var r = restored;
        Assert.Equal(["a/o0/t1/s0", "b/o0/t0/s0", "b/o0/t1/s0"], Drain(ref r).Order(StringComparer.Ordinal));

        // Restored attempts count: one more failure of b/o0/t1/s0 (max 1 retry, 1 attempt recorded) is final.
        var final = Assert.IsType<TaskCompleted>(restored.AfterFailure("b/o0/t1/s0", "lost again", FailureKind.Crashed));
        Assert.Equal(2, final.Outcome.Attempts);
        Assert.IsType<TaskAttemptRecorded>(restored.AfterFailure("a/o0/t1/s0", "oom", FailureKind.OutOfMemory));

        // Completed outcomes still answer a resubmission.
        Assert.Equal(3, restored.Apply(new TaskQueued(Task("a", 0), 3)).PendingCount);

        // And a second round trip changes nothing.
        var again = QueueState.FromSnapshot(restored.ToSnapshot());
        Assert.Equal(restored.Open.Keys.Order(StringComparer.Ordinal), again.Open.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(restored.Attempts.OrderBy(kv => kv.Key, StringComparer.Ordinal), again.Attempts.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        Assert.Equal(restored.Completed.Keys.Order(StringComparer.Ordinal), again.Completed.Keys.Order(StringComparer.Ordinal));
    }
}
