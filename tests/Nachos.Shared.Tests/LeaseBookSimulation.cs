using Nachos.Shared.Queue;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

/// <summary>
/// The work queue as its actor wires it (a <see cref="LeaseBook{TDevice}"/> and a <see cref="QueueState"/>, results
/// persisted asynchronously), with simulated devices on two nodes that behave as device actors do, and a reference
/// model of which tasks are submitted and completed. Every message is delivered at once; the journal writes in order
/// when told (<see cref="Persist"/>). <see cref="Check"/> asserts the invariants.
/// </summary>
public sealed class LeaseBookSimulation
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(4);
    private const int Nodes = 2, DevicesPerNode = 2;
    public static readonly string[] Studies = ["s0", "s1"];
    public static readonly TaskSpec[] Tasks = Studies.SelectMany(s => Enumerable.Range(0, 3).Select(trial =>
        TaskSpec.ForSplit(s, 0, trial, 0, Hyperparameters.Empty.With("learning_rate", 0.01), 5, 1))).ToArray();

    private sealed class Device(string node, string name, int incarnation)
    {
        public string Handle { get; } = $"{node}/{name}#{incarnation}";
        public string Node { get; } = node;
        public string Name { get; } = name;
        public int Incarnation { get; } = incarnation;
        public (string Task, long Lease)? Running { get; set; }
        public bool Drained => DrainedBy is not null;
        /// <summary>The queue that drained the device; it no longer asks for work.</summary>
        public object? DrainedBy { get; set; }
        /// <summary>The queue that assigned the running task.</summary>
        public object? AssignedBy { get; set; }
    }

    private readonly ManualClock _clock = new();
    private readonly Device[] _devices;
    private LeaseBook<string> _book;
    private QueueState _state = QueueState.Empty;
    private readonly HashSet<string> _queuing = [];
    private readonly Queue<(QueueEvent Event, Action<QueueEvent> Then)> _journal = new();

    // The reference model.
    private readonly HashSet<string> _submitted = [];
    private readonly Dictionary<string, int> _completions = [];
    private readonly List<(string Task, long Lease)> _issued = [];
    private readonly List<string> _log = [];

    public LeaseBookSimulation()
    {
        _book = NewBook();
        _devices = Enumerable.Range(0, Nodes * DevicesPerNode).Select(i => new Device($"n{i / DevicesPerNode}", $"d{i % DevicesPerNode}", 0)).ToArray();
        foreach (var d in _devices) Ask(d);
    }

    /// <summary>What happened so far, for the failure message.</summary>
    public string Log => string.Join("\n", _log);

    private LeaseBook<string> NewBook() => new(Timeout, _clock, handle => handle[..handle.IndexOf('/')]);

    /// <summary>Runs one command decoded from two bytes.</summary>
    public void Step(byte kind, byte arg)
    {
        var device = _devices[arg % _devices.Length];
        switch (kind % 14)
        {
            case 0: Submit(Tasks[arg % Tasks.Length]); break;
            case 1: AskAgain(device); break;
            case 2: Finish(device, success: true, transient: false); break;
            case 3: Finish(device, success: false, transient: arg % 2 == 0); break;
            case 4: LateResult(arg); break;
            case 5: Heartbeat(device); break;
            case 6: Tick(TimeSpan.FromSeconds(arg % 6), deliver: arg % 4 != 0); break;
            case 7: Drain($"n{arg % Nodes}"); break;
            case 8: Interrupt(device); break;
            case 9: Lose(device); break;
            case 10: Persist(); break;
            case 11: Failover(); break;
            case 12: Control(Studies[arg % Studies.Length], arg % 7 == 0 ? StudyControl.Cancel : StudyControl.Pause); break;
            default: Control(Studies[arg % Studies.Length], StudyControl.Resume); break;
        }
    }

    private void Submit(TaskSpec task)
    {
        _log.Add($"submit {task.TaskId}");
        var id = task.TaskId;
        if (_state.Completed.ContainsKey(id) || _state.Open.ContainsKey(id) || !_queuing.Add(id)) return;
        Journal(new TaskQueued(task, MaxRetries: 1), e =>
        {
            _queuing.Remove(id);
            _state = _state.Apply(e);
            Dispatch();
        });
    }

    private void Ask(Device d)
    {
        _log.Add($"ask {d.Handle}");
        if (_book.Offer(d.Handle, d.Name)) Dispatch();
    }

    /// <summary>
    /// A device asks again (as it does on every tick while idle), or a request crossing its assignment or its drain
    /// arrives late. Requests in flight went to the queue that assigned or drained the device; after a failover none arrive.
    /// </summary>
    private void AskAgain(Device d)
    {
        if ((d.DrainedBy is null || d.DrainedBy == _book) && (d.Running is null || d.AssignedBy == _book)) Ask(d);
    }

    /// <summary>The device's task ends with a result; the device then asks for more unless drained.</summary>
    private void Finish(Device d, bool success, bool transient)
    {
        if (d.Running is not { } run) return;
        _log.Add($"{(success ? "success" : transient ? "transient failure" : "failure")} {d.Handle} {run.Task} lease {run.Lease}");
        d.Running = null;
        Result(run.Task, run.Lease, success, transient);
        if (!d.Drained) Ask(d);
    }

    /// <summary>A result delivered late (or twice) for any lease issued whose run has ended.</summary>
    private void LateResult(byte arg)
    {
        var ended = _issued.Where(l => !_devices.Any(d => d.Running == l)).ToList();
        if (ended.Count == 0) return;
        var (task, lease) = ended[arg % ended.Count];
        _log.Add($"late result {task} lease {lease}");
        Result(task, lease, success: arg % 2 == 0, transient: true);
    }

    private void Result(string taskId, long lease, bool success, bool transient)
    {
        if (!_book.Complete(taskId, lease, _state)) return;
        if (success)
        {
            Journal(new TaskCompleted(new TaskOutcome(taskId, null, null, _state.Attempts.GetValueOrDefault(taskId) + 1)), e => Completed((TaskCompleted)e));
            return;
        }
        var next = _state.AfterFailure(taskId, "boom", transient ? FailureKind.Crashed : FailureKind.Diverged);
        Journal(next, e =>
        {
            _book.Completed(taskId);
            if (e is TaskCompleted c) Completed(c);
            else
            {
                _state = _state.Apply(e).Requeue(taskId);
                Dispatch();
            }
        });
    }

    private void Completed(TaskCompleted c)
    {
        _book.Completed(c.Outcome.TaskId);
        _state = _state.Apply(c);
        Dispatch();
    }

    private void Heartbeat(Device d)
    {
        if (d.Running is not { } run) return;
        _log.Add($"heartbeat {d.Handle} {run.Task} lease {run.Lease}");
        if (_book.Heartbeat(run.Task, run.Lease, d.Handle, d.Name, _state) == HeartbeatOutcome.Revoked) Revoke(d, run.Lease);
    }

    /// <param name="deliver">False: the revocations do not arrive (the holders' node is frozen or cut off) and the holders run on.</param>
    private void Tick(TimeSpan by, bool deliver)
    {
        _clock.Advance(by);
        _log.Add($"tick {by.TotalSeconds} s{(deliver ? "" : ", revocations lost")}");
        (_state, var revoked) = _book.Expire(_state);
        if (deliver) Tell(revoked);
        Dispatch();
    }

    private void Drain(string node)
    {
        _log.Add($"drain {node}");
        foreach (var (handle, _) in _book.Drain(node)) Find(handle).DrainedBy = _book;
    }

    /// <summary>A drained device stops its task and hands it back.</summary>
    private void Interrupt(Device d)
    {
        if (!d.Drained || d.Running is not { } run) return;
        _log.Add($"interrupt {d.Handle} {run.Task} lease {run.Lease}");
        d.Running = null;
        if (_book.Interrupt(run.Task, run.Lease, _state) is not { } requeued) return;
        _state = requeued;
        Dispatch();
    }

    /// <summary>The device dies (its node left, or it crashed) and a new incarnation starts and asks for work.</summary>
    private void Lose(Device d)
    {
        _log.Add($"lose {d.Handle}");
        var i = Array.IndexOf(_devices, d);
        _state = _book.Lost(d.Handle, _state);
        Dispatch();
        _devices[i] = new Device(d.Node, d.Name, d.Incarnation + 1);
        Ask(_devices[i]);
    }

    private void Persist()
    {
        if (_journal.Count == 0) return;
        var (e, then) = _journal.Dequeue();
        _log.Add($"persisted {e.GetType().Name}");
        Record(e);
        then(e);
    }

    /// <summary>
    /// The queue's node dies and a new queue recovers from the journal: every event written is replayed (writes
    /// in flight reached the journal, their handlers never ran), every open task is pending again, no leases.
    /// </summary>
    private void Failover()
    {
        _log.Add("failover");
        var recovered = QueueState.FromSnapshot(_state.ToSnapshot());
        while (_journal.Count > 0)
        {
            var (e, _) = _journal.Dequeue();
            Record(e);
            recovered = recovered.Apply(e);
        }
        _state = recovered;
        _queuing.Clear();
        _clock.Advance(TimeSpan.FromSeconds(1));
        _book = NewBook();
    }

    private void Control(string study, StudyControl control)
    {
        _log.Add($"{control} {study}");
        var (e, _) = _state.Decide(study, control);
        if (e is null) return;
        Journal(e, persisted =>
        {
            _state = _state.Apply(persisted);
            if (persisted is StudyCancelled)
            {
                (_state, var revoked) = _book.RevokeStudy(study, _state);
                Tell(revoked);
            }
            Dispatch();
        });
    }

    private void Journal(QueueEvent e, Action<QueueEvent> then) => _journal.Enqueue((e, then));

    private void Record(QueueEvent e)
    {
        if (e is TaskQueued q && !_state.Completed.ContainsKey(q.Task.TaskId)) _submitted.Add(q.Task.TaskId);
        if (e is TaskCompleted c) _completions[c.Outcome.TaskId] = _completions.GetValueOrDefault(c.Outcome.TaskId) + 1;
    }

    private void Dispatch()
    {
        (_state, var assigned) = _book.Dispatch(_state);
        foreach (var a in assigned)
        {
            var d = Find(a.Device);
            _log.Add($"assign {a.Task.Task.TaskId} lease {a.Lease} to {d.Handle}");
            Assert.False(d.Drained, $"a drained device got work: {d.Handle}\n{Log}");
            _issued.Add((a.Task.Task.TaskId, a.Lease));
            if (d.Running is not null)
            {
                // Given work while it still runs a task (its request crossed the expiry of its lease): not its to run.
                _log.Add($"{d.Handle} is busy, hands back lease {a.Lease}");
                if (_book.Interrupt(a.Task.Task.TaskId, a.Lease, _state) is { } requeued) _state = requeued;
                Dispatch();
                continue;
            }
            d.Running = (a.Task.Task.TaskId, a.Lease);
            d.AssignedBy = _book;
        }
    }

    private void Tell(IReadOnlyList<Revocation<string>> revoked)
    {
        foreach (var r in revoked) Revoke(Find(r.Device), r.Lease);
    }

    /// <summary>A device whose running lease is revoked stops it (its result is not sent) and asks for work unless drained.</summary>
    private void Revoke(Device d, long lease)
    {
        if (d.Running?.Lease != lease) return;
        _log.Add($"revoked {d.Handle} lease {lease}");
        d.Running = null;
        if (!d.Drained) Ask(d);
    }

    private Device Find(string handle) => _devices.Single(d => d.Handle == handle);

    /// <summary>The invariants, after every step.</summary>
    public void Check()
    {
        var leases = _book.Leases;
        var pending = _state.PendingByStudy.Values.SelectMany(line => line).ToHashSet();
        // None counted twice; the queue's record agrees with the model.
        foreach (var (task, n) in _completions) Assert.True(n == 1, $"{task} completed {n} times\n{Log}");
        Assert.Equal(_completions.Keys.Order(), _state.Completed.Keys.Order());
        Assert.Equal(_submitted.Except(_completions.Keys).Order(), _state.Open.Keys.Order());
        foreach (var task in _state.Open.Keys)
        {
            // No task lost: every open task waits in its line, is leased, or has its result being written.
            Assert.True(pending.Contains(task) || leases.ContainsKey(task) || _book.Completing.Contains(task),
                $"open task {task} is neither pending, leased nor completing\n{Log}");
        }
        foreach (var (task, lease) in leases)
        {
            Assert.True(_state.Open.ContainsKey(task) && !_book.Completing.Contains(task), $"lease on {task}, which is not open or is completing\n{Log}");
            // The holder the book knows is the one running it under that lease...
            var holder = _devices.SingleOrDefault(d => d.Handle == lease.Device);
            Assert.True(holder?.Running == (task, lease.Id), $"lease {lease.Id} on {task} held by {lease.Device}, which does not run it\n{Log}");
            Assert.False(_book.Idle.ContainsKey(lease.Device), $"{lease.Device} holds {task} and waits for work\n{Log}");
            // ...and no other device runs the task under a lease the book accepts.
            Assert.Equal(1, _devices.Count(d => d.Running == (task, lease.Id)));
        }
        Assert.True(leases.Values.GroupBy(l => l.Device).All(g => g.Count() == 1), $"a device holds two leases\n{Log}");
        foreach (var drained in _book.Drained.Keys) Assert.False(_book.Idle.ContainsKey(drained), $"drained {drained} waits for work\n{Log}");
        // Dispatch is eager: no device waits while a task it could run is pending.
        Assert.True(_book.Idle.Count == 0 || _state.Take().Task is null, $"a device waits while a task is pending\n{Log}");
    }

    /// <summary>
    /// Lets everything finish: writes the journal, resumes paused studies, restarts drained devices (the operator
    /// brings the node back), and runs every device's task to success until no task of a live study is open.
    /// </summary>
    /// <returns>The tasks of studies not cancelled that were submitted.</returns>
    public IReadOnlyCollection<string> RunToEnd()
    {
        while (_journal.Count > 0) Persist();
        foreach (var study in Studies) Control(study, StudyControl.Resume);
        while (_journal.Count > 0) Persist();
        foreach (var d in _devices.Where(d => d.Drained).ToList()) Lose(d);
        for (var round = 0; round < 50 && _state.Open.Keys.Any(Live); round++)
        {
            foreach (var d in _devices.ToList())
            {
                if (d.Running is null) Ask(d);
                else Finish(d, success: true, transient: false);
            }
            while (_journal.Count > 0) Persist();
            Check();
        }
        return _submitted.Where(Live).ToList();
    }

    public bool Done(string task) => _completions.GetValueOrDefault(task) == 1;

    private bool Live(string task) => !_state.Cancelled.Contains(TaskAddress.Parse(task).Study);
}
