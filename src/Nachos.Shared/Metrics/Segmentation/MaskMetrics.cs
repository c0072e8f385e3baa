namespace Nachos.Shared.Metrics.Segmentation;

/// <summary>
/// One image's (and one class's) segmentation metrics, defined in docs/spec.md ("Segmentation metrics"). Null is
/// undefined: sensitivity without true foreground, specificity without true background, precision without predicted
/// foreground, HD95 and ASSD when exactly one mask is empty.
/// </summary>
public sealed record MaskMetrics(
    long TruePositives,
    long FalsePositives,
    long FalseNegatives,
    long TrueNegatives,
    double Dice,
    double Iou,
    double? Sensitivity,
    double? Specificity,
    double? Precision,
    double? Hd95,
    double? Assd,
    double SurfaceDice)
{
    /// <summary>Compares <paramref name="predicted"/> with <paramref name="truth"/>; distances in pixels times the spacing.</summary>
    public static MaskMetrics Compute(BinaryMask truth, BinaryMask predicted, double tolerance, double spacingY = 1, double spacingX = 1)
    {
        if (truth.Height != predicted.Height || truth.Width != predicted.Width)
            throw new ArgumentException($"the masks differ in size: {truth.Height}×{truth.Width} and {predicted.Height}×{predicted.Width}");
        if (!(tolerance >= 0) || double.IsInfinity(tolerance)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "must be finite and ≥ 0");
        long tp = 0, fp = 0, fn = 0, tn = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            if (truth[i]) { if (predicted[i]) tp++; else fn++; }
            else if (predicted[i]) fp++;
            else tn++;
        }
        var bothEmpty = tp + fp + fn == 0;
        var oneEmpty = !bothEmpty && (tp + fn == 0 || tp + fp == 0);
        double dice = bothEmpty ? 1 : 2.0 * tp / (2.0 * tp + fp + fn);
        double iou = bothEmpty ? 1 : (double)tp / (tp + fp + fn);

        double? hd95 = null, assd = null;
        double surfaceDice;
        if (bothEmpty)
        {
            hd95 = 0;
            assd = 0;
            surfaceDice = 1;
        }
        else if (oneEmpty)
        {
            surfaceDice = 0;
        }
        else
        {
            var (toPredicted, toTruth) = SurfaceDistances(truth, predicted, spacingY, spacingX);
            hd95 = Math.Max(Percentile(toPredicted, 95), Percentile(toTruth, 95));
            assd = (toPredicted.Sum() + toTruth.Sum()) / (toPredicted.Length + toTruth.Length);
            var within = toPredicted.Count(d => d <= tolerance) + toTruth.Count(d => d <= tolerance);
            surfaceDice = (double)within / (toPredicted.Length + toTruth.Length);
        }
        return new MaskMetrics(tp, fp, fn, tn, dice, iou,
            tp + fn == 0 ? null : (double)tp / (tp + fn),
            tn + fp == 0 ? null : (double)tn / (tn + fp),
            tp + fp == 0 ? null : (double)tp / (tp + fp),
            hd95, assd, surfaceDice);
    }

    /// <summary>Distances from each surface pixel of the truth to the predicted surface, and back.</summary>
    private static (double[] TruthToPredicted, double[] PredictedToTruth) SurfaceDistances(BinaryMask truth, BinaryMask predicted, double sy, double sx)
    {
        var truthSurface = truth.Surface();
        var predictedSurface = predicted.Surface();
        var toPredicted = DistanceTransform.Compute(predictedSurface, truth.Height, truth.Width, sy, sx);
        var toTruth = DistanceTransform.Compute(truthSurface, truth.Height, truth.Width, sy, sx);
        return (Select(truthSurface, toPredicted), Select(predictedSurface, toTruth));
    }

    private static double[] Select(bool[] where, double[] values)
    {
        var selected = new List<double>();
        for (var i = 0; i < where.Length; i++) if (where[i]) selected.Add(values[i]);
        return [.. selected];
    }

    /// <summary>The q-th percentile with linear interpolation between order statistics (NumPy's default).</summary>
    public static double Percentile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0) throw new ArgumentException("no values", nameof(values));
        var sorted = values.Order().ToArray();
        var position = q / 100 * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }

    /// <summary>
    /// Dice over all pixels of all images together (2·ΣTP / (2·ΣTP + ΣFP + ΣFN)), reported beside the mean per-image Dice;
    /// 1 when no image has foreground in either mask, null for no images.
    /// </summary>
    public static double? PooledDice(IEnumerable<MaskMetrics> images)
    {
        long tp = 0, fp = 0, fn = 0, n = 0;
        foreach (var m in images)
        {
            tp += m.TruePositives;
            fp += m.FalsePositives;
            fn += m.FalseNegatives;
            n++;
        }
        if (n == 0) return null;
        return tp + fp + fn == 0 ? 1 : 2.0 * tp / (2.0 * tp + fp + fn);
    }
}
