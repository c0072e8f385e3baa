using Nachos.Shared.Study;

namespace Nachos.Shared.Queue;

/// <summary>Send <paramref name="Task"/> to <paramref name="Device"/> under lease <paramref name="Lease"/>.</summary>
public sealed record Assignment<TDevice>(TDevice Device, TaskQueued Task, long Lease, int Attempt);

/// <summary>Tell <paramref name="Device"/> that its lease on <paramref name="TaskId"/> is no longer valid.</summary>
public sealed record Revocation<TDevice>(TDevice Device, string TaskId, long Lease);

/// <summary>What a heartbeat leads to.</summary>
public enum HeartbeatOutcome
{
    /// <summary>The current lease: kept alive.</summary>
    Renewed,
    /// <summary>The task's result is being persisted: nothing to do.</summary>
    Ignored,
    /// <summary>A stale lease, or the task is no longer open: tell the sender its lease is revoked.</summary>
    Revoked,
    /// <summary>A lease of a previous queue (failover) whose device still runs it: now held here (watch the device).</summary>
    Adopted,
}

/// <summary>What a device is doing, as the queue sees it.</summary>
public static class DeviceStates
{
    public const string Busy = "busy";
    public const string Idle = "idle";
    public const string Drained = "drained";
}

/// <summary>A device as the queue sees it (state busy, idle or drained), with its busy time since first seen.</summary>
public sealed record DeviceEntry<TDevice>(TDevice Device, string Node, string Name, string State, string? TaskId, double BusySeconds, double BusyRatio);
