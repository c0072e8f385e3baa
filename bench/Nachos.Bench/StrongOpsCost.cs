using System.Diagnostics;
using System.Globalization;
using Nachos.Shared.Seeding;
using Nachos.Training.Data;

namespace Nachos.Bench;

/// <summary>
/// <c>strong-ops [--size S] [--channels C] [--images N]</c>: the CPU time of each strong-augmentation operation on one
/// S×S image, one thread, magnitudes drawn as the policy draws them; and the whole policy per image (2–4 operations).
/// </summary>
internal static class StrongOpsCost
{
    public static int Run(string[] args)
    {
        var size = BenchArgs.Int(args, "--size", 64);
        var channels = BenchArgs.Int(args, "--channels", 3);
        var images = BenchArgs.Int(args, "--images", 2000);
        var source = new float[channels * size * size];
        var rng = new SplitMix(7);
        for (var i = 0; i < source.Length; i++) source[i] = (float)rng.NextDouble();
        var img = new float[source.Length];
        var scratch = new float[StrongAugment.ScratchLength(size, size)];
        var pool = StrongAugment.Pool(channels).ToArray();
        Console.WriteLine($"{size}×{size}, {channels} channel(s), {images} images per operation, µs per image (copying the image in included)");
        double copy = Time(() => source.CopyTo(img));
        Console.WriteLine($"{"copy",-14}{copy,8:F1}");
        foreach (var op in pool)
        {
            var us = Time(() =>
            {
                source.CopyTo(img);
                StrongAugment.ApplyOne(op, img, channels, size, size, ref rng, scratch);
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{op,-14}{us,8:F1}"));
        }
        var holder = new AugmentationScratch();
        var policy = Time(() =>
        {
            source.CopyTo(img);
            StrongAugment.Apply(img, channels, size, size, ref rng, holder);
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"policy",-14}{policy,8:F1}"));
        return 0;

        double Time(Action one)
        {
            for (var i = 0; i < images / 10; i++) one();
            var best = double.MaxValue;
            for (var round = 0; round < 3; round++)
            {
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < images; i++) one();
                best = Math.Min(best, clock.Elapsed.TotalMicroseconds / images);
            }
            return best;
        }
    }
}
