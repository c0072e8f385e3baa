using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Nachos.Shared.Files;
using Nachos.Shared.Metrics;
using Nachos.Shared.Metrics.Segmentation;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;

namespace Nachos.Shared.Evaluation;

/// <summary>How <c>nachos evaluate</c> breaks its figures down beside the overall ones.</summary>
public enum Breakdown
{
    None,
    Site,
    Patient,
}

/// <summary>The figures of all images, or of one site or patient.</summary>
public sealed record EvaluationGroup(string Name, int Images, int Patients, IReadOnlyList<MetricEstimate> Metrics);

/// <summary>
/// What <c>nachos evaluate</c> reports: every metric of the task kind (the report's list) on all images and per group, each
/// with the patient-level percentile bootstrap CI the study report uses (<see cref="Intervals.BootstrapMeanByGroup{T}(IReadOnlyList{IReadOnlyList{IReadOnlyList{T}}}, Func{IReadOnlyList{T}, double?[]}, int, int, int, double)"/>
/// with one stratum: patients resampled with replacement, all of a patient's images together).
/// </summary>
public sealed record EvaluationReport(string File, string Task, IReadOnlyList<string> Classes, string DecisionRule, string By,
    int Replicates, int Seed, double Level, EvaluationGroup Overall, IReadOnlyList<EvaluationGroup> Groups)
{
    public const int DefaultSeed = 0;

    public static EvaluationReport Build(EvaluationSet set, Breakdown by, int replicates = StudyReport.BootstrapReplicates, int seed = DefaultSeed)
    {
        var names = set.Task == TaskKind.Segmentation ? ImageScores.ReportMetrics(set.Classes) : SpecNames.MetricsOf(set.Task);
        EvaluationGroup Of(string name, IReadOnlyList<EvaluatedImage> images)
        {
            var patients = images.Select(i => (i.Patient, i.Prediction)).ToList();
            return new EvaluationGroup(name, images.Count, GroupEstimates.Patients(patients), GroupEstimates.Of(set.Task, set.Classes, patients, names, replicates, seed));
        }
        var groups = by switch
        {
            Breakdown.Site => set.Images.GroupBy(i => i.Site ?? ""),
            Breakdown.Patient => set.Images.GroupBy(i => i.Patient),
            _ => [],
        };
        return new EvaluationReport(set.File, SpecNames.NameOf(SpecNames.Tasks, set.Task), set.Classes, Nachos.Shared.Metrics.DecisionRule.Describe(set.Task),
            by.ToString().ToLowerInvariant(), replicates, seed, 0.95, Of("all", set.Images),
            groups.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Of(g.Key, g.ToList())).ToList());
    }

    public string ToJson() => JsonSerializer.Serialize(this, FileJson.Options);

    public static EvaluationReport ParseJson(string json) =>
        JsonSerializer.Deserialize<EvaluationReport>(json, FileJson.Options) ?? throw new InvalidDataException("empty evaluation");

    /// <summary>One line per group and metric: <c>group_by, group, images, patients, metric, value, ci_low, ci_high</c>; the overall figures first (group_by <c>all</c>).</summary>
    public string ToCsv()
    {
        var text = new StringBuilder();
        using (var csv = new CsvWriter(new StringWriter(text), CultureInfo.InvariantCulture))
        {
            foreach (var h in new[] { "group_by", "group", "images", "patients", "metric", "value", "ci_low", "ci_high" }) csv.WriteField(h);
            csv.NextRecord();
            foreach (var (kind, group) in Groups.Select(g => (By, g)).Prepend(("all", Overall)))
                foreach (var m in group.Metrics)
                {
                    csv.WriteField(kind);
                    csv.WriteField(group.Name);
                    csv.WriteField(group.Images);
                    csv.WriteField(group.Patients);
                    csv.WriteField(m.Metric);
                    foreach (var v in new[] { m.Value, m.Low, m.High }) csv.WriteField(v?.ToString("R", CultureInfo.InvariantCulture) ?? "");
                    csv.NextRecord();
                }
        }
        return text.ToString();
    }
}
