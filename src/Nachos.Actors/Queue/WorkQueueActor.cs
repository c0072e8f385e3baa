using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Nachos.Actors.Entities;
using Nachos.Actors.Messages;
using Nachos.Shared.Monitoring;
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
/// </summary>
public sealed class WorkQueueActor : ReceivePersistentActor, IWithTimers
{

    private sealed record Lease(long Id, IActorRef Device, string Name, long LastSeen);
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
    // Devices told to drain (by path with uid): they take no more work; a restarted device is a new actor.
    private readonly Dictionary<string, (IActorRef Device, string Name)> _drained = [];
    private readonly DeviceUsage _usage = new();
    private readonly Histogram _journalWrites = new(Histogram.JournalSeconds);
    private readonly SortedDictionary<string, Histogram> _taskDurations = new(StringComparer.Ordinal);
    private readonly Address _self = ((ExtendedActorSystem)Context.System).Provider.DefaultAddress;
    private readonly TimeSpan _leaseTimeout;
    // Unique across incarnations, so a late result for a lease of a previous queue never matches a new one.
    private long _nextLease = DateTime.UtcNow.Ticks;
    private int _sinceSnapshot;
    // Snapshots taken when a study closed: the events before them stay until the next periodic snapshot.
    private readonly HashSet<long> _closeSnapshots = [];
    private readonly int _snapshotEvery;

    public override string PersistenceId => "work-queue";

