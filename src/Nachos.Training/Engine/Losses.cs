using Nachos.Shared.Spec;
using Nachos.Training.Torch;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Nachos.Training.Engine;

/// <summary>
/// The training loss. Single-label targets are class indices (int64, N); multi-label targets are 0/1
/// floats (N×L). Class weights, when on, are inverse class frequencies of the training split.
/// </summary>
public sealed class Losses(TaskKind task, LossKind kind, double focalGamma, float[]? classWeights) : IDisposable
{
    private readonly Tensor? _weights = classWeights is null ? null : tensor(classWeights);

    public bool MultiLabel => task == TaskKind.Multilabel;

    public Tensor Targets(int[][] labels) => MultiLabel
        ? tensor(labels.SelectMany(l => l.Select(v => (float)v)).ToArray(), [labels.Length, labels[0].Length])
        : tensor(labels.Select(l => (long)l[0]).ToArray());

    public Tensor Compute(Tensor logits, Tensor targets)
    {
        if (MultiLabel)
        {
            if (kind != LossKind.Focal) return F.binary_cross_entropy_with_logits(logits, targets, weight: null, pos_weights: _weights);
            using var bce = F.binary_cross_entropy_with_logits(logits, targets, reduction: nn.Reduction.None);
            using var p = logits.sigmoid();
            using var q = ones_like(p).sub(p);
            using var notTargets = ones_like(targets).sub(targets);
            using var hit = p * targets;
            using var miss = q * notTargets;
            using var pt = hit.add(miss, Scalars.One);
            using var modulated = Focus(pt) * bce;
            return modulated.mean();
        }
        if (kind != LossKind.Focal) return F.cross_entropy(logits, targets, weight: _weights);
        // Focal loss: −w_y (1 − p_y)^γ log p_y, averaged with the class weights as cross-entropy does.
        using var logp = F.log_softmax(logits, 1);
        using var logpt = logp.gather(1, targets.unsqueeze(1)).squeeze(1);
        using var ptc = logpt.exp();
        using var focus = Focus(ptc);
        using var term = -focus * logpt;
        if (_weights is null) return term.mean();
        using var w = _weights.index_select(0, targets);
        return (term * w).sum() / w.sum();
    }

    /// <summary>(1 − p)^γ, without implicitly converted Scalars (<see cref="Scalars"/>).</summary>
    private Tensor Focus(Tensor p)
    {
        using var gamma = focalGamma.ToScalar();
        using var rest = ones_like(p).sub(p);
        return rest.pow(gamma);
    }

    public Tensor Probabilities(Tensor logits) => Probabilities(task, logits);

    /// <summary>The probabilities of an image task's logits: a sigmoid per label for multi-label, a softmax otherwise.</summary>
    public static Tensor Probabilities(TaskKind task, Tensor logits) => task == TaskKind.Multilabel ? logits.sigmoid() : logits.softmax(1);

    /// <summary>Inverse-frequency weights n / (K · n_c), per class (or per label's positives for multi-label).</summary>
    public static float[] InverseFrequency(TaskKind task, int classes, IEnumerable<IReadOnlyList<int>> labels)
    {
        var counts = new double[classes];
        var n = 0;
        foreach (var l in labels)
        {
            n++;
            if (task == TaskKind.Multilabel) for (var c = 0; c < classes; c++) counts[c] += l[c];
            else counts[l[0]]++;
        }
        return task == TaskKind.Multilabel
            ? counts.Select(c => (float)((n - c) / Math.Max(c, 1))).ToArray() // positive weight = negatives / positives
            : counts.Select(c => (float)(n / (classes * Math.Max(c, 1)))).ToArray();
    }

    public void Dispose() => _weights?.Dispose();
}
