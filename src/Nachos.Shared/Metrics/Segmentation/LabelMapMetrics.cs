namespace Nachos.Shared.Metrics.Segmentation;

/// <summary>Multi-class segmentation: label maps (pixel value = class index, 0 = background) scored per foreground class.</summary>
public static class LabelMapMetrics
{
    /// <summary>Metrics of classes 1..classes−1, each as a binary mask of that class against the rest.</summary>
    public static IReadOnlyDictionary<int, MaskMetrics> PerClass(int height, int width, IReadOnlyList<int> truth, IReadOnlyList<int> predicted,
        int classes, double tolerance, double spacingY = 1, double spacingX = 1)
    {
        if (truth.Count != (long)height * width || predicted.Count != truth.Count)
            throw new ArgumentException($"a {height}×{width} label map needs {(long)height * width} pixels (truth {truth.Count}, predicted {predicted.Count})");
        if (truth.Concat(predicted).Where(v => v < 0 || v >= classes).Select(v => (int?)v).FirstOrDefault() is { } bad)
            throw new ArgumentException($"label {bad} is not a class index (0..{classes - 1})");
        return Enumerable.Range(1, classes - 1).ToDictionary(c => c, c => MaskMetrics.Compute(
            BinaryMask.OfLabel(height, width, truth, c), BinaryMask.OfLabel(height, width, predicted, c), tolerance, spacingY, spacingX));
    }
}
