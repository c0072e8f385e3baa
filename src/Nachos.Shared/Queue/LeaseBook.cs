using Nachos.Shared.TaskProcess;
using Nachos.Shared.Tasks;
using Nachos.Shared.Monitoring;
using Nachos.Shared.Study;

namespace Nachos.Shared.Queue;

/// <summary>
/// The work queue's leases: which device holds which open task, which devices wait for work and which are
/// drained. A lease lives while its device heartbeats; it returns the task to the front of its study's line
/// when it expires (no heartbeat for the lease timeout), its device is lost or the study is cancelled. After a
/// failover a new book adopts the leases devices still report. A result counts only for the current lease of
/// an open task, once. Not durable: the durable part is <see cref="QueueState"/>, which each call takes and
/// returns; the caller carries out the decisions (sends assignments and revocations, watches devices).
/// Generic over the device handle (an actor reference in the queue); time comes from the injected clock.
/// </summary>
public sealed class LeaseBook<TDevice> where TDevice : notnull
{
    private static readonly EqualityComparer<TDevice> Same = EqualityComparer<TDevice>.Default;

    private readonly Dictionary<TDevice, string> _idle = [];
    private readonly Dictionary<string, Lease<TDevice>> _leases = [];
    // Results being persisted: their tasks are still open, but a heartbeat in flight must not re-adopt them.
    private readonly HashSet<string> _completing = [];
    // Devices told to drain: they take no more work; a restarted device is a new handle.
    private readonly Dictionary<TDevice, string> _drained = [];
    private readonly DeviceUsage _usage = new();
    private readonly TimeProvider _clock;
    private readonly long _timeout;
    private readonly Func<TDevice, string> _nodeOf;
    private long _nextLease;

    /// <param name="nodeOf">The node a device lives on (what <see cref="Drain"/> matches).</param>
    public LeaseBook(TimeSpan timeout, TimeProvider clock, Func<TDevice, string> nodeOf)
    {
        _clock = clock;
        _timeout = (long)(timeout.TotalSeconds * clock.TimestampFrequency);
        _nodeOf = nodeOf;
        // Unique across incarnations, so a late result for a lease of a previous queue never matches a new one.
        _nextLease = clock.GetUtcNow().UtcTicks;
    }

    public IReadOnlyDictionary<string, Lease<TDevice>> Leases => _leases;
    public IReadOnlyDictionary<TDevice, string> Idle => _idle;
    public IReadOnlyDictionary<TDevice, string> Drained => _drained;
    public IReadOnlySet<string> Completing => _completing;

    /// <summary>Idle devices and devices holding a lease.</summary>
    public int DeviceCount => _idle.Count + _leases.Values.Select(l => l.Device).Distinct().Count();

    public IReadOnlySet<string> Running() => _leases.Keys.ToHashSet();

    /// <summary>The latest finished epoch of each running task that has reported one.</summary>
    public IReadOnlyDictionary<string, EpochProgress> Progress() =>
        _leases.Where(kv => kv.Value.Progress is not null).ToDictionary(kv => kv.Key, kv => kv.Value.Progress!);

    /// <summary>An idle device asks for work.</summary>
    /// <returns>False for a request crossing the device's own assignment, or from a drained device: ignore it.
    /// True: the device waits for work (watch it and dispatch).</returns>
    public bool Offer(TDevice device, string name)
    {
        if (_leases.Values.Any(l => Same.Equals(l.Device, device)) || _drained.ContainsKey(device)) return false;
        _idle[device] = name;
        _usage.Seen(Key(device, name), Seconds());
        return true;
    }

    /// <summary>Hands pending tasks to idle devices, in <see cref="QueueState.Take"/>'s order.</summary>
    public (QueueState State, IReadOnlyList<Assignment<TDevice>> Assignments) Dispatch(QueueState state)
    {
        List<Assignment<TDevice>>? assigned = null;
        while (_idle.Count > 0)
        {
            var (next, task) = state.Take();
            if (task is null) break;
            state = next;
            var taskId = task.Task.TaskId;
            // A stale copy in the line (a new queue recovers every open task as pending): the task was adopted from a
            // device after a failover and still runs there, or its result from that device is being written.
            if (_leases.ContainsKey(taskId) || _completing.Contains(taskId)) continue;
            var (device, name) = _idle.First();
            _idle.Remove(device);
            var lease = ++_nextLease;
            AddLease(taskId, new Lease<TDevice>(lease, device, name, _clock.GetTimestamp()));
            (assigned ??= []).Add(new Assignment<TDevice>(device, task, lease, state.Attempts.GetValueOrDefault(taskId) + 1));
        }
        return (state, assigned ?? (IReadOnlyList<Assignment<TDevice>>)[]);
    }

    /// <summary>
    /// A result (success or failed attempt) under <paramref name="lease"/>. It counts only for the current lease
    /// of an open task: the lease ends and the task is completing until <see cref="Completed"/>.
    /// </summary>
    /// <returns>False: a stale lease or a task already completed; ignore the result.</returns>
    public bool Complete(string taskId, long lease, QueueState state)
    {
        if (!IsCurrent(taskId, lease, state)) return false;
        RemoveLease(taskId);
        _completing.Add(taskId);
        return true;
    }

    /// <summary>The result of a task passed to <see cref="Complete"/> is persisted (the task is done or requeued).</summary>
    public void Completed(string taskId) => _completing.Remove(taskId);

    /// <summary>The device stopped the task (a drain) and hands it back: it goes to the front of its line.</summary>
    /// <returns>Null for a stale lease (nothing changes).</returns>
    public QueueState? Interrupt(string taskId, long lease, QueueState state) =>
        IsCurrent(taskId, lease, state) ? Release(taskId, state) : null;

