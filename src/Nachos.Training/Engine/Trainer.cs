using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Nachos.Shared.Metrics;
using Nachos.Shared.Spec;
using Nachos.Shared.Tasks;
using Nachos.Training.Data;
using Nachos.Training.Models;
using TorchSharp;
using static TorchSharp.torch;
using Nachos.Shared.Study;
using Nachos.Shared.Files;
using Nachos.Shared.Seeding;
using Nachos.Shared.Proxy;

namespace Nachos.Training.Engine;

/// <summary>
/// Runs one <see cref="TrainingTask"/> synchronously on the calling thread (TorchSharp dispose scopes are
/// thread-static): trains with early stopping on the validation set when there is one, checkpoints every
/// N epochs and on cancellation, restores the best weights, and writes history, predictions and metrics.
/// </summary>
public sealed class Trainer(StudySpec spec, LoadedDataset data, string device = "cpu")
{
    public TrainingResult Run(TrainingTask task, Action<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        var trace = PhaseTrace.Start(clock);
        var (modelSpec, t) = TaskModel.Of(spec, task.Hyperparameters, task.TaskId);
        t = t with { MaxEpochs = task.MaxEpochs };
        Directory.CreateDirectory(task.Directory);
        trace?.Mark("setup");
        // In a new process this is where libtorch loads.
        var dev = torch.device(device);
        trace?.Mark("torch-init");
        var hasValidation = task.Validation.Count > 0;
        var monitor = t.EarlyStopping.Monitor;

        using var head = TaskHeads.Create(spec, data, t, task.TaskId, task.Directory, task.Train);
        trace?.Mark("head");
        var checkpoint = new Checkpoint(task.Directory);
        var fromCheckpoint = checkpoint.Exists;
        // A checkpoint's weights replace the initial ones: do not draw them then.
        using var model = head.CreateModel(modelSpec, fromCheckpoint ? null : Seeds.Derive(task.Seed, 1));
        model.to(dev);
        trace?.Mark("model");
        using var optimizer = OptimizerFactory.Create(t, model.parameters());
        trace?.Mark("optimizer");

        var livePath = RunLayout.BestModelPath(task.Directory);
        var fingerprint = Fingerprint(task, modelSpec, t);
        var state = new CheckpointState(task.TaskId, fingerprint, 0, 0, 0, 0, [],
            EarlyStopping.Start, [], []);
        Normalization norm;
        if (fromCheckpoint)
        {
            state = checkpoint.Load();
            if (state.Fingerprint != fingerprint)
                throw new InvalidOperationException($"{checkpoint.Folder}: the checkpoint belongs to a different task or configuration; remove it to start over");
            model.load(checkpoint.ModelPath);
            optimizer.load_state_dict(checkpoint.OptimizerPath);
            if (File.Exists(checkpoint.BestPath)) File.Copy(checkpoint.BestPath, livePath, true);
            norm = new Normalization(state.Mean, state.Std);
            trace?.Mark("checkpoint-load");
        }
        else
        {
            norm = Normalization.FromTraining(data, task.Train);
            state = state with { Mean = norm.Mean, Std = norm.Std };
            if (File.Exists(livePath)) File.Delete(livePath);
            trace?.Mark("normalisation");
        }

        var history = state.History.ToList();
        var stopping = state.Stopping;
        var img = spec.Image;
        void Save(int epoch, int nextBatch, double lossSum, int lossCount) =>
            checkpoint.Save(state with
            {
                Epoch = epoch, NextBatch = nextBatch, LossSum = lossSum, LossCount = lossCount, History = history.ToList(), Stopping = stopping,
            }, (m, o) => { model.save(m); optimizer.save_state_dict(o); }, livePath);

        var stopped = hasValidation && t.EarlyStopping.Enabled && stopping.ShouldStop(t.EarlyStopping.Patience);
        // The validation score of the best epoch when this run trained it: the final model's, unless the head scores a final model apart.
        ScoredSet? bestValidation = null;
        // A rung's budget ends the run early; the checkpoint it leaves is where the next rung continues.
        for (var epoch = state.Epoch; epoch < task.LastEpoch && !stopped; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            var phase = epoch == state.Epoch ? "first-epoch" : "epoch"; // the trace's name for this epoch's phases
            var lr = LrSchedule.At(t, epoch);
            OptimizerFactory.SetLearningRate(optimizer, lr);
            var resuming = epoch == state.Epoch;
            double lossSum = resuming ? state.LossSum : 0;
            var lossCount = resuming ? state.LossCount : 0;
            model.train();
            using (var pipeline = new BatchPipeline(data, task.Train, norm, t.BatchSize, t.Augmentation, task.Seed, epoch,
                       shuffle: true, startBatch: resuming ? state.NextBatch : 0, prefetch: BatchPipeline.PrefetchFor(dev)))
            {
                foreach (var batch in pipeline.Read())
                {
                    using (NewDisposeScope())
                    {
                        var x = BatchTensor(batch, img).to(dev);
                        optimizer.zero_grad();
                        var loss = head.Loss(model.forward(x), batch, dev);
                        var value = loss.item<float>();
                        if (!float.IsFinite(value))
                            throw new TrainingDivergedException($"{task.TaskId}: loss is {value} at epoch {epoch + 1}, batch {batch.Index + 1}");
                        loss.backward();
                        optimizer.step();
                        lossSum += value * batch.Count;
                        lossCount += batch.Count;
                    }
                    pipeline.Return(batch);
                    progress?.Invoke(new TrainingProgress(epoch, t.MaxEpochs, batch.Index + 1, pipeline.Batches.Count, lossSum / lossCount, null));
                    if (cancel.IsCancellationRequested)
                    {
                        Save(epoch, batch.Index + 1, lossSum, lossCount);
                        cancel.ThrowIfCancellationRequested();
                    }
                }
            }
            trace?.Mark($"{phase}-train");

            double? valLoss = null;
            var metrics = new Dictionary<string, double?>();
            if (hasValidation)
            {
                var eval = head.Score(model, task.Validation, "validation", norm, t.BatchSize, dev, final: false);
                valLoss = eval.Loss;
                // Saturated outputs can stay finite while the loss is not; either way the configuration diverged.
                if (!double.IsFinite(eval.Loss))
                    throw new TrainingDivergedException($"{task.TaskId}: validation loss is {eval.Loss} at epoch {epoch + 1}");
                foreach (var (name, value) in eval.Metrics) metrics[name] = value;
                var monitored = monitor == "val_loss" ? valLoss : metrics[monitor[4..]];
                stopping = stopping.Observe(epoch, monitored, monitor, t.EarlyStopping.MinDelta);
                trace?.Mark($"{phase}-validate");
                if (stopping.BestEpoch == epoch)
                {
                    SaveAtomically(model, livePath);
                    bestValidation = head.FinalScoreDiffers ? null : eval;
                }
                trace?.Mark($"{phase}-save-best");
                stopped = t.EarlyStopping.Enabled && stopping.ShouldStop(t.EarlyStopping.Patience);
            }
            var record = new EpochRecord(epoch + 1, lr, lossSum / Math.Max(1, lossCount), valLoss, metrics, epochClock.Elapsed.TotalSeconds);
            history.Add(record);
            if ((epoch + 1) % t.CheckpointEvery == 0 || stopped || epoch + 1 == task.LastEpoch) Save(epoch + 1, 0, 0, 0);
            trace?.Mark($"{phase}-checkpoint");
            progress?.Invoke(new TrainingProgress(epoch, t.MaxEpochs, 0, 0, record.TrainLoss, record));
            trace?.Mark($"{phase}-progress");
            cancel.ThrowIfCancellationRequested();
        }

        // The final model: best validation epoch's weights, or the last epoch's for a refit.
        var bestEpoch = hasValidation && stopping.BestEpoch >= 0 ? stopping.BestEpoch + 1 : history.Count;
        if (hasValidation && File.Exists(livePath)) model.load(livePath);
        trace?.Mark("final-load");
        SaveAtomically(model, RunLayout.ModelPath(task.Directory));
        trace?.Mark("final-save");

        var evaluations = new List<ScoredSet>();
        if (hasValidation) evaluations.Add(bestValidation ?? head.Score(model, task.Validation, "validation", norm, t.BatchSize, dev, final: true));
        trace?.Mark("final-validate");
        if (task.Test.Count > 0) evaluations.Add(head.Score(model, task.Test, "test", norm, t.BatchSize, dev, final: true));
        trace?.Mark("final-test");
        IReadOnlyDictionary<string, double?> Scores(string set) =>
            evaluations.FirstOrDefault(e => e.Set == set)?.Metrics ?? new Dictionary<string, double?>();

        var result = new TrainingResult(
            task.TaskId, bestEpoch, history.Count,
            evaluations.FirstOrDefault(e => e.Set == "validation")?.Loss,
            Scores("validation"), Scores("test"),
            RunLayout.History, RunLayout.Predictions, clock.Elapsed.TotalSeconds, device, TrainingResult.CurvesOf(history));
        trace?.Mark("result");
        RunWriter.Write(task.Directory, spec, data.Manifest, history, head, evaluations, result);
        trace?.Mark("files (outside the clock)");
        trace?.Write(task.TaskId, state.Epoch, history.Count - state.Epoch, result.Seconds);
        return result;
    }

