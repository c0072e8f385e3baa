using System.Diagnostics;
using Nachos.Shared.Bundle;
using Nachos.Shared.Predictions;
using Nachos.Shared.Spec;
using Nachos.Training.Bundle;
using Nachos.Training.Data;
using Nachos.Training.Engine;
using Nachos.Training.Models;
using Nachos.Training.Synth;
using static TorchSharp.torch;

namespace Nachos.Bench;

/// <summary>
/// Prediction throughput at 64×64 on the synthetic data, in one process, alternating the two measurements:
/// (a) through a bundle as <c>nachos predict</c> runs a classifier: read and check the bundle, rebuild the network, read
/// the manifest, then batch by batch decode the PNGs (on all cores), normalise, forward, activation; and write the
/// predictions file;
/// (b) the model's forward pass alone (and its activation) on normalised batches already in memory as tensors.
/// </summary>
public static class PredictThroughput
{
    public static int Run(string[] args)
    {
        var patients = BenchArgs.Int(args, "--patients", 100);
        var rounds = BenchArgs.Int(args, "--rounds", 3);
        var passes = BenchArgs.Int(args, "--passes", 1);
        var widthPercent = BenchArgs.Int(args, "--width-percent", 100);
        var dir = BenchStudy.Data(patients == 100 ? "nachos-bench-data" : $"nachos-bench-data-{patients}", new SyntheticOptions(patients, 3, 64, 7));
        var manifestCsv = Path.Combine(dir, "manifest.csv");
        var bundleDir = Path.Combine(Path.GetTempPath(), $"nachos-bench-bundle-{widthPercent}");
        var bundle = MakeBundle(bundleDir, widthPercent / 100.0);
        Console.WriteLine($"torch threads {get_num_threads()}, {Environment.ProcessorCount} cores, simple-cnn width {widthPercent / 100.0}, 64×64, batch {bundle.Preprocessing!.BatchSize}, {rounds} rounds");

        ThroughBundle(bundleDir, manifestCsv, 1); // warm-up: JIT and libtorch kernels
        ForwardAlone(bundleDir, manifestCsv, 1);
        double aTotal = 0, bTotal = 0, aBest = 0, bBest = 0;
        var ratios = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            double a, b;
            if (r % 2 == 0) { a = ThroughBundle(bundleDir, manifestCsv, passes); b = ForwardAlone(bundleDir, manifestCsv, passes); }
            else { b = ForwardAlone(bundleDir, manifestCsv, passes); a = ThroughBundle(bundleDir, manifestCsv, passes); }
            Console.WriteLine($"round {r + 1}: predict {a:F1} img/s, forward alone {b:F1} img/s, ratio {a / b:P1}");
            aTotal += a;
            bTotal += b;
            ratios.Add(a / b);
            (aBest, bBest) = (Math.Max(aBest, a), Math.Max(bBest, b));
        }
        ratios.Sort();
        var median = rounds % 2 == 1 ? ratios[rounds / 2] : (ratios[rounds / 2 - 1] + ratios[rounds / 2]) / 2;
        Console.WriteLine($"mean: predict {aTotal / rounds:F1} img/s, forward alone {bTotal / rounds:F1} img/s, ratio {aTotal / bTotal:P1}");
        // On a shared machine the fastest round of each is the nearest to what a quiet machine gives.
        Console.WriteLine($"fastest round of each: predict {aBest:F1} img/s, forward alone {bBest:F1} img/s, ratio {aBest / bBest:P1}");
        Console.WriteLine($"ratio per round: median {median:P1}, range {ratios[0]:P1}–{ratios[^1]:P1}; load average {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    /// <summary>A bundle of an untrained SimpleCNN (the weights' values do not change the work), normalised by the data's own statistics.</summary>
    private static BundleManifest MakeBundle(string dir, double width)
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
        var image = new ImageSpec(64, 64, 1);
        var weights = Path.Combine(Path.GetTempPath(), $"nachos-bench-weights-{Environment.ProcessId}.pt");
        using (var model = ModelFactory.Create(new ModelSpec(Architecture.SimpleCnn, width, null), image, 2, 1)) model.save(weights);
        var manifest = new BundleManifest(BundleJson.FormatVersion, "binary",
            new BundleSource("bench", "bench/o0/refit", 0, dir),
            new BundleNetwork("simple-cnn", width, ModelSpec.DefaultDepth, false, 2, BundleNetwork.Softmax, new Dictionary<string, string>()),
            new BundlePreprocessing(64, 64, 1, image.MaxPixels, [0.25f], [0.18f], Evaluator.BatchSize(32)),
            ["normal", "lesion"], new BundleDecision(0.5, "positive when p >= 0.5"),
            new BundleManifestColumns("image", ["label"], null),
            "name: bench\n", new string('0', 64), new BundleDataset("csv", new string('0', 64), 0, 0),
            new ExpectedPerformance("benchmark", 0, false, []), "bench", new BundleSeeds(1, 1),
            new BundleHardware("cpu", Environment.MachineName, "", Environment.ProcessorCount), DateTimeOffset.UtcNow,
            new BundleWeights(BundleLayout.Weights, BundleFiles.Sha256(File.ReadAllBytes(weights)), new FileInfo(weights).Length));
        BundleFiles.Write(dir, manifest, weights);
        File.Delete(weights);
        return manifest;
    }

