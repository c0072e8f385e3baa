using System.Diagnostics;
using Nachos.Shared.Spec;
using Nachos.Training.Data;
using Nachos.Training.Engine;
using Nachos.Training.Models;
using Nachos.Training.Synth;
using TorchSharp;
using static TorchSharp.torch;
using Nachos.Shared.SpecLoading;

namespace Nachos.Bench;

/// <summary>
/// Training throughput at 64×64 on the synthetic data, in one process, alternating the three measurements:
/// (a) the full pipeline: decode PNGs from disk, augment, batch (on demand on all cores, and on a background thread), train;
/// (s) the same with the strong augmentation policy on top of the geometric augmentation;
/// (b) the model alone: the same number of steps on batches already in memory as tensors.
/// </summary>
public static class PipelineThroughput
{
    public static int Run(string[] args)
    {
        var epochs = BenchArgs.Int(args, "--epochs", 3);
        var patients = BenchArgs.Int(args, "--patients", 100);
        var rounds = BenchArgs.Int(args, "--rounds", 3);
        var channels = BenchArgs.Int(args, "--channels", 1);
        var spec = BenchStudy.Spec(BenchStudy.Data("nachos-bench-data", new SyntheticOptions(patients, 3, 64, 7)), $$"""
            name: bench
            task: binary
            dataset: { manifest: manifest.csv, classes: [normal, lesion], group_column: patient }
            image: { size: 64, channels: {{channels}} }
            model: { architecture: simple-cnn }
            training:
              batch_size: 32
              optimizer: sgd
              learning_rate: 0.01
              augmentation: { horizontal_flip: true, vertical_flip: true, rotation_degrees: 15, crop_scale_min: 0.8, intensity: 0.05, contrast: 0.1 }
            """);
        var strong = spec.Training.Augmentation with { Policy = AugmentationPolicy.Strong };
        Console.WriteLine($"torch threads {get_num_threads()}, {Environment.ProcessorCount} cores, {channels} channel(s), {epochs} epochs per measurement, {rounds} rounds");

        {
            var data = DatasetLoader.Load(spec);
            var ids = data.Manifest.Samples.Select(s => s.Id).ToList();
            var norm = Normalization.FromTraining(data, ids);
            foreach (var (name, aug) in new[] { ("policy none", spec.Training.Augmentation), ("policy strong", strong) })
            {
                var clock = Stopwatch.StartNew();
                for (var e = 0; e < epochs; e++)
                {
                    using var pipeline = new BatchPipeline(data, ids, norm, spec.Training.BatchSize, aug, 1, e, shuffle: true);
                    foreach (var b in pipeline.Read()) pipeline.Return(b);
                }
                Console.WriteLine($"batch preparation alone, {name}: {ids.Count * epochs / clock.Elapsed.TotalSeconds:F0} img/s");
            }
            var c = Stopwatch.StartNew();
            DatasetLoader.Load(spec);
            Console.WriteLine($"decode: {c.Elapsed.TotalSeconds:F2} s for {ids.Count} images");
        }
        // Each pipeline both ways: batches prepared on demand on all cores (prefetch 0, what training on a CPU does) and
        // by a background thread 4 batches ahead (what training on a GPU does).
        var measurements = new (string Name, Func<int, double> Run)[]
        {
            ("pipeline", n => Pipeline(spec, spec.Training.Augmentation, n, prefetch: 0)),
            ("pipeline + strong", n => Pipeline(spec, strong, n, prefetch: 0)),
            ("pipeline, background thread", n => Pipeline(spec, spec.Training.Augmentation, n, prefetch: 4)),
            ("pipeline + strong, background thread", n => Pipeline(spec, strong, n, prefetch: 4)),
            ("model alone", n => ModelAlone(spec, n)),
        };
        foreach (var m in measurements) m.Run(1); // warm-up: JIT and libtorch kernels
        var totals = new double[measurements.Length];
        var ratios = measurements.Select(_ => new List<double>()).ToArray();
        for (var r = 0; r < rounds; r++)
        {
            // Rotate the order so no measurement always runs in the same place.
            var rates = new double[measurements.Length];
            for (var k = 0; k < measurements.Length; k++)
            {
                var i = (r + k) % measurements.Length;
                rates[i] = measurements[i].Run(epochs);
            }
            for (var i = 0; i < rates.Length; i++)
            {
                totals[i] += rates[i];
                ratios[i].Add(rates[i] / rates[^1]);
            }
            Console.WriteLine($"round {r + 1}: " + string.Join(", ", measurements.Select((m, i) =>
                i == rates.Length - 1 ? $"{m.Name} {rates[i]:F1} img/s" : $"{m.Name} {rates[i]:F1} img/s ({rates[i] / rates[^1]:P1})")));
        }
        Console.WriteLine($"load average {File.ReadAllText("/proc/loadavg").Trim()}");
        for (var i = 0; i < measurements.Length - 1; i++)
        {
            var sorted = ratios[i].Order().ToList();
            Console.WriteLine($"mean {measurements[i].Name}: {totals[i] / rounds:F1} img/s = {totals[i] / totals[^1]:P1} of the model alone " +
                              $"(median round {sorted[sorted.Count / 2]:P1}, rounds {sorted[0]:P1}–{sorted[^1]:P1})");
        }
        Console.WriteLine($"mean model alone: {totals[^1] / rounds:F1} img/s");
        return 0;
    }

