using Nachos.Shared.Metrics.Segmentation;
using Nachos.Shared.Predictions;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.Training.Data;
using Nachos.Training.Images;
using Nachos.Training.Models;
using static TorchSharp.torch;

namespace Nachos.Training.Engine;

/// <summary>
/// Segmentation: a UNet's logit map per image, a Dice-family loss against the label map, and per-image scores.
/// One foreground class trains one sigmoid channel (two softmax channels with ce-dice); C classes train C softmax
/// channels. Pixels are decided by the one rule of docs/spec.md: foreground when p ≥ 0.5 for one sigmoid channel,
/// otherwise the arg-max class (the lowest on ties).
/// </summary>
public sealed class SegmentationHead : ITaskHead
{
    private readonly StudySpec _spec;
    private readonly LoadedDataset _data;
    private readonly string _taskId;
    private readonly string _taskDirectory;
    private readonly SegmentationLosses _losses;
    private readonly int _classes;
    private readonly int _channels;

    public SegmentationHead(StudySpec spec, LoadedDataset data, TrainingSpec t, string taskId, string taskDirectory)
    {
        if (data.Masks is null) throw new InvalidOperationException("a segmentation task needs the dataset's masks");
        (_spec, _data, _taskId, _taskDirectory) = (spec, data, taskId, taskDirectory);
        _classes = data.Manifest.Classes.Count;
        _channels = OutputChannels(_classes, t.Loss);
        var kind = t.Loss switch
        {
            LossKind.Dice => SegmentationLossKind.Dice,
            LossKind.BceDice => SegmentationLossKind.BceDice,
            LossKind.CeDice => SegmentationLossKind.CeDice,
            LossKind.FocalTversky => SegmentationLossKind.FocalTversky,
            _ => throw new TaskFailedException(FailureKind.DataError, $"{taskId}: loss {t.Loss} is not a segmentation loss"),
        };
        _losses = new SegmentationLosses(kind, t.TverskyAlpha, t.TverskyBeta, t.TverskyGamma);
        ExtraColumns = [.. ImageScores.Columns, .. ImageScores.ClassColumns(data.Manifest.Classes), "mask", "probabilities"];
    }

    public IReadOnlyList<string> ExtraColumns { get; }

    public string DecisionRule => Rule(_channels);

    /// <summary>The rule from outputs to predictions, in words.</summary>
    public static string Rule(int channels) => channels == 1
        ? "pixels: foreground when p >= 0.5; image row: the largest foreground probability of the image"
        : "pixels: arg-max class; image row: each foreground class's largest probability in the image";

    public nn.Module<Tensor, Tensor> CreateModel(ModelSpec model, int? seed) =>
        ModelFactory.CreateUNet(_spec.Image, _channels, model.Depth, model.Width, model.Residual, seed);

    public Tensor Loss(Tensor logits, Batch batch, Device device) =>
        _losses.Compute(logits, Labels(batch).to(device));

    private Tensor Labels(Batch batch) =>
        tensor(batch.Masks!, [batch.Count, _spec.Image.Height, _spec.Image.Width]).to_type(ScalarType.Int64);

    public bool FinalScoreDiffers => true;

    public ScoredSet Score(nn.Module<Tensor, Tensor> model, IReadOnlyList<string> ids, string set, Normalization norm, int batchSize, Device device, bool final)
    {
        var (h, w) = (_spec.Image.Height, _spec.Image.Width);
        var plane = h * w;
        var scores = new List<ImageScores>();
        var rows = new List<PredictionRow>();
        double lossSum = 0;
        var nonFinite = 0;
        foreach (var (id, truth, p) in Predict(model, ids, norm, batchSize, device, loss => lossSum += loss))
        {
            if (!AllFinite(p))
            {
                nonFinite++;
                continue;
            }
            var (predicted, foreground) = Decide(p, plane);
            var image = ImageScores.Of(h, w, Ints(truth), Ints(predicted), _classes, foreground,
                _spec.Evaluation.SurfaceTolerance, _spec.Image.SpacingY, _spec.Image.SpacingX);
            scores.Add(image);
            var extra = image.ByName(_data.Manifest.Classes).ToDictionary(kv => kv.Key, kv => kv.Value is { } v ? v.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "");
            if (final)
            {
                var stem = RunLayout.MaskStem(set, id);
                MaskFiles.WriteLabels(Path.Combine(_taskDirectory, stem + ".png"), predicted, h, w, _classes);
                MaskFiles.WriteProbability(Path.Combine(_taskDirectory, stem + ".prob.png"), AnyForeground(foreground), h, w);
                extra["mask"] = stem + ".png";
                extra["probabilities"] = stem + ".prob.png";
            }
            rows.Add(new PredictionRow(id, set, [Dominant(truth)], Presence(foreground), extra));
        }
        if (nonFinite > 0)
            throw new TaskFailedException(FailureKind.Diverged, $"{_taskId}: {nonFinite} of {ids.Count} outputs on the {set} set are NaN or infinite");
        var metrics = ImageScores.Mean(scores.Select(s => s.ByName(_data.Manifest.Classes)).ToList(), _data.Manifest.Classes);
        var detail = new
        {
            images = scores.Count,
            missed = scores.Count(s => s.Missed),
            false_detections = scores.Count(s => s.FalseDetection),
            metrics,
        };
        return new ScoredSet(set, lossSum / Math.Max(1, ids.Count), metrics, rows, detail);
    }

