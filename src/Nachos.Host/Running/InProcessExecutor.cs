using Nachos.Actors.Devices;
using Nachos.Actors.Entities;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.Training.Data;
using Nachos.Training.Engine;

namespace Nachos.Host.Running;

/// <summary>
/// Runs tasks inside the node process: the simulated trainer, or TorchSharp training for tests on tiny
/// data. A task resumes from its checkpoint when one exists (after a crash or a lost lease).
/// </summary>
public sealed class InProcessExecutor(IStudyCatalog catalog, Func<StudyContext, LoadedDataset?>? images = null) : ITaskExecutor
{
    public TrainingResult Run(TaskSpec task, int attempt, string device, CancellationToken cancel)
    {
        var context = catalog.Get(task.StudyId);
        if (context.Spec.Execution.Trainer == TrainerKind.Simulated)
            return new SimulatedExecutor(catalog).Run(task, attempt, device, cancel);
        var training = context.TrainingTask(task);
        var data = images?.Invoke(context) ?? throw new InvalidOperationException("no images loaded for in-process torch training");
        return new Trainer(context.Spec, data).Run(training, cancel: cancel);
    }
}
