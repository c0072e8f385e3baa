using System.Diagnostics;
using System.Globalization;
using MathNet.Numerics.Distributions;
using Nachos.Shared.Data;
using Nachos.Shared.Metrics;
using Nachos.Shared.Predictions;
using Nachos.Shared.Spec;
using Nachos.Shared.Tasks;
using Nachos.Shared.Seeding;

namespace Nachos.Shared.Study;

/// <summary>
/// A stand-in for training, to test and benchmark the orchestration: a deterministic function of the
/// hyperparameters and the task id. Its quality peaks at learning_rate = 10^-2.5 (Adam a little better than
/// SGD, momentum best near 0.9, wider models slightly better); per-sample scores are drawn so their AUROC
/// matches that quality, and every metric is computed from them like a real run's. It sleeps
/// seconds_per_epoch per epoch and fails an attempt with probability failure_rate (a different draw per attempt).
/// </summary>
public static class SimulatedTrainer
{
    /// <param name="progress">Called after each epoch but the last (whose end is the result); the simulated trainer has no losses.</param>
    /// <param name="dataFraction">A learning curve's fraction f of the outer-train set: the quality's gain over chance is scaled by
    /// max(0, 1 − 0.15·(f^(−1/2) − 1)), an inverse power law in f (0.68 at f = 0.1, 0.85 at 0.25, 1 at 1), to have a curve to
    /// show; 1 everywhere else.</param>
    public static TrainingResult Run(TrainingTask task, Manifest manifest, SimulatedSpec sim, int attempt, CancellationToken cancel,
        Action<EpochProgress>? progress = null, double dataFraction = 1)
    {
        var clock = Stopwatch.StartNew();
        var taskSeed = Seeds.Derive(task.Seed, Seeds.Hash(task.TaskId));
        var failDraw = new SplitMix(Seeds.Derive(taskSeed, 7, attempt)).NextDouble();
        // A rung (budget) is the same training cut short: the seed is the full training's, its quality grows towards the full one.
        var trainingSeed = TaskAddress.TryParse(task.TaskId, out var address) ? Seeds.Derive(task.Seed, Seeds.Hash(address.Training.ToString())) : taskSeed;
        var quality = Quality(task.Hyperparameters, trainingSeed);
        if (dataFraction < 1) quality = 0.5 + (quality - 0.5) * Math.Max(0, 1 - 0.15 * (1 / Math.Sqrt(dataFraction) - 1));
        var bestEpoch = task.Validation.Count > 0 ? 1 + Seeds.Derive(trainingSeed, 3) % Math.Max(1, task.MaxEpochs) : task.MaxEpochs;
        var epochs = task.Validation.Count > 0 ? Math.Min(task.MaxEpochs, bestEpoch + 2) : task.MaxEpochs;
        // The quality after epoch e of the full training's epochs grows as the square root of e towards the full one.
        var (full, fullEpochs) = (quality, epochs);
        double QualityAt(int e) => 0.5 + (full - 0.5) * Math.Sqrt((double)Math.Min(e, fullEpochs) / fullEpochs);
        if (epochs > task.LastEpoch)
        {
            quality = QualityAt(task.LastEpoch);
            bestEpoch = Math.Min(bestEpoch, task.LastEpoch);
            epochs = task.LastEpoch;
        }
        // Epochs an earlier rung of this training ran (its "checkpoint") are not run again.
        var done = Math.Min(epochs, RungProgress.Read(task.Directory));
        // Epoch e ends at (e + 1) × seconds_per_epoch after the start; the trainer's own work (scoring, the
        // predictions file) runs inside the last epoch, so a task takes exactly epochs × seconds_per_epoch.
        void WaitUntil(double seconds)
        {
            // Timed waits are whole milliseconds and end early or late by up to one: sleep until about 1 ms
            // before the time, then yield until it has come (a task overshooting by 1 ms of 200 is 0.5 % overhead).
            for (double left; (left = seconds - clock.Elapsed.TotalSeconds) > 0 && !cancel.IsCancellationRequested;)
                if (left > 0.002) cancel.WaitHandle.WaitOne((int)((left - 0.001) * 1000));
                else Thread.Yield();
            cancel.ThrowIfCancellationRequested();
        }
        for (var e = done; e < epochs; e++)
        {
            if (e < epochs - 1)
            {
                WaitUntil((e + 1 - done) * sim.SecondsPerEpoch);
                progress?.Invoke(new EpochProgress(e + 1, task.MaxEpochs, null, null, null, null, sim.SecondsPerEpoch));
            }
            if (failDraw < sim.FailureRate && e == epochs / 2)
                throw new SimulatedFailureException($"{task.TaskId}: injected failure (attempt {attempt})");
        }

        Directory.CreateDirectory(task.Directory);
        var rows = new List<PredictionRow>();
        // The training's noise, not the task's: a rung's epochs score as the same epochs of its continuation do.
        List<double[]> Probs(IReadOnlyList<string> ids, double q) =>
            ids.Select(id => Probabilities(manifest, manifest.ById[id], q, Seeds.Derive(trainingSeed, Seeds.Hash(id)))).ToList();
        IReadOnlyDictionary<string, double?> Score(IReadOnlyList<string> ids, List<double[]> probs) =>
            ClassificationMetrics.Compute(manifest.Task, ids.Select(id => manifest.ById[id].Labels).ToList(), probs.Select(p => (IReadOnlyList<double>)p).ToList()).ByName();
        IReadOnlyDictionary<string, double?> Evaluate(IReadOnlyList<string> ids, string set)
        {
            if (ids.Count == 0) return new Dictionary<string, double?>();
            var probs = Probs(ids, quality);
            rows.AddRange(ids.Select((id, i) => new PredictionRow(id, set, manifest.ById[id].Labels, probs[i])));
            ClassificationMetrics.RequireFinite(task.TaskId, set, probs);
            return Score(ids, probs);
        }
        var validation = Evaluate(task.Validation, "validation");
        var test = Evaluate(task.Test, "test");
        PredictionsFile.Write(RunLayout.PredictionsPath(task.Directory), manifest.Task, manifest.Classes, rows);
        double Loss(double q) => 0.7 * (1.5 - q);
        double? valLoss = task.Validation.Count > 0 ? Loss(quality) : null;
        // The epochs' validation curves: the metrics of the quality after each epoch (the last epoch's are the result's).
        var curves = task.Validation.Count == 0 ? null : TrainingResult.CurvesOf(Enumerable.Range(1, epochs)
            .Select(e => new EpochRecord(e, 0, 0, Loss(QualityAt(e)), Score(task.Validation, Probs(task.Validation, QualityAt(e))), sim.SecondsPerEpoch)).ToList());
        WaitUntil((epochs - done) * sim.SecondsPerEpoch);
        if (task.Budget is not null) RungProgress.Write(task.Directory, epochs);
        return new TrainingResult(task.TaskId, bestEpoch, epochs, valLoss, validation, test, RunLayout.History, RunLayout.Predictions,
            clock.Elapsed.TotalSeconds, "simulated", curves);
    }

