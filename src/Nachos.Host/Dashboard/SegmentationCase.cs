using System.Globalization;
using Nachos.Shared.Metrics.Segmentation;
using Nachos.Shared.Predictions;

namespace Nachos.Host.Dashboard;

/// <summary>What a segmentation case's predictions row says about it, as the gallery's filter groups them.</summary>
public enum SegmentationOutcome
{
    /// <summary>Foreground in the truth and in the prediction.</summary>
    Detected,
    /// <summary>Foreground in the truth, none predicted.</summary>
    Missed,
    /// <summary>No foreground in the truth, some predicted.</summary>
    FalseDetection,
    /// <summary>No foreground in either.</summary>
    BothEmpty,
    /// <summary>The row has no pixel counts.</summary>
    Unknown,
}

/// <summary>
/// One case of a segmentation model's gallery: its row, per-image Dice and HD95 (as the trainer wrote them), whether
/// the truth and the prediction have foreground (from the pixel counts: truth foreground = tp + fn, predicted = tp + fp,
/// summed over the foreground classes), and its predicted mask file (absolute; null when the row names none).
/// </summary>
public sealed record SegmentationCase(PredictionRow Case, double? Dice, double? Hd95, SegmentationOutcome Outcome, string? MaskPath)
{
    /// <summary>The outcome as the gallery's data-outcome attribute and filter value.</summary>
    public string OutcomeName => Outcome switch
    {
        SegmentationOutcome.Detected => "detected",
        SegmentationOutcome.Missed => "missed",
        SegmentationOutcome.FalseDetection => "false-detection",
        SegmentationOutcome.BothEmpty => "empty",
        _ => "unknown",
    };

    public static SegmentationCase Of(PredictionRow row, string taskFolder)
    {
        var scores = ScoresOf(row);
        var (tp, fp, fn) = (scores.GetValueOrDefault("tp"), scores.GetValueOrDefault("fp"), scores.GetValueOrDefault("fn"));
        var outcome = tp is null || fp is null || fn is null ? SegmentationOutcome.Unknown
            : (tp + fn > 0, tp + fp > 0) switch
            {
                (true, true) => SegmentationOutcome.Detected,
                (true, false) => SegmentationOutcome.Missed,
                (false, true) => SegmentationOutcome.FalseDetection,
                _ => SegmentationOutcome.BothEmpty,
            };
        var mask = row.Extra?.GetValueOrDefault("mask") is { Length: > 0 } relative ? Inside(taskFolder, relative) : null;
        return new SegmentationCase(row, scores.GetValueOrDefault("dice"), scores.GetValueOrDefault("hd95"), outcome, mask);
    }

    /// <summary>The file a relative path names within the task folder; null for one outside it (the row is not the trainer's).</summary>
    private static string? Inside(string folder, string relative)
    {
        var root = Path.GetFullPath(folder) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(Path.Combine(root, relative));
        return path.StartsWith(root, StringComparison.Ordinal) ? path : null;
    }

    /// <summary>Lowest Dice first (no Dice first of all); ties by sample id, so the order is stable.</summary>
    public static IReadOnlyList<SegmentationCase> WorstFirst(IEnumerable<PredictionRow> rows, string taskFolder) =>
        rows.Select(r => Of(r, taskFolder)).OrderBy(c => c.Dice ?? double.NegativeInfinity).ThenBy(c => c.Case.SampleId, StringComparer.Ordinal).ToList();

    /// <summary>
    /// A row's per-image scores (<see cref="ImageScores.Columns"/>) as <see cref="ImageScores.Mean"/> reads them; a
    /// column that is absent, empty or not a finite number is undefined (the dashboard shows files as they are).
    /// </summary>
    public static IReadOnlyDictionary<string, double?> ScoresOf(PredictionRow row) =>
        ImageScores.Columns.ToDictionary(c => c, c =>
            row.Extra?.GetValueOrDefault(c) is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
                ? v : (double?)null);
}
