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
/// (a) the full pipeline: decode PNGs from disk, augment, batch on the background thread, train;
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
        var dir = Path.Combine(Path.GetTempPath(), "nachos-bench-data");
        if (!File.Exists(Path.Combine(dir, "manifest.csv")))
            SyntheticDataset.Generate(dir, new SyntheticOptions(patients, 3, 64, 7));
        var specPath = Path.Combine(dir, "bench.yaml");
        File.WriteAllText(specPath, $$"""
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
        var spec = SpecLoader.LoadFile(specPath);
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
        Pipeline(spec, spec.Training.Augmentation, 1); // warm-up: JIT and libtorch kernels
        Pipeline(spec, strong, 1);
        ModelAlone(spec, 1);
        double pipelineTotal = 0, strongTotal = 0, modelTotal = 0;
        for (var r = 0; r < rounds; r++)
        {
            // Rotate the order so no measurement always runs in the same place.
            double a = 0, s = 0, b = 0;
            for (var k = 0; k < 3; k++)
                switch ((r + k) % 3)
                {
                    case 0: a = Pipeline(spec, spec.Training.Augmentation, epochs); break;
                    case 1: s = Pipeline(spec, strong, epochs); break;
                    default: b = ModelAlone(spec, epochs); break;
                }
            Console.WriteLine($"round {r + 1}: pipeline {a:F1} img/s ({a / b:P1}), pipeline + strong {s:F1} img/s ({s / b:P1}), model alone {b:F1} img/s");
            pipelineTotal += a;
            strongTotal += s;
            modelTotal += b;
        }
        Console.WriteLine($"mean: pipeline {pipelineTotal / rounds:F1} img/s ({pipelineTotal / modelTotal:P1}), pipeline + strong {strongTotal / rounds:F1} img/s ({strongTotal / modelTotal:P1}), model alone {modelTotal / rounds:F1} img/s");
        return 0;
    }

    /// <summary>Images per second from reading the PNGs to the last optimiser step.</summary>
    private static double Pipeline(StudySpec spec, AugmentationSpec augmentation, int epochs)
    {
        var clock = Stopwatch.StartNew();
        using var run = new Setup(spec);
        run.Model.train();
        for (var e = 0; e < epochs; e++)
        {
            using var pipeline = new BatchPipeline(run.Data, run.Ids, run.Norm, spec.Training.BatchSize, augmentation, 1, e, shuffle: true);
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