    /// <summary>Images per second from reading the PNGs to the last optimiser step.</summary>
    private static double Pipeline(StudySpec spec, AugmentationSpec augmentation, int epochs, int prefetch)
    {
        var clock = Stopwatch.StartNew();
        using var run = new Setup(spec);
        run.Model.train();
        for (var e = 0; e < epochs; e++)
        {
            using var pipeline = new BatchPipeline(run.Data, run.Ids, run.Norm, spec.Training.BatchSize, augmentation, 1, e, shuffle: true,
                prefetch: prefetch);
            foreach (var batch in pipeline.Read())
            {
                using (NewDisposeScope())
                    run.Step(Trainer.BatchTensor(batch, spec.Image), run.Losses.Targets(batch.Labels));
                pipeline.Return(batch);
            }
        }
        return run.Ids.Count * epochs / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Images per second of forward, backward and step alone, on tensors prepared before the clock starts.</summary>
    private static double ModelAlone(StudySpec spec, int epochs)
    {
        using var run = new Setup(spec);
        var batches = new List<(Tensor X, Tensor Y)>();
        using (var pipeline = new BatchPipeline(run.Data, run.Ids, run.Norm, spec.Training.BatchSize, null, 1, 0, shuffle: true))
            foreach (var b in pipeline.Read())
                batches.Add((Trainer.BatchTensor(b, spec.Image), run.Losses.Targets(b.Labels)));
        run.Model.train();
        var clock = Stopwatch.StartNew();
        for (var e = 0; e < epochs; e++)
            foreach (var (x, y) in batches)
            {
                using var scope = NewDisposeScope();
                run.Step(x, y);
            }
        var rate = run.Ids.Count * epochs / clock.Elapsed.TotalSeconds;
        foreach (var (x, y) in batches) { x.Dispose(); y.Dispose(); }
        return rate;
    }

    /// <summary>Decoded data, normalisation, model, loss and optimiser, as both measurements need them.</summary>
    private sealed class Setup : IDisposable
    {
        public Setup(StudySpec spec)
        {
            Data = DatasetLoader.Load(spec);
            Ids = Data.Manifest.Samples.Select(s => s.Id).ToList();
            Norm = Normalization.FromTraining(Data, Ids);
            Model = ModelFactory.Create(spec.Model, spec.Image, 2, 1);
            Losses = new Losses(spec.Task, spec.Training.Loss, 0, null);
            Optimizer = OptimizerFactory.Create(spec.Training, Model.parameters());
        }

        public LoadedDataset Data { get; }
        public List<string> Ids { get; }
        public Normalization Norm { get; }
        public nn.Module<Tensor, Tensor> Model { get; }
        public Losses Losses { get; }
        public optim.Optimizer Optimizer { get; }

        public void Step(Tensor x, Tensor y)
        {
            Optimizer.zero_grad();
            var loss = Losses.Compute(Model.forward(x), y);
            loss.backward();
            Optimizer.step();
            _ = loss.item<float>();
        }

        public void Dispose()
        {
            Optimizer.Dispose();
            Losses.Dispose();
            Model.Dispose();
        }
    }

}
