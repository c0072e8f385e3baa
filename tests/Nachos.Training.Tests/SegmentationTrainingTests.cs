using System.Globalization;
using System.Text.Json;
using Nachos.Shared.Data;
using Nachos.Shared.Metrics.Segmentation;
using Nachos.Shared.Predictions;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.Training.Data;
using Nachos.Training.Engine;
using StbImageSharp;
using Nachos.Shared.SpecLoading;

namespace Nachos.Training.Tests;

/// <summary>
/// A segmentation task through the trainer: a small UNet learns bright discs of varied size and contrast on noise
/// (some images without one), and writes per-image rows, mask files and the set's metrics that agree with each other.
/// </summary>
public sealed class SegmentationTrainingTests : IDisposable
{
    private const int Size = 32;
    private readonly TempDir _dir = new();

    private StudySpec Spec(string loss = "bce-dice", int classes = 2)
    {
        var names = string.Join(", ", Enumerable.Range(0, classes).Select(c => c == 0 ? "background" : $"lesion{c}"));
        var yaml = $$"""
            name: seg
            seed: 3
            task: segmentation
            dataset:
              synthetic: { out: data }
              classes: [{{names}}]
            image: { size: {{Size}}, channels: 1, spacing: [2, 1] }
            split: { outer_folds: 2, inner_folds: 2 }
            model: { architecture: unet, depth: 3, width: 0.25 }
            training:
              max_epochs: 14
              batch_size: 8
              loss: {{loss}}
              optimizer: adam
              learning_rate: 0.01
              early_stopping: { monitor: val_dice, patience: 20 }
            evaluation: { surface_tolerance: 1.5 }
            search: { metric: dice }
            """;
        var path = Path.Combine(_dir.Path, "spec.yaml");
        File.WriteAllText(path, yaml);
        return SpecLoader.LoadFile(path);
    }

