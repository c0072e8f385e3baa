using Nachos.Actors.Devices;
using Nachos.Actors.Entities;
using Nachos.Shared.Study;
using Nachos.Shared.TaskProcess;
using Nachos.Shared.Tasks;
using Nachos.Shared.Seeding;

namespace Nachos.Bench;

/// <summary>
/// A truly empty task for the results/s figure: an inner task returns the simulated trainer's score
/// for its configuration at once, without its per-sample scoring and predictions file (about a quarter
/// of the CPU at 0-ms tasks, measured with perf); refits run the simulated trainer, as the report needs
/// their predictions.
/// </summary>
public sealed class ScoreOnlyExecutor(IStudyCatalog catalog) : ITaskExecutor
{
    private readonly SimulatedExecutor _simulated = new(catalog);

    public TrainingResult Run(TaskSpec task, int attempt, string device, Action<EpochProgress> progress, CancellationToken cancel)
    {
        if (task.IsRefit) return _simulated.Run(task, attempt, device, progress, cancel);
        var quality = SimulatedTrainer.Quality(task.Hyperparameters, Seeds.Derive(task.Seed, Seeds.Hash(task.TaskId)));
        return new TrainingResult(task.TaskId, 1, 1, 1 - quality, new Dictionary<string, double?> { ["auroc"] = quality },
            new Dictionary<string, double?>(), "history.csv", "predictions.csv", 0, "score-only");
    }
}
