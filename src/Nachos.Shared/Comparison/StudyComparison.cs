using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Nachos.Shared.Files;

namespace Nachos.Shared.Comparison;

/// <summary>
/// Two or more finished studies compared on the same outer folds (docs/evaluation.md, "Comparing studies"): each
/// study's outer test metric per fold, every pair's tests, and for three or more studies the rank test.
/// </summary>
/// <param name="TestTrainRatio">n_test/n_train of the corrected resampled t-test: the outer folds' test samples over their training samples, summed over folds.</param>
/// <param name="PooledTest">"delong" (binary classification: AUROC), "wilcoxon" (segmentation: per-image Dice) or null (no pooled test for the task kind).</param>
public sealed record StudyComparison(string Metric, bool HigherIsBetter, double Alpha, IReadOnlyList<int> Folds, int TestSamples, int TrainSamples,
    double TestTrainRatio, string? PooledTest, string? PooledNote, IReadOnlyList<StudyScores> Studies, IReadOnlyList<PairComparison> Pairs, RankComparison? Ranks)
{
    public string ToJson() => JsonSerializer.Serialize(this, FileJson.Options);

    public static StudyComparison ParseJson(string json) =>
        JsonSerializer.Deserialize<StudyComparison>(json, FileJson.Options) ?? throw new InvalidDataException("empty comparison");

    public static readonly IReadOnlyList<string> CsvColumns =
    [
        "first", "second", "metric", "folds", "mean_difference", "t", "df", "test_train_ratio", "p", "p_holm",
        "pooled_test", "pooled_n", "pooled_first", "pooled_second", "pooled_statistic", "pooled_p", "pooled_p_holm", "note",
    ];

    /// <summary>One line per pair of studies (the per-study and rank figures are in the JSON).</summary>
    public string ToCsv()
    {
        var text = new StringBuilder();
        using (var csv = new CsvWriter(new StringWriter(text), CultureInfo.InvariantCulture))
        {
            foreach (var h in CsvColumns) csv.WriteField(h);
            csv.NextRecord();
            foreach (var p in Pairs)
            {
                csv.WriteField(p.First);
                csv.WriteField(p.Second);
                csv.WriteField(Metric);
                csv.WriteField(Folds.Count);
                csv.WriteField(R(p.MeanDifference));
                csv.WriteField(R(p.T));
                csv.WriteField(p.DegreesOfFreedom);
                csv.WriteField(R(TestTrainRatio));
                csv.WriteField(R(p.P));
                csv.WriteField(R(p.PHolm));
                csv.WriteField(p.Pooled?.Test);
                csv.WriteField(p.Pooled?.Count);
                csv.WriteField(R(p.Pooled?.First));
                csv.WriteField(R(p.Pooled?.Second));
                csv.WriteField(R(p.Pooled?.Statistic));
                csv.WriteField(R(p.Pooled?.P));
                csv.WriteField(R(p.Pooled?.PHolm));
                csv.WriteField(string.Join("; ", new[] { p.Note, p.Pooled?.Note ?? PooledNote }.OfType<string>()));
                csv.NextRecord();
            }
        }
        return text.ToString();
    }

    private static string R(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "";
}

/// <summary>A study's outer test metric per fold (in <see cref="StudyComparison.Folds"/> order) and their mean; for pooled tests, its pooled AUROC or mean Dice.</summary>
public sealed record StudyScores(string Name, string RunDir, IReadOnlyList<double> PerFold, double Mean, double? Pooled, double? AverageRank);

/// <summary>
/// One pair: the per-fold differences first − second with the corrected resampled t-test, and the test on the pooled
/// out-of-fold predictions; each p-value also Holm-adjusted across the pairs. A null p comes with a note saying why.
/// </summary>
public sealed record PairComparison(string First, string Second, IReadOnlyList<double> Differences, double MeanDifference,
    double? T, int DegreesOfFreedom, double? P, double? PHolm, string? Note, PooledComparison? Pooled);

/// <param name="Count">The images the test was taken over (segmentation: those with a Dice from both studies).</param>
/// <param name="Statistic">DeLong's z, or Wilcoxon's min(W+, W−).</param>
public sealed record PooledComparison(string Test, int Count, double? First, double? Second, double? Statistic, double? P, double? PHolm, string? Note);

/// <summary>The Friedman test over the folds and the Nemenyi critical difference of the average ranks (rank 1 best).</summary>
public sealed record RankComparison(double? ChiSquare, int DegreesOfFreedom, double? P, double? CriticalDifference, IReadOnlyList<StudyPair> SignificantPairs, string? Note);

public sealed record StudyPair(string First, string Second);