    /// <summary>Discs (class 1, or class 2 for odd images when there are 3 classes) on noise; every fourth image has none.</summary>
    private static LoadedDataset Discs(StudySpec spec, int n, int classes)
    {
        var rng = new Random(11);
        var samples = new List<Sample>();
        var images = new Dictionary<string, float[]>();
        var masks = new Dictionary<string, byte[]>();
        for (var i = 0; i < n; i++)
        {
            var id = $"case/{i}";
            var image = new float[Size * Size];
            var mask = new byte[Size * Size];
            for (var j = 0; j < image.Length; j++) image[j] = (float)(0.2 + 0.1 * rng.NextDouble());
            if (i % 4 != 3)
            {
                var (cy, cx, r) = (rng.Next(8, Size - 8), rng.Next(8, Size - 8), rng.Next(3, 7));
                var label = classes == 3 && i % 2 == 1 ? 2 : 1;
                var brightness = label == 2 ? 0.9f : 0.6f + 0.1f * (float)rng.NextDouble();
                for (var y = 0; y < Size; y++)
                    for (var x = 0; x < Size; x++)
                        if ((y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r)
                        {
                            image[y * Size + x] = brightness;
                            mask[y * Size + x] = (byte)label;
                        }
            }
            samples.Add(new Sample(id, i + 2, $"{id}.png", [0], $"{id}.mask.png", $"p{i / 2}", null, null));
            images[id] = image;
            masks[id] = mask;
        }
        var manifest = new Manifest("discs", TaskKind.Segmentation, spec.Dataset.Classes, samples);
        return new LoadedDataset(manifest, spec.Image, images, [], masks);
    }

    private (TrainingResult Result, TrainingTask Task) Train(StudySpec spec, LoadedDataset data)
    {
        var ids = data.Manifest.Samples.Select(s => s.Id).ToList();
        var task = new TrainingTask("seg/o0/t0/s0", ids[..32], ids[32..40], ids[40..48], Hyperparameters.Empty, spec.Training.MaxEpochs, 5,
            Path.Combine(_dir.Path, "task"));
        return (new Trainer(spec, data).Run(task), task);
    }

    [Fact]
    public void A_UNet_learns_the_discs_and_its_rows_masks_and_metrics_agree()
    {
        var spec = Spec();
        var data = Discs(spec, 48, 2);
        var (result, task) = Train(spec, data);

        Assert.True(result.TestMetrics["dice"] > 0.8, $"mean test Dice {result.TestMetrics["dice"]}");
        foreach (var name in SpecNames.SegmentationMetrics) Assert.True(result.TestMetrics.ContainsKey(name), name);

        var table = PredictionsFile.Read(RunLayout.PredictionsPath(task.Directory), TaskKind.Segmentation);
        Assert.Equal(["background", "lesion1"], table.Classes);
        Assert.Equal([.. ImageScores.Columns, "mask", "probabilities"], table.ExtraColumns);
        var test = table.Rows.Where(r => r.Set == "test").ToList();
        Assert.Equal(8, test.Count);
        Assert.Equal(8, table.Rows.Count(r => r.Set == "validation"));

        var perImage = new List<IReadOnlyDictionary<string, double?>>();
        foreach (var row in test)
        {
            // The row's truth says whether the image has a lesion; its Dice is recomputed from the mask file it names.
            var truth = data.Masks![row.SampleId];
            Assert.Equal(truth.Any(v => v != 0) ? 1 : 0, row.Labels[0]);
            var file = Path.Combine(task.Directory, row.Extra!["mask"]);
            var png = ImageResult.FromMemory(File.ReadAllBytes(file), ColorComponents.Grey);
            Assert.Equal((Size, Size), (png.Height, png.Width));
            Assert.All(png.Data, v => Assert.True(v is 0 or 255));
            Assert.True(File.Exists(Path.Combine(task.Directory, row.Extra["probabilities"])));
            var predicted = png.Data.Select(v => v == 0 ? 0 : 1).ToArray();
            var recomputed = MaskMetrics.Compute(BinaryMask.OfLabel(Size, Size, truth.Select(v => (int)v).ToArray(), 1),
                BinaryMask.OfLabel(Size, Size, predicted, 1), 1.5, 2, 1);
            Assert.Equal(recomputed.Dice, double.Parse(row.Extra["dice"], CultureInfo.InvariantCulture), 12);
            Assert.Equal(recomputed.SurfaceDice, double.Parse(row.Extra["surface_dice"], CultureInfo.InvariantCulture), 12);
            Assert.Equal(recomputed.Hd95?.ToString("R", CultureInfo.InvariantCulture) ?? "", row.Extra["hd95"]);
            perImage.Add(ImageScores.Columns.ToDictionary(c => c, c => row.Extra[c] == "" ? (double?)null : double.Parse(row.Extra[c], CultureInfo.InvariantCulture)));
        }
        // The task's test Dice is the mean of its rows', and the pooled Dice is their pixel counts'.
        var means = ImageScores.Mean(perImage);
        Assert.Equal(means["dice"]!.Value, result.TestMetrics["dice"]!.Value, 12);
        Assert.Equal(means["pooled_dice"]!.Value, result.TestMetrics["pooled_dice"]!.Value, 12);

        var history = File.ReadAllLines(RunLayout.HistoryPath(task.Directory));
        Assert.Contains("val_dice", history[0].Split(','));
        Assert.Contains("val_hd95", history[0].Split(','));
        using var metrics = JsonDocument.Parse(File.ReadAllText(RunLayout.MetricsPath(task.Directory)));
        Assert.Equal(8, metrics.RootElement.GetProperty("test").GetProperty("images").GetInt32());
        Assert.Contains("foreground when p >= 0.5", metrics.RootElement.GetProperty("threshold_rule").GetString());

        // The report reads the same rows back: its fold Dice is the task's.
        var inputs = ReportInputs.Read([new RefitArtifact(0, RunLayout.PredictionsPath(task.Directory), task.Test)], data.Manifest);
        Assert.Empty(inputs.Problems);
        var fold = new FoldResult(0, 0, Hyperparameters.Empty, 0.9, 0.01, 14, result.TestMetrics, [], null);
        var report = StudyReport.Build("seg", spec, data.Manifest, [fold], inputs.Predictions);
        var dice = report.Metrics.Single(m => m.Metric == "dice");
        Assert.Equal(result.TestMetrics["dice"], dice.PerFold[0]);
        Assert.NotNull(dice.BootstrapLow);
        Assert.True(dice.BootstrapLow <= result.TestMetrics["dice"] && result.TestMetrics["dice"] <= dice.BootstrapHigh);
        Assert.Contains(report.Metrics, m => m.Metric == "hd95");
    }

    [Fact]
    public void Three_classes_train_softmax_channels_and_score_each_foreground_class()
    {
        var spec = Spec("ce-dice", 3);
        var data = Discs(spec, 48, 3);
        var (result, task) = Train(spec, data);
        Assert.True(result.TestMetrics["dice"] > 0.6, $"mean test Dice {result.TestMetrics["dice"]}");
        var table = PredictionsFile.Read(RunLayout.PredictionsPath(task.Directory), TaskKind.Segmentation);
        Assert.Equal(["background", "lesion1", "lesion2"], table.Classes);
        foreach (var row in table.Rows.Where(r => r.Set == "test"))
        {
            var png = ImageResult.FromMemory(File.ReadAllBytes(Path.Combine(task.Directory, row.Extra!["mask"])), ColorComponents.Grey);
            Assert.All(png.Data, v => Assert.True(v is 0 or 1 or 2, $"label {v}"));
            var truth = data.Masks![row.SampleId];
            Assert.Equal(truth.Any(v => v == 2) ? 2 : truth.Any(v => v == 1) ? 1 : 0, row.Labels[0]);
            // Each class's Dice in its own column, recomputed from the mask PNG against the truth; the mean column is their mean.
            var perClass = new List<double>();
            foreach (var (c, name) in new[] { (1, "lesion1"), (2, "lesion2") })
            {
                long tp = 0, fp = 0, fn = 0;
                for (var i = 0; i < truth.Length; i++)
                {
                    var (t, p) = (truth[i] == c, png.Data[i] == c);
                    if (t && p) tp++;
                    else if (p) fp++;
                    else if (t) fn++;
                }
                var dice = tp + fp + fn == 0 ? 1 : 2.0 * tp / (2.0 * tp + fp + fn);
                Assert.Equal(dice, double.Parse(row.Extra[$"dice_{name}"], CultureInfo.InvariantCulture), 12);
                Assert.Equal(tp, long.Parse(row.Extra[$"tp_{name}"], CultureInfo.InvariantCulture));
                perClass.Add(dice);
            }
            Assert.Equal(perClass.Average(), double.Parse(row.Extra["dice"], CultureInfo.InvariantCulture), 12);
        }
        Assert.Equal([.. ImageScores.Columns, .. ImageScores.ClassColumns(table.Classes), "mask", "probabilities"], table.ExtraColumns);
        // The set's metrics per class: the mean over the test images of each class's column.
        var test = table.Rows.Where(r => r.Set == "test").ToList();
        foreach (var name in new[] { "lesion1", "lesion2" })
            Assert.Equal(test.Average(r => double.Parse(r.Extra![$"dice_{name}"], CultureInfo.InvariantCulture)), result.TestMetrics[$"dice_{name}"]!.Value, 9);

        // The report carries each class's metrics per fold with their intervals, beside the means over classes.
        var inputs = ReportInputs.Read([new RefitArtifact(0, RunLayout.PredictionsPath(task.Directory), task.Test)], data.Manifest);
        Assert.Empty(inputs.Problems);
        var fold = new FoldResult(0, 0, Hyperparameters.Empty, 0.9, 0.01, 14, result.TestMetrics, [], null);
        var report = StudyReport.Build("seg", spec, data.Manifest, [fold], inputs.Predictions);
        Assert.Equal(ImageScores.ReportMetrics(table.Classes), report.Metrics.Select(m => m.Metric));
        foreach (var name in new[] { "dice_lesion1", "dice_lesion2", "hd95_lesion2", "pooled_dice_lesion1" })
        {
            var m = report.Metrics.Single(x => x.Metric == name);
            Assert.Equal(result.TestMetrics[name], m.PerFold[0]);
            Assert.True(m.BootstrapLow <= m.PerFold[0] && m.PerFold[0] <= m.BootstrapHigh, name);
        }
    }

    public void Dispose() => _dir.Dispose();
}
