using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CsvHelper;
using Nachos.Shared.Data;
using Nachos.Shared.Metrics;
using Nachos.Shared.Metrics.Segmentation;
using Nachos.Shared.Spec;
using Nachos.Shared.Files;

namespace Nachos.Shared.Study;

/// <summary>One metric across outer folds: per-fold values, their summary and a patient-level bootstrap CI of their mean.</summary>
public sealed record MetricSummary(string Metric, IReadOnlyList<double?> PerFold, Summary? Summary, double? BootstrapLow, double? BootstrapHigh);

/// <summary>How often each hyperparameter value was chosen across folds.</summary>
public sealed record Stability(string Parameter, IReadOnlyDictionary<string, int> Chosen);

/// <summary>The NACHOS estimate: the outer test metrics with their variance, the chosen configurations and every trial.</summary>
/// <param name="Problems">Artifacts the report needed and could not use (each naming its outer fold and file); null when there were none.</param>
/// <param name="OperatingPoint">A binary study's decision threshold per outer fold and the rule that chose it; null (and absent from
/// report.json) when the threshold is 0.5. The folds' test metrics are then those at their fold's threshold.</param>
/// <param name="Deploy">DACHOS's deploy fold (a spec with <c>deploy:</c>): the search on all data, its chosen configuration and the
/// final model's training. It has no test set: the performance to expect of the final model is the estimate of <see cref="Metrics"/>.</param>
public sealed record StudyReport(string StudyId, bool Complete, IReadOnlyList<FoldResult> Folds, IReadOnlyList<MetricSummary> Metrics, IReadOnlyList<Stability> Stability,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Problems = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] StudyOperatingPoint? OperatingPoint = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FoldResult? Deploy = null)
{
    /// <summary>A binary study's calibration on its outer test predictions, written beside the report as calibration.json (not in report.json).</summary>
    [JsonIgnore]
    public StudyCalibration? Calibration { get; init; }

    /// <summary>
    /// Per outer fold, its test images per acquisition site with patient-level bootstrap CIs (<see cref="SiteResult"/>); null
    /// (and absent from report.json) when the dataset names no site or the refits' predictions could not all be read.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<SiteResult>? Sites { get; init; }

    public const int BootstrapReplicates = 1000;

    private static readonly JsonSerializerOptions Json = FileJson.Options;

