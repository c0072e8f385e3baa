namespace Nachos.Shared.Tasks;

/// <summary>
/// One training run, as DESIGN.md's task contract names it: train on <c>Train</c>; early-stop on
/// <c>Validation</c> when given; evaluate the final (best) weights once on <c>Test</c> when given.
/// With no validation set the run trains exactly <c>MaxEpochs</c> epochs (a refit). A scheduler's rung sets <c>Budget</c>: the run
/// stops after that many epochs (the schedules still run over <c>MaxEpochs</c>), checkpointed, and the next rung continues it.
/// </summary>
public sealed record TrainingTask(
    string TaskId,
    IReadOnlyList<string> Train,
    IReadOnlyList<string> Validation,
    IReadOnlyList<string> Test,
    Hyperparameters Hyperparameters,
    int MaxEpochs,
    int Seed,
    string Directory,
    int? Budget = null)
{
    /// <summary>The epoch this run stops after, early stopping aside.</summary>
    public int LastEpoch => Math.Min(MaxEpochs, Budget ?? MaxEpochs);
}

/// <summary>One epoch's record. Metrics are validation metrics (absent without a validation set).</summary>
public sealed record EpochRecord(int Epoch, double LearningRate, double TrainLoss, double? ValidationLoss, IReadOnlyDictionary<string, double?> Metrics, double Seconds);

/// <summary>What a finished task reports. Paths are relative to the task directory.</summary>
public sealed record TrainingResult(
    string TaskId,
    int BestEpoch,
    int EpochsRun,
    double? ValidationLoss,
    IReadOnlyDictionary<string, double?> ValidationMetrics,
    IReadOnlyDictionary<string, double?> TestMetrics,
    string History,
    string Predictions,
    double Seconds,
    string Device);