    /// <summary>Target AUROC in (0.5, 1) from the configuration, with a little task-specific noise.</summary>
    public static double Quality(Hyperparameters hp, int taskSeed)
    {
        double Num(string name, double fallback) =>
            hp.Values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var lr = Math.Log10(Num("learning_rate", Math.Pow(10, -2.5)));
        var q = 0.72 + 0.24 * Math.Exp(-Math.Pow(lr + 2.5, 2));
        q += hp.Values.GetValueOrDefault("optimizer") switch { "adam" => 0.01, "adamw" => 0.008, _ => 0 };
        if (hp.Values.ContainsKey("momentum")) q -= 0.2 * Math.Pow(Num("momentum", 0.9) - 0.9, 2);
        q += 0.005 * Math.Log2(Num("width", 1));
        q += 0.01 * (new SplitMix(taskSeed).NextDouble() - 0.5);
        return Math.Clamp(q, 0.51, 0.995);
    }

    private static double[] Probabilities(Manifest manifest, Sample sample, double quality, int seed)
    {
        // Scores with AUROC = Φ(δ/√2) between a class's members and the rest.
        var delta = Math.Sqrt(2) * Normal.InvCDF(0, 1, quality);
        var rng = new SplitMix(seed);
        double Noise() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var k = manifest.Classes.Count;
        if (manifest.Task == TaskKind.Binary)
        {
            // One score per sample, N(δ, 1) for lesions and N(0, 1) otherwise: AUROC = Φ(δ/√2) = quality.
            var p1 = 1 / (1 + Math.Exp(-(delta * sample.Labels[0] - delta / 2 + Noise())));
            return [1 - p1, p1];
        }
        if (manifest.Task == TaskKind.Multilabel)
            return Enumerable.Range(0, k).Select(c => 1 / (1 + Math.Exp(-(delta * (sample.Labels[c] - 0.5) + Noise())))).ToArray();
        var logits = Enumerable.Range(0, k).Select(c => (c == sample.Labels[0] ? delta : 0) + Noise()).ToArray();
        var max = logits.Max();
        var exp = logits.Select(l => Math.Exp(l - max)).ToArray();
        var sum = exp.Sum();
        return exp.Select(e => e / sum).ToArray();
    }
}

/// <summary>The simulated trainer's stand-in for a checkpoint: how many epochs a budgeted rung of a training ran.</summary>
internal static class RungProgress
{
    private const string File = "simulated-epochs.txt";

    public static int Read(string directory) =>
        int.TryParse(System.IO.File.Exists(Path.Combine(directory, File)) ? System.IO.File.ReadAllText(Path.Combine(directory, File)) : "", CultureInfo.InvariantCulture, out var n) ? n : 0;

    public static void Write(string directory, int epochs) =>
        System.IO.File.WriteAllText(Path.Combine(directory, File), epochs.ToString(CultureInfo.InvariantCulture));
}

/// <summary>A failure injected by the simulated trainer.</summary>
public sealed class SimulatedFailureException(string message) : Exception(message);
