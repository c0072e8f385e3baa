using System.Globalization;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Metrics;

/// <summary>
/// The one rule from a model's outputs to its predicted labels (docs/spec.md): binary predicts positive when p ≥ the threshold
/// (0.5 unless <c>evaluation.threshold</c> sets another, see <see cref="OperatingPoint"/>); multi-label predicts each label
/// positive when p ≥ 0.5; multi-class predicts the most probable class, the lowest index on ties. Segmentation decides each
/// pixel the same way: one foreground class by p ≥ 0.5, several by the arg-max.
/// Metrics, predictions files and the dashboard all decide through it; the threshold is a value it carries, not a second rule.
/// </summary>
public static class DecisionRule
{
    public const double DefaultThreshold = 0.5;

    public static bool Positive(double p, double threshold = DefaultThreshold) => p >= threshold;

    /// <summary>The prediction in the form of the labels: a class index for single-label tasks, 0/1 per label for multi-label.</summary>
    /// <param name="threshold">The binary task's decision threshold (the other kinds do not take one).</param>
    public static int[] Predict(TaskKind task, IReadOnlyList<double> p, double threshold = DefaultThreshold) => task switch
    {
        TaskKind.Multilabel => p.Select(v => Positive(v) ? 1 : 0).ToArray(),
        TaskKind.Binary => [Positive(p[1], threshold) ? 1 : 0],
        TaskKind.Segmentation when p.Count == 2 => [Positive(p[1]) ? 1 : 0],
        _ => [ArgMax(p)],
    };

    /// <summary>The names of the predicted classes (multi-label: those predicted positive, ';'-separated).</summary>
    /// <param name="threshold">The binary task's decision threshold (a bundle's; others keep <see cref="DefaultThreshold"/>).</param>
    public static string PredictedNames(TaskKind task, IReadOnlyList<string> classes, IReadOnlyList<double> p, double threshold = DefaultThreshold) =>
        task == TaskKind.Multilabel
            ? string.Join(";", classes.Where((_, i) => Positive(p[i])))
            : classes[Predict(task, p, threshold)[0]];

    /// <summary>The rule in words, as metrics.json and the model pages state it.</summary>
    public static string Describe(TaskKind task, double threshold = DefaultThreshold) => task switch
    {
        TaskKind.Multiclass => "arg-max class",
        TaskKind.Segmentation => "pixels: foreground when p >= 0.5 (one foreground class), otherwise the arg-max class",
        TaskKind.Binary => $"positive when p >= {threshold.ToString("R", CultureInfo.InvariantCulture)}",
        _ => "positive when p >= 0.5",
    };

    /// <summary>The rule of a study in words: its threshold rule when the spec sets one other than 0.5.</summary>
    public static string Describe(TaskKind task, ThresholdRule rule) => task == TaskKind.Binary && rule.ChosenOnValidation
        ? $"positive when p >= the outer fold's threshold, chosen by {rule.Describe()}"
        : Describe(task, rule.Value);

    /// <summary>The lowest index of the largest value.</summary>
    public static int ArgMax(IReadOnlyList<double> p)
    {
        var best = 0;
        for (var i = 1; i < p.Count; i++)
            if (p[i] > p[best]) best = i;
        return best;
    }
}
