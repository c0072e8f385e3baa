using System.Text.Json;
using Nachos.Shared.Files;
using Nachos.Shared.Metrics;

namespace Nachos.Shared.Study;

/// <summary>One outer fold's calibration on its outer test predictions.</summary>
/// <param name="Outer">The outer fold; null for the pooled predictions of every fold.</param>
public sealed record FoldCalibration(int? Outer, int Count, double? Brier, IReadOnlyList<ReliabilityBin> Bins);

/// <summary>
/// A binary study's calibration (calibration.json): the Brier score and the reliability diagram (10 equal-width bins) of the
/// positive class's probability per outer fold and pooled over every outer test prediction, and the per-fold Brier scores'
/// summary. Probabilities, not decisions: it does not depend on the threshold.
/// </summary>
public sealed record StudyCalibration(string PositiveClass, IReadOnlyList<FoldCalibration> Folds, FoldCalibration? Pooled, Summary? BrierAcrossFolds)
{
    /// <summary>The calibration of the folds with test predictions; null when there are none.</summary>
    public static StudyCalibration? Build(string positiveClass, IReadOnlyDictionary<int, IReadOnlyList<Prediction>> testPredictions)
    {
        if (testPredictions.Count == 0) return null;
        static FoldCalibration Of(int? outer, IReadOnlyList<Prediction> rows)
        {
            var c = Calibration.Compute(rows.Select(StudyOperatingPoint.Positive).ToList(), rows.Select(p => p.Probabilities[1]).ToList());
            return new FoldCalibration(outer, c.Count, c.Brier, c.Bins);
        }
        var folds = testPredictions.OrderBy(kv => kv.Key).Select(kv => Of(kv.Key, kv.Value)).ToList();
        var briers = folds.Select(f => f.Brier).OfType<double>().ToList();
        return new StudyCalibration(positiveClass, folds, Of(null, testPredictions.OrderBy(kv => kv.Key).SelectMany(kv => kv.Value).ToList()),
            briers.Count == 0 ? null : Intervals.Summarise(briers).Within(0, 1));
    }

    public void Write(string runDir) => AtomicFile.WriteAllText(RunLayout.CalibrationPath(runDir), JsonSerializer.Serialize(this, FileJson.Options));

    /// <summary>The run directory's calibration.json, null when it has none; one that does not parse is an <see cref="InvalidDataException"/> naming the file.</summary>
    public static StudyCalibration? Read(string runDir)
    {
        var path = RunLayout.CalibrationPath(runDir);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<StudyCalibration>(File.ReadAllText(path), FileJson.Options) ?? throw new InvalidDataException($"{path}: empty");
        }
        catch (JsonException)
        {
            throw new InvalidDataException($"{path}: not a calibration file");
        }
    }

    /// <summary>The terminal's line: pooled Brier score and the per-fold mean with its t-interval.</summary>
    public string Line() =>
        $"calibration ({PositiveClass}): Brier score pooled {MetricText.Show(Pooled?.Brier)}, per fold mean {MetricText.Show(BrierAcrossFolds?.Mean)}"
        + (BrierAcrossFolds?.CiLow is { } low ? $" (95% CI {MetricText.Show(low)} – {MetricText.Show(BrierAcrossFolds.CiHigh)})" : "")
        + $" over {Folds.Count} outer folds; reliability diagram in {RunLayout.Calibration}";
}
