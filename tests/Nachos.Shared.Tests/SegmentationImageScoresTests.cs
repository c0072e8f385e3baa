using Nachos.Shared.Metrics.Segmentation;

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
        var a = ImageScores.Of(3, 4, Truth, Predicted, 3, Indicators(Predicted, 3), 1).ByName();
        var b = ImageScores.Of(3, 4, new int[12], new int[12], 3, Indicators(new int[12], 3), 1).ByName();
        var mean = ImageScores.Mean([a, b]);
        Assert.Equal((a["dice"]!.Value + 1) / 2, mean["dice"]!.Value, 12);
        // The empty image has no true foreground: its sensitivity is undefined and left out of the mean.
        Assert.Equal(a["sensitivity"], mean["sensitivity"]);
        Assert.Equal(12.0 / 14, mean["pooled_dice"]!.Value, 12);
        Assert.Null(ImageScores.Mean([])["pooled_dice"]);
        Assert.Equal(1, ImageScores.Mean([b])["pooled_dice"]);
    }

    [Fact]
    public void Wrong_shapes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ImageScores.Of(3, 4, Truth, Predicted, 3, Indicators(Predicted, 2), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageScores.Of(3, 4, Truth, Predicted, 1, [], 1));
        Assert.Throws<ArgumentException>(() => ImageScores.Of(3, 4, Truth, Predicted, 2, Indicators(Predicted, 2), 1));
    }
}
