using Nachos.Training.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Nachos.Training.Engine;

/// <summary>Per-sample probabilities and the mean loss of a model on a set of samples (eval mode, no gradients).</summary>
public sealed record Evaluation(IReadOnlyList<string> Ids, IReadOnlyList<IReadOnlyList<int>> Labels, IReadOnlyList<IReadOnlyList<double>> Probabilities, double Loss);

public static class Evaluator
{
    /// <summary>The batch size an image task's sets are evaluated with, from the training batch size.</summary>
    public static int BatchSize(int trainingBatchSize) => Math.Max(trainingBatchSize, 64);

    public static Evaluation Run(nn.Module<Tensor, Tensor> model, LoadedDataset data, IReadOnlyList<string> ids, Normalization norm,
        int batchSize, Losses losses, Device device)
    {
        model.eval();
        using var _ = no_grad();
        var probs = new List<IReadOnlyList<double>>();
        var labels = new List<IReadOnlyList<int>>();
        var order = new List<string>();
        double lossSum = 0;
        var img = data.Image;
        using var pipeline = new BatchPipeline(data, ids, norm, BatchSize(batchSize), null, 0, 0, shuffle: false,
            prefetch: BatchPipeline.PrefetchFor(device));
        foreach (var batch in pipeline.Read())
        {
            using (NewDisposeScope())
                Score(batch);
            pipeline.Return(batch);
        }
        return new Evaluation(order, labels, probs, lossSum / Math.Max(1, order.Count));

        void Score(Batch batch)
        {
            var x = Trainer.BatchTensor(batch, img).to(device);
            var y = losses.Targets(batch.Labels).to(device);
            var logits = model.forward(x);
            lossSum += losses.Compute(logits, y).item<float>() * batch.Count;
            var p = losses.Probabilities(logits).cpu().to_type(ScalarType.Float64);
            var flat = p.data<double>().ToArray();
            var k = (int)p.shape[1];
            for (var i = 0; i < batch.Count; i++) probs.Add(flat.AsSpan(i * k, k).ToArray());
            labels.AddRange(batch.Labels);
            order.AddRange(batch.Ids);
        }
    }
}
