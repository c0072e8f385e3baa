using Nachos.Shared.Metrics.Segmentation;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Tests;

/// <summary>One image's scores over several foreground classes, and a set's means and pooled Dice, on hand-computed cases.</summary>
public sealed class SegmentationImageScoresTests
{
    // Class 1: truth 3 pixels, predicted 2 of them (TP 2, FP 0, FN 1). Class 2: truth 4 pixels, all predicted, plus one (TP 4, FP 1, FN 0).
    private static readonly int[] Truth =
    [
        0, 1, 1, 0,
        0, 1, 2, 2,
        0, 0, 2, 2,
    ];

    private static readonly int[] Predicted =
    [
        0, 1, 0, 0,
        0, 1, 2, 2,
        0, 2, 2, 2,
    ];

    private static IReadOnlyList<IReadOnlyList<double>> Indicators(int[] labels, int classes) =>
        Enumerable.Range(1, classes - 1).Select(c => (IReadOnlyList<double>)labels.Select(v => v == c ? 1.0 : 0.0).ToArray()).ToList();

    [Fact]
    public void Each_metric_is_the_mean_over_foreground_classes_and_the_counts_their_sum()
    {
        var s = ImageScores.Of(3, 4, Truth, Predicted, 3, Indicators(Predicted, 3), 1);
        Assert.Equal((0.8 + 8.0 / 9) / 2, s.Dice, 12);
        Assert.Equal((2.0 / 3 + 0.8) / 2, s.Iou, 12);
        Assert.Equal((2.0 / 3 + 1) / 2, s.Sensitivity!.Value, 12);
        Assert.Equal((1 + 0.8) / 2, s.Precision!.Value, 12);
        Assert.Equal((6, 1, 1), (s.TruePositives, s.FalsePositives, s.FalseNegatives));
        // Pixel AUROC of 0/1 scores: class 1 (2 of 3 positives scored 1, no negative) 22.5/27; class 2 (4 positives scored 1, 1 of 8 negatives) 30/32.
        Assert.Equal((22.5 / 27 + 30.0 / 32) / 2, s.PixelAuroc!.Value, 12);
        var perClass = LabelMapMetrics.PerClass(3, 4, Truth, Predicted, 3, 1);
        Assert.Equal((perClass[1].Hd95!.Value + perClass[2].Hd95!.Value) / 2, s.Hd95!.Value, 12);
        Assert.Equal((perClass[1].SurfaceDice + perClass[2].SurfaceDice) / 2, s.SurfaceDice, 12);
        Assert.False(s.TruthEmpty || s.PredictionEmpty || s.Missed || s.FalseDetection);
    }

    [Fact]
    public void A_binary_image_equals_the_mask_metrics_of_its_foreground()
    {
        var truth = new[] { 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0 };
        var predicted = new[] { 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0 };
        var s = ImageScores.Of(3, 4, truth, predicted, 2, Indicators(predicted, 2), 1, 2, 0.5);
        var m = MaskMetrics.Compute(BinaryMask.OfLabel(3, 4, truth, 1), BinaryMask.OfLabel(3, 4, predicted, 1), 1, 2, 0.5);
        Assert.Equal((m.Dice, m.Iou, m.Hd95, m.Assd, m.SurfaceDice), (s.Dice, s.Iou, s.Hd95, s.Assd, s.SurfaceDice));
    }

    [Fact]
    public void Empty_masks_give_Dice_one_or_zero_and_flag_missed_lesions_and_false_detections()
    {
        var empty = new int[12];
        var lesion = new[] { 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0 };
        var both = ImageScores.Of(3, 4, empty, empty, 2, Indicators(empty, 2), 1);
        Assert.Equal((1.0, 1.0, 0.0), (both.Dice, both.Iou, both.Hd95));
        Assert.Null(both.PixelAuroc);
        var missed = ImageScores.Of(3, 4, lesion, empty, 2, Indicators(empty, 2), 1);
        Assert.True(missed.Missed);
        Assert.Equal(0, missed.Dice);
        Assert.Null(missed.Hd95);
        var falseDetection = ImageScores.Of(3, 4, empty, lesion, 2, Indicators(lesion, 2), 1);
        Assert.True(falseDetection.FalseDetection);
        Assert.Null(falseDetection.Assd);
    }

    [Fact]
    public void A_sets_metrics_are_means_of_the_defined_values_and_the_pooled_Dice_pools_pixels()
    {
        var a = ImageScores.Of(3, 4, Truth, Predicted, 3, Indicators(Predicted, 3), 1).ByName(Classes);
        var b = ImageScores.Of(3, 4, new int[12], new int[12], 3, Indicators(new int[12], 3), 1).ByName(Classes);
        var mean = ImageScores.Mean([a, b]);
        Assert.Equal((a["dice"]!.Value + 1) / 2, mean["dice"]!.Value, 12);
        // The empty image has no true foreground: its sensitivity is undefined and left out of the mean.
        Assert.Equal(a["sensitivity"], mean["sensitivity"]);
        Assert.Equal(12.0 / 14, mean["pooled_dice"]!.Value, 12);
        Assert.Null(ImageScores.Mean([])["pooled_dice"]);
        Assert.Equal(1, ImageScores.Mean([b])["pooled_dice"]);
    }

