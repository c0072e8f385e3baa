using Akka.Actor;
using Nachos.Actors.Messages;
using Nachos.Shared.Tasks;

namespace Nachos.Actors.Devices;

/// <summary>
/// Owns one device (a GPU, or a CPU slot): asks the queue for work, runs each task on a dedicated thread
/// through the executor, reports the result or the failure, and asks again. While idle it repeats its
/// request every few seconds, so a restarted or moved queue learns about it.
/// </summary>
public sealed class DeviceActor : ReceiveActor, IWithTimers
{
    private sealed record Done(WorkAssigned Work, TrainingResult? Result, string? Error, bool Interrupted);
    private sealed record AskAgain
    {
        public static readonly AskAgain Instance = new();
    }

    private readonly CancellationTokenSource _stop = new();
    // One long-lived thread per device: a thread per task cost more than the orchestration itself at short tasks.
    private readonly AutoResetEvent _assigned = new(false);
    private WorkAssigned? _work;
    private bool _busy;

    public ITimerScheduler Timers { get; set; } = null!;

    public DeviceActor(string device, IActorRef queue, ITaskExecutor executor)
    {
        var self = Self;
        new Thread(() => RunTasks(self, device, executor)) { IsBackground = true, Name = $"nachos-{device}" }.Start();
        Receive<WorkAssigned>(work =>
        {
            if (_busy)
            {
                queue.Tell(new TaskInterrupted(work.Task.TaskId, work.Lease)); // not ours to run: back to the queue
                return;
            }
            _busy = true;
            Volatile.Write(ref _work, work);
            _assigned.Set();
        });
        Receive<Done>(d =>
        {
            _busy = false;
            if (_stop.IsCancellationRequested) return;
            if (d.Interrupted)
            {
                // Stopped from outside (the node is probably shutting down): requeue, and ask for work only on the next tick.
                queue.Tell(new TaskInterrupted(d.Work.Task.TaskId, d.Work.Lease));
                return;
            }
            queue.Tell(d.Result is not null
                ? new TaskSucceeded(d.Work.Task.TaskId, d.Work.Lease, d.Result)
                : new TaskAttemptFailed(d.Work.Task.TaskId, d.Work.Lease, d.Error!));
            queue.Tell(new RequestWork(device));
        });
        Receive<AskAgain>(_ =>
        {
            if (!_busy) queue.Tell(new RequestWork(device));
        });
        queue.Tell(new RequestWork(device));
    }

    protected override void PreStart() => Timers.StartPeriodicTimer("ask", AskAgain.Instance, TimeSpan.FromSeconds(3));

    protected override void PostStop()
    {
        _stop.Cancel();
    }

    private void RunTasks(IActorRef self, string device, ITaskExecutor executor)
    {
        var wake = new[] { _assigned, _stop.Token.WaitHandle };
        while (WaitHandle.WaitAny(wake) == 0)
        {
            if (Interlocked.Exchange(ref _work, null) is not { } work) continue;
            try
            {
                self.Tell(new Done(work, executor.Run(work.Task, work.Attempt, device, _stop.Token), null, false));
            }
            catch (OperationCanceledException)
            {
                self.Tell(new Done(work, null, null, true));
            }
            catch (Exception e)
            {
                self.Tell(new Done(work, null, $"{e.GetType().Name}: {e.Message}", false));
            }
        }
    }
}
