using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Nachos.Shared.Metrics;
using Nachos.Shared.Predictions;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Registry;

/// <summary>
/// A registered model's evaluation: its per-image predictions on a named evaluation set, the set's content hash and the
/// metrics computed from those predictions. Two evaluations are comparable (paired) only when their hashes agree.
/// </summary>
/// <param name="SetName">The evaluation set's name as the user gave it (e.g. <c>hospital-b-2025</c>).</param>
/// <param name="SetHash"><see cref="EvaluationSetHash"/>: which images, with which truth.</param>
/// <param name="Threshold">The binary decision threshold the threshold-dependent metrics used (the bundle's).</param>
public sealed record ModelEvaluation(string SetName, string SetHash, TaskKind Task, IReadOnlyList<string> Classes, IReadOnlyList<PredictionRow> Rows,
    double Threshold, IReadOnlyDictionary<string, double?> Metrics)
{
    /// <summary>
    /// Checks predictions read from a file against a bundle's task and classes and computes the set's hash and metrics.
    /// Every row needs its truth (classification) or its per-image <c>dice</c> (segmentation).
    /// </summary>
    /// <exception cref="RegistryException">The predictions do not fit the bundle, or lack their truth.</exception>
    public static ModelEvaluation Of(string file, string setName, TaskKind task, IReadOnlyList<string> classes, PredictionsTable table, double threshold)
    {
        if (!table.Classes.SequenceEqual(classes))
            throw new RegistryException($"{file}: its p_ columns ({string.Join(", ", table.Classes)}) are not the bundle's classes ({string.Join(", ", classes)})");
        if (table.Rows.Count == 0) throw new RegistryException($"{file}: no prediction rows");
        var repeated = table.Rows.GroupBy(r => r.SampleId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
            throw new RegistryException($"{file}: sample '{repeated.Key}' appears in more than one set ({string.Join(", ", repeated.Select(r => r.Set))}); give one set's predictions");
        if (task == TaskKind.Segmentation)
        {
            if (!table.ExtraColumns.Contains("dice"))
                throw new RegistryException($"{file}: no column 'dice' in the header line (a segmentation evaluation needs each image's Dice)");
            var line = table.Rows.Select((r, i) => (r, i)).FirstOrDefault(t => Dice(t.r) is null);
            if (line.r is not null) throw new RegistryException($"{file}:{line.i + 2}: column 'dice' is not a number (each image's Dice against its true mask)");
        }
        else
        {
            var line = table.Rows.Select((r, i) => (r, i)).FirstOrDefault(t => t.r.Labels.Count == 0);
            if (line.r is not null)
                throw new RegistryException($"{file}:{line.i + 2}: the truth is empty; an evaluation set needs every image's true label (predict a manifest with labels)");
        }
        return new ModelEvaluation(setName, EvaluationSetHash.Of(task, classes, table.Rows), task, classes, table.Rows, threshold,
            MetricsOf(task, classes, table, threshold));
    }

    /// <summary>A segmentation row's per-image Dice, from its <c>dice</c> column.</summary>
    public static double? Dice(PredictionRow row) =>
        row.Extra?.GetValueOrDefault("dice") is { Length: > 0 } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
            ? d : null;

    /// <summary>The metrics of a set of predictions: classification metrics, or the mean of each per-image segmentation column.</summary>
    public static IReadOnlyDictionary<string, double?> MetricsOf(TaskKind task, IReadOnlyList<string> classes, PredictionsTable table, double threshold)
    {
        if (task != TaskKind.Segmentation)
            return ClassificationMetrics.Compute(task, table.Rows.Select(r => r.Labels).ToList(), table.Rows.Select(r => r.Probabilities).ToList(), threshold).ByName();
        var metrics = new Dictionary<string, double?>();
        foreach (var column in SpecNames.SegmentationMetrics.Where(table.ExtraColumns.Contains))
        {
            var values = table.Rows.Select(r => double.TryParse(r.Extra![column], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : (double?)null)
                .Where(v => v is not null).Select(v => v!.Value).ToList();
            metrics[column] = values.Count == 0 ? null : values.Average();
        }
        return metrics;
    }
}

/// <summary>
/// The content hash of an evaluation set: SHA-256 (lower-case hex) of the task kind, the classes, and every image's id with
/// its truth, sorted by id. Two predictions files on the same images with the same truth hash alike, whatever their row
/// order or predicted probabilities. A segmentation's truth is its mask file, not in the predictions: its hash covers the ids.
/// </summary>
public static class EvaluationSetHash
{
    public static string Of(TaskKind task, IReadOnlyList<string> classes, IEnumerable<PredictionRow> rows)
    {
        var text = new StringBuilder();
        text.Append(SpecNames.Tasks.First(kv => kv.Value == task).Key).Append('\n');
        text.Append(string.Join('\u001f', classes)).Append('\n');
        foreach (var row in rows.OrderBy(r => r.SampleId, StringComparer.Ordinal))
        {
            text.Append(row.SampleId).Append('\t');
            if (task != TaskKind.Segmentation) text.Append(string.Join(',', row.Labels.Select(l => l.ToString(CultureInfo.InvariantCulture))));
            text.Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