    private static readonly string[] Classes = ["background", "liver", "tumour"];

    [Fact]
    public void Each_foreground_class_has_its_own_scores_and_columns()
    {
        var s = ImageScores.Of(3, 4, Truth, Predicted, 3, Indicators(Predicted, 3), 1);
        Assert.NotNull(s.PerClass);
        var (liver, tumour) = (s.PerClass[0], s.PerClass[1]);
        // Class 1: TP 2, FP 0, FN 1 → Dice 4/5, IoU 2/3. Class 2: TP 4, FP 1, FN 0 → Dice 8/9, IoU 4/5.
        Assert.Equal((0.8, 2.0 / 3, 2L, 0L, 1L), (liver.Dice, liver.Iou, liver.TruePositives, liver.FalsePositives, liver.FalseNegatives));
        Assert.Equal((8.0 / 9, 0.8, 4L, 1L, 0L), (tumour.Dice, tumour.Iou, tumour.TruePositives, tumour.FalsePositives, tumour.FalseNegatives));
        Assert.Equal(22.5 / 27, liver.PixelAuroc!.Value, 12);
        Assert.Equal(30.0 / 32, tumour.PixelAuroc!.Value, 12);
        var byClass = LabelMapMetrics.PerClass(3, 4, Truth, Predicted, 3, 1);
        Assert.Equal(byClass[2].Hd95, tumour.Hd95);
        Assert.Null(liver.PerClass);

        var row = s.ByName(Classes);
        Assert.Equal(ImageScores.Columns.Count * 3, row.Count);
        Assert.Equal(0.8, row["dice_liver"]);
        Assert.Equal(8.0 / 9, row["dice_tumour"]);
        Assert.Equal(0.8, row["iou_tumour"]);
        Assert.Equal(1, row["fp_tumour"]);
        Assert.Equal(ImageScores.ClassColumns(Classes).Order(), row.Keys.Except(ImageScores.Columns).Order());
        Assert.Throws<ArgumentException>(() => s.ByName());

        // A tumour-free image: the liver scores alone, and the tumour's Dice 1 (both empty), its HD95 0.
        var noTumour = ImageScores.Of(3, 4, Truth.Select(v => v == 2 ? 0 : v).ToArray(), Truth.Select(v => v == 2 ? 0 : v).ToArray(), 3,
            Indicators(Truth.Select(v => v == 2 ? 0 : v).ToArray(), 3), 1).ByName(Classes);
        Assert.Equal((1.0, 0.0), (noTumour["dice_tumour"]!.Value, noTumour["hd95_tumour"]!.Value));
        var mean = ImageScores.Mean([row, noTumour], Classes);
        Assert.Equal((0.8 + 1) / 2, mean["dice_liver"]!.Value, 12);
        Assert.Equal((8.0 / 9 + 1) / 2, mean["dice_tumour"]!.Value, 12);
        // Pooled over both images: liver TP 2+3, FP 0, FN 1; tumour TP 4, FP 1, FN 0.
        Assert.Equal(10.0 / 11, mean["pooled_dice_liver"]!.Value, 12);
        Assert.Equal(8.0 / 9, mean["pooled_dice_tumour"]!.Value, 12);
        Assert.Equal(ImageScores.ReportMetrics(Classes).Order(), mean.Keys.Order());
    }

    [Fact]
    public void A_binary_image_has_no_per_class_columns()
    {
        var truth = new[] { 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0 };
        var s = ImageScores.Of(3, 4, truth, truth, 2, Indicators(truth, 2), 1);
        Assert.Null(s.PerClass);
        Assert.Empty(ImageScores.ClassColumns(["background", "lesion"]));
        Assert.Equal(ImageScores.Columns.Order(), s.ByName(["background", "lesion"]).Keys.Order());
        Assert.Equal(SpecNames.SegmentationMetrics, ImageScores.ReportMetrics(["background", "lesion"]));
        Assert.Equal("hd95", ImageScores.BaseMetric("hd95_tumour"));
        Assert.Equal("pooled_dice", ImageScores.BaseMetric("pooled_dice_liver"));
        Assert.Equal("surface_dice", ImageScores.BaseMetric("surface_dice"));
    }

    [Fact]
    public void Wrong_shapes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ImageScores.Of(3, 4, Truth, Predicted, 3, Indicators(Predicted, 2), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageScores.Of(3, 4, Truth, Predicted, 1, [], 1));
        Assert.Throws<ArgumentException>(() => ImageScores.Of(3, 4, Truth, Predicted, 2, Indicators(Predicted, 2), 1));
    }
}
