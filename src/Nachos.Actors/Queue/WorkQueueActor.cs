using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Nachos.Actors.Entities;
using Nachos.Actors.Messages;
using Nachos.Shared.Monitoring;
using Nachos.Shared.Queue;
using Nachos.Shared.Study;

namespace Nachos.Actors.Queue;

/// <summary>
/// The cluster singleton that leases training tasks to devices. Idle devices register with
/// <see cref="RequestWork"/> and are pushed work as it arrives. A lease lives while its device
/// heartbeats: it returns to the queue when the device dies, its node leaves or becomes unreachable, or no
/// heartbeat came for <c>nachos.lease-timeout</c>; the task then resumes elsewhere from its checkpoint.
/// After a failover the new queue adopts the leases devices still report. Results are counted once (a
/// result for a stale lease or a completed task is ignored) and forwarded to the task's owner entity.
/// Results are persisted with PersistAsync so thousands per second fit. Operators pause, resume or cancel
/// a study's tasks (<see cref="ControlStudy"/>); a finished study is closed (<see cref="CloseStudy"/>) and drain a node's devices (<see cref="DrainNode"/>); the
/// queue also answers the views the control API shows (tasks, counts, devices, journal latency).
/// The lease decisions are <see cref="LeaseBook{TDevice}"/>'s; this actor persists and tells.
/// </summary>
public sealed class WorkQueueActor : ReceivePersistentActor, IWithTimers
{
    private sealed record CheckLeases
    {
        public static readonly CheckLeases Instance = new();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private QueueState _state = QueueState.Empty;
    private readonly LeaseBook<IActorRef> _book;
    // Submissions being persisted: a repeated submission meanwhile must not be queued twice.
    private readonly HashSet<string> _queuing = [];
    private readonly Histogram _journalWrites = new(Histogram.JournalSeconds);
    private readonly SortedDictionary<string, Histogram> _taskDurations = new(StringComparer.Ordinal);
    private readonly Address _self = ((ExtendedActorSystem)Context.System).Provider.DefaultAddress;
    private readonly TimeSpan _leaseTimeout;
    private int _sinceSnapshot;
    // Snapshots taken when a study closed: the events before them stay until the next periodic snapshot.
    private readonly HashSet<long> _closeSnapshots = [];
    private readonly int _snapshotEvery;

    public override string PersistenceId => "work-queue";

