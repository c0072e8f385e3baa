using Nachos.Shared.Spec;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Metrics;

/// <summary>
/// Metrics computed from predictions. Null means undefined (for example AUROC or sensitivity when the
/// evaluated set holds no positive case). Macro averages skip undefined members.
/// Predictions follow <see cref="DecisionRule"/>. For multi-class, sensitivity, specificity and F1 are macro one-vs-rest.
/// Multi-label accuracy is the mean per-label accuracy (1 − Hamming loss), not exact-match accuracy (docs/spec.md).
/// </summary>
public sealed record ClassificationMetrics(
    int Count,
    double? Auroc,
    IReadOnlyList<double?> AurocPerClass,
    double Accuracy,
    double? BalancedAccuracy,
    double? F1,
    double? Sensitivity,
    double? Specificity,
    /// <summary>Single-label: one K×K matrix, rows = truth, columns = prediction. Multi-label: one 2×2 per label.</summary>
    IReadOnlyList<int[][]> Confusion)
{
    public double? Get(string name) => name switch
    {
        "auroc" => Auroc,
        "accuracy" => Accuracy,
        "balanced_accuracy" => BalancedAccuracy,
        "f1" => F1,
        "sensitivity" => Sensitivity,
        "specificity" => Specificity,
        _ => throw new ArgumentException($"unknown metric '{name}'"),
    };

    /// <summary>Every metric of <see cref="SpecNames.ImageMetrics"/> by name (null where undefined).</summary>
    public IReadOnlyDictionary<string, double?> ByName() => SpecNames.ImageMetrics.ToDictionary(n => n, Get);

    /// <param name="labels">Per sample: the class index (single-label) or 0/1 per label (multi-label).</param>
    /// <param name="probabilities">Per sample: one probability per class (softmax) or per label (sigmoid).</param>
    /// <param name="threshold">The binary decision threshold (<see cref="DecisionRule"/>).</param>
    public static ClassificationMetrics Compute(TaskKind task, IReadOnlyList<IReadOnlyList<int>> labels, IReadOnlyList<IReadOnlyList<double>> probabilities,
        double threshold = DecisionRule.DefaultThreshold)
    {
        if (labels.Count != probabilities.Count) throw new ArgumentException("labels and probabilities differ in length");
        if (labels.Count == 0) throw new ArgumentException("no predictions to score");
        // A NaN would rank lowest and be predicted negative: a silently different result.
        if (CountNonFinite(probabilities) is var bad and > 0) throw new ArgumentException($"{bad} of {labels.Count} outputs are NaN or infinite");
        var k = probabilities[0].Count;
        var aurocs = Enumerable.Range(0, k)
            .Select(c => Metrics.Auroc.Compute(
                probabilities.Select(p => p[c]).ToArray(),
                labels.Select(l => task == TaskKind.Multilabel ? l[c] == 1 : l[0] == c).ToArray()))
            .ToArray();

        if (task == TaskKind.Multilabel)
        {
            var per = Enumerable.Range(0, k).Select(c => Binary(
                labels.Select(l => l[c] == 1).ToArray(), probabilities.Select(p => DecisionRule.Positive(p[c])).ToArray())).ToArray();
            return new ClassificationMetrics(
                labels.Count, Mean(aurocs), aurocs,
                per.Average(b => b.Accuracy), Mean(per.Select(b => b.Balanced)), Mean(per.Select(b => b.F1)),
                Mean(per.Select(b => b.Sensitivity)), Mean(per.Select(b => b.Specificity)),
                per.Select(b => b.Matrix).ToArray());
        }

        var predicted = probabilities.Select(p => DecisionRule.Predict(task, p, threshold)[0]).ToArray();
        var matrix = new int[k][];
        for (var i = 0; i < k; i++) matrix[i] = new int[k];
        for (var i = 0; i < labels.Count; i++) matrix[labels[i][0]][predicted[i]]++;
        var accuracy = (double)Enumerable.Range(0, k).Sum(c => matrix[c][c]) / labels.Count;

        if (task == TaskKind.Binary)
        {
            var b = Binary(labels.Select(l => l[0] == 1).ToArray(), predicted.Select(p => p == 1).ToArray());
            return new ClassificationMetrics(labels.Count, aurocs[1], aurocs, accuracy, b.Balanced, b.F1, b.Sensitivity, b.Specificity, [matrix]);
        }
        var oneVsRest = Enumerable.Range(0, k).Select(c => Binary(
            labels.Select(l => l[0] == c).ToArray(), predicted.Select(p => p == c).ToArray())).ToArray();
        var recall = Mean(oneVsRest.Select(b => b.Sensitivity));
        return new ClassificationMetrics(
            labels.Count, Mean(aurocs), aurocs, accuracy, recall, Mean(oneVsRest.Select(b => b.F1)),
            recall, Mean(oneVsRest.Select(b => b.Specificity)), [matrix]);
    }

    /// <summary>
    /// Fails the task (as diverged) when an evaluation's outputs hold NaN or ±∞, naming the task, the set and how
    /// many samples are affected; call before <see cref="Compute"/> on a task's predictions.
    /// </summary>
    public static void RequireFinite(string taskId, string set, IReadOnlyList<IReadOnlyList<double>> probabilities)
    {
        if (CountNonFinite(probabilities) is var bad and > 0)
            throw new TaskFailedException(FailureKind.Diverged, $"{taskId}: {bad} of {probabilities.Count} outputs on the {set} set are NaN or infinite");
    }

    /// <summary>Samples with at least one output that is NaN or ±∞.</summary>
    public static int CountNonFinite(IReadOnlyList<IReadOnlyList<double>> probabilities) =>
        probabilities.Count(p => p.Any(v => !double.IsFinite(v)));

    private sealed record BinaryCounts(double Accuracy, double? Sensitivity, double? Specificity, double? Balanced, double? F1, int[][] Matrix);

    private static BinaryCounts Binary(bool[] truth, bool[] predicted)
    {
        int tp = 0, tn = 0, fp = 0, fn = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            if (truth[i] && predicted[i]) tp++;
            else if (truth[i]) fn++;
            else if (predicted[i]) fp++;
            else tn++;
        }
        double? sens = tp + fn == 0 ? null : (double)tp / (tp + fn);
        double? spec = tn + fp == 0 ? null : (double)tn / (tn + fp);
        double? balanced = sens is null || spec is null ? null : (sens + spec) / 2;
        // F1 = 2TP / (2TP + FP + FN); undefined when there is neither a positive case nor a positive prediction.
        double? f1 = tp + fp + fn == 0 ? null : 2.0 * tp / (2.0 * tp + fp + fn);
        return new BinaryCounts((double)(tp + tn) / truth.Length, sens, spec, balanced, f1, [[tn, fp], [fn, tp]]);
    }

    private static double? Mean(IEnumerable<double?> values)
    {
        var defined = values.Where(v => v is not null).Select(v => v!.Value).ToArray();
        return defined.Length == 0 ? null : defined.Average();
    }
}
