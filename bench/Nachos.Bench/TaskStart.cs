using System.Diagnostics;
using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Training.Data;
using Nachos.Training.Images;
using StbImageWriteSharp;
using Nachos.Shared.SpecLoading;

namespace Nachos.Bench;

/// <summary>
/// The start of one inner training task on a synthetic manifest of small PNGs, up to its first training batch
/// (manifest, images, normalisation statistics, first augmented batch), in one process, side by side:
/// before (every image of the manifest decoded, as a task process did), and after, with a cold and a warm image cache.
/// </summary>
public static class TaskStart
{
    public static int Run(string[] args)
    {
        var images = BenchArgs.Int(args, "--images", 20_000);
        var size = BenchArgs.Int(args, "--size", 64);
        var rounds = BenchArgs.Int(args, "--rounds", 2);
        var dir = Path.Combine(Path.GetTempPath(), $"nachos-bench-task-start-{images}-{size}");
        var manifest = Path.Combine(dir, "manifest.csv");
        if (!File.Exists(manifest))
        {
            var clock = Stopwatch.StartNew();
            Generate(dir, images, size);
            Console.WriteLine($"generated {images} PNGs of {size}×{size} in {clock.Elapsed.TotalSeconds:F1} s into {dir}");
        }
        var specPath = Path.Combine(dir, "bench.yaml");
        File.WriteAllText(specPath, $$"""
            name: task-start
            task: binary
            dataset: { manifest: manifest.csv, classes: [normal, lesion], group_column: patient }
            image: { size: {{size}}, channels: 1 }
            model: { architecture: simple-cnn }
            training: { batch_size: 32, augmentation: { horizontal_flip: true, rotation_degrees: 15 } }
            """);
        var spec = SpecLoader.LoadFile(specPath);
        var plan = SplitPlanner.Plan(DatasetLoader.ReadManifest(spec), spec.Split, spec.Seed);
        var split = plan.Outer[0].Inner[0];
        var ids = split.Train.Concat(split.Validation).ToList();
        var cache = Path.Combine(dir, "run", "image-cache");
        Console.WriteLine($"{images} images, task outer 0 inner 0: {split.Train.Count} train + {split.Validation.Count} validation; {Environment.ProcessorCount} cores; {rounds} rounds");

        var totals = new double[3];
        for (var r = 0; r < rounds; r++)
        {
            var before = Start(spec, split, () => DatasetLoader.Load(spec));
            if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true);
            var cold = Start(spec, split, () => DatasetLoader.Load(spec, ids, cache));
            var warm = Start(spec, split, () => DatasetLoader.Load(spec, ids, cache));
            Console.WriteLine($"round {r + 1}: before {before.Seconds:F2} s ({before.Decoded} decodes) | after, cold cache {cold.Seconds:F2} s ({cold.Decoded} decodes) | after, warm cache {warm.Seconds:F2} s ({warm.Decoded} decodes)");
            totals[0] += before.Seconds;
            totals[1] += cold.Seconds;
            totals[2] += warm.Seconds;
        }
        var (b, c, w) = (totals[0] / rounds, totals[1] / rounds, totals[2] / rounds);
        Console.WriteLine($"mean: before {b:F2} s, cold {c:F2} s ({c / b:P0} of before), warm {w:F2} s ({w / b:P1} of before, {b / w:F0}× faster)");
        var parts = Stopwatch.StartNew();
        var listed = DatasetLoader.ReadManifest(spec);
        var manifestSeconds = parts.Elapsed.TotalSeconds;
        parts.Restart();
        DatasetContentKey.Of(listed, spec.Image);
        var keySeconds = parts.Elapsed.TotalSeconds;
        parts.Restart();
        var loaded = DatasetLoader.Load(spec, ids, cache);
        var loadSeconds = parts.Elapsed.TotalSeconds;
        parts.Restart();
        Normalization.FromTraining(loaded, split.Train);
        Console.WriteLine($"warm start, parts: manifest {manifestSeconds:F2} s, content key (stat of every image) {keySeconds:F2} s, " +
                          $"cached load (manifest, key, mapped reads, checksums) {loadSeconds:F2} s, normalisation statistics {parts.Elapsed.TotalSeconds:F2} s");
        var bytes = new DirectoryInfo(cache).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        Console.WriteLine($"cache on disk: {bytes / 1e6:F0} MB");
        return 0;
    }

    /// <summary>Seconds from nothing loaded to the first training batch in hand, and the images decoded meanwhile.</summary>
    private static (double Seconds, long Decoded) Start(StudySpec spec, Split split, Func<LoadedDataset> load)
    {
        GC.Collect();
        var decoded = ImageDecoder.Decoded;
        var clock = Stopwatch.StartNew();
        var data = load();
        var norm = Normalization.FromTraining(data, split.Train);
        using (var pipeline = new BatchPipeline(data, split.Train, norm, spec.Training.BatchSize, spec.Training.Augmentation, 1, 0, shuffle: true))
            _ = pipeline.Read().First();
        return (clock.Elapsed.TotalSeconds, ImageDecoder.Decoded - decoded);
    }

    /// <summary>Grey PNGs with a smooth pattern and noise (so they compress like images, not like noise or flat fields).</summary>
    private static void Generate(string dir, int count, int size)
    {
        Directory.CreateDirectory(Path.Combine(dir, "img"));
        Parallel.For(0, count, i =>
        {
            var rng = new Random(i);
            var pixels = new byte[size * size];
            var (fx, fy) = (rng.NextDouble() * 0.3, rng.NextDouble() * 0.3);
            for (var y = 0; y < size; y++)
                for (var x = 0; x < size; x++)
                    pixels[y * size + x] = (byte)Math.Clamp(128 + 80 * Math.Sin(fx * x + fy * y) + rng.Next(-12, 13), 0, 255);
            using var f = File.Create(Path.Combine(dir, "img", $"{i:D5}.png"));
            new ImageWriter().WritePng(pixels, size, size, ColorComponents.Grey, f);
        });
        var rows = Enumerable.Range(0, count).Select(i => $"img/{i:D5}.png,{(i % 3 == 0 ? "lesion" : "normal")},p{i / 2}");
        File.WriteAllText(Path.Combine(dir, "manifest.csv"), "image,label,patient\n" + string.Join("\n", rows) + "\n");
    }
}
