using Nachos.Shared.Spec;
using Nachos.Training.Data;
using Nachos.Shared.Seeding;

namespace Nachos.Training.Tests;

public sealed class AugmentationTests
{
    private static float[] Ramp(int h, int w) => Enumerable.Range(0, h * w).Select(i => (float)(i % w)).ToArray();

    [Fact]
    public void Horizontal_flip_either_mirrors_or_keeps_the_image_and_mirroring_twice_restores_it()
    {
        var img = Ramp(4, 6);
        var mirror = Enumerable.Range(0, 24).Select(i => img[(i / 6) * 6 + 5 - i % 6]).ToArray();
        var flip = AugmentationSpec.None with { HorizontalFlip = true };
        int flipped = 0, kept = 0;
        for (var seed = 0; seed < 40; seed++)
        {
            var once = Augment(img, 1, 4, 6, flip, new SplitMix(seed));
            if (Close(once, mirror))
            {
                flipped++;
                Assert.True(Close(Augment(once, 1, 4, 6, flip, new SplitMix(seed)), img));
            }
            else
            {
                Assert.True(Close(once, img), $"seed {seed}: neither kept nor mirrored");
                kept++;
            }
        }
        Assert.InRange(flipped, 8, 32);
        Assert.Equal(40, flipped + kept);
    }

    private static float[] Augment(float[] src, int channels, int h, int w, AugmentationSpec a, SplitMix rng)
    {
        var dst = new float[src.Length];
        Augmenter.Apply(src, dst, channels, h, w, a, ref rng);
        return dst;
    }

    private static bool Close(float[] a, float[] b) => a.Zip(b).All(p => Math.Abs(p.First - p.Second) < 1e-4);

    [Fact]
    public void Same_random_stream_gives_the_same_augmentation_and_another_differs()
    {
        var img = Enumerable.Range(0, 3 * 16 * 16).Select(i => (float)Math.Sin(i)).ToArray();
        var all = new AugmentationSpec(true, true, 20, 0.7, 0.1, 0.2);
        var a = Augment(img, 3, 16, 16, all, new SplitMix(5));
        var b = Augment(img, 3, 16, 16, all, new SplitMix(5));
        var c = Augment(img, 3, 16, 16, all, new SplitMix(6));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(img.Length, a.Length);
    }

    [Fact]
    public void Intensity_and_contrast_keep_a_flat_image_flat()
    {
        var img = Enumerable.Repeat(0.5f, 64).ToArray();
        var a = Augment(img, 1, 8, 8, AugmentationSpec.None with { Intensity = 0.2, Contrast = 0.5 }, new SplitMix(1));
        Assert.All(a, v => Assert.Equal(a[0], v, 5));
        Assert.InRange(a[0], 0.3f, 0.7f);
    }

    [Fact]
    public void Normalization_uses_only_the_training_split()
    {
        using var study = new SmallStudy();
        var train = study.Plan.Outer[0].Train;
        var norm = Normalization.FromTraining(study.Data, train);
        var pixels = train.SelectMany(id => study.Data.Images[id]).Select(v => (double)v).ToArray();
        Assert.Equal(pixels.Average(), norm.Mean[0], 4);
        var testOnly = Normalization.FromTraining(study.Data, study.Plan.Outer[0].Test);
        Assert.NotEqual(norm.Mean[0], testOnly.Mean[0]);
    }

    [Fact]
    public void Batches_cover_every_sample_once_and_avoid_a_last_batch_of_one()
    {
        Assert.Equal([(0, 4), (4, 3), (7, 2)], BatchPipeline.Plan(9, 4, avoidSingletons: true));
        Assert.Equal([(0, 4), (4, 4), (8, 1)], BatchPipeline.Plan(9, 4, avoidSingletons: false));
        using var study = new SmallStudy();
        var ids = study.Plan.Outer[0].Train;
        var norm = Normalization.FromTraining(study.Data, ids);
        using var p1 = new BatchPipeline(study.Data, ids, norm, 5, study.Spec.Training.Augmentation, 1, 0, shuffle: true);
        var seen = p1.Read().SelectMany(b => b.Ids).ToList();
        Assert.Equal(ids.OrderBy(x => x), seen.OrderBy(x => x));
        Assert.NotEqual(ids, seen);
        // Starting at batch 2 yields exactly the tail of the full pass.
        using var full = new BatchPipeline(study.Data, ids, norm, 5, study.Spec.Training.Augmentation, 1, 3, shuffle: true);
        using var tail = new BatchPipeline(study.Data, ids, norm, 5, study.Spec.Training.Augmentation, 1, 3, shuffle: true, startBatch: 2);
        var fullBatches = full.Read().Skip(2).ToList();
        var tailBatches = tail.Read().ToList();
        Assert.Equal(fullBatches.Count, tailBatches.Count);
        for (var i = 0; i < fullBatches.Count; i++) Assert.Equal(fullBatches[i].Images, tailBatches[i].Images);
    }

    [Fact]
    public void Batches_prepared_on_demand_on_all_cores_equal_those_of_the_background_thread()
    {
        using var study = new SmallStudy();
        var ids = study.Plan.Outer[0].Train;
        var norm = Normalization.FromTraining(study.Data, ids);
        var strong = study.Spec.Training.Augmentation with { Policy = AugmentationPolicy.Strong };
        foreach (var start in new[] { 0, 1 })
        {
            using var background = new BatchPipeline(study.Data, ids, norm, 5, strong, 7, 2, shuffle: true, startBatch: start, prefetch: 4);
            using var onDemand = new BatchPipeline(study.Data, ids, norm, 5, strong, 7, 2, shuffle: true, startBatch: start, prefetch: 0);
            var expected = background.Read().ToList();
            var actual = onDemand.Read().ToList();
            Assert.Equal(expected.Count, actual.Count);
            Assert.True(expected.Count >= 2);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Index, actual[i].Index);
                Assert.Equal(expected[i].Ids, actual[i].Ids);
                Assert.Equal(expected[i].Images, actual[i].Images);
                Assert.Equal(expected[i].Labels, actual[i].Labels);
            }
        }
    }
}
