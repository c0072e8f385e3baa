using Akka.Actor;
using Akka.Persistence;
using Nachos.Actors.Entities;
using Nachos.Actors.Messages;
using Nachos.Shared.Study;

namespace Nachos.Actors.Queue;

/// <summary>
/// The cluster singleton that leases training tasks to devices. Idle devices register with
/// <see cref="RequestWork"/> and are pushed work as it arrives; a device's death requeues its lease;
/// results are counted once (a result for a stale lease or a completed task is ignored) and forwarded to
/// the task's owner entity. Results are persisted with PersistAsync so thousands per second fit.
/// </summary>
public sealed class WorkQueueActor : ReceivePersistentActor
{
    private const int SnapshotEvery = 2000;

    private QueueState _state = QueueState.Empty;
    private readonly Dictionary<string, (IActorRef Device, string Name)> _idle = [];
    private readonly Dictionary<string, (long Lease, IActorRef Device)> _leases = [];
    // Unique across incarnations, so a late result for a lease of a previous queue never matches a new one.
    private long _nextLease = DateTime.UtcNow.Ticks;
    private int _sinceSnapshot;

    public override string PersistenceId => "work-queue";

    public WorkQueueActor()
    {
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
            var outcome = new TaskOutcome(s.TaskId, s.Result, null, _state.Attempts.GetValueOrDefault(s.TaskId) + 1);
            PersistAsync(new TaskCompleted(outcome), Completed);
        });
        Command<TaskAttemptFailed>(f =>
        {
            if (!IsCurrent(f.TaskId, f.Lease)) return;
            _leases.Remove(f.TaskId);
            var next = _state.AfterFailure(f.TaskId, f.Error);
            PersistAsync(next, e =>
            {
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
            _leases.Remove(i.TaskId);
            _state = _state.Requeue(i.TaskId);
            Dispatch();
        });
        Command<Terminated>(t =>
        {
            _idle.Remove(t.ActorRef.Path.ToStringWithUid());
            foreach (var (taskId, lease) in _leases.Where(kv => kv.Value.Device.Equals(t.ActorRef)).ToList())
            {
                _leases.Remove(taskId);
                _state = _state.Requeue(taskId);
            }
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

    private void Submit(SubmitTask s)
    {
        var id = s.Task.TaskId;
        if (_state.Completed.TryGetValue(id, out var done))
        {
            TellOwner(s.Task, new TaskFinished(done));
            return;
        }
        if (_state.Open.ContainsKey(id)) return;
        PersistAsync(new TaskQueued(s.Task, s.MaxRetries), e =>
        {
            _state = _state.Apply(e);
            Dispatch();
        });
    }

    private void Completed(TaskCompleted c)
    {
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
        _leases.TryGetValue(taskId, out var l) && l.Lease == lease && _state.Open.ContainsKey(taskId);

    /// <summary>Hands pending tasks to idle devices.</summary>
    private void Dispatch()
    {
        while (_idle.Count > 0)
        {
            var (state, task) = _state.Take();
            if (task is null) return;
            _state = state;
            var (key, device) = _idle.First();
            _idle.Remove(key);
            var lease = ++_nextLease;
            _leases[task.Task.TaskId] = (lease, device.Device);
            device.Device.Tell(new WorkAssigned(task.Task, lease, _state.Attempts.GetValueOrDefault(task.Task.TaskId) + 1));
        }
    }
}
