using Akka.Event;

namespace Nachos.Actors.Storage;

/// <summary>
/// Akka's console logger, except that an error caused by a full disk reports a <see cref="StorageFault"/>
/// instead of printing its stack trace. When the process stops on the fault (<c>nachos run</c>), later errors
/// and warnings are not printed: they are its consequences (every persistent actor failing its writes) while
/// the node stops. Otherwise each disk-full error is one line.
/// </summary>
public sealed class StorageFaultLogger : DefaultLogger
{
    protected override void Print(LogEvent logEvent)
    {
        var fault = StorageFault.Get(Context.System);
        var diskFull = logEvent is Error error && DiskFull.Is(error.Cause);
        if (diskFull) fault.Report(((Error)logEvent).Cause);
        if (fault.HasOccurred && fault.Stops && logEvent is Error or Warning) return;
        base.Print(diskFull ? new Error(null, logEvent.LogSource, logEvent.LogClass, $"no space left on the disk: {logEvent.Message}") : logEvent);
    }
}
