using Nachos.Shared.Metrics;
using Nachos.Shared.Predictions;
using Nachos.Shared.Spec;
using Nachos.Training.Data;
using Nachos.Training.Models;
using static TorchSharp.torch;

namespace Nachos.Training.Engine;

/// <summary>Image-level tasks (binary, multi-class, multi-label): one probability per class per image.</summary>
public sealed class ClassificationHead : ITaskHead
{
    private readonly StudySpec _spec;
    private readonly LoadedDataset _data;
    private readonly string _taskId;
    private readonly Losses _losses;

    public ClassificationHead(StudySpec spec, LoadedDataset data, TrainingSpec t, string taskId, IEnumerable<string> train)
    {
        (_spec, _data, _taskId) = (spec, data, taskId);
        var outputs = data.Manifest.Classes.Count;
        _losses = new Losses(spec.Task, t.Loss, t.FocalGamma,
            t.ClassWeights ? Losses.InverseFrequency(spec.Task, outputs, train.Select(id => data.Manifest.ById[id].Labels)) : null);
    }

    public IReadOnlyList<string> ExtraColumns => [];

    public bool FinalScoreDiffers => false;

    public string DecisionRule => Shared.Metrics.DecisionRule.Describe(_spec.Task);

    public nn.Module<Tensor, Tensor> CreateModel(ModelSpec model, int? seed) =>
        ModelFactory.Create(model, _spec.Image, _data.Manifest.Classes.Count, seed);

    public Tensor Loss(Tensor logits, Batch batch, Device device) =>
        _losses.Compute(logits, _losses.Targets(batch.Labels).to(device));

    public ScoredSet Score(nn.Module<Tensor, Tensor> model, IReadOnlyList<string> ids, string set, Normalization norm, int batchSize, Device device, bool final)
    {
        var eval = Evaluator.Run(model, _data, ids, norm, batchSize, _losses, device);
        ClassificationMetrics.RequireFinite(_taskId, set, eval.Probabilities);
        var metrics = ClassificationMetrics.Compute(_spec.Task, eval.Labels, eval.Probabilities);
        var rows = eval.Ids.Select((id, i) => new PredictionRow(id, set, eval.Labels[i], eval.Probabilities[i])).ToList();
        return new ScoredSet(set, eval.Loss, metrics.ByName(), rows, metrics);
    }

    public void Dispose() => _losses.Dispose();
}