    public WorkQueueActor()
    {
        _snapshotEvery = Context.System.Settings.Config.GetInt("nachos.queue-snapshot-every", 2000);
        _leaseTimeout = Context.System.Settings.Config.GetTimeSpan("nachos.lease-timeout", TimeSpan.FromSeconds(10));
        Recover<SnapshotOffer>(o => { if (o.Snapshot is QueueSnapshot s) _state = QueueState.FromSnapshot(s); });
        Recover<QueueEvent>(e => _state = _state.Apply(e));

        Command<SubmitTask>(Submit);
        Command<RequestWork>(r =>
        {
            // A device asks only when idle; a request crossing its own assignment is stale.
            if (_leases.Values.Any(l => l.Device.Equals(Sender)) || _drained.ContainsKey(Sender.Path.ToStringWithUid())) return;
            Context.Watch(Sender);
            _idle[Sender.Path.ToStringWithUid()] = (Sender, r.Device);
            _usage.Seen(DeviceKey(Sender, r.Device), Seconds());
            Dispatch();
        });
        Command<TaskSucceeded>(s =>
        {
            if (!IsCurrent(s.TaskId, s.Lease)) return;
            RemoveLease(s.TaskId);
            _completing.Add(s.TaskId);
            var outcome = new TaskOutcome(s.TaskId, s.Result, null, _state.Attempts.GetValueOrDefault(s.TaskId) + 1);
            PersistTimed(new TaskCompleted(outcome), Completed);
        });
        Command<TaskAttemptFailed>(f =>
        {
            if (!IsCurrent(f.TaskId, f.Lease)) return;
            RemoveLease(f.TaskId);
            _completing.Add(f.TaskId);
            var next = _state.AfterFailure(f.TaskId, f.Error, f.Kind);
            PersistTimed(next, e =>
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
            var key = t.ActorRef.Path.ToStringWithUid();
            var name = _idle.TryGetValue(key, out var idle) ? idle.Name
                : _drained.TryGetValue(key, out var drained) ? drained.Name
                : _leases.Values.FirstOrDefault(l => l.Device.Equals(t.ActorRef))?.Name;
            _idle.Remove(key);
            _drained.Remove(key);
            foreach (var taskId in _leases.Where(kv => kv.Value.Device.Equals(t.ActorRef)).Select(kv => kv.Key).ToList())
                Release(taskId);
            if (name is not null) _usage.Forget(DeviceKey(t.ActorRef, name));
            Dispatch();
        });
        Command<GetQueueStatus>(_ => Sender.Tell(new QueueStatus(
            _state.PendingCount, _leases.Count, _state.Completed.Values.Count(o => o.Succeeded) + _state.Closed.Values.Sum(c => c.Succeeded),
            _state.Completed.Values.Count(o => !o.Succeeded) + _state.Closed.Values.Sum(c => c.Failed), _idle.Count + _leases.Values.Select(l => l.Device).Distinct().Count())));
        Command<ControlStudy>(Control);
        Command<CloseStudy>(Close);
        Command<GetStudyTasks>(g => Sender.Tell(new StudyTasks(g.StudyId, _state.TasksOf(g.StudyId, Running()),
            _state.Paused.Contains(g.StudyId), _state.Cancelled.Contains(g.StudyId))));
        Command<GetQueueOverview>(_ => Sender.Tell(new QueueOverview(_state.CountsByStudy(Running()), Devices(), _journalWrites.Snapshot(),
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
        _completing.Remove(c.Outcome.TaskId);
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
        AddLease(h.TaskId, new Lease(h.Lease, Sender, h.Device, Now()));
    }

    private void Release(string taskId)
    {
        RemoveLease(taskId);
        _state = _state.Requeue(taskId);
    }

    private void AddLease(string taskId, Lease lease)
    {
        _leases[taskId] = lease;
        _usage.Busy(DeviceKey(lease.Device, lease.Name), Seconds());
    }

    private void RemoveLease(string taskId)
    {
        if (_leases.Remove(taskId, out var lease)) _usage.Idle(DeviceKey(lease.Device, lease.Name), Seconds());
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
            new StudyTaskFile(c.StudyId, _state.TasksOf(c.StudyId, Running())).Write(c.Directory);
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
        foreach (var (taskId, lease) in _leases.Where(kv => Nachos.Shared.Tasks.TaskAddress.Parse(kv.Key).Study == studyId).ToList())
        {
            lease.Device.Tell(new LeaseRevoked(taskId, lease.Id));
            Release(taskId);
        }
    }

    private void Drain(DrainNode d)
    {
        var names = new List<string>();
        foreach (var (key, device) in _idle.Where(kv => NodeOf(kv.Value.Device) == d.Address).ToList())
        {
            _idle.Remove(key);
            _drained[key] = device;
            device.Device.Tell(DrainDevice.Instance);
            names.Add(device.Name);
        }
        foreach (var lease in _leases.Values.Where(l => NodeOf(l.Device) == d.Address).ToList())
        {
            // The device interrupts its task (which checkpoints) and hands it back with TaskInterrupted.
            _drained[lease.Device.Path.ToStringWithUid()] = (lease.Device, lease.Name);
            lease.Device.Tell(DrainDevice.Instance);
            names.Add(lease.Name);
        }
        names.Sort(StringComparer.Ordinal);
        Sender.Tell(new NodeDraining(d.Address, names));
    }

    private IReadOnlySet<string> Running() => _leases.Keys.ToHashSet();

    private IReadOnlyList<DeviceView> Devices()
    {
        var now = Seconds();
        DeviceView View(IActorRef device, string name, string state, string? task)
        {
            var (busy, ratio) = _usage.Of(DeviceKey(device, name), now);
            return new DeviceView(NodeOf(device), name, state, task, busy, ratio);
        }
        var busyKeys = _leases.Values.Select(l => l.Device.Path.ToStringWithUid()).ToHashSet();
        return _leases.Select(kv => View(kv.Value.Device, kv.Value.Name, "busy", kv.Key))
            .Concat(_idle.Values.Select(i => View(i.Device, i.Name, "idle", null)))
            .Concat(_drained.Where(kv => !busyKeys.Contains(kv.Key)).Select(kv => View(kv.Value.Device, kv.Value.Name, "drained", null)))
            .OrderBy(v => v.Node, StringComparer.Ordinal).ThenBy(v => v.Device, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The cluster address of the node a device lives on (local refs carry no host and port).</summary>
    private string NodeOf(IActorRef device) => (device.Path.Address.HasGlobalScope ? device.Path.Address : _self).ToString();

    private string DeviceKey(IActorRef device, string name) => NodeOf(device) + "/" + name;

    private static long Now() => Stopwatch.GetTimestamp();

    private static double Seconds() => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;

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
            AddLease(task.Task.TaskId, new Lease(lease, device.Device, device.Name, Now()));
            device.Device.Tell(new WorkAssigned(task.Task, lease, _state.Attempts.GetValueOrDefault(task.Task.TaskId) + 1));
        }
    }
}
