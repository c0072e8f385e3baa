using Nachos.Actors.Entities;
using Nachos.Shared.Robustness;
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
        if (task.IsStress()) return Stress(context, task);
        return SimulatedTrainer.Run(context.TrainingTask(task), context.Manifest, context.Spec.Execution.Simulated, attempt, cancel, progress);
    }

    private static TrainingResult Stress(StudyContext context, TaskSpec task)
    {
        var robustness = context.Spec.Robustness ?? throw new TaskFailedException(FailureKind.SpecError, $"{task.TaskId}: the study spec has no robustness section");
        var selection = StressSelection.Of(robustness);
        StressFold fold;
        try
        {
            fold = SimulatedStress.Run(context.TaskDirectory(TaskAddress.Refit(task.StudyId, task.Outer)), task.Outer, context.Manifest, selection);
        }
        catch (InvalidDataException e)
        {
            throw new TaskFailedException(FailureKind.DataError, e.Message);
        }
        var dir = context.TaskDirectory(task.Address());
        Directory.CreateDirectory(dir);
        fold.Write(dir);
        return StressFold.Result(task.TaskId, 0, "simulated");
    }
}
