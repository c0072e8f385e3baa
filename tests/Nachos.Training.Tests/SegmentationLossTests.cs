using Nachos.Training.Engine;
using static TorchSharp.torch;

namespace Nachos.Training.Tests;

public sealed class SegmentationLossTests
{
    private const int N = 2, H = 3, W = 4, C = 3;

    // The inputs of Reference/segmentation_losses.py, built by the same formulas.
    private static (Tensor Logits, Tensor Labels) BinaryCase() => (
        tensor(Enumerable.Range(0, N * H * W).Select(i => (float)((i * 37 % 11 - 5) / 2.5)).ToArray(), [N, 1, H, W]),
        tensor(Enumerable.Range(0, N * H * W).Select(i => i * 7 % 5 < 2 ? 1L : 0L).ToArray(), [N, H, W]));

    private static (Tensor Logits, Tensor Labels) MultiClassCase() => (
        tensor(Enumerable.Range(0, N * C * H * W).Select(i => (float)((i * 53 % 13 - 6) / 3.0)).ToArray(), [N, C, H, W]),
        tensor(Enumerable.Range(0, N * H * W).Select(i => (long)(i * 5 % 7 % 3)).ToArray(), [N, H, W]));

    [Theory]
    [InlineData(SegmentationLossKind.Dice, false, 0.3, 0.7, 0.75, 0.510151479)]
    [InlineData(SegmentationLossKind.BceDice, false, 0.3, 0.7, 0.75, 1.287615903)]
    [InlineData(SegmentationLossKind.FocalTversky, false, 0.3, 0.7, 0.75, 0.590993707)]
    [InlineData(SegmentationLossKind.FocalTversky, false, 0.8, 0.2, 2.0, 0.281162848)]
    [InlineData(SegmentationLossKind.Dice, true, 0.3, 0.7, 0.75, 0.651743063)]
    [InlineData(SegmentationLossKind.CeDice, true, 0.3, 0.7, 0.75, 1.925102420)]
    [InlineData(SegmentationLossKind.FocalTversky, true, 0.3, 0.7, 0.75, 0.723243604)]
    public void Losses_match_the_numpy_reference(SegmentationLossKind kind, bool multiClass, double alpha, double beta, double gamma, double expected)
    {
        var (logits, labels) = multiClass ? MultiClassCase() : BinaryCase();
        using var _ = logits;
        using var __ = labels;
        using var loss = new SegmentationLosses(kind, alpha, beta, gamma).Compute(logits, labels);
        Assert.Equal(expected, loss.item<float>(), 5);
    }

    [Theory]
    [InlineData(SegmentationLossKind.Dice, 1)]
    [InlineData(SegmentationLossKind.Dice, 3)]
    [InlineData(SegmentationLossKind.FocalTversky, 1)]
    [InlineData(SegmentationLossKind.FocalTversky, 3)]
    public void A_perfect_prediction_has_an_overlap_loss_of_about_zero(SegmentationLossKind kind, int channels)
    {
        var (_, labels) = channels == 1 ? BinaryCase() : MultiClassCase();
        using var __ = labels;
        var l = labels.data<long>().ToArray();
        using var logits = Perfect(l, channels);
        using var perfect = new SegmentationLosses(kind).Compute(logits, labels);
        Assert.InRange(perfect.item<float>(), 0f, 1e-4f);
        using var flipped = Perfect([.. l.Select(v => (v + 1) % Math.Max(channels, 2))], channels);
        using var wrong = new SegmentationLosses(kind).Compute(flipped, labels);
        Assert.True(wrong.item<float>() > 0.9f, $"an all-wrong prediction should cost about 1, got {wrong.item<float>()}");
    }

