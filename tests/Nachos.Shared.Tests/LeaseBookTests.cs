using Nachos.Shared.Queue;
using Nachos.Shared.Study;
using Nachos.Shared.TaskProcess;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

public sealed class LeaseBookTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static TaskSpec Task(int trial) =>
        TaskSpec.ForSplit("s", 0, trial, 0, Hyperparameters.Empty.With("learning_rate", 0.01), 5, 1);

    private static LeaseBook<string> Book(ManualClock clock) => new(Timeout, clock, device => device[..device.IndexOf('/')]);

    private static QueueState Queued(params TaskSpec[] tasks) =>
        tasks.Aggregate(QueueState.Empty, (s, t) => s.Apply(new TaskQueued(t, 2)));

    [Fact]
    public void A_heartbeat_s_epoch_shows_in_the_running_task_s_view_until_the_task_completes()
    {
        var book = Book(new ManualClock());
        var state = Queued(Task(0), Task(1));
        Assert.True(book.Offer("n1/gpu0", "gpu0"));
        (state, var sent) = book.Dispatch(state);
        var lease = Assert.Single(sent);
        var id = lease.Task.Task.TaskId;
        Assert.Null(state.TasksOf("s", book.Running(), book.Progress()).Single(t => t.TaskId == id).Progress);

        var epoch = new EpochProgress(2, 5, 0.5, 0.4, "val_loss", 0.4, 1);
        book.Heartbeat(id, lease.Lease, "n1/gpu0", "gpu0", state, epoch);
        book.Heartbeat(id, lease.Lease, "n1/gpu0", "gpu0", state); // none new: the last one stays
        var views = state.TasksOf("s", book.Running(), book.Progress());
        Assert.Equal(epoch, views.Single(t => t.TaskId == id).Progress);
        Assert.Null(views.Single(t => t.TaskId != id).Progress); // pending

        Assert.True(book.Complete(id, lease.Lease, state));
        Assert.Empty(book.Progress());
    }

    [Fact]
    public void A_lease_expires_after_the_timeout_without_heartbeats_and_the_task_goes_to_another_device()
    {
        var clock = new ManualClock();
        var book = Book(clock);
        var state = Queued(Task(0));
        Assert.True(book.Offer("n1/gpu0", "gpu0"));
        (state, var sent) = book.Dispatch(state);
        var lease = Assert.Single(sent);
        Assert.Equal(("n1/gpu0", 1), (lease.Device, lease.Attempt));

        clock.Advance(Timeout - TimeSpan.FromSeconds(1));
        Assert.Equal(HeartbeatOutcome.Renewed, book.Heartbeat(lease.Task.Task.TaskId, lease.Lease, "n1/gpu0", "gpu0", state));
        clock.Advance(Timeout);
        (state, var revoked) = book.Expire(state);
        Assert.Empty(revoked); // exactly the timeout since the heartbeat: not yet
        clock.Advance(TimeSpan.FromTicks(1));
        (state, revoked) = book.Expire(state);
        Assert.Equal(new Revocation<string>("n1/gpu0", lease.Task.Task.TaskId, lease.Lease), Assert.Single(revoked));

        Assert.True(book.Offer("n2/gpu0", "gpu0"));
        (state, sent) = book.Dispatch(state);
        var again = Assert.Single(sent);
        Assert.Equal("n2/gpu0", again.Device);
        Assert.True(again.Lease > lease.Lease);
        // The silent device's late result is not counted; the new holder's is, once.
        Assert.False(book.Complete(again.Task.Task.TaskId, lease.Lease, state));
        Assert.True(book.Complete(again.Task.Task.TaskId, again.Lease, state));
        Assert.False(book.Complete(again.Task.Task.TaskId, again.Lease, state));
    }

    [Fact]
    public void A_task_adopted_after_a_failover_is_not_handed_out_again_while_its_result_is_written()
    {
        // A new queue recovers the open task as pending; the device that still runs it heartbeats and keeps it.
        var book = Book(new ManualClock());
        var state = Queued(Task(0));
        var taskId = Task(0).TaskId;
        Assert.Equal(HeartbeatOutcome.Adopted, book.Heartbeat(taskId, 7, "n1/gpu0", "gpu0", state));
        // Its result arrives and is being persisted; the device asks for more work meanwhile.
        Assert.True(book.Complete(taskId, 7, state));
        Assert.True(book.Offer("n1/gpu0", "gpu0"));
        (state, var sent) = book.Dispatch(state);
        // Before, the task's stale copy in the line went to the device again: a second run, and a lease on a
        // completed task that kept the device from work until it expired.
        Assert.Empty(sent);
        book.Completed(taskId);
        state = state.Apply(new TaskCompleted(new TaskOutcome(taskId, null, null, 1)));
        Assert.Empty(book.Leases);
        Assert.Equal("n1/gpu0", Assert.Single(book.Idle).Key);
    }

    [Fact]
    public void Draining_a_node_stops_its_idle_devices_at_once_and_its_busy_ones_after_they_hand_their_task_back()
    {
        var book = Book(new ManualClock());
        var state = Queued(Task(0));
        book.Offer("n1/gpu0", "gpu0");
        (state, var sent) = book.Dispatch(state);
        book.Offer("n1/gpu1", "gpu1");
        book.Offer("n2/gpu0", "gpu0");

        Assert.Equal(["gpu0", "gpu1"], book.Drain("n1").Select(d => d.Name).Order());
        var busy = Assert.Single(sent);
        state = book.Interrupt(busy.Task.Task.TaskId, busy.Lease, state) ?? throw new InvalidOperationException("interruption refused");
        Assert.False(book.Offer("n1/gpu0", "gpu0"));
        (_, sent) = book.Dispatch(state);
        Assert.Equal("n2/gpu0", Assert.Single(sent).Device);
        Assert.Equal(["drained", "drained", "busy"], book.Devices().Select(d => d.State));
    }
}
