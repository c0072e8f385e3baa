using Nachos.Shared.Tasks;
using Nachos.Shared.TaskProcess;

namespace Nachos.Shared.Queue;

/// <summary>A task held by a device while it heartbeats. <paramref name="LastSeen"/> is a timestamp of the lease book's clock.</summary>
/// <param name="Progress">The latest finished epoch the device reported.</param>
public sealed record Lease<TDevice>(long Id, TDevice Device, string Name, long LastSeen, EpochProgress? Progress = null);
