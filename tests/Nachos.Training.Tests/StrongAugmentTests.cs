using System.Globalization;
using Nachos.Shared.Seeding;
using Nachos.Shared.Spec;
using Nachos.Training.Data;

namespace Nachos.Training.Tests;

/// <summary>
/// The strong augmentation policy: each operation against values computed beforehand by an independent numpy/scipy
/// implementation (strong_augment_reference.py → StrongAugmentExpected.cs), the draw of operations, determinism,
/// and what it leaves alone.
/// </summary>
public sealed class StrongAugmentTests(SmallStudy study) : IClassFixture<SmallStudy>
{
    /// <summary>The images the reference script builds: levels (97c + 53y + 29x + 7xy + salt) mod 256, over 255.</summary>
    private static float[] Image(int channels, int h, int w, int salt)
    {
        var img = new float[channels * h * w];
        for (var c = 0; c < channels; c++)
            for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                    img[(c * h + y) * w + x] = (c * 97 + y * 53 + x * 29 + x * y * 7 + salt) % 256 / 255f;
        return img;
    }

    public static TheoryData<string> Cases => [.. StrongAugmentExpected.Cases.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_operation_matches_the_reference_implementation(string name)
    {
        var (which, values) = StrongAugmentExpected.Cases[name];
        var expected = values.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var parts = name.Split(" @")[0].Split(' ');
        var channels = int.Parse(parts[0]);
        var (h, w) = which == "small" ? (StrongAugmentExpected.SmallH, StrongAugmentExpected.SmallW) : (StrongAugmentExpected.BigH, StrongAugmentExpected.BigW);
        var img = Image(channels, h, w, which == "small" ? 5 : 11);
        var m = parts.Length > 2 ? float.Parse(parts[2], CultureInfo.InvariantCulture) : 0;
        var scratch = new float[StrongAugment.ScratchLength(h, w)];
        var plane = h * w;
        switch (parts[1])
        {
            case "brightness": PhotometricOps.Brightness(img, m); break;
            case "contrast": PhotometricOps.Contrast(img, channels, plane, m); break;
            case "gamma": PhotometricOps.Gamma(img, m); break;
            case "tone": PhotometricOps.Tone(img, m, float.Parse(parts[3], CultureInfo.InvariantCulture)); break;
            case "solarize": PhotometricOps.Solarize(img, (int)m); break;
            case "posterize": PhotometricOps.Posterize(img, (int)m); break;
            case "autocontrast": PhotometricOps.Autocontrast(img, channels, plane); break;
            case "equalize": PhotometricOps.Equalize(img, channels, plane); break;
            case "sharpen": PhotometricOps.Sharpen(img, channels, h, w, m, scratch); break;
            case "emboss": PhotometricOps.Emboss(img, channels, h, w, m, scratch); break;
            case "blur": PhotometricOps.Blur(img, channels, h, w, m, scratch); break;
            case "red": PhotometricOps.ScaleChannel(img, 0, plane, m); break;
            case "green": PhotometricOps.ScaleChannel(img, 1, plane, m); break;
            case "hue": PhotometricOps.Hue(img, plane, m); break;
            case "saturation": PhotometricOps.Saturation(img, plane, m); break;
            case "grayscale": PhotometricOps.Grayscale(img, plane); break;
            case "jpeg": JpegRoundTrip.Apply(img, channels, h, w, (int)m, scratch); break;
            default: throw new ArgumentException(name);
        }
        Assert.Equal(expected.Length, img.Length);
        var worst = expected.Select((e, i) => Math.Abs(img[i] * 255.0 - e)).Max();
        Assert.True(worst < 0.01, $"{name}: largest difference {worst:F4} of 255 levels");
    }

    [Fact]
    public void Edge_magnitudes_that_change_nothing_leave_the_image_as_it_is()
    {
        var img = Image(3, 6, 7, 5);
        var scratch = new float[StrongAugment.ScratchLength(6, 7)];
        var copy = img.ToArray();
        PhotometricOps.Blur(copy, 3, 6, 7, 0, scratch);
        Assert.Equal(img, copy);
        var rng = new SplitMix(3);
        PhotometricOps.Noise(copy, 3, 42, 0, ref rng);
        Assert.Equal(img, copy);
        PhotometricOps.Posterize(copy, 8);
        Assert.Equal(img, copy); // the image holds 8-bit levels already
        PhotometricOps.Sharpen(copy, 3, 6, 7, 0, scratch);
        PhotometricOps.Emboss(copy, 3, 6, 7, 0, scratch);
        PhotometricOps.Tone(copy, 1 / 3f, 2 / 3f); // the Bézier with evenly spaced control values is the identity
        Assert.Equal(img.Select(v => (double)v), copy.Select(v => (double)v), (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void Noise_blends_one_uniform_value_per_pixel_into_every_channel()
    {
        var img = Image(3, 6, 7, 5);
        var noisy = img.ToArray();
        var rng = new SplitMix(9);
        PhotometricOps.Noise(noisy, 3, 42, 0.2f, ref rng);
        var check = new SplitMix(9);
        for (var i = 0; i < 42; i++)
        {
            var n = check.NextDouble();
            for (var c = 0; c < 3; c++)
                Assert.Equal(0.8 * img[c * 42 + i] + 0.2 * n, noisy[c * 42 + i], 5);
        }
    }

    [Fact]
    public void Two_three_or_four_distinct_operations_are_drawn_with_probabilities_one_half_three_tenths_one_fifth()
    {
        const int n = 20_000;
        var counts = new int[5];
        var perOp = new int[Enum.GetValues<StrongOp>().Length];
        Span<StrongOp> chosen = stackalloc StrongOp[StrongAugment.MaxOperations];
        for (var i = 0; i < n; i++)
        {
            var rng = new SplitMix(Seeds.Derive(1, 12, 0, i));
            var k = StrongAugment.Choose(3, ref rng, chosen);
            counts[k]++;
            var ops = chosen[..k].ToArray();
            Assert.Equal(k, ops.Distinct().Count());
            foreach (var op in ops) perOp[(int)op]++;
        }
        // Within 4.5 binomial standard deviations (a false failure about once in 150,000 runs per check).
        foreach (var (k, p) in new[] { (2, 0.5), (3, 0.3), (4, 0.2) })
            Assert.InRange(counts[k], n * p - 4.5 * Math.Sqrt(n * p * (1 - p)), n * p + 4.5 * Math.Sqrt(n * p * (1 - p)));
        // Each of the 19 operations is equally likely: E[count] = n · 2.7 / 19.
        var each = n * 2.7 / 19;
        Assert.All(perOp, c => Assert.InRange(c, each - 4.5 * Math.Sqrt(each), each + 4.5 * Math.Sqrt(each)));
    }

    [Fact]
    public void A_one_channel_image_never_draws_the_RGB_only_operations()
    {
        var rgbOnly = new[] { StrongOp.Red, StrongOp.Green, StrongOp.Blue, StrongOp.Hue, StrongOp.Saturation, StrongOp.Grayscale };
        Assert.Equal(13, StrongAugment.Pool(1).Length);
        Assert.Equal(19, StrongAugment.Pool(3).Length);
        Span<StrongOp> chosen = stackalloc StrongOp[StrongAugment.MaxOperations];
        var seen = new HashSet<StrongOp>();
        for (var i = 0; i < 2000; i++)
        {
            var rng = new SplitMix(i);
            var k = StrongAugment.Choose(1, ref rng, chosen);
            foreach (var op in chosen[..k]) seen.Add(op);
        }
        Assert.Empty(seen.Intersect(rgbOnly));
        Assert.Equal(13, seen.Count);
    }

    private static readonly AugmentationSpec Strong = AugmentationSpec.None with { Policy = AugmentationPolicy.Strong };

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void The_same_stream_gives_the_same_image_and_other_streams_differ(int channels)
    {
        var img = Image(channels, 24, 20, 3);
        float[] Run(long seed)
        {
            var dst = new float[img.Length];
            var rng = new SplitMix(seed);
            Augmenter.Apply(img, dst, channels, 24, 20, Strong with { HorizontalFlip = true, RotationDegrees = 10 }, ref rng, new AugmentationScratch());
            return dst;
        }
        var a = Run(5);
        Assert.Equal(a, Run(5));
        var distinct = Enumerable.Range(0, 20).Select(s => Run(100 + s)).Select(x => string.Join(",", x)).Distinct().Count();
        Assert.True(distinct >= 19, $"only {distinct} different images from 20 streams");
        Assert.All(a, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void The_policy_none_draws_nothing_more_from_the_stream()
    {
        var img = Image(3, 16, 16, 1);
        var spec = new AugmentationSpec(true, true, 20, 0.7, 0.1, 0.2);
        var r1 = new SplitMix(4);
        var r2 = new SplitMix(4);
        var a = new float[img.Length];
        var b = new float[img.Length];
        Augmenter.Apply(img, a, 3, 16, 16, spec, ref r1);
        Augmenter.Apply(img, b, 3, 16, 16, spec with { Policy = AugmentationPolicy.None }, ref r2);
        Assert.Equal(a, b);
        Assert.Equal(r1.NextULong(), r2.NextULong());
        var r3 = new SplitMix(4);
        Augmenter.Apply(img, b, 3, 16, 16, spec with { Policy = AugmentationPolicy.Strong }, ref r3);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void A_segmentation_mask_is_left_unchanged_and_a_steady_pass_allocates_nothing()
    {
        const int h = 32, w = 40;
        var img = Image(3, h, w, 7);
        var mask = Enumerable.Range(0, h * w).Select(i => (byte)(i % 3)).ToArray();
        var outImg = new float[img.Length];
        var outMask = new byte[mask.Length];
        var scratch = new AugmentationScratch();
        var changed = 0;
        for (var seed = 0; seed < 50; seed++)
        {
            var rng = new SplitMix(seed);
            Augmenter.Apply<byte>(img, outImg, mask, outMask, 3, h, w, Strong, ref rng, scratch);
            Assert.Equal(mask, outMask);
            if (!outImg.SequenceEqual(img)) changed++;
        }
        Assert.True(changed >= 45, $"only {changed} of 50 images changed");
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var seed = 0; seed < 200; seed++)
        {
            var rng = new SplitMix(seed);
            Augmenter.Apply<byte>(img, outImg, mask, outMask, 3, h, w, Strong, ref rng, scratch);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void The_batch_pipeline_applies_the_policy_and_a_pass_started_mid_way_yields_the_same_batches()
    {
        var ids = study.Plan.Outer[0].Train;
        var norm = Normalization.FromTraining(study.Data, ids);
        var aug = study.Spec.Training.Augmentation;
        List<float[]> Pass(AugmentationSpec a, int start)
        {
            using var p = new BatchPipeline(study.Data, ids, norm, 5, a, 1, 2, shuffle: true, startBatch: start);
            return p.Read().Select(b => b.Images).ToList();
        }
        var strong = Pass(aug with { Policy = AugmentationPolicy.Strong }, 0);
        var none = Pass(aug, 0);
        Assert.Equal(none.Count, strong.Count);
        Assert.All(none.Zip(strong), p => Assert.NotEqual(p.First, p.Second));
        var tail = Pass(aug with { Policy = AugmentationPolicy.Strong }, 2);
        Assert.Equal(strong.Skip(2), tail);
    }
}