    /// <param name="progress">The task's latest finished epoch, if the device reported one.</param>
    public HeartbeatOutcome Heartbeat(string taskId, long lease, TDevice device, string name, QueueState state, EpochProgress? progress = null)
    {
        if (_leases.TryGetValue(taskId, out var held))
        {
            if (held.Id != lease) return HeartbeatOutcome.Revoked;
            _leases[taskId] = held with { LastSeen = _clock.GetTimestamp(), Progress = progress ?? held.Progress };
            return HeartbeatOutcome.Renewed;
        }
        if (_completing.Contains(taskId)) return HeartbeatOutcome.Ignored;
        if (!state.Open.ContainsKey(taskId)) return HeartbeatOutcome.Revoked;
        // A lease of a previous queue (failover) whose device still runs it: keep it there instead of starting over.
        _idle.Remove(device);
        AddLease(taskId, new Lease<TDevice>(lease, device, name, _clock.GetTimestamp(), progress));
        return HeartbeatOutcome.Adopted;
    }

    /// <summary>Leases silent for longer than the timeout (a frozen or unreachable node) end; their tasks go to other devices.</summary>
    public (QueueState State, IReadOnlyList<Revocation<TDevice>> Revoked) Expire(QueueState state)
    {
        var silentSince = _clock.GetTimestamp() - _timeout;
        return Revoke(kv => kv.Value.LastSeen < silentSince, state);
    }

    /// <summary>A cancelled study's running tasks stop now; their devices take other work.</summary>
    public (QueueState State, IReadOnlyList<Revocation<TDevice>> Revoked) RevokeStudy(string studyId, QueueState state) =>
        Revoke(kv => TaskAddress.Parse(kv.Key).Study == studyId, state);

    /// <summary>The device is gone (stopped, or its node left): it is forgotten and its tasks return to their lines.</summary>
    public QueueState Lost(TDevice device, QueueState state)
    {
        var name = _idle.TryGetValue(device, out var idle) ? idle
            : _drained.TryGetValue(device, out var drained) ? drained
            : _leases.Values.FirstOrDefault(l => Same.Equals(l.Device, device))?.Name;
        _idle.Remove(device);
        _drained.Remove(device);
        foreach (var taskId in _leases.Where(kv => Same.Equals(kv.Value.Device, device)).Select(kv => kv.Key).ToList())
            state = Release(taskId, state);
        if (name is not null) _usage.Forget(Key(device, name));
        return state;
    }

    /// <summary>
    /// The node's devices take no more work: idle ones at once, busy ones once they hand their task back
    /// (interrupted, from its checkpoint).
    /// </summary>
    /// <returns>The devices to tell to drain.</returns>
    public IReadOnlyList<(TDevice Device, string Name)> Drain(string node)
    {
        var told = new List<(TDevice Device, string Name)>();
        foreach (var (device, name) in _idle.Where(kv => _nodeOf(kv.Key) == node).ToList())
        {
            _idle.Remove(device);
            _drained[device] = name;
            told.Add((device, name));
        }
        foreach (var lease in _leases.Values.Where(l => _nodeOf(l.Device) == node).ToList())
        {
            _drained[lease.Device] = lease.Name;
            told.Add((lease.Device, lease.Name));
        }
        return told;
    }

    /// <summary>Every known device (busy, idle or drained) by node and name, with its busy time.</summary>
    public IReadOnlyList<DeviceEntry<TDevice>> Devices()
    {
        var now = Seconds();
        DeviceEntry<TDevice> View(TDevice device, string name, string state, string? task)
        {
            var (busy, ratio) = _usage.Of(Key(device, name), now);
            return new DeviceEntry<TDevice>(device, _nodeOf(device), name, state, task, busy, ratio);
        }
        var busy = _leases.Values.Select(l => l.Device).ToHashSet();
        return _leases.Select(kv => View(kv.Value.Device, kv.Value.Name, DeviceStates.Busy, kv.Key))
            .Concat(_idle.Select(kv => View(kv.Key, kv.Value, DeviceStates.Idle, null)))
            .Concat(_drained.Where(kv => !busy.Contains(kv.Key)).Select(kv => View(kv.Key, kv.Value, DeviceStates.Drained, null)))
            .OrderBy(v => v.Node, StringComparer.Ordinal).ThenBy(v => v.Name, StringComparer.Ordinal)
            .ToList();
    }

    private bool IsCurrent(string taskId, long lease, QueueState state) =>
        _leases.TryGetValue(taskId, out var l) && l.Id == lease && state.Open.ContainsKey(taskId);

    private (QueueState, IReadOnlyList<Revocation<TDevice>>) Revoke(Func<KeyValuePair<string, Lease<TDevice>>, bool> which, QueueState state)
    {
        List<Revocation<TDevice>>? revoked = null;
        foreach (var (taskId, lease) in _leases.Where(which).ToList())
        {
            (revoked ??= []).Add(new Revocation<TDevice>(lease.Device, taskId, lease.Id));
            state = Release(taskId, state);
        }
        return (state, revoked ?? (IReadOnlyList<Revocation<TDevice>>)[]);
    }

    private QueueState Release(string taskId, QueueState state)
    {
        RemoveLease(taskId);
        return state.Requeue(taskId);
    }

    private void AddLease(string taskId, Lease<TDevice> lease)
    {
        _leases[taskId] = lease;
        _usage.Busy(Key(lease.Device, lease.Name), Seconds());
    }

    private void RemoveLease(string taskId)
    {
        if (_leases.Remove(taskId, out var lease)) _usage.Idle(Key(lease.Device, lease.Name), Seconds());
    }

    private string Key(TDevice device, string name) => _nodeOf(device) + "/" + name;

    private double Seconds() => _clock.GetTimestamp() / (double)_clock.TimestampFrequency;
}
