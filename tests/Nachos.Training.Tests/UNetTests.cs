using Nachos.Shared.Spec;
using Nachos.Training.Engine;
using Nachos.Training.Torch;
using Nachos.Training.Models;
using static TorchSharp.torch;

namespace Nachos.Training.Tests;

public sealed class UNetTests
{
    [Theory]
    [InlineData(1, false, 1, 8)]
    [InlineData(2, false, 1, 32)]
    [InlineData(3, true, 3, 24)]
    [InlineData(4, false, 2, 32)]
    [InlineData(5, true, 1, 48)]
    public void Every_depth_maps_an_image_to_one_logit_map_per_class_at_full_resolution(int levels, bool residual, int classes, int size)
    {
        using var model = ModelFactory.CreateUNet(new ImageSpec(size, size + 16, 2), classes, levels, 0.25, residual, 1);
        model.eval();
        using var x = randn(2, 2, size, size + 16);
        using var y = model.forward(x);
        Assert.Equal(new long[] { 2, classes, size, size + 16 }, y.shape);
    }

    [Fact]
    public void Width_and_depth_scale_the_network_and_channels_never_drop_below_four()
    {
        Assert.Equal([8, 16, 32], UNet.Widths(3, 0.25));
        Assert.Equal([32, 64, 128, 256], UNet.Widths(4, 1));
        Assert.Equal([4, 4, 8], UNet.Widths(3, 1.0 / 16));
        long Count(int levels, double width, bool residual)
        {
            using var m = new UNet(1, 1, levels, width, residual);
            return m.parameters().Sum(p => p.numel());
        }
        Assert.True(Count(3, 0.25, false) * 10 < Count(3, 1, false), "a quarter-width UNet should have about 1/16 of the parameters");
        Assert.True(Count(3, 0.5, false) * 3 < Count(4, 0.5, false), "each level adds a wider block");
        Assert.True(Count(3, 0.5, true) > Count(3, 0.5, false), "residual blocks add 1×1 projection shortcuts where channels change");
    }

    [Fact]
    public void A_seed_fixes_every_weight_including_the_transposed_convolutions()
    {
        float[][] Weights(int seed)
        {
            using var m = ModelFactory.CreateUNet(new ImageSpec(16, 16, 1), 1, 3, 0.25, true, seed);
            return [.. m.named_parameters().Select(p => p.parameter.data<float>().ToArray())];
        }
        var a = Weights(7);
        Assert.Equal(a, Weights(7));
        var b = Weights(8);
        using var m = new UNet(1, 1, 3, 0.25, true);
        var names = m.named_parameters().Select(p => p.name).ToArray();
        var ups = names.Select((n, i) => (n, i)).Where(p => p.n.StartsWith("up.") && p.n.EndsWith("weight")).ToArray();
        Assert.Equal(2, ups.Length);
        Assert.All(ups, p => Assert.NotEqual(a[p.i], b[p.i]));
    }

    [Fact]
    public void An_input_size_the_pooling_cannot_halve_is_a_clear_error()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelFactory.CreateUNet(new ImageSpec(60, 64, 1), 1, 4, 0.25, false, 1));
        Assert.Contains("4 levels needs image height and width divisible by 8; got 60×64", e.Message);
        using var model = new UNet(1, 1, 3, 0.25, false);
        using var x = zeros(1, 1, 16, 18);
        Assert.Contains("divisible by 4; got 16×18", Assert.Throws<ArgumentException>(() => model.forward(x)).Message);
        Assert.Contains("levels must be in [1, 6]; got 0", Assert.Throws<ArgumentException>(() => new UNet(1, 1, 0, 1, false)).Message);
        Assert.Contains("width", Assert.Throws<ArgumentException>(() => new UNet(1, 1, 2, 0, false)).Message);
    }

    /// <summary>A bright disc on noise; the mask is the disc. Centre and radius vary per image.</summary>
    private static (float[] Images, long[] Masks) Discs(int count, int size, int seed)
    {
        var rng = new Random(seed);
        var images = new float[count * size * size];
        var masks = new long[count * size * size];
        for (var n = 0; n < count; n++)
        {
            double cy = rng.Next(9, size - 9), cx = rng.Next(9, size - 9), r = rng.Next(4, 9);
            for (var y = 0; y < size; y++)
                for (var x = 0; x < size; x++)
                {
                    var i = (n * size + y) * size + x;
                    var inside = (y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r;
                    masks[i] = inside ? 1 : 0;
                    images[i] = (inside ? 1f : 0f) + 0.3f * (float)(rng.NextDouble() * 2 - 1);
                }
        }
        return (images, masks);
    }

    [Fact]
    public void A_small_unet_learns_to_segment_bright_discs()
    {
        const int count = 8, size = 32, steps = 60;
        var (images, masks) = Discs(count, size, 3);
        using var x = tensor(images, [count, 1, size, size]);
        using var y = tensor(masks, [count, size, size]);
        using var model = ModelFactory.CreateUNet(new ImageSpec(size, size, 1), 1, 2, 0.25, false, 5);
        using var optimizer = new Torch.ScalarSafe.Adam(model.parameters(), 0.01, 0);
        var loss = new SegmentationLosses(SegmentationLossKind.BceDice);
        double first = 0, last = 0;
        model.train();
        for (var step = 0; step < steps; step++)
        {
            optimizer.zero_grad();
            using var logits = model.forward(x);
            using var l = loss.Compute(logits, y);
            if (step == 0) first = l.item<float>();
            last = l.item<float>();
            l.backward();
            // Quarter width gives 8-channel convolutions, whose input gradients oneDNN got wrong (CpuConvolutions).
            Assert.True(model.parameters().All(p => p.grad!.isfinite().all().item<bool>()), $"non-finite gradient at step {step}");
            optimizer.step();
        }
        model.eval();
        using var _ = no_grad();
        using var eval = model.forward(x);
        var predicted = eval.data<float>().ToArray();
        var dice = Enumerable.Range(0, count).Average(n =>
        {
            int tp = 0, fp = 0, fn = 0;
            for (var i = n * size * size; i < (n + 1) * size * size; i++)
            {
                var p = predicted[i] > 0;
                var t = masks[i] == 1;
                if (p && t) tp++; else if (p) fp++; else if (t) fn++;
            }
            return 2.0 * tp / (2 * tp + fp + fn);
        });
        Assert.True(dice > 0.8, $"mean Dice {dice:F3} after {steps} steps (loss {first:F3} → {last:F3})");
    }
}
