using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;

namespace Nachos.Shared.Study;

/// <summary>One trial of a trial table: its rank within its outer fold and its inner validation values only (no outer test value).</summary>
public sealed record TrialTableRow(
    int Outer,
    int? Rank,
    int Trial,
    bool Chosen,
    string State,
    int SplitsEnded,
    int Splits,
    double? Score,
    double? StandardError,
    double? Loss,
    double? MeanBestEpoch,
    IReadOnlyDictionary<string, string> Config,
    string? Failure,
    string? FailureKind = null);

/// <summary>
/// The trials of a study as <c>nachos trial list</c> prints them and the dashboard exports them (<c>trials.csv</c>): by outer
/// fold, best rank first, one column per hyperparameter. Every value is an inner validation value; refits are not trials.
/// </summary>
/// <param name="Metric">The search metric: the score is its mean over the inner splits.</param>
/// <param name="Sort">What the rank is by: <see cref="TrialRows.Score"/>, <see cref="TrialRows.Loss"/> or a validation metric.</param>
public sealed record TrialTable(string StudyId, string Metric, string Sort, IReadOnlyList<TrialTableRow> Rows)
{
    public const string FileName = "trials.csv";

    /// <summary>Every hyperparameter of any trial, A–Z.</summary>
    public IReadOnlyList<string> Parameters { get; } = Rows.SelectMany(r => r.Config.Keys).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>By outer fold, then rank (trials without one last), then trial.</summary>
    public static TrialTable Of(string studyId, string metric, string sort, IEnumerable<TrialTableRow> rows) =>
        new(studyId, metric, sort, rows.OrderBy(r => r.Outer).ThenBy(r => r.Rank is null).ThenBy(r => r.Rank).ThenBy(r => r.Trial).ToList());

    public string ScoreColumn => $"inner_{Metric}";

    /// <summary>The column the rank is by, as the table names it.</summary>
    public string RankColumn => Sort == TrialRows.Score ? ScoreColumn : $"inner_{Sort}";

    /// <summary>Whether the rank's best is the lowest value (a loss or a distance, as the search metric or not).</summary>
    public bool LowestFirst => Spec.SpecNames.Minimised(Sort == TrialRows.Score ? Metric : Sort);

    /// <summary>What the rank is by, for people: "inner validation auroc, highest first" (the mean over the inner splits).</summary>
    public string RankedBy => $"inner validation {(Sort == TrialRows.Score ? Metric : Sort)}, {(LowestFirst ? "lowest" : "highest")} first";

    /// <summary>Whether every value <paramref name="parameter"/> takes is a number (its column then sorts and prints as one).</summary>
    public bool IsNumeric(string parameter) =>
        Rows.Select(r => r.Config.GetValueOrDefault(parameter)).OfType<string>().All(v => Number(v) is not null);

    /// <summary>A hyperparameter's value as a number; null when it is not one.</summary>
    public static double? Number(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : null;

    public IReadOnlyList<string> Header() =>
        [.. Fixed(), .. Parameters, "failure_kind", "failure"];

    private IEnumerable<string> Fixed() =>
        ["fold", $"rank_by_{RankColumn}", "trial", "chosen", "state", "splits_ended", "splits", ScoreColumn, $"{ScoreColumn}_se", "inner_loss", "mean_best_epoch"];

    public string Csv()
    {
        var text = new StringBuilder();
        using (var w = new CsvWriter(new StringWriter(text), CultureInfo.InvariantCulture))
        {
            foreach (var h in Header()) w.WriteField(h);
            w.NextRecord();
            foreach (var r in Rows)
            {
                w.WriteField(r.Outer);
                w.WriteField(r.Rank);
                w.WriteField(r.Trial);
                w.WriteField(r.Chosen ? "true" : "false");
                w.WriteField(r.State);
                w.WriteField(r.SplitsEnded);
                w.WriteField(r.Splits);
                w.WriteField(r.Score);
                w.WriteField(r.StandardError);
                w.WriteField(r.Loss);
                w.WriteField(r.MeanBestEpoch);
                foreach (var p in Parameters) w.WriteField(r.Config.GetValueOrDefault(p));
                w.WriteField(r.FailureKind);
                w.WriteField(r.Failure);
                w.NextRecord();
            }
        }
        return text.ToString();
    }

    /// <summary>An object per trial under "trials"; a numeric hyperparameter's values are JSON numbers, others strings.</summary>
    public string Json()
    {
        var numeric = Parameters.Where(IsNumeric).ToHashSet();
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("study", StudyId);
            w.WriteString("metric", Metric);
            w.WriteString("rank_by", RankColumn);
            w.WriteStartArray("trials");
            foreach (var r in Rows)
            {
                w.WriteStartObject();
                w.WriteNumber("fold", r.Outer);
                Write(w, "rank", r.Rank);
                w.WriteNumber("trial", r.Trial);
                w.WriteBoolean("chosen", r.Chosen);
                w.WriteString("state", r.State);
                w.WriteNumber("splits_ended", r.SplitsEnded);
                w.WriteNumber("splits", r.Splits);
                Write(w, ScoreColumn, r.Score);
                Write(w, $"{ScoreColumn}_se", r.StandardError);
                Write(w, "inner_loss", r.Loss);
                Write(w, "mean_best_epoch", r.MeanBestEpoch);
                w.WriteStartObject("hyperparameters");
                foreach (var (name, value) in r.Config.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    if (numeric.Contains(name)) w.WriteNumber(name, Number(value)!.Value);
                    else w.WriteString(name, value);
                }
                w.WriteEndObject();
                if (r.FailureKind is null) w.WriteNull("failure_kind");
                else w.WriteString("failure_kind", r.FailureKind);
                if (r.Failure is null) w.WriteNull("failure");
                else w.WriteString("failure", r.Failure);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>Null, or the number (NaN and infinities, which JSON has no numbers for, as null).</summary>
    private static void Write(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    private static void Write(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}
