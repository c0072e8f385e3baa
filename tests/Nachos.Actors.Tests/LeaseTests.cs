using System.Collections.Concurrent;
using Akka.Actor;
using Nachos.Actors.Entities;
using Nachos.Actors.Messages;
using Nachos.Actors.Node;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Actors.Tests;

/// <summary>
/// The work queue's leases on a real embedded node (no device actors of its own): hand-made devices
/// take work, heartbeat or fall silent, and report late.
/// </summary>
public sealed class LeaseTests
{
    /// <summary>A device played by the test: records what the queue sends it.</summary>
    private sealed class FakeDevice : ReceiveActor
    {
        public FakeDevice(ConcurrentQueue<object> inbox) => ReceiveAny(inbox.Enqueue);
    }

    private sealed record Device(IActorRef Ref, ConcurrentQueue<object> Inbox)
    {
        public T Await<T>(TimeSpan timeout, Func<T, bool>? where = null)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline)
            {
                if (Inbox.ToArray().OfType<T>().FirstOrDefault(m => where?.Invoke(m) ?? true) is { } found) return found;
                Thread.Sleep(20);
            }
            throw new TimeoutException($"no {typeof(T).Name} within {timeout}; got {string.Join(", ", Inbox)}");
        }
    }

    private static readonly TaskSpec Task = TaskSpec.ForSplit("sim", 0, 0, 0, Hyperparameters.Empty.With("learning_rate", 0.01), 5, 1);

    private static TrainingResult Result(string device) =>
        new(Task.TaskId, 1, 2, 0.5, new Dictionary<string, double?>(), new Dictionary<string, double?>(), "history.csv", "predictions.csv", 0.1, device);

    private static Device NewDevice(NachosNode node)
    {
        var inbox = new ConcurrentQueue<object>();
        return new Device(node.System.ActorOf(Props.Create(() => new FakeDevice(inbox))), inbox);
    }

    /// <summary>Results are persisted asynchronously: the status shows them once written.</summary>
    private static async Task<QueueStatus> StatusOnce(NachosNode node, Func<QueueStatus, bool> settled)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var status = await node.Queue.Ask<QueueStatus>(GetQueueStatus.Instance, TimeSpan.FromSeconds(10));
            if (settled(status) || DateTime.UtcNow > deadline) return status;
            await System.Threading.Tasks.Task.Delay(50);
        }
    }

    private static async Task<NachosNode> Start(SimulatedStudy study, string runDir, string leaseTimeout = "1s")
    {
        var catalog = new SingleStudyCatalog(study.Context(runDir));
        return await NachosNode.Start(new NodeOptions { WorkDir = runDir, Devices = [], Roles = [NodeOptions.Coordinator], Overrides = $"nachos.lease-timeout = {leaseTimeout}" },
            catalog, new Devices.SimulatedExecutor(catalog));
    }

    [Fact]
    public async Task A_silent_lease_expires_the_task_goes_to_another_device_and_the_late_result_is_ignored()
    {
        using var study = new SimulatedStudy();
        var runDir = study.RunDir("leases");
        await using var node = await Start(study, runDir);
        var silent = NewDevice(node);
        node.Queue.Tell(new SubmitTask(Task, 0));
        node.Queue.Tell(new RequestWork("silent"), silent.Ref);
        var first = silent.Await<WorkAssigned>(TimeSpan.FromSeconds(10));

        var beating = NewDevice(node);
        node.Queue.Tell(new RequestWork("beating"), beating.Ref);
        // No heartbeat from the silent device: after the 1-s lease timeout the task moves.
        var second = beating.Await<WorkAssigned>(TimeSpan.FromSeconds(10));
        Assert.Equal(Task.TaskId, second.Task.TaskId);
        Assert.NotEqual(first.Lease, second.Lease);
        node.Queue.Tell(new LeaseHeartbeat(Task.TaskId, second.Lease, "beating"), beating.Ref);
        silent.Await<LeaseRevoked>(TimeSpan.FromSeconds(5), r => r.Lease == first.Lease);

        // The late result of the expired lease does not count; the current lease's does, once.
        node.Queue.Tell(new TaskSucceeded(Task.TaskId, first.Lease, Result("silent")), silent.Ref);
        var status = await node.Queue.Ask<QueueStatus>(GetQueueStatus.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal((0, 1), (status.Completed, status.Running));
        node.Queue.Tell(new TaskSucceeded(Task.TaskId, second.Lease, Result("beating")), beating.Ref);
        node.Queue.Tell(new TaskSucceeded(Task.TaskId, second.Lease, Result("beating")), beating.Ref);
        status = await StatusOnce(node, s => s.Completed > 0);
        Assert.Equal((1, 0, 0), (status.Completed, status.Running, status.Pending));
        await System.Threading.Tasks.Task.Delay(300);
        Assert.Equal(1, (await StatusOnce(node, _ => true)).Completed);
    }

    [Fact]
    public async Task A_heartbeating_lease_is_kept_and_a_new_queue_adopts_it_instead_of_running_the_task_again()
    {
        using var study = new SimulatedStudy();
        var runDir = study.RunDir("adopt");
        long lease;
        // A lease timeout of 12 heartbeat periods: a loaded machine may delay a heartbeat by seconds.
        await using (var node = await Start(study, runDir, "3s"))
        {
            var device = NewDevice(node);
            node.Queue.Tell(new SubmitTask(Task, 0));
            node.Queue.Tell(new RequestWork("d"), device.Ref);
            lease = device.Await<WorkAssigned>(TimeSpan.FromSeconds(10)).Lease;
            // Two lease timeouts of heartbeats: the lease stays.
            for (var i = 0; i < 24; i++)
            {
                node.Queue.Tell(new LeaseHeartbeat(Task.TaskId, lease, "d"), device.Ref);
                await System.Threading.Tasks.Task.Delay(250);
            }
            Assert.Empty(device.Inbox.OfType<LeaseRevoked>());
            Assert.Equal(1, (await node.Queue.Ask<QueueStatus>(GetQueueStatus.Instance, TimeSpan.FromSeconds(10))).Running);
        }

        // A new queue (as after a failover) recovers the open task; the running device re-announces its lease.
        await using (var node = await Start(study, runDir, "3s"))
        {
            var survivor = NewDevice(node);
            node.Queue.Tell(new LeaseHeartbeat(Task.TaskId, lease, "d"), survivor.Ref);
            var idle = NewDevice(node);
            node.Queue.Tell(new RequestWork("idle"), idle.Ref);
            await System.Threading.Tasks.Task.Delay(500);
            Assert.Empty(idle.Inbox.OfType<WorkAssigned>());
            node.Queue.Tell(new TaskSucceeded(Task.TaskId, lease, Result("d")), survivor.Ref);
            var status = await StatusOnce(node, s => s.Completed > 0);
            Assert.Equal((1, 0, 0), (status.Completed, status.Running, status.Pending));
        }
    }
}
