using System.Globalization;
using System.Text.Json;
using Nachos.Shared.Metrics;
using Nachos.Shared.Predictions;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.Tests;

namespace Nachos.EndToEnd.Tests;

/// <summary>A simulated study with <c>evaluation.threshold: youden</c>, run by the real <c>nachos</c> process, states each outer fold's threshold.</summary>
public sealed class OperatingPointStudyTests
{
    [Fact]
    public void A_youden_study_reports_per_fold_thresholds_chosen_on_inner_validation_and_its_calibration()
    {
        using var dir = new TempDir();
        dir.Write("spec.yaml", SimulatedSpecs.Yaml("thr", 0, 2, sampler: "random", devices: 2) + "\nevaluation: { threshold: youden }\n");

        var run = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", "run");

        Assert.True(run.Code == 0, $"exit {run.Code}\n{run.Output}\n{run.Error}");
        Assert.Contains("decision threshold (youden), chosen per fold on inner validation only:", run.Output);
        Assert.Contains("calibration (lesion): Brier score pooled", run.Output);
        var runDir = dir.File("run");
        var report = StudyReport.Read(RunLayout.ReportPath(runDir));
        Assert.True(report.Complete);
        var point = report.OperatingPoint!;
        Assert.Equal("youden", point.Rule);
        Assert.Contains($"  fold 0: {point.Folds[0].Threshold.ToString("G4", CultureInfo.InvariantCulture)} (inner sensitivity", run.Output);
        Assert.Equal([0, 1, 2], point.Folds.Select(f => f.Outer));
        foreach (var fold in report.Folds)
        {
            var threshold = point.Folds.Single(f => f.Outer == fold.Outer);
            Assert.StartsWith("Youden J", threshold.ChosenBy);
            // The threshold is the one the chosen trial's inner validation rows give (read here from its inner task folders) ...
            var validation = Enumerable.Range(0, 2).SelectMany(j => PredictionsFile.Read(RunLayout.PredictionsPath(
                RunLayout.TaskDirectory(runDir, TaskAddress.InnerSplit("thr", fold.Outer, fold.ChosenTrial!.Value, j))), TaskKind.Binary).Rows)
                .Where(r => r.Set == "validation").ToList();
            Assert.Equal(validation.Count, validation.Select(r => r.SampleId).Distinct().Count()); // each outer-train image once
            var expected = OperatingPoint.Decide(new ThresholdRule(ThresholdRuleKind.Youden, 0),
                validation.Select(r => r.Labels[0] == 1).ToList(), validation.Select(r => r.Probabilities[1]).ToList());
            Assert.Equal(expected.Threshold, threshold.Threshold);
            // ... and the fold's test sensitivity is the refit's test predictions at that threshold.
            var test = PredictionsFile.Read(RunLayout.PredictionsPath(RunLayout.TaskDirectory(runDir, TaskAddress.Refit("thr", fold.Outer))), TaskKind.Binary)
                .Rows.Where(r => r.Set == "test").ToList();
            Assert.Empty(test.Select(r => r.SampleId).Intersect(validation.Select(r => r.SampleId)));
            var positives = test.Where(r => r.Labels[0] == 1).ToList();
            Assert.Equal((double)positives.Count(r => r.Probabilities[1] >= threshold.Threshold) / positives.Count, fold.TestMetrics["sensitivity"]);
        }
        var csv = File.ReadAllLines(RunLayout.ReportCsvPath(runDir));
        Assert.Contains(",threshold,", csv[0]);
        Assert.Contains(point.Folds[0].Threshold.ToString(CultureInfo.InvariantCulture), csv[1]);

        var calibration = StudyCalibration.Read(runDir)!;
        Assert.Equal(report.Folds.Sum(f => PredictionsFile.Read(RunLayout.PredictionsPath(RunLayout.TaskDirectory(runDir, TaskAddress.Refit("thr", f.Outer))),
            TaskKind.Binary).Rows.Count(r => r.Set == "test")), calibration.Pooled!.Count);
        Assert.Equal(3, calibration.Folds.Count);
        using (var json = JsonDocument.Parse(File.ReadAllText(RunLayout.CalibrationPath(runDir))))
            Assert.Equal(10, json.RootElement.GetProperty("pooled").GetProperty("bins").GetArrayLength());

        var html = NachosProcess.Run(dir.Path, "report", "run", "--format", "html", "--out", "report.html");
        Assert.True(html.Code == 0, html.Error);
        var page = File.ReadAllText(dir.File("report.html"));
        Assert.Contains("id=\"thresholds\"", page);
        Assert.Contains("id=\"reliability-plot\"", page);
        var table = NachosProcess.Run(dir.Path, "report", "run");
        Assert.Contains("decision threshold (youden)", table.Output);
        Assert.Contains("calibration (lesion)", table.Output);
    }
}
