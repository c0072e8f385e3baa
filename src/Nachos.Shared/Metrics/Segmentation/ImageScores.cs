using Nachos.Shared.Spec;

namespace Nachos.Shared.Metrics.Segmentation;

/// <summary>
/// One evaluated image of a segmentation task, as its predictions row and the reports carry it: every per-image
/// metric of docs/spec.md ("Segmentation metrics") and the pixel counts the pooled Dice needs. With several
/// foreground classes each metric is the mean over classes 1..C−1 of that class's value (of the defined ones for
/// those that can be undefined), and the counts are summed over them; <see cref="PerClass"/> then holds each foreground
/// class's own scores, written as the columns <c>{metric}_{class}</c> (<see cref="ClassColumns"/>).
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
    /// <summary>Per foreground class 1..C−1, its own scores (each without <see cref="PerClass"/>); null with one foreground class.</summary>
    public IReadOnlyList<ImageScores>? PerClass { get; init; }

    /// <summary>The per-image columns, in order; <see cref="Mean"/> reads them back by these names.</summary>
    public static readonly IReadOnlyList<string> Columns =
        ["dice", "iou", "sensitivity", "specificity", "precision", "hd95", "assd", "surface_dice", "pixel_auroc", "tp", "fp", "fn"];

    /// <summary>
    /// The per-class columns of a multi-class task, <c>{metric}_{class}</c> for each foreground class (in label order) and
    /// each of <see cref="Columns"/>; none with one foreground class, so a binary task's rows keep their columns.
    /// </summary>
    /// <param name="classes">Every class name, background first.</param>
    public static IReadOnlyList<string> ClassColumns(IReadOnlyList<string> classes) =>
        classes.Count <= 2 ? [] : classes.Skip(1).SelectMany(c => Columns.Select(m => Column(m, c))).ToList();

    /// <summary>The metric a report metric name is of: <c>hd95</c> for <c>hd95</c> and for a class's <c>hd95_{class}</c>.</summary>
    public static string BaseMetric(string name) =>
        SpecNames.SegmentationMetrics.Concat(Columns).Where(m => name == m || name.StartsWith(m + "_", StringComparison.Ordinal))
            .OrderByDescending(m => m.Length).FirstOrDefault() ?? name;

    /// <summary>A per-class column's name.</summary>
    public static string Column(string metric, string className) => $"{metric}_{className}";

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
        var each = classes == 2 ? null : m.Select((x, k) => new ImageScores(x.Dice, x.Iou, x.Sensitivity, x.Specificity, x.Precision, x.Hd95, x.Assd,
            x.SurfaceDice, aurocs[k], x.TruePositives, x.FalsePositives, x.FalseNegatives,
            !truth.Any(v => v == k + 1), !predicted.Any(v => v == k + 1))).ToList();
        return new ImageScores(
            m.Average(x => x.Dice), m.Average(x => x.Iou),
            MeanOfDefined(m.Select(x => x.Sensitivity)), MeanOfDefined(m.Select(x => x.Specificity)), MeanOfDefined(m.Select(x => x.Precision)),
            MeanOfDefined(m.Select(x => x.Hd95)), MeanOfDefined(m.Select(x => x.Assd)), m.Average(x => x.SurfaceDice), MeanOfDefined(aurocs),
            m.Sum(x => x.TruePositives), m.Sum(x => x.FalsePositives), m.Sum(x => x.FalseNegatives),
            !truth.Any(v => v != 0), !predicted.Any(v => v != 0)) { PerClass = each };
    }

    /// <summary>The values by column name (null where undefined), with the <see cref="ClassColumns"/> when there are <see cref="PerClass"/> scores.</summary>
    /// <param name="classes">Every class name, background first: names the per-class columns.</param>
    public IReadOnlyDictionary<string, double?> ByName(IReadOnlyList<string>? classes = null)
    {
        var values = Own();
        if (PerClass is null) return values;
        if (classes is null || classes.Count != PerClass.Count + 1)
            throw new ArgumentException($"{PerClass.Count + 1} class names expected to name the per-class columns", nameof(classes));
        for (var k = 0; k < PerClass.Count; k++)
            foreach (var (name, v) in PerClass[k].Own()) values[Column(name, classes[k + 1])] = v;
        return values;
    }

    private Dictionary<string, double?> Own() => new()
    {
        ["dice"] = Dice, ["iou"] = Iou, ["sensitivity"] = Sensitivity, ["specificity"] = Specificity, ["precision"] = Precision,
        ["hd95"] = Hd95, ["assd"] = Assd, ["surface_dice"] = SurfaceDice, ["pixel_auroc"] = PixelAuroc,
        ["tp"] = TruePositives, ["fp"] = FalsePositives, ["fn"] = FalseNegatives,
    };

    /// <summary>The report's metric names: <see cref="SpecNames.SegmentationMetrics"/>, then for several foreground classes each of them per class (<c>dice_{class}</c>, …, <c>pooled_dice_{class}</c>).</summary>
    public static IReadOnlyList<string> ReportMetrics(IReadOnlyList<string> classes) =>
        classes.Count <= 2 ? SpecNames.SegmentationMetrics
            : [.. SpecNames.SegmentationMetrics, .. classes.Skip(1).SelectMany(c => SpecNames.SegmentationMetrics.Select(m => Column(m, c)))];

    /// <summary>
    /// A set's metrics from its images' values (<see cref="ByName"/>, or the same columns read back from a predictions
    /// file): each metric the mean over the images where it is defined (null if none), and <c>pooled_dice</c> over all
    /// pixels together (<see cref="MaskMetrics.PooledDice"/>: 1 when no image has foreground in either mask; null for no image).
    /// </summary>
    /// <param name="classes">With several foreground classes, every class name (background first): the per-class columns
    /// are averaged the same way, into <c>{metric}_{class}</c> and <c>pooled_dice_{class}</c>.</param>
    public static IReadOnlyDictionary<string, double?> Mean(IReadOnlyList<IReadOnlyDictionary<string, double?>> images, IReadOnlyList<string>? classes = null)
    {
        var result = new Dictionary<string, double?>();
        Add(n => n);
        if (classes is { Count: > 2 })
            foreach (var c in classes.Skip(1)) Add(n => Column(n, c));
        return result;

        void Add(Func<string, string> named)
        {
            foreach (var name in Columns.Where(c => c is not ("tp" or "fp" or "fn")))
                result[named(name)] = MeanOfDefined(images.Select(i => i.GetValueOrDefault(named(name))));
            double tp = 0, fp = 0, fn = 0;
            foreach (var i in images)
            {
                tp += i.GetValueOrDefault(named("tp")) ?? 0;
                fp += i.GetValueOrDefault(named("fp")) ?? 0;
                fn += i.GetValueOrDefault(named("fn")) ?? 0;
            }
            result[named("pooled_dice")] = images.Count == 0 ? null : tp + fp + fn == 0 ? 1 : 2 * tp / (2 * tp + fp + fn);
        }
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
