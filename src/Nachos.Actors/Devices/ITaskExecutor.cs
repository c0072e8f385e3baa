using Nachos.Shared.Study;
using Nachos.Shared.TaskProcess;
using Nachos.Shared.Tasks;

namespace Nachos.Actors.Devices;

/// <summary>
/// Runs one task attempt on a device and returns its result; throws on failure. The Host provides the
/// implementations (in-process, and in child processes), which is how the actors reach the training code.
/// </summary>
public interface ITaskExecutor
{
    /// <param name="progress">Called (on any thread) with each finished epoch; for display only.</param>
    TrainingResult Run(TaskSpec task, int attempt, string device, Action<EpochProgress> progress, CancellationToken cancel);
}
