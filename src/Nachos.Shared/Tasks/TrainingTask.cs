using System.Text.Json.Serialization;

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
/// <param name="ValidationCurves">Each validation metric (and <c>loss</c>) at every epoch run, from the first (a rung's run continues
/// its checkpoint's history); null without a validation set, and in results written before curves were reported.</param>
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
    string Device,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, IReadOnlyList<double?>>? ValidationCurves = null)
{
    /// <summary>The validation score by <paramref name="metric"/> (<c>loss</c> or a metric's name) of the final (best) weights.</summary>
    public double? ValidationScore(string metric) => metric == "loss" ? ValidationLoss : ValidationMetrics.GetValueOrDefault(metric);

    /// <summary>The per-epoch validation curve of <paramref name="metric"/>, or null when none was reported.</summary>
    public IReadOnlyList<double?>? Curve(string metric) => ValidationCurves?.GetValueOrDefault(metric);

    /// <summary>The curves of <paramref name="history"/>'s validation loss and metrics, or null when it has no validation.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<double?>>? CurvesOf(IReadOnlyList<EpochRecord> history)
    {
        if (history.Count == 0 || history.All(r => r.ValidationLoss is null && r.Metrics.Count == 0)) return null;
        var curves = new Dictionary<string, IReadOnlyList<double?>> { ["loss"] = history.Select(r => r.ValidationLoss).ToList() };
        foreach (var name in history.SelectMany(r => r.Metrics.Keys).Distinct())
            curves[name] = history.Select(r => r.Metrics.GetValueOrDefault(name)).ToList();
        return curves;
    }
}
