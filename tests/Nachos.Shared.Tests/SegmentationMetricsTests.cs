using Nachos.Shared.Metrics;
using Nachos.Shared.Metrics.Segmentation;

namespace Nachos.Shared.Tests;

/// <summary>
/// Segmentation metrics against SciPy (binary erosion with a 4-neighbour cross for the surface, the exact Euclidean
/// distance transform with sampling, NumPy's linear percentile) and scikit-learn's roc_auc_score; the values were
/// computed beforehand by Reference/segmentation_metrics.py on the same shapes.
/// </summary>
public sealed class SegmentationMetricsTests
{
    private static BinaryMask Rect(int h, int w, int y0, int x0, int y1, int x1) =>
        Build(h, w, (y, x) => y >= y0 && y < y1 && x >= x0 && x < x1);

    private static BinaryMask Disc(int h, int w, int cy, int cx, int r) =>
        Build(h, w, (y, x) => (y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r);

    private static BinaryMask Build(int h, int w, Func<int, int, bool> inside)
    {
        var pixels = new bool[h * w];
        for (var y = 0; y < h; y++) for (var x = 0; x < w; x++) pixels[y * w + x] = inside(y, x);
        return new BinaryMask(h, w, pixels);
    }

    private static BinaryMask Or(params BinaryMask[] masks) =>
        new(masks[0].Height, masks[0].Width, Enumerable.Range(0, masks[0].Length).Select(i => masks.Any(m => m[i])).ToArray());

    private static readonly Dictionary<string, (BinaryMask Truth, BinaryMask Predicted, double Tau, double Sy, double Sx)> Cases = new()
    {
        ["square_vs_shifted_square"] = (Rect(32, 32, 8, 8, 18, 18), Rect(32, 32, 10, 11, 20, 21), 2.0, 1.0, 1.0),
        ["disc_vs_disc_anisotropic"] = (Disc(40, 48, 20, 22, 9), Disc(40, 48, 17, 26, 11), 1.5, 0.5, 2.0),
        ["one_pixel_vs_one_pixel"] = (Rect(16, 16, 3, 4, 4, 5), Rect(16, 16, 9, 12, 10, 13), 1.0, 1.0, 1.0),
        ["nested_squares"] = (Rect(24, 24, 2, 2, 22, 22), Rect(24, 24, 8, 8, 14, 14), 3.0, 1.0, 1.0),
        ["touching_squares"] = (Rect(20, 20, 5, 2, 15, 10), Rect(20, 20, 5, 10, 15, 18), 1.0, 1.0, 1.0),
        ["full_vs_full"] = (Rect(6, 7, 0, 0, 6, 7), Rect(6, 7, 0, 0, 6, 7), 0.0, 1.0, 1.0),
        ["blobs_128"] = (Or(Disc(128, 128, 40, 50, 25), Rect(128, 128, 70, 60, 110, 120), Disc(128, 128, 100, 20, 12)),
            Or(Disc(128, 128, 44, 47, 27), Rect(128, 128, 75, 58, 112, 115), Disc(128, 128, 20, 100, 6)), 2.0, 0.8, 1.2),
    };

    // SciPy 1.10 / NumPy: tp, fp, fn, tn, dice, iou, hd95, assd, surface dice.
    private static readonly Dictionary<string, (long, long, long, long, double, double, double, double, double)> Expected = new()
    {
        ["square_vs_shifted_square"] = (56, 44, 44, 880, 0.56, 0.3888888888888889, 3.040569415042095, 2.2175645566077318, 0.5555555555555556),
        ["disc_vs_disc_anisotropic"] = (208, 169, 45, 1498, 0.6603174603174603, 0.4928909952606635, 10.314391186287471, 3.1261493995712875, 0.35185185185185186),
        ["one_pixel_vs_one_pixel"] = (0, 1, 1, 254, 0.0, 0.0, 10.0, 10.0, 0.0),
        ["nested_squares"] = (36, 0, 364, 176, 0.1651376146788991, 0.09, 10.0, 7.603534711971459, 0.0),
        ["touching_squares"] = (0, 80, 80, 240, 0.0, 0.0, 8.0, 4.5, 0.3125),
        ["full_vs_full"] = (42, 0, 0, 0, 1.0, 1.0, 0.0, 0.0, 1.0),
        ["blobs_128"] = (3769, 742, 1033, 10840, 0.8094062063781811, 0.6798340548340548, 36.838044306010715, 6.776360804362194, 0.31640625),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Metrics_equal_SciPys_on_shapes_with_known_distances(string name)
    {
        var (truth, predicted, tau, sy, sx) = Cases[name];
        var (tp, fp, fn, tn, dice, iou, hd95, assd, nsd) = Expected[name];
        var m = MaskMetrics.Compute(truth, predicted, tau, sy, sx);
        Assert.Equal((tp, fp, fn, tn), (m.TruePositives, m.FalsePositives, m.FalseNegatives, m.TrueNegatives));
        Assert.Equal(dice, m.Dice, 12);
        Assert.Equal(iou, m.Iou, 12);
        Assert.Equal(hd95, m.Hd95!.Value, 9);
        Assert.Equal(assd, m.Assd!.Value, 9);
        Assert.Equal(nsd, m.SurfaceDice, 12);
        Assert.Equal(tp + fn == 0 ? null : (double)tp / (tp + fn), m.Sensitivity);
        Assert.Equal(tn + fp == 0 ? null : (double)tn / (tn + fp), m.Specificity);
        Assert.Equal(tp + fp == 0 ? null : (double)tp / (tp + fp), m.Precision);
    }

    [Fact]
    public void Both_masks_empty_agree_perfectly_and_one_empty_mask_has_no_distance()
    {
        var empty = Rect(8, 8, 0, 0, 0, 0);
        var lesion = Rect(8, 8, 2, 2, 4, 5);

        var none = MaskMetrics.Compute(empty, empty, 1);
        Assert.Equal((1.0, 1.0, 0.0, 0.0, 1.0), (none.Dice, none.Iou, none.Hd95!.Value, none.Assd!.Value, none.SurfaceDice));
        Assert.Null(none.Sensitivity);
        Assert.Null(none.Precision);
        Assert.Equal(1.0, none.Specificity);

        var missed = MaskMetrics.Compute(lesion, empty, 1);
        Assert.Equal((0.0, 0.0, 0.0), (missed.Dice, missed.Iou, missed.SurfaceDice));
        Assert.Null(missed.Hd95);
        Assert.Null(missed.Assd);
        Assert.Equal(0.0, missed.Sensitivity);
        Assert.Null(missed.Precision);

        var falseDetection = MaskMetrics.Compute(empty, lesion, 1);
        Assert.Equal(0.0, falseDetection.Dice);
        Assert.Null(falseDetection.Hd95);
        Assert.Null(falseDetection.Sensitivity);
        Assert.Equal(0.0, falseDetection.Precision);
    }

    [Fact]
    public void Masks_of_different_sizes_and_bad_tolerances_are_refused()
    {
        Assert.Throws<ArgumentException>(() => MaskMetrics.Compute(Rect(8, 8, 0, 0, 2, 2), Rect(8, 9, 0, 0, 2, 2), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => MaskMetrics.Compute(Rect(8, 8, 0, 0, 2, 2), Rect(8, 8, 0, 0, 2, 2), double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => MaskMetrics.Compute(Rect(8, 8, 0, 0, 2, 2), Rect(8, 8, 0, 0, 2, 2), -1));
        Assert.Throws<ArgumentException>(() => new BinaryMask(4, 4, new bool[15]));
    }

    [Fact]
    public void The_distance_transform_equals_brute_force_on_random_masks_with_spacing()
    {
        var rng = new Random(5);
        for (var round = 0; round < 30; round++)
        {
            int h = rng.Next(1, 14), w = rng.Next(1, 14);
            var set = Enumerable.Range(0, h * w).Select(_ => rng.NextDouble() < 0.1).ToArray();
            double sy = 0.3 + rng.NextDouble() * 2, sx = 0.3 + rng.NextDouble() * 2;
            var d = DistanceTransform.Compute(set, h, w, sy, sx);
            for (var i = 0; i < set.Length; i++)
            {
                var best = double.PositiveInfinity;
                for (var j = 0; j < set.Length; j++)
                    if (set[j]) best = Math.Min(best, Math.Sqrt(Math.Pow((i / w - j / w) * sy, 2) + Math.Pow((i % w - j % w) * sx, 2)));
                Assert.Equal(best, d[i], 9);
            }
        }
    }

    [Fact]
    public void Large_masks_count_without_overflow_and_score_identical_masks_perfectly()
    {
        var big = Disc(1024, 1024, 512, 500, 400);
        var m = MaskMetrics.Compute(big, big, 0);
        Assert.Equal(big.Count(), m.TruePositives);
        Assert.Equal((1.0, 1.0, 0.0, 0.0, 1.0), (m.Dice, m.Iou, m.Hd95!.Value, m.Assd!.Value, m.SurfaceDice));
        Assert.Equal(1.0, MaskMetrics.PooledDice(Enumerable.Repeat(m, 5000)));
    }

    [Fact]
    public void Pooled_dice_sums_the_pixels_of_all_images()
    {
        var a = MaskMetrics.Compute(Rect(10, 10, 0, 0, 5, 5), Rect(10, 10, 0, 0, 5, 4), 1); // tp 20, fn 5
        var b = MaskMetrics.Compute(Rect(10, 10, 0, 0, 1, 1), Rect(10, 10, 5, 5, 8, 8), 1); // fp 9, fn 1
        Assert.Equal(2.0 * 20 / (2 * 20 + 9 + 6), MaskMetrics.PooledDice([a, b])!.Value, 12);
        Assert.Null(MaskMetrics.PooledDice([]));
    }

    [Fact]
    public void Percentiles_interpolate_linearly_between_order_statistics_as_NumPy_does()
    {
        Assert.Equal(7.799999999999997, MaskMetrics.Percentile([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0], 95), 12);
        Assert.Equal(2.5, MaskMetrics.Percentile([2.5], 95));
        Assert.Equal(3.75, MaskMetrics.Percentile([0.0, 10.0], 37.5), 12);
    }

    [Fact]
    public void Pixel_AUROC_equals_scikit_learns_with_many_ties()
    {
        var truth = Disc(32, 32, 15, 16, 8);
        var p = new double[32 * 32];
        for (var y = 0; y < 32; y++)
            for (var x = 0; x < 32; x++)
                p[y * 32 + x] = Math.Round(Math.Clamp(1 - Math.Sqrt(Math.Pow(y - 14.0, 2) + Math.Pow(x - 17.0, 2)) / 16, 0, 1) / 0.05) * 0.05;
        var positive = Enumerable.Range(0, truth.Length).Select(i => truth[i]).ToList();
        Assert.Equal(0.9916522934709886, Auroc.Compute(p, positive)!.Value, 12);
    }

    [Fact]
    public void Multi_class_label_maps_are_scored_per_foreground_class()
    {
        // Class 1 a square, class 2 a disc; the prediction shifts the square and misses the disc.
        int h = 24, w = 24;
        var square = Rect(h, w, 2, 2, 8, 8);
        var shifted = Rect(h, w, 3, 2, 9, 8);
        var disc = Disc(h, w, 16, 16, 4);
        var truth = Enumerable.Range(0, h * w).Select(i => square[i] ? 1 : disc[i] ? 2 : 0).ToList();
        var predicted = Enumerable.Range(0, h * w).Select(i => shifted[i] ? 1 : 0).ToList();

        var perClass = LabelMapMetrics.PerClass(h, w, truth, predicted, 3, 1);
        Assert.Equal([1, 2], perClass.Keys.Order());
        Assert.Equal(MaskMetrics.Compute(square, shifted, 1), perClass[1]);
        Assert.Equal(0.0, perClass[2].Dice);
        Assert.Null(perClass[2].Hd95);
        Assert.Throws<ArgumentException>(() => LabelMapMetrics.PerClass(h, w, truth, predicted.Select(v => v == 1 ? 3 : v).ToList(), 3, 1));
    }

    [Fact]
    public void Ensemble_rules_combine_constructed_masks()
    {
        // Three models over 1×5 pixels.
        double[][] maps =
        [
            [0.9, 0.9, 0.9, 0.1, 0.6],
            [0.9, 0.9, 0.1, 0.1, 0.1],
            [0.9, 0.1, 0.1, 0.1, 0.4],
        ];
        bool[] Rule(EnsembleRule rule)
        {
            var m = MaskEnsemble.Combine(rule, 1, 5, maps);
            return Enumerable.Range(0, 5).Select(i => m[i]).ToArray();
        }
        Assert.Equal([true, true, true, false, true], Rule(EnsembleRule.Union));
        Assert.Equal([true, false, false, false, false], Rule(EnsembleRule.Intersection));
        Assert.Equal([true, true, false, false, false], Rule(EnsembleRule.Majority));
        // Means 0.9, 0.633, 0.367, 0.1, 0.367.
        Assert.Equal([true, true, false, false, false], Rule(EnsembleRule.MeanProbability));

        // Two models: a tie is not a majority, and a mean of exactly 0.5 is foreground (p ≥ 0.5).
        double[][] two = [[0.9, 0.5], [0.1, 0.5]];
        var majority = MaskEnsemble.Combine(EnsembleRule.Majority, 1, 2, two);
        var mean = MaskEnsemble.Combine(EnsembleRule.MeanProbability, 1, 2, two);
        Assert.Equal((false, true), (majority[0], majority[1]));
        Assert.Equal((true, true), (mean[0], mean[1]));
        Assert.Throws<ArgumentException>(() => MaskEnsemble.Combine(EnsembleRule.Union, 1, 5, []));
        Assert.Throws<ArgumentException>(() => MaskEnsemble.Combine(EnsembleRule.Union, 1, 5, [[0.1, 0.2]]));
    }
}
