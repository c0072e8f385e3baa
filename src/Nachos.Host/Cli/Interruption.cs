using System.Runtime.InteropServices;

namespace Nachos.Host.Cli;

/// <summary>
/// Ctrl-C and SIGTERM as a cancellation, from construction until disposal, instead of the default action that would kill
/// the process mid-write: commands that train or write a run directory stop in order. The interactive shell renews it
/// after each Ctrl-C, so that Ctrl-C stops one command (or the line being typed), not the shell.
/// </summary>
public sealed class Interruption : IDisposable
{
    private readonly Lock _lock = new();
    private readonly PosixSignalRegistration _sigterm;
    private readonly bool _againEnds;
    private CancellationTokenSource _source = new();

    /// <param name="againEnds">
    /// The shell's: a second Ctrl-C before <see cref="Renew"/> is left to its default action, ending the process, unless a
    /// command's own Interruption takes it. A command that cannot stop midway (train, predict, evaluate …) does not look at
    /// the token; this is the way out of it.
    /// </param>
    public Interruption(bool againEnds = false)
    {
        _againEnds = againEnds;
        Console.CancelKeyPress += OnCancel;
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            Terminated = true;
            Current.Cancel();
        });
    }

    public CancellationToken Token => Current.Token;

    public bool IsCancellationRequested => Current.IsCancellationRequested;

    /// <summary>A SIGTERM came (not only a Ctrl-C): that one is for good, <see cref="Renew"/> keeps it.</summary>
    public bool Terminated { get; private set; }

    /// <summary>The token for the next command: a fresh one after a Ctrl-C cancelled the last, the cancelled one after a SIGTERM.</summary>
    public CancellationToken Renew()
    {
        lock (_lock)
        {
            // The cancelled source is not disposed: the signal thread may still hold it.
            if (_source.IsCancellationRequested && !Terminated) _source = new CancellationTokenSource();
            return _source.Token;
        }
    }

    private CancellationTokenSource Current
    {
        get { lock (_lock) return _source; }
    }

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        var source = Current;
        if (_againEnds && source.IsCancellationRequested) return;
        e.Cancel = true;
        source.Cancel();
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
        _sigterm.Dispose();
        Current.Dispose();
    }
}
