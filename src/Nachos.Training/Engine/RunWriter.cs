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
        ITaskHead head, IReadOnlyList<ScoredSet> evaluations, TrainingResult result)
    {
        var metrics = SpecNames.MetricsOf(spec.Task);
        WriteCsv(RunLayout.HistoryPath(dir), csv =>
        {
            foreach (var h in new[] { "epoch", "learning_rate", "train_loss", "val_loss" }) csv.WriteField(h);
            foreach (var m in metrics) csv.WriteField($"val_{m}");
            csv.WriteField("seconds");
            csv.NextRecord();
            foreach (var e in history)
            {
                csv.WriteField(e.Epoch);
                csv.WriteField(e.LearningRate);
                csv.WriteField(e.TrainLoss);
                csv.WriteField(e.ValidationLoss);
                foreach (var m in metrics) csv.WriteField(e.Metrics.GetValueOrDefault(m));
                csv.WriteField(Math.Round(e.Seconds, 3));
                csv.NextRecord();
            }
        });

        PredictionsFile.Write(RunLayout.PredictionsPath(dir), spec.Task, manifest.Classes, evaluations.SelectMany(e => e.Rows), head.ExtraColumns);

        var doc = new
        {
            result.TaskId,
            result.BestEpoch,
            result.EpochsRun,
            result.ValidationLoss,
            result.Seconds,
            result.Device,
            threshold_rule = head.DecisionRule,
            classes = manifest.Classes,
            validation = evaluations.FirstOrDefault(e => e.Set == "validation")?.Detail,
            test = evaluations.FirstOrDefault(e => e.Set == "test")?.Detail,
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