    /// <summary>Logits of ±20 that put (almost) all probability on the labelled class.</summary>
    private static Tensor Perfect(long[] l, int channels)
    {
        var hw = H * W;
        if (channels == 1) return tensor(l.Select(v => v == 1 ? 20f : -20f).ToArray(), [N, 1, H, W]);
        var x = new float[N * channels * hw];
        for (var n = 0; n < N; n++)
            for (var c = 0; c < channels; c++)
                for (var i = 0; i < hw; i++)
                    x[(n * channels + c) * hw + i] = l[n * hw + i] == c ? 20f : -20f;
        return tensor(x, [N, channels, H, W]);
    }

    [Theory]
    [InlineData(SegmentationLossKind.Dice, false)]
    [InlineData(SegmentationLossKind.BceDice, false)]
    [InlineData(SegmentationLossKind.FocalTversky, false)]
    [InlineData(SegmentationLossKind.Dice, true)]
    [InlineData(SegmentationLossKind.CeDice, true)]
    [InlineData(SegmentationLossKind.FocalTversky, true)]
    public void Gradients_reach_every_logit_and_are_finite(SegmentationLossKind kind, bool multiClass)
    {
        var (logits, labels) = multiClass ? MultiClassCase() : BinaryCase();
        using var _ = labels;
        using var x = logits.requires_grad_();
        using var loss = new SegmentationLosses(kind).Compute(x, labels);
        loss.backward();
        var grad = x.grad!.data<float>().ToArray();
        Assert.All(grad, g => Assert.True(float.IsFinite(g)));
        Assert.True(grad.Count(g => g != 0) > grad.Length / 2, $"only {grad.Count(g => g != 0)} of {grad.Length} logits get a gradient");
    }

    [Fact]
    public void Tversky_weights_move_the_loss_the_documented_way()
    {
        // All foreground predicted everywhere: only false positives, so α (the FP weight) costs and β does not.
        using var labels = tensor(Enumerable.Range(0, N * H * W).Select(i => i % 3 == 0 ? 1L : 0L).ToArray(), [N, H, W]);
        using var logits = full(N, 1, H, W, 20f);
        float Loss(double a, double b) { using var l = new SegmentationLosses(SegmentationLossKind.FocalTversky, a, b, 1).Compute(logits, labels); return l.item<float>(); }
        Assert.True(Loss(0.9, 0.1) > Loss(0.1, 0.9) + 0.3);
        Assert.Equal(Loss(0.5, 0.0), Loss(0.5, 1.0), 5);
    }

    [Fact]
    public void Bad_inputs_and_parameters_are_clear_errors()
    {
        var (bl, blab) = BinaryCase();
        var (ml, mlab) = MultiClassCase();
        using var _ = bl; using var __ = blab; using var ___ = ml; using var ____ = mlab;
        Assert.Contains("one foreground logit", Assert.Throws<ArgumentException>(() => new SegmentationLosses(SegmentationLossKind.BceDice).Compute(ml, mlab)).Message);
        Assert.Contains("at least 2 channels", Assert.Throws<ArgumentException>(() => new SegmentationLosses(SegmentationLossKind.CeDice).Compute(bl, blab)).Message);
        Assert.Contains("label 2 is outside [0, 1]", Assert.Throws<ArgumentException>(() => new SegmentationLosses(SegmentationLossKind.Dice).Compute(bl, mlab)).Message);
        using var wrongSize = zeros(N, 1, H, W + 1);
        Assert.Contains("[2, 1, 3, 5]", Assert.Throws<ArgumentException>(() => new SegmentationLosses(SegmentationLossKind.Dice).Compute(wrongSize, blab)).Message);
        using var floatLabels = blab.to_type(ScalarType.Float32);
        Assert.Contains("int64", Assert.Throws<ArgumentException>(() => new SegmentationLosses(SegmentationLossKind.Dice).Compute(bl, floatLabels)).Message);
        Assert.Contains("alpha", Assert.Throws<ArgumentException>(() => new SegmentationLosses(SegmentationLossKind.FocalTversky, alpha: -0.1)).Message);
        Assert.Contains("gamma", Assert.Throws<ArgumentException>(() => new SegmentationLosses(SegmentationLossKind.FocalTversky, gamma: 0)).Message);
    }
}
