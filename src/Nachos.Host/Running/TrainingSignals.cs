using System.Runtime.InteropServices;

namespace Nachos.Host.Running;

/// <summary>
/// A task process's SIGINT (Ctrl-C) and SIGTERM (Slurm pre-emption, walltime, the node's interruption): while a training
/// runs they cancel the token given, which stops it at the next batch with a checkpoint; at any other time (the spec and
/// images still loading, a worker between tasks) they end the process at once (the default action, exit 143).
/// </summary>
internal sealed class TrainingSignals : IDisposable
{
    private int _training;
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    public TrainingSignals(CancellationTokenSource cancel)
    {
        void Stop(PosixSignalContext c)
        {
            if (Volatile.Read(ref _training) == 0) return;
            c.Cancel = true;
            cancel.Cancel();
        }
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    }

    /// <summary>Whether a training runs now.</summary>
    public bool Training
    {
        set => Volatile.Write(ref _training, value ? 1 : 0);
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
    }
}
