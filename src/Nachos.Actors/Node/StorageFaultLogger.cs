using Akka.Event;

namespace Nachos.Actors.Node;

/// <summary>
/// Akka's console logger, except that an error caused by a full disk reports a <see cref="StorageFault"/>
/// instead of printing its stack trace, and once one has, errors and warnings are not printed: they are
/// its consequences (every persistent actor failing its writes) while the node stops.
/// </summary>
public sealed class StorageFaultLogger : DefaultLogger
{
    protected override void Print(LogEvent logEvent)
    {
        var fault = StorageFault.Get(Context.System);
        if (logEvent is Error error && DiskFull.Is(error.Cause)) fault.Report(error.Cause);
        if (fault.HasOccurred && logEvent is Error or Warning) return;
        base.Print(logEvent);
    }
}
