namespace Nachos.Shared.Metrics.Segmentation;

/// <summary>
/// One evaluated image of a segmentation task, as its predictions row and the reports carry it: every per-image
/// metric of docs/spec.md ("Segmentation metrics") and the pixel counts the pooled Dice needs. With several
/// foreground classes each metric is the mean over classes 1..C−1 of that class's value (of the defined ones for
/// those that can be undefined), and the counts are summed over them.
/// </summary>
public sealed record ImageScores(
    double Dice,
    double Iou,
    double? Sensitivity,
    double? Specificity,
    double? Precision,
    double? Hd95,
    double? Assd,
    double SurfaceDice,
    double? PixelAuroc,
    long TruePositives,
    long FalsePositives,
    long FalseNegatives,
    bool TruthEmpty,
    bool PredictionEmpty)
{
    /// <summary>The per-image columns, in order; <see cref="Mean"/> reads them back by these names.</summary>
    public static readonly IReadOnlyList<string> Columns =
        ["dice", "iou", "sensitivity", "specificity", "precision", "hd95", "assd", "surface_dice", "pixel_auroc", "tp", "fp", "fn"];

    /// <summary>A lesion in the truth and none predicted.</summary>
    public bool Missed => !TruthEmpty && PredictionEmpty;

    /// <summary>A predicted lesion where the truth has none.</summary>
    public bool FalseDetection => TruthEmpty && !PredictionEmpty;

    /// <param name="truth">The true label map (H×W class indices).</param>
    /// <param name="predicted">The predicted label map.</param>
    /// <param name="foreground">Per foreground class 1..C−1, its predicted probability per pixel (for the pixel AUROC).</param>
    public static ImageScores Of(int height, int width, IReadOnlyList<int> truth, IReadOnlyList<int> predicted, int classes,
        IReadOnlyList<IReadOnlyList<double>> foreground, double tolerance, double spacingY = 1, double spacingX = 1)
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "a segmentation has background and at least one foreground class");
        if (foreground.Count != classes - 1) throw new ArgumentException($"{classes - 1} foreground probability maps expected, got {foreground.Count}");
        var perClass = LabelMapMetrics.PerClass(height, width, truth, predicted, classes, tolerance, spacingY, spacingX);
        var aurocs = new List<double?>();
        for (var c = 1; c < classes; c++)
        {
            var positive = new bool[truth.Count];
            for (var i = 0; i < positive.Length; i++) positive[i] = truth[i] == c;
            aurocs.Add(Auroc.Compute(foreground[c - 1], positive));
        }
        var m = perClass.OrderBy(kv => kv.Key).Select(kv => kv.Value).ToList();
        return new ImageScores(
            m.Average(x => x.Dice), m.Average(x => x.Iou),
            MeanOfDefined(m.Select(x => x.Sensitivity)), MeanOfDefined(m.Select(x => x.Specificity)), MeanOfDefined(m.Select(x => x.Precision)),
            MeanOfDefined(m.Select(x => x.Hd95)), MeanOfDefined(m.Select(x => x.Assd)), m.Average(x => x.SurfaceDice), MeanOfDefined(aurocs),
            m.Sum(x => x.TruePositives), m.Sum(x => x.FalsePositives), m.Sum(x => x.FalseNegatives),
            !truth.Any(v => v != 0), !predicted.Any(v => v != 0));
    }

    /// <summary>The values by column name (null where undefined).</summary>
    public IReadOnlyDictionary<string, double?> ByName() => new Dictionary<string, double?>
    {
        ["dice"] = Dice, ["iou"] = Iou, ["sensitivity"] = Sensitivity, ["specificity"] = Specificity, ["precision"] = Precision,
        ["hd95"] = Hd95, ["assd"] = Assd, ["surface_dice"] = SurfaceDice, ["pixel_auroc"] = PixelAuroc,
        ["tp"] = TruePositives, ["fp"] = FalsePositives, ["fn"] = FalseNegatives,
    };

    /// <summary>
    /// A set's metrics from its images' values (<see cref="ByName"/>, or the same columns read back from a predictions
    /// file): each metric the mean over the images where it is defined (null if none), and <c>pooled_dice</c> over all
    /// pixels together (<see cref="MaskMetrics.PooledDice"/>: 1 when no image has foreground in either mask; null for no image).
    /// </summary>
    public static IReadOnlyDictionary<string, double?> Mean(IReadOnlyList<IReadOnlyDictionary<string, double?>> images)
    {
        var result = new Dictionary<string, double?>();
        foreach (var name in Columns.Where(c => c is not ("tp" or "fp" or "fn")))
            result[name] = MeanOfDefined(images.Select(i => i.GetValueOrDefault(name)));
        double tp = 0, fp = 0, fn = 0;
        foreach (var i in images)
        {
            tp += i.GetValueOrDefault("tp") ?? 0;
            fp += i.GetValueOrDefault("fp") ?? 0;
            fn += i.GetValueOrDefault("fn") ?? 0;
        }
        result["pooled_dice"] = images.Count == 0 ? null : tp + fp + fn == 0 ? 1 : 2 * tp / (2 * tp + fp + fn);
        return result;
    }

    private static double? MeanOfDefined(IEnumerable<double?> values)
    {
        double sum = 0;
        var n = 0;
        foreach (var v in values)
            if (v is { } x)
            {
                sum += x;
                n++;
            }
        return n == 0 ? null : sum / n;
    }
}
