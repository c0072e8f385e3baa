using Nachos.Actors.Devices;
using Nachos.Actors.Entities;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Shared.TaskProcess;
using Nachos.Shared.Tasks;

namespace Nachos.Host.Running;

/// <summary>Runs each task the way its study's spec asks (execution.executor): in a child process or a device's worker, or in-process for the simulated trainer.</summary>
public sealed class SpecExecutor(IStudyCatalog catalog) : ITaskExecutor, IDisposable
{
    private readonly SubprocessExecutor _subprocess = new(catalog);
    private readonly SimulatedExecutor _inProcess = new(catalog);

    public TrainingResult Run(TaskSpec task, int attempt, string device, Action<EpochProgress> progress, CancellationToken cancel) =>
        catalog.Get(task.StudyId).Spec.Execution.Executor == ExecutorKind.InProcess
            ? _inProcess.Run(task, attempt, device, progress, cancel)
            : _subprocess.Run(task, attempt, device, progress, cancel);

    public void Dispose() => _subprocess.Dispose();
}