    /// <param name="testPredictions">Per fold that has them: the refit's test predictions (sample id, truth, probabilities).</param>
    /// <param name="problems">Artifacts that could not be used: the report is then incomplete and has no bootstrap interval,
    /// which from fewer folds than the per-fold metrics show would be a silently different result.</param>
    /// <param name="validationPredictions">Per fold: its chosen configuration's inner validation predictions, from which alone
    /// the fold's decision threshold is chosen when <c>evaluation.threshold</c> names a rule (<see cref="ReportInputs"/>).</param>
    public static StudyReport Build(string studyId, StudySpec spec, Manifest manifest, IReadOnlyList<FoldResult> folds,
        IReadOnlyDictionary<int, IReadOnlyList<Prediction>> testPredictions, IReadOnlyList<string>? problems = null,
        IReadOnlyDictionary<int, IReadOnlyList<Prediction>>? validationPredictions = null, FoldResult? deploy = null)
    {
        problems = problems is { Count: > 0 } ? problems : null;
        var calibration = spec.Task == TaskKind.Binary && problems is null ? StudyCalibration.Build(manifest.Classes[1], testPredictions) : null;
        if (problems is not null) testPredictions = new Dictionary<int, IReadOnlyList<Prediction>>();
        var ordered = folds.OrderBy(f => f.Outer).ToList();
        var rule = spec.Evaluation.Threshold;
        var operatingPoint = spec.Task == TaskKind.Binary && !rule.IsDefault
            ? StudyOperatingPoint.Decide(rule, ordered.Append(deploy).OfType<FoldResult>().Where(f => f.Failure is null).Select(f => f.Outer), validationPredictions ?? new Dictionary<int, IReadOnlyList<Prediction>>())
            : null;
        if (operatingPoint is not null) ordered = ordered.Select(f => AtThreshold(f, operatingPoint, testPredictions.GetValueOrDefault(f.Outer), manifest.Classes)).ToList();
        var thresholds = testPredictions.OrderBy(kv => kv.Key).Select(kv => operatingPoint?.ThresholdOf(kv.Key) ?? DecisionRule.DefaultThreshold).ToArray();
        // Per outer fold with predictions: its test patients, each with their images' predictions.
        var strata = testPredictions.OrderBy(kv => kv.Key).Select(kv => (IReadOnlyList<IReadOnlyList<Prediction>>)kv.Value
            .GroupBy(p => manifest.ById.TryGetValue(p.SampleId, out var s) ? s.Group : p.SampleId)
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (IReadOnlyList<Prediction>)g.ToList()).ToList()).ToList();
        var names = spec.Task == TaskKind.Segmentation ? ImageScores.ReportMetrics(manifest.Classes) : SpecNames.MetricsOf(spec.Task);
        var cis = Intervals.BootstrapMeanByGroup(strata, (k, items) => Scores(spec.Task, manifest.Classes, items, names, thresholds[k]), names.Count, BootstrapReplicates, spec.Seed);
        var metrics = names.Select((name, i) =>
        {
            var perFold = ordered.Select(f => f.TestMetrics.GetValueOrDefault(name)).ToList();
            var defined = perFold.Where(v => v is not null).Select(v => v!.Value).ToList();
            // Every reported metric but the surface distances is a proportion in [0, 1].
            var summary = defined.Count == 0 ? null
                : SpecNames.Unbounded(ImageScores.BaseMetric(name)) ? Intervals.Summarise(defined).Within(0, double.PositiveInfinity)
                : Intervals.Summarise(defined).Within(0, 1);
            return new MetricSummary(name, perFold, summary, cis[i]?.Low, cis[i]?.High);
        }).ToList();
        var stability = ordered.Where(f => f.Config is not null)
            .SelectMany(f => f.Config!.Values)
            .GroupBy(kv => kv.Key)
            .Select(g => new Stability(g.Key, g.GroupBy(kv => kv.Value).ToDictionary(v => v.Key, v => v.Count())))
            .ToList();
        var sites = problems is null
            ? SiteResult.Build(spec.Task, manifest, testPredictions, k => operatingPoint?.ThresholdOf(k) ?? DecisionRule.DefaultThreshold, BootstrapReplicates, spec.Seed)
            : null;
        return new StudyReport(studyId, problems is null && ordered.All(f => f.Failure is null) && deploy?.Failure is null, ordered, metrics, stability, problems, operatingPoint, deploy)
            { Calibration = calibration, Sites = sites };
    }

    /// <summary>
    /// A fold's test metrics at its own threshold, from its test predictions; without them, the metrics that depend on the
    /// threshold are undefined (the refit scored them at 0.5, which would be a silently different result).
    /// </summary>
    private static FoldResult AtThreshold(FoldResult fold, StudyOperatingPoint point, IReadOnlyList<Prediction>? test, IReadOnlyList<string> classes)
    {
        if (fold.Failure is not null) return fold;
        var thresholded = SpecNames.ImageMetrics.Where(m => m != "auroc").ToList();
        var values = test is null || point.ThresholdOf(fold.Outer) is not { } threshold
            ? new double?[thresholded.Count]
            : Scores(TaskKind.Binary, classes, test, thresholded, threshold);
        var metrics = new Dictionary<string, double?>(fold.TestMetrics);
        for (var i = 0; i < thresholded.Count; i++) metrics[thresholded[i]] = values[i];
        return fold with { TestMetrics = metrics };
    }

    /// <summary>The fold results alone, when the report could not be built from them: incomplete, with the reason.</summary>
    public static StudyReport Unbuilt(string studyId, IReadOnlyList<FoldResult> folds, IReadOnlyList<string> problems, FoldResult? deploy = null) =>
        new(studyId, false, folds.OrderBy(f => f.Outer).ToList(), [], [], problems, Deploy: deploy);

    /// <summary>What is wrong with the study, one line each: failed folds, then unusable artifacts.</summary>
    public IReadOnlyList<string> Faults() =>
        Folds.Where(f => f.Failure is not null).Select(f => $"outer fold {f.Outer}: {f.Failure}")
            .Concat(Deploy?.Failure is { } failure ? [$"deploy fold: {failure}"] : [])
            .Concat(Problems ?? []).ToList();

    /// <summary>Every metric of <paramref name="metrics"/> on a set of predictions (null where undefined): the report's bootstrap statistic, and nachos evaluate's.</summary>
    /// <param name="threshold">The binary decision threshold (<see cref="DecisionRule"/>).</param>
    public static double?[] Scores(TaskKind task, IReadOnlyList<string> classes, IReadOnlyList<Prediction> items, IReadOnlyList<string> metrics,
        double threshold = DecisionRule.DefaultThreshold)
    {
        if (items.Count == 0) return new double?[metrics.Count];
        if (task == TaskKind.Segmentation)
        {
            var means = ImageScores.Mean(items.Select(p => p.ImageScores ?? new Dictionary<string, double?>()).ToList(), classes);
            return metrics.Select(m => means.GetValueOrDefault(m)).ToArray();
        }
        var m = ClassificationMetrics.Compute(task, items.Select(p => p.Labels).ToList(), items.Select(p => p.Probabilities).ToList(), threshold);
        return metrics.Select(m.Get).ToArray();
    }

    public void Write(string dir)
    {
        Directory.CreateDirectory(dir);
        AtomicFile.WriteAllText(RunLayout.ReportPath(dir), JsonSerializer.Serialize(this, Json));
        var csv = new StringBuilder();
        using (var w = new CsvWriter(new StringWriter(csv), CultureInfo.InvariantCulture))
        {
            foreach (var h in new[] { "outer_fold", "chosen_trial", "config", "inner_score", "inner_se", "refit_epochs" }) w.WriteField(h);
            // Only when the spec sets a threshold rule: report.csv stays as it was for 0.5.
            if (OperatingPoint is not null) w.WriteField("threshold");
            var metrics = Metrics.Count > 0 ? Metrics.Select(m => m.Metric).ToList() : [.. SpecNames.ImageMetrics];
            foreach (var m in metrics) w.WriteField($"test_{m}");
            w.WriteField("failure");
            w.NextRecord();
            foreach (var f in Folds)
            {
                w.WriteField(f.Outer);
                w.WriteField(f.ChosenTrial);
                w.WriteField(f.Config?.ToString());
                w.WriteField(f.InnerScore);
                w.WriteField(f.InnerStandardError);
                w.WriteField(f.RefitEpochs);
                if (OperatingPoint is not null) w.WriteField(OperatingPoint.ThresholdOf(f.Outer));
                foreach (var m in metrics) w.WriteField(f.TestMetrics.GetValueOrDefault(m));
                w.WriteField(f.Failure);
                w.NextRecord();
            }
            // Then the estimate: in the outer_fold column the row's name, in the test columns its value.
            foreach (var (row, value) in new (string, Func<MetricSummary, double?>)[]
            {
                ("mean", m => m.Summary?.Mean), ("ci_t_low", m => m.Summary?.CiLow), ("ci_t_high", m => m.Summary?.CiHigh),
                ("bootstrap_low", m => m.BootstrapLow), ("bootstrap_high", m => m.BootstrapHigh),
            })
            {
                w.WriteField(row);
                for (var i = OperatingPoint is null ? 5 : 6; i > 0; i--) w.WriteField("");
                foreach (var m in metrics) w.WriteField(Metrics.FirstOrDefault(s => s.Metric == m) is { } summary ? value(summary) : null);
                w.WriteField("");
                w.NextRecord();
            }
        }
        AtomicFile.WriteAllText(RunLayout.ReportCsvPath(dir), csv.ToString());
        Calibration?.Write(dir);
    }

    /// <summary>Reads a report.json written by <see cref="Write"/>.</summary>
    public static StudyReport Read(string path) =>
        JsonSerializer.Deserialize<StudyReport>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty report");

    /// <summary>A report from the text of a report.json (as the control API serves it).</summary>
    public static StudyReport Parse(string json) =>
        JsonSerializer.Deserialize<StudyReport>(json, Json) ?? throw new InvalidDataException("empty report");
}

/// <summary>
/// A test image as the report's bootstrap uses it: the sample, its truth from the dataset and the predicted probabilities
/// in the dataset's class order; for segmentation, its per-image scores (<see cref="ImageScores.Columns"/>) as well.
/// </summary>
public sealed record Prediction(string SampleId, IReadOnlyList<int> Labels, IReadOnlyList<double> Probabilities,
    IReadOnlyDictionary<string, double?>? ImageScores = null);
