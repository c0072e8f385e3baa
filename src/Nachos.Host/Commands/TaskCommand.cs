using System.CommandLine;
using Nachos.Actors.Entities;
using Nachos.Host.Running;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Shared.TaskProcess;
using Nachos.Shared.Tasks;
using Nachos.Training.Data;
using Nachos.Training.Engine;
using TorchSharp;
using Nachos.Host.Cli;
using Nachos.Shared.Robustness;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos task</c> (internal): runs one task attempt for the subprocess executor, appends each finished epoch
/// to progress.jsonl and writes result.json (or failure.json) into the task folder (Nachos.Shared.TaskProcess).
/// Resumes from the task's checkpoint when there is one.
/// </summary>
public static class TaskCommand
{
    public static Command Create()
    {
        var runDir = new Option<string>("--run-dir") { Required = true };
        var taskFile = new Option<string>("--task-file") { Required = true };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "cpu0" };
        var parent = new Option<int?>("--parent-pid") { Description = "stop (with a checkpoint) when this process is gone" };
        var command = new Command("task", "run one training task of a study (used by the subprocess executor)") { runDir, taskFile, device, parent };
        command.Hidden = true;
        command.SetAction(r => Run(r.GetValue(runDir)!, r.GetValue(taskFile)!, r.GetValue(device)!, r.GetValue(parent)));
        return command;
    }

    private static int Run(string runDir, string taskFile, string device, int? parentPid)
    {
        using var cancel = new CancellationTokenSource();
        using var signals = new TrainingSignals(cancel);
        if (parentPid is { } pid) CancelWhenGone(pid, cancel);
        return Attempt(runDir, taskFile, device, parentPid, cancel.Token, () => signals.Training = true);
    }

    /// <summary>
    /// One task attempt, as the executor asked for it in <paramref name="taskFile"/>: writes result.json, or failure.json for a
    /// failure of a known kind; returns the exit code the executor reads (<see cref="ExitCodes"/>). Unknown failures throw.
    /// </summary>
    /// <param name="started">Called once the spec and data are loaded, when the training (or stress evaluation) starts.</param>
    internal static int Attempt(string runDir, string taskFile, string device, int? nodePid, CancellationToken cancel, Action started)
    {
        TaskSpec task;
        try { task = ChildTaskFile.Read(taskFile); }
        catch (Exception e) when (e is ChildFileException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(e.Message);
            return ExitCodes.BadInput;
        }
        try
        {
            return Run(task, runDir, device, nodePid, cancel, started);
        }
        catch (Exception e) when (FailureKinds.Of(e) is not (FailureKind.Crashed or FailureKind.Interrupted) and var kind)
        {
            // A failure of a known kind: the executor reads it from failure.json (deterministic kinds are not retried).
            Console.Error.WriteLine(e.Message);
            var file = RunLayout.FailurePath(Path.GetDirectoryName(Path.GetFullPath(taskFile))!);
            ChildFailureFile.Write(file, new TaskFailure(kind, e.Message));
            return ExitCodes.Failed;
        }
    }

    /// <summary>
    /// A task must not outlive its node (kill -9 of the node): it would train on beside the task's next attempt.
    /// (The path is built once: this thread must not allocate while libtorch runs, see docs/platform.md.)
    /// </summary>
    internal static void CancelWhenGone(int parentPid, CancellationTokenSource cancel)
    {
        var parentDir = $"/proc/{parentPid}";
        new Thread(() =>
        {
            while (!cancel.IsCancellationRequested && Directory.Exists(parentDir)) Thread.Sleep(1000);
            cancel.Cancel();
        }) { IsBackground = true }.Start();
    }

    private static int Run(TaskSpec task, string runDir, string device, int? parentPid, CancellationToken cancel, Action started)
    {
        var spec = RunDirectoryCatalog.LoadSpec(runDir) ?? throw new TaskFailedException(FailureKind.SpecError, $"{runDir}: no study spec");
        // A worker runs many tasks: one whose spec leaves the threads to libtorch gets libtorch's own number, not the last task's.
        if (spec.Training.Threads > 0)
        {
            _libtorchThreads ??= torch.get_num_threads();
            torch.set_num_threads(spec.Training.Threads);
        }
        else if (_libtorchThreads is { } own) torch.set_num_threads(own);
        var npz = spec.Dataset.Format == DatasetFormat.Npz ? DatasetLoader.Load(spec) : null;
        var manifest = npz?.Manifest ?? DatasetLoader.ReadManifest(spec);
        var context = new StudyContext(spec, SplitPlan.Read(RunLayout.SplitsPath(runDir)), manifest, runDir);
        var stress = task.IsStress();
        var training = context.TrainingTask(stress ? task.RefitOf() : task);
        // Only this task's images, decoded once per study: the run's image cache is shared by its tasks.
        var data = stress ? StressEvaluation.Data(spec, npz, training, runDir)
            : npz ?? DatasetLoader.Load(spec, training.Train.Concat(training.Validation).Concat(training.Test), RunLayout.ImageCacheDirectory(runDir));

        var directory = stress ? context.TaskDirectory(task.Address()) : training.Directory;
        RecordAttempt(directory, device, parentPid);
        started();
        if (stress) return Stress(task, spec, data, training, directory, device, cancel);
        try
        {
            var torchDevice = device.StartsWith("cuda", StringComparison.Ordinal) ? device.Replace("cuda", "cuda:") : "cpu";
            var progressFile = RunLayout.ProgressPath(training.Directory);
            var monitor = spec.Training.EarlyStopping.Monitor;
            var result = new Trainer(spec, data, torchDevice).Run(training, p =>
            {
                if (p.Completed is { } e) ProgressLog.Append(progressFile, Progress(e, p.MaxEpochs, monitor));
            }, cancel);
            ChildResultFile.Write(RunLayout.ResultPath(training.Directory), result);
            return ExitCodes.Ok;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Interrupted;
        }
    }

    /// <summary>
    /// A stress task: the fold's refit scored on its outer test fold unshifted and under the spec's <c>robustness:</c> shifts, on CPU as
    /// <c>nachos stress</c> does. An evaluation only: an interrupted attempt starts over, with the same result.
    /// </summary>
    private static int Stress(TaskSpec task, StudySpec spec, LoadedDataset data, TrainingTask refit, string directory, string device, CancellationToken cancel)
    {
        var robustness = spec.Robustness ?? throw new TaskFailedException(FailureKind.SpecError, $"{task.TaskId}: the study spec has no robustness section");
        var selection = StressSelection.Of(robustness);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var fold = StressEvaluation.Score(spec, data, refit, task.Outer, selection, () => { }, cancel);
            fold.Write(directory);
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Interrupted;
        }
        catch (FileNotFoundException e)
        {
            // The refit's model.pt is gone: every attempt would fail the same way.
            throw new TaskFailedException(FailureKind.DataError, e.Message);
        }
        ChildResultFile.Write(RunLayout.ResultPath(directory), StressFold.Result(task.TaskId, clock.Elapsed.TotalSeconds, device));
        return ExitCodes.Ok;
    }

    private static int? _libtorchThreads;

    /// <summary>An epoch as progress.jsonl holds it; the monitored metric only with a validation set.</summary>
    private static EpochProgress Progress(EpochRecord e, int maxEpochs, string monitor)
    {
        double? monitored = e.ValidationLoss is null ? null : monitor == "val_loss" ? e.ValidationLoss : e.Metrics.GetValueOrDefault(monitor[4..]);
        return new EpochProgress(e.Epoch, maxEpochs, e.TrainLoss, e.ValidationLoss, e.ValidationLoss is null ? null : monitor, monitored, e.Seconds);
    }

    /// <summary>
    /// One line per attempt in the task folder's attempts.log: when, where (host, node pid, the task's own process, device) and
    /// from where (scratch, or the checkpoint's epoch and batch), so an operator can follow a task that
    /// moved between nodes.
    /// </summary>
    private static void RecordAttempt(string directory, string device, int? nodePid)
    {
        var checkpoint = new Checkpoint(directory);
        var from = checkpoint.Exists && checkpoint.Load() is { } state ? $"resuming at epoch {state.Epoch}, batch {state.NextBatch}" : "from scratch";
        File.AppendAllText(RunLayout.AttemptsLogPath(directory),
            $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} host {Environment.MachineName} node pid {nodePid?.ToString() ?? "-"} process {Environment.ProcessId} device {device}: {from}\n");
    }
}
