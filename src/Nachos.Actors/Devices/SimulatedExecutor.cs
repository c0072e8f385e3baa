using Nachos.Actors.Entities;
using Nachos.Shared.Study;
using Nachos.Shared.TaskProcess;
using Nachos.Shared.Tasks;

namespace Nachos.Actors.Devices;

/// <summary>Runs tasks with the simulated trainer, in the node's process (tests and benchmarks of the orchestration).</summary>
public sealed class SimulatedExecutor(IStudyCatalog catalog) : ITaskExecutor
{
    public TrainingResult Run(TaskSpec task, int attempt, string device, Action<EpochProgress> progress, CancellationToken cancel)
    {
        var context = catalog.Get(task.StudyId);
        return SimulatedTrainer.Run(context.TrainingTask(task), context.Manifest, context.Spec.Execution.Simulated, attempt, cancel, progress);
    }
}
