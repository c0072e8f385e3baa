using System.Collections.Concurrent;
using System.Diagnostics;
using Nachos.Shared.TaskProcess;
using Nachos.Shared.Tasks;

namespace Nachos.Host.Running;

/// <summary>A device's <c>nachos worker</c> child (<see cref="WorkerProtocol"/>), and the exchange of one task attempt with it.</summary>
internal sealed class TaskWorker : IDisposable
{
    private readonly Process _process;
    private readonly StandardErrorTail _stderr;
    private readonly ConcurrentQueue<int> _answers = new();
    private readonly SemaphoreSlim _signal = new(0);

    private TaskWorker(string device)
    {
        _process = ChildProcess.Start(["worker", "--device", device], out _stderr, line =>
        {
            if (WorkerProtocol.ParseDone(line) is not { } code) return;
            _answers.Enqueue(code);
            _signal.Release();
        }, input: true);
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) => _signal.Release();
    }

    public static TaskWorker Start(string device) => new(device);

    public bool IsAlive => !_process.HasExited;

    /// <summary>Sends one task request and waits for its answer; null when the timeout passed first (the worker is killed).</summary>
    public ChildExit? Run(string request, double timeoutSeconds, ProgressTail tail, Action<EpochProgress> progress, CancellationToken cancel)
    {
        _stderr.ExpectEnd();
        try
        {
            _process.StandardInput.WriteLine(request);
            _process.StandardInput.Flush();
        }
        catch (IOException) // it died between tasks: the answer below is its exit code
        {
        }
        return ChildProcess.Wait(_process, Answer, _stderr, timeoutSeconds, tail, progress, cancel);
    }

    /// <summary>The worker's answer, or its exit code when it ended without one; null when neither came within <paramref name="wait"/>.</summary>
    private int? Answer(TimeSpan wait)
    {
        if (_answers.TryDequeue(out var code)) return Answered(code);
        if (_process.HasExited)
        {
            _process.WaitForExit(); // its output read to the end: an answer written just before it ended is not lost
            return _answers.TryDequeue(out code) ? code : _process.ExitCode;
        }
        _signal.Wait(wait);
        return _answers.TryDequeue(out code) ? Answered(code) : null;
    }

    /// <summary>The answer, once the task's standard error is read to its end (bounded: a worker that ends writes none).</summary>
    private int Answered(int code)
    {
        _stderr.WaitForEnd(EndWait);
        return code;
    }

    private static readonly TimeSpan EndWait = TimeSpan.FromSeconds(2);

    /// <summary>Ends the worker: closing its input ends it between tasks; one still running is killed.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(TimeSpan.FromSeconds(5))) _process.Kill(entireProcessTree: true);
            }
            _process.WaitForExit();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
