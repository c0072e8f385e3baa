using System.Globalization;
using System.Text.Json;
using CsvHelper;
using Nachos.Shared.Data;
using Nachos.Shared.Metrics;
using Nachos.Shared.Predictions;
using Nachos.Shared.Spec;
using Nachos.Shared.Tasks;
using Nachos.Shared.Study;
using Nachos.Shared.Files;

namespace Nachos.Training.Engine;

/// <summary>Writes a finished task's history.csv, predictions.csv and metrics.json.</summary>
public static class RunWriter
{
    private static readonly JsonSerializerOptions Json = FileJson.Options;

    public static void Write(string dir, StudySpec spec, Manifest manifest, IReadOnlyList<EpochRecord> history,
        IReadOnlyList<(string Set, Evaluation Eval)> evaluations, IReadOnlyDictionary<string, ClassificationMetrics> detail, TrainingResult result)
    {
        WriteCsv(RunLayout.HistoryPath(dir), csv =>
        {
            foreach (var h in new[] { "epoch", "learning_rate", "train_loss", "val_loss" }) csv.WriteField(h);
            foreach (var m in SpecNames.Metrics) csv.WriteField($"val_{m}");
            csv.WriteField("seconds");
            csv.NextRecord();
            foreach (var e in history)
            {
                csv.WriteField(e.Epoch);
                csv.WriteField(e.LearningRate);
                csv.WriteField(e.TrainLoss);
                csv.WriteField(e.ValidationLoss);
                foreach (var m in SpecNames.Metrics) csv.WriteField(e.Metrics.GetValueOrDefault(m));
                csv.WriteField(Math.Round(e.Seconds, 3));
                csv.NextRecord();
            }
        });

        PredictionsFile.Write(RunLayout.PredictionsPath(dir), spec.Task, manifest.Classes,
            evaluations.SelectMany(e => e.Eval.Ids.Select((id, i) => new PredictionRow(id, e.Set, e.Eval.Labels[i], e.Eval.Probabilities[i]))));

        var doc = new
        {
            result.TaskId,
            result.BestEpoch,
            result.EpochsRun,
            result.ValidationLoss,
            result.Seconds,
            result.Device,
            threshold_rule = DecisionRule.Describe(spec.Task),
            classes = manifest.Classes,
            validation = detail.GetValueOrDefault("validation"),
            test = detail.GetValueOrDefault("test"),
        };
        File.WriteAllText(RunLayout.MetricsPath(dir), JsonSerializer.Serialize(doc, Json));
    }

    private static void WriteCsv(string path, Action<CsvWriter> write) => AtomicFile.Write(path, temporary =>
    {
        using var writer = new StreamWriter(temporary);
        using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        write(csv);
    });
}
