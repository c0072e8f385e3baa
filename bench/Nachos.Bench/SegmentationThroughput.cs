using System.Diagnostics;
using Nachos.Shared.Metrics;
using Nachos.Shared.Metrics.Segmentation;
using Nachos.Shared.Spec;
using Nachos.Shared.SpecLoading;
using Nachos.Training.Data;
using Nachos.Training.Engine;
using static TorchSharp.torch;

namespace Nachos.Bench;

/// <summary>
/// Segmentation at 128×128 on the synthetic segmentation demo, in one process, side by side:
/// training throughput, alternating (a) the full pipeline (images and masks decoded once, then per epoch shuffle,
/// joint augmentation, normalisation and batching on the background thread, steps through
/// <see cref="SegmentationHead.Loss"/>) with (b) the model alone (the same steps on image and label tensors already
/// in memory); then a set's evaluation (<see cref="SegmentationHead.Score"/>, not final) against the metric
/// computation alone (<see cref="ImageScores.Of"/> per image on the same maps, as Score calls it).
/// </summary>
public static class SegmentationThroughput
{
    public static int Run(string[] args)
    {
        var epochs = BenchArgs.Int(args, "--epochs", 1);
        var rounds = BenchArgs.Int(args, "--rounds", 3);
        var patients = BenchArgs.Int(args, "--patients", 40);
        var size = BenchArgs.Int(args, "--size", 128);
        var evalImages = BenchArgs.Int(args, "--eval-images", 64);
        var evalEpochs = BenchArgs.Int(args, "--eval-train-epochs", 3);
        var widthPercent = BenchArgs.Int(args, "--width-percent", 25);
        var dir = Path.Combine(Path.GetTempPath(), $"nachos-bench-segmentation-{patients}-{size}");
        Directory.CreateDirectory(dir);
        var specPath = Path.Combine(dir, "bench.yaml");
        File.WriteAllText(specPath, $$"""
            name: segbench
            seed: 1
            task: segmentation
            dataset:
              synthetic: { out: data, patients: {{patients}}, sites: 3, size: {{size}}, seed: 7 }
              classes: [background, lesion]
            image: { size: {{size}}, channels: 1 }
            model: { architecture: unet, depth: 4, width: {{widthPercent / 100.0:0.##}} }
            training:
              batch_size: 16
              optimizer: adam
              learning_rate: 0.003
              loss: bce-dice
              augmentation: { horizontal_flip: true, vertical_flip: true, rotation_degrees: 10, intensity: 0.05, contrast: 0.1 }
            """);
        var spec = SpecLoader.LoadFile(specPath);
        var data = DatasetLoader.Load(spec); // generates the demo on first use
        var ids = data.Manifest.Samples.Select(s => s.Id).ToList();
        Console.WriteLine($"torch threads {get_num_threads()}, {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        Console.WriteLine($"{ids.Count} images of {size}×{size}, UNet depth 4 width {widthPercent / 100.0:0.##}, batch 16, bce-dice, "
            + $"{epochs} epochs per measurement, {rounds} rounds");

        {
            var norm = Normalization.FromTraining(data, ids);
            var c = Stopwatch.StartNew();
            for (var e = 0; e < epochs; e++)
            {
                using var pipeline = new BatchPipeline(data, ids, norm, 16, spec.Training.Augmentation, 1, e, shuffle: true);
                foreach (var b in pipeline.Read()) pipeline.Return(b);
            }
            Console.WriteLine($"batch preparation alone: {ids.Count * epochs / c.Elapsed.TotalSeconds:F0} img/s");
            c.Restart();
            DatasetLoader.Load(spec);
            Console.WriteLine($"decode (images and masks): {c.Elapsed.TotalSeconds:F2} s for {ids.Count} images");
        }

        Pipeline(spec, 1); // warm-up: JIT and libtorch kernels
        ModelAlone(spec, 1);
        double pipelineTotal = 0, modelTotal = 0;
        for (var r = 0; r < rounds; r++)
        {
            // Alternate the order so neither measurement always runs second.
            double a, b;
            if (r % 2 == 0) { a = Pipeline(spec, epochs); b = ModelAlone(spec, epochs); }
            else { b = ModelAlone(spec, epochs); a = Pipeline(spec, epochs); }
            Console.WriteLine($"round {r + 1}: pipeline {a:F2} img/s, model alone {b:F2} img/s, ratio {a / b:P1} (load {LoadAverage()})");
            pipelineTotal += a;
            modelTotal += b;
        }
        Console.WriteLine($"mean: pipeline {pipelineTotal / rounds:F2} img/s, model alone {modelTotal / rounds:F2} img/s, ratio {pipelineTotal / modelTotal:P1}");

        Evaluation(spec, evalImages, evalEpochs, rounds);
        return 0;
    }

    /// <summary>Images per second from the decoded images and masks to the last optimiser step.</summary>
    private static double Pipeline(StudySpec spec, int epochs)
    {
        var clock = Stopwatch.StartNew();
        using var run = new Setup(spec);
        run.Model.train();
        for (var e = 0; e < epochs; e++)
            run.Epoch(run.Ids, e);
        return run.Ids.Count * epochs / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Images per second of forward, loss, backward and step alone, on image and label tensors prepared before the clock starts.</summary>
    private static double ModelAlone(StudySpec spec, int epochs)
    {
        using var run = new Setup(spec);
        var (h, w) = (spec.Image.Height, spec.Image.Width);
        var batches = new List<(Tensor X, Tensor Y)>();
        using (var pipeline = new BatchPipeline(run.Data, run.Ids, run.Norm, spec.Training.BatchSize, null, 1, 0, shuffle: true))
            foreach (var b in pipeline.Read())
                batches.Add((Trainer.BatchTensor(b, spec.Image), tensor(b.Masks!, [b.Count, h, w]).to_type(ScalarType.Int64)));
        var losses = new SegmentationLosses(SegmentationLossKind.BceDice);
        run.Model.train();
        var clock = Stopwatch.StartNew();
        for (var e = 0; e < epochs; e++)
            foreach (var (x, y) in batches)
            {
                using var scope = NewDisposeScope();
                run.Optimizer.zero_grad();
                var loss = losses.Compute(run.Model.forward(x), y);
                loss.backward();
                run.Optimizer.step();
                _ = loss.item<float>();
            }
        var rate = run.Ids.Count * epochs / clock.Elapsed.TotalSeconds;
        foreach (var (x, y) in batches) { x.Dispose(); y.Dispose(); }
        return rate;
    }

    /// <summary>
    /// A model trained a few epochs on the other images (so its masks are neither empty nor noise), then per round:
    /// the set's evaluation as a task runs it after each epoch, and the metric computation alone on the same maps.
    /// </summary>
    private static void Evaluation(StudySpec spec, int evalImages, int trainEpochs, int rounds)
    {
        using var run = new Setup(spec);
        var evalIds = run.Ids.TakeLast(Math.Min(evalImages, run.Ids.Count / 2)).ToList();
        var trainIds = run.Ids.Except(evalIds).ToList();
        run.Model.train();
        for (var e = 0; e < trainEpochs; e++) run.Epoch(trainIds, e);
        var maps = PredictedMaps(run, evalIds);
        var first = run.Head.Score(run.Model, evalIds, "validation", run.Norm, 16, CPU, final: false); // warm-up
        Console.WriteLine($"evaluation set: {evalIds.Count} images, model trained {trainEpochs} epochs on {trainIds.Count}: "
            + $"dice {first.Metrics["dice"]:F3}, hd95 {first.Metrics["hd95"]:F2}, surface dice {first.Metrics["surface_dice"]:F3}");
        Metrics(spec, maps, MetricParts.All);

        double scoreTotal = 0, metricTotal = 0, surfaceTotal = 0, aurocTotal = 0;
        for (var r = 0; r < rounds; r++)
        {
            double score, metric;
            if (r % 2 == 0) { score = TimeScore(run, evalIds); metric = Metrics(spec, maps, MetricParts.All); }
            else { metric = Metrics(spec, maps, MetricParts.All); score = TimeScore(run, evalIds); }
            var surface = Metrics(spec, maps, MetricParts.Surface);
            var auroc = Metrics(spec, maps, MetricParts.Auroc);
            Console.WriteLine($"round {r + 1}: evaluation {score * 1000:F0} ms, metrics {metric * 1000:F1} ms ({metric / score:P1}); "
                + $"of which Dice..HD95..surface Dice {surface * 1000:F1} ms, pixel AUROC {auroc * 1000:F1} ms (load {LoadAverage()})");
            scoreTotal += score;
            metricTotal += metric;
            surfaceTotal += surface;
            aurocTotal += auroc;
        }
        Console.WriteLine($"mean: evaluation {scoreTotal / rounds * 1000:F0} ms for {evalIds.Count} images, metrics {metricTotal / rounds * 1000:F1} ms, "
            + $"share {metricTotal / scoreTotal:P1} (surface metrics {surfaceTotal / scoreTotal:P1}, pixel AUROC {aurocTotal / scoreTotal:P1})");
    }

    private static double TimeScore(Setup run, IReadOnlyList<string> ids)
    {
        var clock = Stopwatch.StartNew();
        run.Head.Score(run.Model, ids, "validation", run.Norm, 16, CPU, final: false);
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Per image: the true label map, the predicted label map (p ≥ 0.5) and the foreground probabilities, as Score decides them.</summary>
    private static List<(byte[] Truth, byte[] Predicted, double[] Foreground)> PredictedMaps(Setup run, IReadOnlyList<string> ids)
    {
        var plane = run.Data.Image.Height * run.Data.Image.Width;
        var maps = new List<(byte[], byte[], double[])>();
        run.Model.eval();
        using var _ = no_grad();
        using var pipeline = new BatchPipeline(run.Data, ids, run.Norm, 16, null, 0, 0, shuffle: false);
        foreach (var batch in pipeline.Read())
        {
            float[] p;
            using (NewDisposeScope())
                p = SegmentationLosses.Probabilities(run.Model.forward(Trainer.BatchTensor(batch, run.Data.Image))).data<float>().ToArray();
            for (var i = 0; i < batch.Count; i++)
            {
                var truth = batch.Masks.AsSpan(i * plane, plane).ToArray();
                var foreground = new double[plane];
                var predicted = new byte[plane];
                for (var j = 0; j < plane; j++)
                {
                    foreground[j] = p[i * plane + j];
                    predicted[j] = (byte)(DecisionRule.Positive(foreground[j]) ? 1 : 0);
                }
                maps.Add((truth, predicted, foreground));
            }
            pipeline.Return(batch);
        }
        return maps;
    }

    private enum MetricParts { All, Surface, Auroc }

    /// <summary>Seconds to compute the per-image metrics of all maps: all of them as Score does, or only one part.</summary>
    private static double Metrics(StudySpec spec, List<(byte[] Truth, byte[] Predicted, double[] Foreground)> maps, MetricParts parts)
    {
        var (h, w) = (spec.Image.Height, spec.Image.Width);
        var tolerance = spec.Evaluation.SurfaceTolerance;
        var clock = Stopwatch.StartNew();
        foreach (var (truth, predicted, foreground) in maps)
        {
            var t = truth.Select(v => (int)v).ToArray();
            var p = predicted.Select(v => (int)v).ToArray();
            switch (parts)
            {
                case MetricParts.All:
                    ImageScores.Of(h, w, t, p, 2, [foreground], tolerance, spec.Image.SpacingY, spec.Image.SpacingX);
                    break;
                case MetricParts.Surface:
                    LabelMapMetrics.PerClass(h, w, t, p, 2, tolerance, spec.Image.SpacingY, spec.Image.SpacingX);
                    break;
                case MetricParts.Auroc:
                    Auroc.Compute(foreground, t.Select(v => v == 1).ToArray());
                    break;
            }
        }
        return clock.Elapsed.TotalSeconds;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>Decoded images and masks, normalisation, the segmentation head, model and optimiser, as the trainer builds them.</summary>
    private sealed class Setup : IDisposable
    {
        public Setup(StudySpec spec)
        {
            Spec = spec;
            Data = DatasetLoader.Load(spec);
            Ids = Data.Manifest.Samples.Select(s => s.Id).ToList();
            Norm = Normalization.FromTraining(Data, Ids);
            Head = new SegmentationHead(spec, Data, spec.Training, "bench", Path.GetTempPath());
            Model = Head.CreateModel(spec.Model, 1);
            Optimizer = OptimizerFactory.Create(spec.Training, Model.parameters());
        }

        public StudySpec Spec { get; }
        public LoadedDataset Data { get; }
        public List<string> Ids { get; }
        public Normalization Norm { get; }
        public SegmentationHead Head { get; }
        public nn.Module<Tensor, Tensor> Model { get; }
        public optim.Optimizer Optimizer { get; }

        /// <summary>One training epoch as the trainer runs it: pipeline with joint augmentation, steps through the head's loss.</summary>
        public void Epoch(IReadOnlyList<string> ids, int epoch)
        {
            using var pipeline = new BatchPipeline(Data, ids, Norm, Spec.Training.BatchSize, Spec.Training.Augmentation, 1, epoch, shuffle: true);
            foreach (var batch in pipeline.Read())
            {
                using (NewDisposeScope())
                {
                    Optimizer.zero_grad();
                    var loss = Head.Loss(Model.forward(Trainer.BatchTensor(batch, Spec.Image)), batch, CPU);
                    loss.backward();
                    Optimizer.step();
                    _ = loss.item<float>();
                }
                pipeline.Return(batch);
            }
        }

        public void Dispose()
        {
            Optimizer.Dispose();
            Model.Dispose();
            Head.Dispose();
        }
    }
}