    /// <summary>Per image, its foreground probability map (1 − P(background)): what the mask ensembles combine.</summary>
    public IReadOnlyDictionary<string, double[]> ForegroundMaps(nn.Module<Tensor, Tensor> model, IReadOnlyList<string> ids, Normalization norm, Device device)
    {
        var plane = _spec.Image.Height * _spec.Image.Width;
        var maps = new Dictionary<string, double[]>();
        foreach (var (id, _, p) in Predict(model, ids, norm, 16, device, _ => { }))
        {
            if (!AllFinite(p)) throw new TaskFailedException(FailureKind.Diverged, $"{_taskId}: the output for '{id}' is NaN or infinite");
            maps[id] = AnyForeground(Decide(p, plane).Foreground);
        }
        return maps;
    }

    /// <summary>The model's per-pixel probabilities (channels × H × W) for each image with its true label map, in batches; each batch's loss summed into <paramref name="addLoss"/>.</summary>
    private IEnumerable<(string Id, byte[] Truth, float[] Probabilities)> Predict(nn.Module<Tensor, Tensor> model, IReadOnlyList<string> ids, Normalization norm,
        int batchSize, Device device, Action<double> addLoss)
    {
        model.eval();
        using var _ = no_grad();
        var plane = _spec.Image.Height * _spec.Image.Width;
        var size = _channels * plane;
        using var pipeline = new BatchPipeline(_data, ids, norm, PredictBatchSize(batchSize), null, 0, 0, shuffle: false,
            prefetch: BatchPipeline.PrefetchFor(device));
        foreach (var batch in pipeline.Read())
        {
            float[] probabilities;
            using (NewDisposeScope())
            {
                var x = Trainer.BatchTensor(batch, _spec.Image).to(device);
                var logits = model.forward(x);
                addLoss(_losses.Compute(logits, Labels(batch).to(device)).item<float>() * batch.Count);
                probabilities = SegmentationLosses.Probabilities(logits).cpu().data<float>().ToArray();
            }
            var masks = batch.Masks!;
            var batchIds = batch.Ids;
            pipeline.Return(batch);
            for (var i = 0; i < batchIds.Count; i++)
                yield return (batchIds[i], masks.AsSpan(i * plane, plane).ToArray(), probabilities.AsSpan(i * size, size).ToArray());
        }
    }

    /// <summary>The batch size a segmentation's sets are evaluated with, from the training batch size.</summary>
    public static int PredictBatchSize(int trainingBatchSize) => Math.Max(1, Math.Min(trainingBatchSize, 16));

    /// <summary>The number of logit maps a segmentation of <paramref name="classes"/> classes trains with <paramref name="loss"/>.</summary>
    public static int OutputChannels(int classes, LossKind loss) => classes == 2 && loss != LossKind.CeDice ? 1 : classes;

    private (byte[] Labels, IReadOnlyList<IReadOnlyList<double>> Foreground) Decide(float[] p, int plane) => Decide(p, plane, _channels, _classes);

    /// <summary>The predicted label map and, per foreground class, its probability map, from the model's probabilities (channels × plane).</summary>
    public static (byte[] Labels, IReadOnlyList<IReadOnlyList<double>> Foreground) Decide(float[] p, int plane, int channels, int classes)
    {
        var labels = new byte[plane];
        var foreground = new double[classes - 1][];
        for (var c = 0; c < foreground.Length; c++) foreground[c] = new double[plane];
        if (channels == 1)
        {
            for (var j = 0; j < plane; j++)
            {
                foreground[0][j] = p[j];
                labels[j] = (byte)(Shared.Metrics.DecisionRule.Positive(p[j]) ? 1 : 0);
            }
        }
        else
        {
            for (var j = 0; j < plane; j++)
            {
                var best = 0;
                for (var c = 1; c < channels; c++)
                    if (p[c * plane + j] > p[best * plane + j]) best = c;
                labels[j] = (byte)best;
                for (var c = 1; c < channels; c++) foreground[c - 1][j] = p[c * plane + j];
            }
        }
        return (labels, foreground);
    }

    /// <summary>The probability of any foreground class per pixel, 1 − P(background): what ensembles and the .prob.png files hold.</summary>
    public static double[] AnyForeground(IReadOnlyList<IReadOnlyList<double>> foreground)
    {
        var map = new double[foreground[0].Count];
        foreach (var c in foreground)
            for (var j = 0; j < map.Length; j++) map[j] += c[j];
        return map;
    }

    /// <summary>The image row's truth: its most frequent foreground class, or background when it has none.</summary>
    private int Dominant(byte[] truth)
    {
        var counts = new int[_classes];
        foreach (var v in truth) counts[v]++;
        var best = 0;
        for (var c = 1; c < _classes; c++)
            if (counts[c] > 0 && (best == 0 || counts[c] > counts[best])) best = c;
        return best;
    }

    /// <summary>The image row's probabilities: each foreground class's largest pixel probability; background the rest to 1 of the largest.</summary>
    public static double[] Presence(IReadOnlyList<IReadOnlyList<double>> foreground)
    {
        var p = new double[foreground.Count + 1];
        for (var c = 0; c < foreground.Count; c++) p[c + 1] = foreground[c].Max();
        p[0] = 1 - p.Skip(1).Max();
        return p;
    }

    private static bool AllFinite(float[] values)
    {
        foreach (var v in values)
            if (!float.IsFinite(v)) return false;
        return true;
    }

    private static int[] Ints(byte[] values) => values.Select(v => (int)v).ToArray();

    public void Dispose()
    {
    }
}