    /// <summary>The batch's images as an N×C×H×W tensor; dispose it before returning the batch to its pipeline.</summary>
    public static Tensor BatchTensor(Batch batch, ImageSpec img) =>
        tensor(batch.Images, [batch.Count, img.Channels, img.Height, img.Width]);

    private static void SaveAtomically(nn.Module model, string path) => AtomicFile.Write(path, temporary => model.save(temporary));

    // Members added after checkpoints were first written print as these tails when they hold their defaults; the
    // fingerprint leaves them out then, so that checkpoints written before they existed still match.
    private static readonly string LegacyModelTail = $", Depth = {ModelSpec.DefaultDepth}, Residual = False";
    private static readonly string LegacyTrainingTail =
        $", TverskyAlpha = {TrainingSpec.DefaultTverskyAlpha}, TverskyBeta = {TrainingSpec.DefaultTverskyBeta}, TverskyGamma = {TrainingSpec.DefaultTverskyGamma}";

    /// <summary>Identifies what a checkpoint was made for; a checkpoint is only resumed by the same training (any of its rungs).</summary>
    private static string Fingerprint(TrainingTask task, ModelSpec model, TrainingSpec t)
    {
        var training = TaskAddress.TryParse(task.TaskId, out var address) ? address.Training.ToString() : task.TaskId;
        var text = string.Join("\n", training, task.Seed, task.MaxEpochs, task.Hyperparameters,
            model.ToString().Replace(LegacyModelTail, ""), t.ToString().Replace(LegacyTrainingTail, ""),
            string.Join(",", task.Train), string.Join(",", task.Validation));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }
}

/// <summary>The loss became NaN or infinite: the configuration diverged.</summary>
public sealed class TrainingDivergedException(string message) : TaskFailedException(FailureKind.Diverged, message);
