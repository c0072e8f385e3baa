using Akka.Actor;

namespace Nachos.Actors.Storage;

/// <summary>
/// The one place a node learns that its storage is full: journal write failures (through
/// <see cref="StorageFaultLogger"/>) and artifact writes (through the device actors) report here, and the
/// process that owns the node (<c>nachos run</c>, <c>nachos node</c>) stops on <see cref="Detected"/>
/// instead of letting persistent actors retry against a full disk.
/// </summary>
public sealed class StorageFault : IExtension
{
    private readonly TaskCompletionSource<Exception> _detected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static StorageFault Get(ActorSystem system) => system.WithExtension<StorageFault, StorageFaultId>();

    /// <summary>Completes with the first disk-full failure.</summary>
    public Task<Exception> Detected => _detected.Task;

    public bool HasOccurred => _detected.Task.IsCompleted;

    /// <summary>Whether the process stops on a fault (then its consequences need not be logged).</summary>
    public bool Stops { get; private set; }

    public void Report(Exception cause) => _detected.TrySetResult(cause);

    /// <summary>Makes the caller the owner of the fault: <paramref name="stop"/> runs on the first one.</summary>
    public void StopOnFault(Action stop)
    {
        Stops = true;
        _detected.Task.ContinueWith(_ => stop(), TaskScheduler.Default);
    }

    private sealed class StorageFaultId : ExtensionIdProvider<StorageFault>
    {
        public override StorageFault CreateExtension(ExtendedActorSystem system) => new();
    }
}
