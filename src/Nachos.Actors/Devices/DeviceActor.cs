using Akka.Actor;
using Nachos.Actors.Storage;
using Nachos.Actors.Messages;
using Nachos.Shared.TaskProcess;
using Nachos.Shared.Tasks;

namespace Nachos.Actors.Devices;

/// <summary>Published on the node's event stream when a device starts a task attempt (logs, metrics).</summary>
public sealed record DeviceStartedTask(string Device, string TaskId, int Attempt);

/// <summary>
/// Owns one device (a GPU, or a CPU slot): asks the queue for work, runs each task on its own long-lived
/// thread through the executor, heartbeats the lease while it runs, reports the result or the failure,
/// and asks again. Each heartbeat carries the task's latest finished epoch (for the tasks API). While idle it repeats its request every few seconds, so a restarted or moved queue
/// learns about it. A revoked lease interrupts the task; a drain (the node is leaving) interrupts it and
/// hands it back at once, after the executor has checkpointed it.
/// </summary>
public sealed class DeviceActor : ReceiveActor, IWithTimers
{
    private sealed record Running(WorkAssigned Work, CancellationTokenSource Cancel, long Started)
    {
        // Written by the task's thread, read by the heartbeat.
        public EpochProgress? Progress;
    }
    private sealed record Done(WorkAssigned Work, TrainingResult? Result, string? Error, FailureKind? Kind, bool Interrupted);
    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }

    private readonly string _device;
    private readonly IActorRef _queue;
    private readonly CancellationTokenSource _stop = new();
    // One long-lived thread per device: a thread per task cost more than the orchestration itself at short tasks.
    private readonly AutoResetEvent _assigned = new(false);
    private Running? _handoff;
    private Running? _running;
    private bool _revoked;
    private IActorRef? _drainedBy;
    private readonly TimeSpan _heartbeat;

    public ITimerScheduler Timers { get; set; } = null!;

    public DeviceActor(string device, IActorRef queue, ITaskExecutor executor, TimeSpan heartbeat)
    {
        _device = device;
        _queue = queue;
        var self = Self;
        var storage = StorageFault.Get(Context.System);
        new Thread(() => RunTasks(self, executor, storage)) { IsBackground = true, Name = $"nachos-{device}" }.Start();
        Receive<WorkAssigned>(work =>
        {
            if (_running is not null || _drainedBy is not null)
            {
                queue.Tell(new TaskInterrupted(work.Task.TaskId, work.Lease)); // not ours to run: back to the queue
                return;
            }
            _running = new Running(work, CancellationTokenSource.CreateLinkedTokenSource(_stop.Token), System.Diagnostics.Stopwatch.GetTimestamp());
            _revoked = false;
            Context.System.EventStream.Publish(new DeviceStartedTask(device, work.Task.TaskId, work.Attempt));
            Volatile.Write(ref _handoff, _running);
            _assigned.Set();
        });
        Receive<Done>(OnDone);
        Receive<LeaseRevoked>(r =>
        {
            if (_running is null || _running.Work.Lease != r.Lease) return;
            _revoked = true;
            _running.Cancel.Cancel();
        });
        Receive<DrainDevice>(_ =>
        {
            _drainedBy = Sender;
            if (_running is null) Sender.Tell(new DeviceDrained(device));
            else _running.Cancel.Cancel();
        });
        Receive<Tick>(_ =>
        {
            if (_running is not null)
                queue.Tell(new LeaseHeartbeat(_running.Work.Task.TaskId, _running.Work.Lease, device, Volatile.Read(ref _running.Progress)));
            else if (_drainedBy is null) queue.Tell(new RequestWork(device));
        });
        _heartbeat = heartbeat;
        queue.Tell(new RequestWork(device));
    }

    protected override void PreStart() => Timers.StartPeriodicTimer("tick", Tick.Instance, _heartbeat);

    private void OnDone(Done d)
    {
        var seconds = _running is null ? 0 : System.Diagnostics.Stopwatch.GetElapsedTime(_running.Started).TotalSeconds;
        _running?.Cancel.Dispose();
        _running = null;
        var (taskId, lease) = (d.Work.Task.TaskId, d.Work.Lease);
        var outcome = _revoked ? "revoked" : d.Interrupted ? "interrupted" : d.Result is not null ? "succeeded" : "failed";
        var ran = new DeviceRanTask(_device, taskId, d.Work.Attempt, outcome, seconds, d.Kind, d.Error);
        Context.System.EventStream.Publish(ran);
        if (_revoked)
        {
            // The queue gave the task to someone else; whatever this run produced is not counted.
        }
        else if (d.Interrupted) _queue.Tell(new TaskInterrupted(taskId, lease));
        else if (d.Result is not null) _queue.Tell(new TaskSucceeded(taskId, lease, d.Result));
        else _queue.Tell(new TaskAttemptFailed(taskId, lease, d.Error!, d.Kind));
        _queue.Tell(ran); // after the result: the timing is for /metrics, the result is on the critical path

        if (_drainedBy is not null) _drainedBy.Tell(new DeviceDrained(_device));
        else if (!d.Interrupted || _revoked) _queue.Tell(new RequestWork(_device));
        // Interrupted from outside (the node is probably shutting down): ask for work only on the next tick.
    }

    protected override void PostStop() => _stop.Cancel();

    private void RunTasks(IActorRef self, ITaskExecutor executor, StorageFault storage)
    {
        var device = _device;
        var wake = new[] { _assigned, _stop.Token.WaitHandle };
        while (WaitHandle.WaitAny(wake) == 0)
        {
            if (Interlocked.Exchange(ref _handoff, null) is not { } run) continue;
            var work = run.Work;
            try
            {
                var result = executor.Run(work.Task, work.Attempt, device, p => Volatile.Write(ref run.Progress, p), run.Cancel.Token);
                self.Tell(new Done(work, result, null, null, false));
            }
            catch (OperationCanceledException)
            {
                self.Tell(new Done(work, null, null, FailureKind.Interrupted, true));
            }
            catch (Exception e) when (DiskFull.Is(e))
            {
                // Not the task's fault, and every other task would hit it too: the node stops; the task is handed back, no attempt counted.
                storage.Report(e);
                self.Tell(new Done(work, null, null, FailureKind.Interrupted, true));
            }
            catch (TaskFailedException e)
            {
                self.Tell(new Done(work, null, e.Message, e.Kind, false));
            }
            catch (Exception e)
            {
                self.Tell(new Done(work, null, $"{e.GetType().Name}: {e.Message}", FailureKinds.Of(e), false));
            }
        }
    }
}