    public WorkQueueActor()
    {
        _snapshotEvery = Context.System.Settings.Config.GetInt("nachos.queue-snapshot-every", 2000);
        _leaseTimeout = Context.System.Settings.Config.GetTimeSpan("nachos.lease-timeout", TimeSpan.FromSeconds(10));
        _book = new LeaseBook<IActorRef>(_leaseTimeout, TimeProvider.System, NodeOf);
        Recover<SnapshotOffer>(o => { if (o.Snapshot is QueueSnapshot s) _state = QueueState.FromSnapshot(s); });
        Recover<QueueEvent>(e => _state = _state.Apply(e));

        Command<SubmitTask>(Submit);
        Command<RequestWork>(r =>
        {
            if (!_book.Offer(Sender, r.Device)) return;
            Context.Watch(Sender);
            Dispatch();
        });
        Command<TaskSucceeded>(s =>
        {
            if (!_book.Complete(s.TaskId, s.Lease, _state)) return;
            var outcome = new TaskOutcome(s.TaskId, s.Result, null, _state.Attempts.GetValueOrDefault(s.TaskId) + 1);
            PersistTimed(new TaskCompleted(outcome), Completed);
        });
        Command<TaskAttemptFailed>(f =>
        {
            if (!_book.Complete(f.TaskId, f.Lease, _state)) return;
            var next = _state.AfterFailure(f.TaskId, f.Error, f.Kind);
            PersistTimed(next, e =>
            {
                _book.Completed(f.TaskId);
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
            if (_book.Interrupt(i.TaskId, i.Lease, _state) is not { } requeued) return;
            _state = requeued;
            Dispatch();
        });
        Command<LeaseHeartbeat>(Heartbeat);
        Command<CheckLeases>(_ =>
        {
            (_state, var revoked) = _book.Expire(_state);
            Tell(revoked);
            Dispatch();
        });
        Command<Terminated>(t =>
        {
            _state = _book.Lost(t.ActorRef, _state);
            Dispatch();
        });
        Command<GetQueueStatus>(_ => Sender.Tell(new QueueStatus(
            _state.PendingCount, _book.Leases.Count, _state.Completed.Values.Count(o => o.Succeeded) + _state.Closed.Values.Sum(c => c.Succeeded),
            _state.Completed.Values.Count(o => !o.Succeeded) + _state.Closed.Values.Sum(c => c.Failed), _book.DeviceCount)));
        Command<ControlStudy>(Control);
        Command<CloseStudy>(Close);
        Command<GetStudyTasks>(g => Sender.Tell(new StudyTasks(g.StudyId, _state.TasksOf(g.StudyId, _book.Running(), _book.Progress()),
            _state.Paused.Contains(g.StudyId), _state.Cancelled.Contains(g.StudyId))));
        Command<GetQueueOverview>(_ => Sender.Tell(new QueueOverview(_state.CountsByStudy(_book.Running()), Devices(), _journalWrites.Snapshot(),
            _taskDurations.ToDictionary(kv => kv.Key, kv => kv.Value.Snapshot()))));
        Command<DeviceRanTask>(t =>
        {
            if (!_taskDurations.TryGetValue(t.Outcome, out var histogram)) _taskDurations[t.Outcome] = histogram = new Histogram(Histogram.TaskSeconds);
            histogram.Observe(t.Seconds);
        });
        Command<DrainNode>(Drain);
        Command<DeviceDrained>(_ => { });
        Command<SaveSnapshotSuccess>(s =>
        {
            // Only the latest snapshot is kept: each holds the whole state, so keeping them all grows quadratically.
            if (!_closeSnapshots.Remove(s.Metadata.SequenceNr)) DeleteMessages(s.Metadata.SequenceNr);
            DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1));
        });
        Command<SaveSnapshotFailure>(_ => { });
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(_ => { });
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    protected override void PreStart() =>
        Timers.StartPeriodicTimer("leases", CheckLeases.Instance, TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, _leaseTimeout.Ticks / 4)));

    private void Submit(SubmitTask s)
    {
        var id = s.Task.TaskId;
        if (_state.IsClosed(s.Task.StudyId))
        {
            TellOwner(s.Task, new TaskStudyClosed(id));
            return;
        }
        if (_state.Completed.TryGetValue(id, out var done))
        {
            TellOwner(s.Task, new TaskFinished(done));
            return;
        }
        if (_state.Open.ContainsKey(id) || !_queuing.Add(id)) return;
        PersistTimed(new TaskQueued(s.Task, s.MaxRetries), e =>
        {
            _queuing.Remove(id);
            _state = _state.Apply(e);
            Dispatch();
        });
    }

    private void Completed(TaskCompleted c)
    {
        _book.Completed(c.Outcome.TaskId);
        var owner = _state.Open.TryGetValue(c.Outcome.TaskId, out var q) ? q.Task : null;
        _state = _state.Apply(c);
        if (owner is not null) TellOwner(owner, new TaskFinished(c.Outcome));
        if (++_sinceSnapshot >= _snapshotEvery)
        {
            _sinceSnapshot = 0;
            SaveSnapshot(_state.ToSnapshot());
        }
        Dispatch();
    }

    private static void TellOwner(TaskSpec task, object message) =>
        Regions.Tell(Context, task.OwnedByFold() ? Regions.Fold : Regions.Trial, task.Owner, message);

    private void Heartbeat(LeaseHeartbeat h)
    {
        switch (_book.Heartbeat(h.TaskId, h.Lease, Sender, h.Device, _state, h.Progress))
        {
            case HeartbeatOutcome.Revoked:
                Sender.Tell(new LeaseRevoked(h.TaskId, h.Lease));
                break;
            case HeartbeatOutcome.Adopted:
                Context.Watch(Sender);
                break;
        }
    }

