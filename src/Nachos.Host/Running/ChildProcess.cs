using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using Nachos.Shared.TaskProcess;
using Nachos.Shared.Tasks;

namespace Nachos.Host.Running;

/// <summary>Starting a <c>nachos</c> child of this node for task work, interrupting it, and waiting for it with progress.</summary>
internal static class ChildProcess
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(1);

    /// <summary>
    /// This same executable with <paramref name="arguments"/> and <c>--parent-pid</c>: its standard error kept, each line of its
    /// standard output given to <paramref name="output"/> (or dropped), its standard input open to this node when <paramref name="input"/>.
    /// </summary>
    public static Process Start(IEnumerable<string> arguments, out StandardErrorTail stderr, Action<string>? output = null, bool input = false)
    {
        var process = Environment.ProcessPath!;
        var start = new ProcessStartInfo(process) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = input };
        if (Path.GetFileNameWithoutExtension(process) == "dotnet") start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var a in arguments.Concat(["--parent-pid", Environment.ProcessId.ToString()])) start.ArgumentList.Add(a);
        var child = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {process}");
        var tail = stderr = new StandardErrorTail();
        child.ErrorDataReceived += (_, e) => { if (e.Data is not null) tail.Add(e.Data); };
        child.OutputDataReceived += (_, e) => { if (e.Data is not null) output?.Invoke(e.Data); };
        child.BeginErrorReadLine();
        child.BeginOutputReadLine();
        return child;
    }

    /// <summary>
    /// Waits for <paramref name="child"/>'s result from <paramref name="waitFor"/> (which waits at most the span it is given),
    /// passing on each new finished epoch and interrupting the child when <paramref name="cancel"/> fires; null when
    /// <paramref name="timeoutSeconds"/> (when positive) passed first, and then the child is killed.
    /// </summary>
    public static ChildExit? Wait(Process child, Func<TimeSpan, int?> waitFor, StandardErrorTail stderr, double timeoutSeconds, ProgressTail tail,
        Action<EpochProgress> progress, CancellationToken cancel)
    {
        int? code;
        using (cancel.Register(() => Interrupt(child)))
            code = Await(waitFor, timeoutSeconds, tail, progress);
        if (code is null)
        {
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
            return null;
        }
        return new ChildExit(code.Value, stderr.Last(3));
    }

    private static int? Await(Func<TimeSpan, int?> waitFor, double timeoutSeconds, ProgressTail tail, Action<EpochProgress> progress)
    {
        var clock = Stopwatch.StartNew();
        EpochProgress? reported = null;
        while (true)
        {
            var left = timeoutSeconds > 0 ? TimeSpan.FromSeconds(timeoutSeconds) - clock.Elapsed : PollEvery;
            if (waitFor(left < PollEvery ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : PollEvery) is { } code) return code;
            if (tail.Poll() is { } latest && latest != reported) progress(reported = latest);
            if (timeoutSeconds > 0 && clock.Elapsed.TotalSeconds >= timeoutSeconds) return null;
        }
    }

    /// <summary>SIGTERM: the task checkpoints and its process exits.</summary>
    private static void Interrupt(Process child)
    {
        if (!child.HasExited) _ = Kill(child.Id, SigTerm);
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

/// <summary>
/// The standard error of a child, kept to name the cause of a crash in the task's failure. A worker's lines between
/// tasks (<see cref="WorkerProtocol.Begin"/>, <see cref="WorkerProtocol.End"/>) are not kept: a begin drops what came
/// before it (the previous task's), an end is waited for with <see cref="WaitForEnd"/>.
/// </summary>
public sealed class StandardErrorTail
{
    private readonly Queue<string> _lines = new();
    private readonly ManualResetEventSlim _ended = new();

    public void Add(string line)
    {
        var trimmed = line.Trim();
        if (trimmed.Length == 0) return;
        if (trimmed == WorkerProtocol.End)
        {
            _ended.Set();
            return;
        }
        lock (_lines)
        {
            if (trimmed == WorkerProtocol.Begin)
            {
                _lines.Clear();
                return;
            }
            _lines.Enqueue(trimmed);
            if (_lines.Count > 16) _lines.Dequeue();
        }
    }

    /// <summary>Before a request: the next task's end is yet to come.</summary>
    public void ExpectEnd() => _ended.Reset();

    /// <summary>Whether the task's end came (its every line read) within <paramref name="wait"/>.</summary>
    public bool WaitForEnd(TimeSpan wait) => _ended.Wait(wait);

    /// <summary>The last <paramref name="count"/> lines, joined with " | ".</summary>
    public string Last(int count)
    {
        lock (_lines) return string.Join(" | ", _lines.TakeLast(count));
    }
}
