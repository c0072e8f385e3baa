using Nachos.Shared.Predictions;
using Nachos.Shared.Spec;
using Nachos.Training.Data;
using static TorchSharp.torch;

namespace Nachos.Training.Engine;

/// <summary>
/// What training does differently per task kind: the model and its outputs, the loss of a batch, and scoring a set
/// (its loss, its metrics by name, its predictions rows). <see cref="Trainer"/> does the rest the same way for all.
/// </summary>
public interface ITaskHead : IDisposable
{
    /// <param name="seed">The initial weights' seed; null for a model whose weights are loaded next (drawing them is wasted then).</param>
    nn.Module<Tensor, Tensor> CreateModel(ModelSpec model, int? seed);

    /// <summary>The batch's loss from the model's outputs; call inside a dispose scope.</summary>
    Tensor Loss(Tensor logits, Batch batch, Device device);

    /// <param name="final">The final model's evaluation: per-image artifacts (a segmentation's mask files) are written.</param>
    ScoredSet Score(nn.Module<Tensor, Tensor> model, IReadOnlyList<string> ids, string set, Normalization norm, int batchSize, Device device, bool final);

    /// <summary>
    /// Whether a final <see cref="Score"/> gives more than a per-epoch one of the same weights (per-image files and their columns).
    /// When not, the trainer keeps the best epoch's validation score as the final one instead of scoring the same weights again.
    /// </summary>
    bool FinalScoreDiffers { get; }

    /// <summary>The per-image columns its predictions rows carry beyond the format's own.</summary>
    IReadOnlyList<string> ExtraColumns { get; }

    /// <summary>The rule from outputs to predictions, as metrics.json states it.</summary>
    string DecisionRule { get; }
}

/// <summary>One evaluated set: its mean loss, metrics by name (null where undefined), rows, and the detail metrics.json keeps.</summary>
public sealed record ScoredSet(string Set, double Loss, IReadOnlyDictionary<string, double?> Metrics, IReadOnlyList<PredictionRow> Rows, object Detail);

public static class TaskHeads
{
    public static ITaskHead Create(StudySpec spec, LoadedDataset data, TrainingSpec training, string taskId, string taskDirectory, IEnumerable<string> train) =>
        spec.Task == TaskKind.Segmentation
            ? new SegmentationHead(spec, data, training, taskId, taskDirectory)
            : new ClassificationHead(spec, data, training, taskId, train);
}
