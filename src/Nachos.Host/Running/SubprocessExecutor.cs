using System.Collections.Concurrent;
using Nachos.Actors.Devices;
using Nachos.Actors.Entities;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Shared.TaskProcess;
using Nachos.Shared.Tasks;

namespace Nachos.Host.Running;

/// <summary>
/// Runs each task attempt outside the node, bound to its device, so a native crash, an out-of-memory kill or a non-zero
/// exit fails that task only: in a child <c>nachos task</c> process of its own (<c>execution.executor: subprocess</c>), or
/// in the device's <c>nachos worker</c>, one process that runs the device's tasks one after the other and is replaced after
/// a crash, a timeout or an interruption (<c>worker</c>). The task resumes from its checkpoint when there is one.
/// Cancellation sends SIGTERM: the task checkpoints and its process exits (not SIGINT, which a node started in the
/// background by a batch script inherits ignored, and so would its children). Node and task talk through files in the task
/// folder (task.json, result.json, failure.json, progress.jsonl: Nachos.Shared.TaskProcess); the task's finished epochs
/// are tailed while it runs and passed on as progress.
/// </summary>
public sealed class SubprocessExecutor(IStudyCatalog catalog) : ITaskExecutor, IDisposable
{
    private readonly ConcurrentDictionary<string, TaskWorker> _workers = new();

    public TrainingResult Run(TaskSpec task, int attempt, string device, Action<EpochProgress> progress, CancellationToken cancel)
    {
        var study = catalog.Get(task.StudyId);
        var dir = RunLayout.TaskDirectory(study.RunDir, task.Address());
        Directory.CreateDirectory(dir);
        var taskFile = RunLayout.TaskFilePath(dir);
        var resultFile = RunLayout.ResultPath(dir);
        var failureFile = RunLayout.FailurePath(dir);
        var progressFile = RunLayout.ProgressPath(dir);
        ChildTaskFile.Write(taskFile, task);
        if (File.Exists(resultFile)) File.Delete(resultFile);
        if (File.Exists(failureFile)) File.Delete(failureFile);
        if (File.Exists(progressFile)) File.Delete(progressFile); // an earlier attempt's epochs are not this one's

        var timeout = study.Spec.Execution.TaskTimeoutSeconds;
        var tail = new ProgressTail(progressFile);
        var exit = study.Spec.Execution.Executor == ExecutorKind.Worker
            ? InWorker(device, taskFile, study.RunDir, timeout, tail, progress, cancel)
            : InChild(device, taskFile, study.RunDir, timeout, tail, progress, cancel);
        // A hung task (a stalled device, a deadlock) fails this attempt instead of holding its lease forever.
        if (exit is null) throw new TaskFailedException(FailureKind.Timeout, $"{task.TaskId}: no result after execution.task_timeout_seconds = {timeout}");
        cancel.ThrowIfCancellationRequested();
        // Interrupted from outside (Ctrl-C reaches the whole process group; SIGTERM from Slurm): not a failed attempt.
        if (exit.Code is 130 or 143) throw new OperationCanceledException($"{task.TaskId}: task process interrupted");
        if (exit.Code != 0 || !File.Exists(resultFile))
        {
            // The task names the kind of the failures it recognises (a diverged loss, a data or spec error, out of memory).
            if (exit.Code != 0 && File.Exists(failureFile) && ReadFailure(failureFile) is { } failure)
                throw new TaskFailedException(failure.Kind, failure.Message);
            // Anything else (a signal such as the OOM killer's SIGKILL, exit 137; a native crash; an unexpected exception) may pass on another try.
            throw new TaskFailedException(FailureKind.Crashed, $"task process exited with code {exit.Code}{(exit.StandardError.Length > 0 ? $": {exit.StandardError}" : "")}");
        }
        try { return ChildResultFile.Read(resultFile); }
        catch (ChildFileException e) { throw new TaskFailedException(FailureKind.Crashed, e.Message); }
    }

    private static ChildExit? InChild(string device, string taskFile, string runDir, double timeout, ProgressTail tail, Action<EpochProgress> progress, CancellationToken cancel)
    {
        using var child = ChildProcess.Start(["task", "--run-dir", runDir, "--task-file", taskFile, "--device", device], out var stderr);
        return ChildProcess.Wait(child, Exited, stderr, timeout, tail, progress, cancel);

        int? Exited(TimeSpan wait)
        {
            if (!child.WaitForExit(wait)) return null;
            child.WaitForExit(); // its output read to the end
            return child.ExitCode;
        }
    }

    private ChildExit? InWorker(string device, string taskFile, string runDir, double timeout, ProgressTail tail, Action<EpochProgress> progress, CancellationToken cancel)
    {
        // A device runs one task at a time, so its worker is never asked twice at once.
        if (_workers.TryGetValue(device, out var found) && !found.IsAlive)
        {
            _workers.TryRemove(new KeyValuePair<string, TaskWorker>(device, found));
            found.Dispose();
        }
        var worker = _workers.GetOrAdd(device, TaskWorker.Start);
        ChildExit? exit = null;
        try
        {
            exit = worker.Run(WorkerProtocol.Request(taskFile, runDir), timeout, tail, progress, cancel);
        }
        finally
        {
            // Replaced after a crash, a timeout or an interruption: its next task starts in a new process.
            if (exit is null || !worker.IsAlive || cancel.IsCancellationRequested || exit.Code != 0)
            {
                _workers.TryRemove(new KeyValuePair<string, TaskWorker>(device, worker));
                worker.Dispose();
            }
        }
        return exit;
    }

    private static TaskFailure? ReadFailure(string file)
    {
        try { return ChildFailureFile.Read(file); }
        catch (ChildFileException) { return null; } // of another format, or damaged: the exit code speaks instead
    }

    public void Dispose()
    {
        foreach (var worker in _workers.Values) worker.Dispose();
        _workers.Clear();
    }
}

/// <summary>How a task's process ended: its exit code (or the worker's answer) and the last lines of its standard error.</summary>
internal sealed record ChildExit(int Code, string StandardError);
