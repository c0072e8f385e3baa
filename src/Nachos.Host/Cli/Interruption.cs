using System.Runtime.InteropServices;

namespace Nachos.Host.Cli;

/// <summary>
/// Ctrl-C and SIGTERM as a cancellation, from construction until disposal, instead of the default action that would kill
/// the process mid-write: commands that train or write a run directory stop in order.
/// </summary>
public sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration _sigterm;

    public Interruption()
    {
        Console.CancelKeyPress += OnCancel;
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            _source.Cancel();
        });
    }

    public CancellationToken Token => _source.Token;

    public bool IsCancellationRequested => _source.IsCancellationRequested;

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        _source.Cancel();
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
        _sigterm.Dispose();
        _source.Dispose();
    }
}
