using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Nachos.Training.Engine;

/// <summary>
/// Where a task's seconds go, for the benchmarks (bench/README.md, "Inner-task seconds"): when the environment variable
/// <c>NACHOS_TRAINER_TRACE</c> names a file, each <see cref="Trainer.Run"/> appends one tab-separated line to it: the task id,
/// whether it was the process's first run (cold: its code not yet compiled), the seconds from the process's start to the run's,
/// the epoch it started from (a checkpoint's), the epochs it ran, the trainer clock's seconds, and <c>phase=seconds</c> in order of first use (an epoch's phases summed
/// over its epochs; phases after the result are outside the trainer clock).
/// </summary>
internal sealed class PhaseTrace
{
    private static readonly string? TraceFile = Environment.GetEnvironmentVariable("NACHOS_TRAINER_TRACE");
    private static readonly Lock FileLock = new();
    private static int _runs;

    private readonly Stopwatch _clock;
    private readonly List<(string Phase, double Seconds)> _phases = [];
    private readonly bool _cold;
    private readonly double _sinceStart;
    private double _last;

    private PhaseTrace(Stopwatch clock)
    {
        _clock = clock;
        _cold = Interlocked.Increment(ref _runs) == 1;
        _sinceStart = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalSeconds;
    }

    /// <summary>A trace of the run timed by <paramref name="clock"/> when tracing is on, else null.</summary>
    public static PhaseTrace? Start(Stopwatch clock) => TraceFile is null ? null : new PhaseTrace(clock);

    /// <summary>Ends a phase: the time since the previous mark is added to <paramref name="phase"/>.</summary>
    public void Mark(string phase)
    {
        var now = _clock.Elapsed.TotalSeconds;
        var i = _phases.FindIndex(p => p.Phase == phase);
        if (i < 0) _phases.Add((phase, now - _last));
        else _phases[i] = (phase, _phases[i].Seconds + now - _last);
        _last = now;
    }

    public void Write(string taskId, int fromEpoch, int epochs, double trainerSeconds)
    {
        var line = new StringBuilder(string.Create(CultureInfo.InvariantCulture,
            $"{taskId}\t{(_cold ? "cold" : "warm")}\t{_sinceStart:F3}\t{fromEpoch}\t{epochs}\t{trainerSeconds:F4}"));
        foreach (var (phase, seconds) in _phases) line.Append(CultureInfo.InvariantCulture, $"\t{phase}={seconds:F4}");
        lock (FileLock) File.AppendAllText(TraceFile!, line.Append('\n').ToString());
    }
}