    /// <summary>Images per second from opening the bundle to the predictions file written, as nachos predict does it.</summary>
    private static double ThroughBundle(string bundleDir, string manifestCsv, int passes)
    {
        var output = Path.Combine(Path.GetTempPath(), $"nachos-bench-predict-{Environment.ProcessId}.csv");
        var clock = Stopwatch.StartNew();
        var n = 0;
        for (var pass = 0; pass < passes; pass++)
        {
            var bundle = BundleFiles.Read(bundleDir);
            using var model = BundledModel.Load(bundle, "cpu");
            var manifest = PredictInputs.Resolve([manifestCsv], bundle.Manifest);
            var ids = manifest.Samples.Select(s => s.Id).ToList();
            var rows = new List<PredictionRow>();
            foreach (var (batchIds, p) in model.Predict(manifest))
                for (var i = 0; i < batchIds.Count; i++)
                    rows.Add(new PredictionRow(batchIds[i], "predict", manifest.ById[batchIds[i]].Labels, [p[2 * i], p[2 * i + 1]]));
            PredictionsFile.Write(output, model.Task, bundle.Manifest.Classes, rows);
            n += ids.Count;
        }
        var rate = n / clock.Elapsed.TotalSeconds;
        File.Delete(output);
        return rate;
    }

    /// <summary>Images per second of the forward pass and activation alone, on batches made into tensors before the clock starts.</summary>
    private static double ForwardAlone(string bundleDir, string manifestCsv, int passes)
    {
        var bundle = BundleFiles.Read(bundleDir);
        using var model = BundledModel.Load(bundle, "cpu");
        var manifest = PredictInputs.Resolve([manifestCsv], bundle.Manifest);
        var data = DatasetLoader.LoadImages(manifest, model.Image);
        var ids = manifest.Samples.Select(s => s.Id).ToList();
        var batches = new List<Tensor>();
        using (var pipeline = new BatchPipeline(data, ids, model.Normalization, bundle.Manifest.Preprocessing!.BatchSize, null, 0, 0, shuffle: false))
            foreach (var b in pipeline.Read())
                batches.Add(Trainer.BatchTensor(b, model.Image));
        var clock = Stopwatch.StartNew();
        using (no_grad())
            for (var pass = 0; pass < passes; pass++)
                foreach (var x in batches)
                {
                    using var scope = NewDisposeScope();
                    _ = model.Probabilities(model.Forward(x)).cpu().data<float>().ToArray();
                }
        var rate = ids.Count * passes / clock.Elapsed.TotalSeconds;
        foreach (var x in batches) x.Dispose();
        return rate;
    }
}
