using System.Text.Json;
using Nachos.Shared.Metrics;
using Nachos.Shared.Metrics.Segmentation;
using Nachos.Shared.Predictions;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Host.Dashboard;

/// <summary>An ROC curve of one class (one-vs-rest) with its area.</summary>
public sealed record RocCurve(string Label, IReadOnlyList<(double Fpr, double Tpr)> Points, double? Area);

/// <summary>
/// The cases of one evaluated set (validation or test) and what they give: the task's metrics by name
/// (<see cref="SpecNames.MetricsOf"/>), and for classification the confusion matrices and ROC curves.
/// </summary>
public sealed record SetEvaluation(string Set, IReadOnlyList<PredictionRow> Cases, IReadOnlyDictionary<string, double?> Metrics,
    ClassificationMetrics? Classification, IReadOnlyList<RocCurve> Roc);

/// <summary>A case with its error on the truth (see <see cref="ModelEvaluation.ErrorOnTruth"/>) and whether the thresholded prediction is right.</summary>
public sealed record RankedCase(PredictionRow Case, double Error, IReadOnlyList<int> Predicted)
{
    public bool Correct => Predicted.SequenceEqual(Case.Labels);
}

/// <summary>What one trained model's folder holds, evaluated: metrics, ROC curves and cases per set, and its training history.</summary>
public sealed record ModelEvaluation(
    TaskAddress Key,
    TaskKind Task,
    IReadOnlyList<string> Classes,
    IReadOnlyList<SetEvaluation> Sets,
    TrainingHistory? History,
    int? BestEpoch)
{
    /// <summary>The set the model is judged on: the outer test set for a refit, the inner validation set otherwise.</summary>
    public SetEvaluation? Primary => Sets.FirstOrDefault(s => s.Set == "test") ?? Sets.FirstOrDefault(s => s.Set == "validation") ?? Sets.FirstOrDefault();

    /// <summary>The task folder the model's files (predictions, masks) are in.</summary>
    public string Folder { get; init; } = "";

    public static ModelEvaluation Load(string folder, TaskAddress key, TaskKind task)
    {
        var predictions = RunLayout.PredictionsPath(folder);
        IReadOnlyList<string> classes = [];
        var sets = new List<SetEvaluation>();
        if (File.Exists(predictions))
        {
            var table = PredictionsFile.Read(predictions, task);
            classes = table.Classes;
            foreach (var group in table.Rows.GroupBy(c => c.Set))
            {
                var list = group.ToList();
                if (task == TaskKind.Segmentation)
                {
                    // The same numbers the trainer wrote: the mean over the rows' per-image scores.
                    var metrics = ImageScores.Mean(list.Select(SegmentationCase.ScoresOf).ToList());
                    sets.Add(new SetEvaluation(group.Key, list, metrics, null, []));
                }
                else
                {
                    var metrics = ClassificationMetrics.Compute(task, list.Select(c => c.Labels).ToList(), list.Select(c => c.Probabilities).ToList());
                    sets.Add(new SetEvaluation(group.Key, list, metrics.ByName(), metrics, Roc(task, classes, list)));
                }
            }
        }
        var history = RunLayout.HistoryPath(folder);
        return new ModelEvaluation(key, task, classes, sets, File.Exists(history) ? TrainingHistory.Read(history) : null, BestEpochOf(folder)) { Folder = folder };
    }

    /// <summary>Binary: the positive class's curve. Otherwise one curve per class (or label), one-vs-rest.</summary>
    public static IReadOnlyList<RocCurve> Roc(TaskKind task, IReadOnlyList<string> classes, IReadOnlyList<PredictionRow> cases)
    {
        IEnumerable<int> members = task == TaskKind.Binary ? [1] : Enumerable.Range(0, classes.Count);
        return members.Select(c =>
        {
            var scores = cases.Select(x => x.Probabilities[c]).ToArray();
            var positive = cases.Select(x => task == TaskKind.Multilabel ? x.Labels[c] == 1 : x.Labels[0] == c).ToArray();
            return new RocCurve(classes[c], Auroc.Curve(scores, positive), Auroc.Compute(scores, positive));
        }).ToList();
    }

    /// <summary>
    /// How wrong a prediction is about the truth: 1 − p(true class) for single-label tasks; for multi-label,
    /// the largest |truth − p| over the labels.
    /// </summary>
    public static double ErrorOnTruth(TaskKind task, PredictionRow c) => task == TaskKind.Multilabel
        ? c.Labels.Select((y, i) => Math.Abs(y - c.Probabilities[i])).Max()
        : 1 - c.Probabilities[c.Labels[0]];

    /// <summary>Largest error first; ties by sample id, so the order is stable.</summary>
    public static IReadOnlyList<RankedCase> WorstFirst(TaskKind task, IEnumerable<PredictionRow> cases) =>
        cases.Select(c => new RankedCase(c, ErrorOnTruth(task, c), DecisionRule.Predict(task, c.Probabilities)))
            .OrderByDescending(r => r.Error).ThenBy(r => r.Case.SampleId, StringComparer.Ordinal).ToList();

    /// <summary>The best epoch a real training recorded in metrics.json (none for the simulated trainer).</summary>
    private static int? BestEpochOf(string folder)
    {
        var file = RunLayout.MetricsPath(folder);
        if (!File.Exists(file)) return null;
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        return doc.RootElement.TryGetProperty("best_epoch", out var e) && e.ValueKind == JsonValueKind.Number ? e.GetInt32() : null;
    }
}
