using Nachos.Shared.Spec;
using Nachos.Training.Data;
using Nachos.Shared.Seeding;

namespace Nachos.Training.Tests;

public sealed class SegmentationAugmentationTests
{
    private const int H = 36, W = 48;

    /// <summary>An asymmetric L (so every flip and rotation shows) labelled <paramref name="label"/> on background 0.</summary>
    private static byte[] Shape(byte label = 1)
    {
        var m = new byte[H * W];
        for (var y = 0; y < H; y++)
            for (var x = 0; x < W; x++)
                if ((y is >= 6 and < 20 && x is >= 10 and < 34) || (y is >= 20 and < 30 && x is >= 10 and < 17)) m[y * W + x] = label;
        return m;
    }

    public static TheoryData<string> Kinds => ["hflip", "vflip", "rotation", "crop", "all"];

    private static AugmentationSpec Spec(string kind) => kind switch
    {
        "hflip" => AugmentationSpec.None with { HorizontalFlip = true },
        "vflip" => AugmentationSpec.None with { VerticalFlip = true },
        "rotation" => AugmentationSpec.None with { RotationDegrees = 40 },
        "crop" => AugmentationSpec.None with { CropScaleMin = 0.5 },
        _ => new AugmentationSpec(true, true, 40, 0.5, 0, 0),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_mask_follows_the_image_through_every_geometric_transform(string kind)
    {
        var mask = Shape();
        // Two channels: the mask and its complement, so a channel mix-up shows too.
        var img = mask.Select(v => (float)v).Concat(mask.Select(v => 1f - v)).ToArray();
        var a = Spec(kind);
        int disagreements = 0, edge = 0;
        for (var seed = 0; seed < 25; seed++)
        {
            var (outImg, outMask) = Joint(img, mask, 2, a, seed);
            Assert.Equal(ImageOnly(img, 2, a, seed), outImg);
            for (var y = 0; y < H; y++)
                for (var x = 0; x < W; x++)
                {
                    var i = y * W + x;
                    if (NearOtherLabel(outMask, y, x, 1)) edge++;
                    var fg = outMask[i] == 1;
                    if ((outImg[i] > 0.5f) == fg && (outImg[H * W + i] < 0.5f) == fg) continue;
                    disagreements++;
                    Assert.True(NearOtherLabel(outMask, y, x, 2), $"{kind}, seed {seed}: image and mask disagree at ({y}, {x}), away from the mask's edge");
                }
            if (kind is "hflip" or "vflip") Assert.Equal(0, disagreements);
        }
        Assert.True(disagreements <= edge / 4, $"{kind}: {disagreements} disagreeing pixels against {edge} edge pixels");
    }

    private static bool NearOtherLabel(byte[] m, int y, int x, int radius)
    {
        for (var dy = -radius; dy <= radius; dy++)
            for (var dx = -radius; dx <= radius; dx++)
            {
                int yy = y + dy, xx = x + dx;
                if (yy >= 0 && yy < H && xx >= 0 && xx < W && m[yy * W + xx] != m[y * W + x]) return true;
            }
        return false;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Labels_are_never_interpolated(string kind)
    {
        // Labels 0, 3 and 7 (as ints, the label type is the caller's); any blend would produce another value.
        var bytes = Shape(3);
        var mask = bytes.Select((v, i) => i % W > 24 && v == 3 ? 7 : (int)v).ToArray();
        var img = mask.Select(v => (float)v).ToArray();
        var seen = new HashSet<int>();
        for (var seed = 0; seed < 25; seed++)
        {
            var outMask = new int[H * W];
            var rng = new SplitMix(seed);
            Augmenter.Apply(img, new float[img.Length], mask, outMask, 1, H, W, Spec(kind), ref rng);
            seen.UnionWith(outMask);
        }
        Assert.Equal([0, 3, 7], seen.Order());
    }

    [Fact]
    public void Intensity_and_contrast_change_the_image_but_not_the_mask_and_a_seed_fixes_everything()
    {
        var mask = Shape();
        var img = mask.Select((v, i) => v + 0.1f * (i % 7)).ToArray();
        var intensityOnly = AugmentationSpec.None with { Intensity = 0.3, Contrast = 0.5 };
        var (outImg, outMask) = Joint(img, mask, 1, intensityOnly, 4);
        Assert.Equal(mask, outMask);
        Assert.NotEqual(img, outImg);
        Assert.Equal(ImageOnly(img, 1, intensityOnly, 4), outImg);

        var all = new AugmentationSpec(true, true, 30, 0.6, 0.2, 0.3);
        var first = Joint(img, mask, 1, all, 11);
        var again = Joint(img, mask, 1, all, 11);
        Assert.Equal(first.Image, again.Image);
        Assert.Equal(first.Mask, again.Mask);
        Assert.Contains(Enumerable.Range(12, 5), s => !Joint(img, mask, 1, all, s).Mask.SequenceEqual(first.Mask));
    }

    [Fact]
    public void Joint_augmentation_allocates_nothing_and_rejects_a_mask_of_the_wrong_size()
    {
        var mask = Shape();
        var img = mask.Select(v => (float)v).ToArray();
        var outImg = new float[img.Length];
        var outMask = new byte[mask.Length];
        var all = new AugmentationSpec(true, true, 30, 0.6, 0.2, 0.3);
        var rng = new SplitMix(1);
        Augmenter.Apply<byte>(img, outImg, mask, outMask, 1, H, W, all, ref rng); // JIT
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++) Augmenter.Apply<byte>(img, outImg, mask, outMask, 1, H, W, all, ref rng);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        var e = Assert.Throws<ArgumentException>(() =>
        {
            var r = new SplitMix(1);
            Augmenter.Apply<byte>(img, outImg, mask.AsSpan(1), outMask, 1, H, W, all, ref r);
        });
        Assert.Contains("36×48 = 1728 labels; got 1727 in and 1728 out", e.Message);
    }

    private static (float[] Image, byte[] Mask) Joint(float[] img, byte[] mask, int channels, AugmentationSpec a, int seed)
    {
        var outImg = new float[img.Length];
        var outMask = new byte[mask.Length];
        var rng = new SplitMix(seed);
        Augmenter.Apply<byte>(img, outImg, mask, outMask, channels, H, W, a, ref rng);
        return (outImg, outMask);
    }

    private static float[] ImageOnly(float[] img, int channels, AugmentationSpec a, int seed)
    {
        var outImg = new float[img.Length];
        var rng = new SplitMix(seed);
        Augmenter.Apply(img, outImg, channels, H, W, a, ref rng);
        return outImg;
    }
}