    /// <summary>PersistAsync, timing the journal's round trip (nachos_journal_write_seconds).</summary>
    private void PersistTimed<TEvent>(TEvent e, Action<TEvent> handler)
    {
        var start = Stopwatch.GetTimestamp();
        PersistAsync(e, persisted =>
        {
            _journalWrites.Observe(Stopwatch.GetElapsedTime(start).TotalSeconds);
            handler(persisted);
        });
    }

    private void Control(ControlStudy c)
    {
        var (e, refusal) = _state.Decide(c.StudyId, c.Control);
        var sender = Sender;
        void Answer() => sender.Tell(new StudyControlled(c.StudyId, c.Control, _state.Paused.Contains(c.StudyId), _state.Cancelled.Contains(c.StudyId), refusal));
        if (e is null)
        {
            Answer();
            return;
        }
        PersistTimed(e, persisted =>
        {
            _state = _state.Apply(persisted);
            // Running tasks of a cancelled study stop now; their devices take other work.
            if (persisted is StudyCancelled) Revoke(c.StudyId);
            Dispatch();
            Answer();
        });
    }

    /// <summary>
    /// Writes a finished study's task list to its run directory, then forgets its tasks and snapshots the smaller
    /// state (replacing the larger snapshot; the journal's events are left for the next periodic snapshot to delete).
    /// Should the write fail, the study stays open and is closed on its next start.
    /// </summary>
    private void Close(CloseStudy c)
    {
        if (_state.DecideClose(c.StudyId) is not { } closed) return;
        try
        {
            new StudyTaskFile(c.StudyId, _state.TasksOf(c.StudyId, _book.Running())).Write(c.Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Context.GetLogger().Warning("study {0} not closed: {1}", c.StudyId, e.Message);
            return;
        }
        PersistTimed(closed, e =>
        {
            _state = _state.Apply(e);
            // Tasks its finish left running (a failed fold's other trials) stop.
            Revoke(c.StudyId);
            _closeSnapshots.Add(LastSequenceNr);
            SaveSnapshot(_state.ToSnapshot());
            Dispatch();
        });
    }

    /// <summary>Revokes the leases of a study's running tasks; their devices take other work.</summary>
    private void Revoke(string studyId)
    {
        (_state, var revoked) = _book.RevokeStudy(studyId, _state);
        Tell(revoked);
    }

    private void Drain(DrainNode d)
    {
        var names = new List<string>();
        foreach (var (device, name) in _book.Drain(d.Address))
        {
            // An idle device stops asking; a busy one interrupts its task (which checkpoints) and hands it back with TaskInterrupted.
            device.Tell(DrainDevice.Instance);
            names.Add(name);
        }
        names.Sort(StringComparer.Ordinal);
        Sender.Tell(new NodeDraining(d.Address, names));
    }

    private IReadOnlyList<DeviceView> Devices() =>
        _book.Devices().Select(d => new DeviceView(d.Node, d.Name, d.State, d.TaskId, d.BusySeconds, d.BusyRatio)).ToList();

    private static void Tell(IReadOnlyList<Revocation<IActorRef>> revoked)
    {
        foreach (var r in revoked) r.Device.Tell(new LeaseRevoked(r.TaskId, r.Lease));
    }

    /// <summary>The cluster address of the node a device lives on (local refs carry no host and port).</summary>
    private string NodeOf(IActorRef device) => (device.Path.Address.HasGlobalScope ? device.Path.Address : _self).ToString();

    /// <summary>Hands pending tasks to idle devices.</summary>
    private void Dispatch()
    {
        (_state, var assigned) = _book.Dispatch(_state);
        foreach (var a in assigned) a.Device.Tell(new WorkAssigned(a.Task.Task, a.Lease, a.Attempt));
    }
}
