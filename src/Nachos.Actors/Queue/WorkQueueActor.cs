using Akka.Actor;
using Akka.Persistence;
using Nachos.Actors.Entities;
using Nachos.Actors.Messages;
using Nachos.Shared.Study;

namespace Nachos.Actors.Queue;

/// <summary>
/// The cluster singleton that leases training tasks to devices. Idle devices register with
/// <see cref="RequestWork"/> and are pushed work as it arrives. A lease lives while its device
/// heartbeats: it returns to the queue when the device dies, its node leaves or becomes unreachable, or no
/// heartbeat came for <c>nachos.lease-timeout</c>; the task then resumes elsewhere from its checkpoint.
/// After a failover the new queue adopts the leases devices still report. Results are counted once (a
/// result for a stale lease or a completed task is ignored) and forwarded to the task's owner entity.
/// Results are persisted with PersistAsync so thousands per second fit.
/// </summary>
public sealed class WorkQueueActor : ReceivePersistentActor, IWithTimers
{
    private const int SnapshotEvery = 2000;

    private sealed record Lease(long Id, IActorRef Device, long LastSeen);
    private sealed record CheckLeases
    {
        public static readonly CheckLeases Instance = new();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private QueueState _state = QueueState.Empty;
    private readonly Dictionary<string, (IActorRef Device, string Name)> _idle = [];
    private readonly Dictionary<string, Lease> _leases = [];
    // Results being persisted: their tasks are still open, but a heartbeat in flight must not re-adopt them.
    private readonly HashSet<string> _completing = [];
    // Submissions being persisted: a repeated submission meanwhile must not be queued twice.
    private readonly HashSet<string> _queuing = [];
    private readonly TimeSpan _leaseTimeout;
    // Unique across incarnations, so a late result for a lease of a previous queue never matches a new one.
    private long _nextLease = DateTime.UtcNow.Ticks;
    private int _sinceSnapshot;

    public override string PersistenceId => "work-queue";

    public WorkQueueActor()
    {
        _leaseTimeout = Context.System.Settings.Config.GetTimeSpan("nachos.lease-timeout", TimeSpan.FromSeconds(10));
        Recover<SnapshotOffer>(o => { if (o.Snapshot is QueueSnapshot s) _state = QueueState.FromSnapshot(s); });
        Recover<QueueEvent>(e => _state = _state.Apply(e));

        Command<SubmitTask>(Submit);
        Command<RequestWork>(r =>
        {
            // A device asks only when idle; a request crossing its own assignment is stale.
            if (_leases.Values.Any(l => l.Device.Equals(Sender))) return;
            Context.Watch(Sender);
            _idle[Sender.Path.ToStringWithUid()] = (Sender, r.Device);
            Dispatch();
        });
        Command<TaskSucceeded>(s =>
        {
            if (!IsCurrent(s.TaskId, s.Lease)) return;
            _leases.Remove(s.TaskId);
            _completing.Add(s.TaskId);
            var outcome = new TaskOutcome(s.TaskId, s.Result, null, _state.Attempts.GetValueOrDefault(s.TaskId) + 1);
            PersistAsync(new TaskCompleted(outcome), Completed);
        });
        Command<TaskAttemptFailed>(f =>
        {
            if (!IsCurrent(f.TaskId, f.Lease)) return;
            _leases.Remove(f.TaskId);
            _completing.Add(f.TaskId);
            var next = _state.AfterFailure(f.TaskId, f.Error);
            PersistAsync(next, e =>
            {
                _completing.Remove(f.TaskId);
                if (e is TaskCompleted c) Completed(c);
                else
                {
                    _state = _state.Apply(e).Requeue(f.TaskId);
                    Dispatch();
                }
            });
        });
        Command<TaskInterrupted>(i =>
        {
            if (!IsCurrent(i.TaskId, i.Lease)) return;
            Release(i.TaskId);
            Dispatch();
        });
        Command<LeaseHeartbeat>(Heartbeat);
        Command<CheckLeases>(_ =>
        {
            var expired = Now() - (long)(_leaseTimeout.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
            foreach (var (taskId, lease) in _leases.Where(kv => kv.Value.LastSeen < expired).ToList())
            {
                // Silent for too long (a frozen or unreachable node): the task goes to another device.
                lease.Device.Tell(new LeaseRevoked(taskId, lease.Id));
                Release(taskId);
            }
            Dispatch();
        });
        Command<Terminated>(t =>
        {
            _idle.Remove(t.ActorRef.Path.ToStringWithUid());
            foreach (var taskId in _leases.Where(kv => kv.Value.Device.Equals(t.ActorRef)).Select(kv => kv.Key).ToList())
                Release(taskId);
            Dispatch();
        });
        Command<GetQueueStatus>(_ => Sender.Tell(new QueueStatus(
            _state.PendingCount, _leases.Count, _state.Completed.Values.Count(o => o.Succeeded),
            _state.Completed.Values.Count(o => !o.Succeeded), _idle.Count + _leases.Values.Select(l => l.Device).Distinct().Count())));
        Command<SaveSnapshotSuccess>(s => DeleteMessages(s.Metadata.SequenceNr));
        Command<SaveSnapshotFailure>(_ => { });
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(_ => { });
    }

    protected override void PreStart() =>
        Timers.StartPeriodicTimer("leases", CheckLeases.Instance, TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, _leaseTimeout.Ticks / 4)));

