using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using Nachos.Actors.Devices;
using Nachos.Actors.Entities;
using Nachos.Shared.Study;
using Nachos.Shared.TaskProcess;
using Nachos.Shared.Tasks;

namespace Nachos.Host.Running;

/// <summary>
/// Runs each task attempt in a child <c>nachos task</c> process bound to its device, so a native crash,
/// an out-of-memory kill or a non-zero exit fails that task only. The child resumes from the task's
/// checkpoint when there is one. Cancellation sends SIGTERM: the child checkpoints and exits (not SIGINT,
/// which a node started in the background by a batch script inherits ignored, and so would its children).
/// Node and child talk through files in the task folder (task.json, result.json, failure.json, progress.jsonl:
/// Nachos.Shared.TaskProcess); the child's finished epochs are tailed while it runs and passed on as progress.
/// </summary>
public sealed class SubprocessExecutor(IStudyCatalog catalog) : ITaskExecutor
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(1);

    public TrainingResult Run(TaskSpec task, int attempt, string device, Action<EpochProgress> progress, CancellationToken cancel)
    {
        var dir = RunLayout.TaskDirectory(catalog.Get(task.StudyId).RunDir, task.Address());
        Directory.CreateDirectory(dir);
        var taskFile = RunLayout.TaskFilePath(dir);
        var resultFile = RunLayout.ResultPath(dir);
        var failureFile = RunLayout.FailurePath(dir);
        var progressFile = RunLayout.ProgressPath(dir);
        ChildTaskFile.Write(taskFile, task);
        if (File.Exists(resultFile)) File.Delete(resultFile);
        if (File.Exists(failureFile)) File.Delete(failureFile);
        if (File.Exists(progressFile)) File.Delete(progressFile); // an earlier attempt's epochs are not this one's

        var start = Command();
        foreach (var a in new[] { "task", "--run-dir", catalog.Get(task.StudyId).RunDir, "--task-file", taskFile, "--device", device,
                     "--parent-pid", Environment.ProcessId.ToString() })
            start.ArgumentList.Add(a);
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        using var child = Process.Start(start) ?? throw new InvalidOperationException("cannot start nachos task");
        var stderr = new System.Text.StringBuilder();
        child.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        child.OutputDataReceived += (_, _) => { };
        child.BeginErrorReadLine();
        child.BeginOutputReadLine();
        var timeout = catalog.Get(task.StudyId).Spec.Execution.TaskTimeoutSeconds;
        bool finished;
        using (cancel.Register(() => Interrupt(child)))
            finished = WaitForExit(child, timeout, new ProgressTail(progressFile), progress);
        if (!finished)
        {
            // A hung task (a stalled device, a deadlock) fails this attempt instead of holding its lease forever.
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
            throw new TaskFailedException(FailureKind.Timeout, $"{task.TaskId}: no result after execution.task_timeout_seconds = {timeout}");
        }
        child.WaitForExit();
        cancel.ThrowIfCancellationRequested();
        // Interrupted from outside (Ctrl-C reaches the whole process group; SIGTERM from Slurm): not a failed attempt.
        if (child.ExitCode is 130 or 143) throw new OperationCanceledException($"{task.TaskId}: task process interrupted");
        if (child.ExitCode != 0 || !File.Exists(resultFile))
        {
            // The child names the kind of the failures it recognises (a diverged loss, a data or spec error, out of memory).
            if (child.ExitCode != 0 && File.Exists(failureFile) && ReadFailure(failureFile) is { } failure)
                throw new TaskFailedException(failure.Kind, failure.Message);
            string tail;
            lock (stderr) tail = string.Join(" | ", stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3));
            // Anything else (a signal such as the OOM killer's SIGKILL, exit 137; a native crash; an unexpected exception) may pass on another try.
            throw new TaskFailedException(FailureKind.Crashed, $"task process exited with code {child.ExitCode}{(tail.Length > 0 ? $": {tail}" : "")}");
        }
        try { return ChildResultFile.Read(resultFile); }
        catch (ChildFileException e) { throw new TaskFailedException(FailureKind.Crashed, e.Message); }
    }

    /// <summary>Waits for the child to exit (false: not within <paramref name="timeoutSeconds"/>, when positive), passing on each new finished epoch.</summary>
    private static bool WaitForExit(Process child, double timeoutSeconds, ProgressTail tail, Action<EpochProgress> progress)
    {
        var clock = Stopwatch.StartNew();
        EpochProgress? reported = null;
        while (true)
        {
            var left = timeoutSeconds > 0 ? TimeSpan.FromSeconds(timeoutSeconds) - clock.Elapsed : PollEvery;
            if (child.WaitForExit(left < PollEvery ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : PollEvery)) return true;
            if (tail.Poll() is { } latest && latest != reported) progress(reported = latest);
            if (timeoutSeconds > 0 && clock.Elapsed.TotalSeconds >= timeoutSeconds) return false;
        }
    }

    private static TaskFailure? ReadFailure(string file)
    {
        try { return ChildFailureFile.Read(file); }
        catch (ChildFileException) { return null; } // of another format, or damaged: the exit code speaks instead
    }

    private static void Interrupt(Process child)
    {
        if (!child.HasExited) _ = Kill(child.Id, SigTerm);
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>This same executable: the apphost, or <c>dotnet nachos.dll</c>.</summary>
    private static ProcessStartInfo Command()
    {
        var process = Environment.ProcessPath!;
        var start = new ProcessStartInfo(process) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(process) == "dotnet")
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        return start;
    }
}