    private void Submit(SubmitTask s)
    {
        var id = s.Task.TaskId;
        if (_state.Completed.TryGetValue(id, out var done))
        {
            TellOwner(s.Task, new TaskFinished(done));
            return;
        }
        if (_state.Open.ContainsKey(id) || !_queuing.Add(id)) return;
        PersistAsync(new TaskQueued(s.Task, s.MaxRetries), e =>
        {
            _queuing.Remove(id);
            _state = _state.Apply(e);
            Dispatch();
        });
    }

    private void Completed(TaskCompleted c)
    {
        _completing.Remove(c.Outcome.TaskId);
        var owner = _state.Open.TryGetValue(c.Outcome.TaskId, out var q) ? q.Task : null;
        _state = _state.Apply(c);
        if (owner is not null) TellOwner(owner, new TaskFinished(c.Outcome));
        if (++_sinceSnapshot >= SnapshotEvery)
        {
            _sinceSnapshot = 0;
            SaveSnapshot(_state.ToSnapshot());
        }
        Dispatch();
    }

    private static void TellOwner(TaskSpec task, object message) =>
        Regions.Tell(Context, task.IsRefit ? Regions.Fold : Regions.Trial, task.Owner, message);

    private bool IsCurrent(string taskId, long lease) =>
        _leases.TryGetValue(taskId, out var l) && l.Id == lease && _state.Open.ContainsKey(taskId);

    private void Heartbeat(LeaseHeartbeat h)
    {
        if (_leases.TryGetValue(h.TaskId, out var lease))
        {
            if (lease.Id == h.Lease) _leases[h.TaskId] = lease with { LastSeen = Now() };
            else Sender.Tell(new LeaseRevoked(h.TaskId, h.Lease));
            return;
        }
        if (_completing.Contains(h.TaskId)) return;
        if (!_state.Open.ContainsKey(h.TaskId))
        {
            Sender.Tell(new LeaseRevoked(h.TaskId, h.Lease));
            return;
        }
        // A lease of a previous queue (failover) whose device still runs it: keep it there instead of starting over.
        _idle.Remove(Sender.Path.ToStringWithUid());
        Context.Watch(Sender);
        _leases[h.TaskId] = new Lease(h.Lease, Sender, Now());
    }

    private void Release(string taskId)
    {
        _leases.Remove(taskId);
        _state = _state.Requeue(taskId);
    }

    private static long Now() => System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Hands pending tasks to idle devices.</summary>
    private void Dispatch()
    {
        while (_idle.Count > 0)
        {
            var (state, task) = _state.Take();
            if (task is null) return;
            _state = state;
            if (_leases.ContainsKey(task.Task.TaskId)) continue; // adopted from a device after a failover
            var (key, device) = _idle.First();
            _idle.Remove(key);
            var lease = ++_nextLease;
            _leases[task.Task.TaskId] = new Lease(lease, device.Device, Now());
            device.Device.Tell(new WorkAssigned(task.Task, lease, _state.Attempts.GetValueOrDefault(task.Task.TaskId) + 1));
        }
    }
}
