using System.Text.Json;
using Nachos.Shared.Data;
using Nachos.Shared.Predictions;
using Nachos.Shared.Spec;
using Nachos.Shared.SpecLoading;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

/// <summary>
/// A fold's threshold comes from its chosen trial's inner validation predictions (real predictions.csv files read by
/// <see cref="ReportInputs"/>) and from nothing else, and is applied unchanged to its outer test predictions.
/// </summary>
public sealed class StudyOperatingPointTests
{
    /// <summary>s0..s29, each its own patient, positive when odd: s0..s19 the inner validation of two splits, s20..s29 the outer test.</summary>
    private static readonly Manifest Data = new("hand", TaskKind.Binary, ["normal", "lesion"],
        Enumerable.Range(0, 30).Select(i => new Sample($"s{i}", i + 2, $"/data/s{i}.png", [i % 2], null, $"s{i}", "site0", null)).ToArray());

    private static StudySpec Spec(string threshold) => SpecLoader.Parse($$"""
        name: st
        seed: 17
        task: binary
        dataset:
          synthetic: { patients: 20 }
          classes: [normal, lesion]
        evaluation: { threshold: {{threshold}} }
        """, Path.Combine(Path.GetTempPath(), "st.yaml"));

    private static FoldResult Fold(int outer) => new(outer, 3, Hyperparameters.Empty.With("learning_rate", 0.003), 0.8, 0.01, 3,
        new Dictionary<string, double?> { ["auroc"] = 0.8, ["accuracy"] = 0.7, ["sensitivity"] = 0.123 }, [], null);

    private static void Write(string path, string set, IEnumerable<(int Sample, double P)> rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        PredictionsFile.Write(path, TaskKind.Binary, Data.Classes,
            rows.Select(r => new PredictionRow($"s{r.Sample}", set, [r.Sample % 2], [1 - r.P, r.P])).ToList());
    }

    /// <summary>Validation: positives 0.6 + i/100, negatives 0.2 + i/100 (separated: Youden takes the lowest positive, 0.61).
    /// Test: positives 0.55 + (i − 20)/100, negatives 0.3 + (i − 20)/100, so the refit's 0.5 and the chosen threshold disagree.</summary>
    private static (RefitArtifact Refit, InnerArtifact Inner) Files(TempDir dir)
    {
        var inner = new[] { dir.File("o0/t3/s0/predictions.csv"), dir.File("o0/t3/s1/predictions.csv") };
        Write(inner[0], "validation", Enumerable.Range(0, 10).Select(i => (i, (i % 2 == 1 ? 0.6 : 0.2) + i / 100.0)));
        Write(inner[1], "validation", Enumerable.Range(10, 10).Select(i => (i, (i % 2 == 1 ? 0.6 : 0.2) + i / 100.0)));
        var refit = dir.File("o0/refit/predictions.csv");
        Write(refit, "test", Enumerable.Range(20, 10).Select(i => (i, (i % 2 == 1 ? 0.55 : 0.3) + (i - 20) / 100.0)));
        return (new RefitArtifact(0, refit, Enumerable.Range(20, 10).Select(i => $"s{i}").ToList()), new InnerArtifact(0, inner));
    }

    private static StudyReport Report(StudySpec spec, RefitArtifact refit, InnerArtifact inner)
    {
        var inputs = ReportInputs.Read([refit], Data, [inner]);
        Assert.Empty(inputs.Problems);
        return StudyReport.Build("st", spec, Data, [Fold(0)], inputs.Predictions, inputs.Problems, inputs.Validation);
    }

    private static void Change(string file, string sample, double p)
    {
        var table = PredictionsFile.Read(file, TaskKind.Binary);
        PredictionsFile.Write(file, TaskKind.Binary, table.Classes,
            table.Rows.Select(r => r.SampleId == sample ? r with { Probabilities = [1 - p, p] } : r).ToList());
    }

    [Fact]
    public void The_threshold_follows_the_inner_validation_predictions_and_never_the_outer_test_ones()
    {
        using var dir = new TempDir();
        var (refit, inner) = Files(dir);
        var spec = Spec("youden");

        var before = Report(spec, refit, inner);
        var fold = Assert.Single(before.OperatingPoint!.Folds);
        Assert.Equal(0.61, fold.Threshold);
        Assert.Equal((10, 10, 1.0, 1.0), (fold.InnerPositives, fold.InnerNegatives, fold.InnerSensitivity, fold.InnerSpecificity));

        // Outer test predictions changed (every positive now scored 0.95): the threshold stays; the test metrics follow the test.
        foreach (var i in new[] { 21, 23, 25, 27, 29 }) Change(refit.PredictionsFile, $"s{i}", 0.95);
        var testChanged = Report(spec, refit, inner);
        Assert.Equal(0.61, testChanged.OperatingPoint!.Folds[0].Threshold);
        Assert.NotEqual(before.Folds[0].TestMetrics["sensitivity"], testChanged.Folds[0].TestMetrics["sensitivity"]);

        // One inner validation prediction changed (s1, the lowest positive, now 0.9): the threshold moves to the next positive.
        Change(inner.PredictionsFiles[0], "s1", 0.9);
        Assert.Equal(0.63, Report(spec, refit, inner).OperatingPoint!.Folds[0].Threshold);
    }

    [Fact]
    public void The_fold_test_metrics_and_their_bootstrap_are_at_the_folds_threshold_and_the_report_files_state_it()
    {
        using var dir = new TempDir();
        var (refit, inner) = Files(dir);

        var report = Report(Spec("youden"), refit, inner);

        // Test positives score 0.56 .. 0.64, negatives 0.30 .. 0.38: at 0.61 two of five positives (s27, s29) and no negative; at 0.5 all five.
        var metrics = report.Folds[0].TestMetrics;
        Assert.Equal((0.4, 1.0, 0.7), (metrics["sensitivity"], metrics["specificity"], metrics["accuracy"]));
        Assert.Equal(0.8, metrics["auroc"]); // not a thresholded metric: the fold result's, as it was
        Assert.Equal(0.4, report.Metrics.Single(m => m.Metric == "sensitivity").PerFold[0]);
        report.Write(dir.File("run"));
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("run/report.json")));
        var point = json.RootElement.GetProperty("operating_point");
        Assert.Equal("youden", point.GetProperty("rule").GetString());
        Assert.Equal(0.61, point.GetProperty("folds")[0].GetProperty("threshold").GetDouble());
        Assert.StartsWith("Youden J", point.GetProperty("folds")[0].GetProperty("chosen_by").GetString());
        var csv = File.ReadAllLines(dir.File("run/report.csv"));
        Assert.StartsWith("outer_fold,chosen_trial,config,inner_score,inner_se,refit_epochs,threshold,test_auroc", csv[0]);
        Assert.Contains(",3,0.61,", csv[1]);
        var calibration = StudyCalibration.Read(dir.File("run"))!;
        Assert.Equal(10, calibration.Pooled!.Count);
        Assert.Equal(10, calibration.Folds[0].Bins.Sum(b => b.Count));
    }

    [Fact]
    public void At_the_default_threshold_the_report_has_no_operating_point_and_keeps_the_fold_results_metrics()
    {
        using var dir = new TempDir();
        var (refit, _) = Files(dir);
        var inputs = ReportInputs.Read([refit], Data);
        var spec = SpecLoader.Parse("""
            name: st
            task: binary
            dataset:
              synthetic: { patients: 20 }
              classes: [normal, lesion]
            """, Path.Combine(Path.GetTempPath(), "st.yaml"));

        var report = StudyReport.Build("st", spec, Data, [Fold(0)], inputs.Predictions, inputs.Problems);
        report.Write(dir.File("run"));

        Assert.Null(report.OperatingPoint);
        Assert.Equal(0.123, report.Folds[0].TestMetrics["sensitivity"]);
        Assert.DoesNotContain("operating_point", File.ReadAllText(dir.File("run/report.json")));
        Assert.StartsWith("outer_fold,chosen_trial,config,inner_score,inner_se,refit_epochs,test_auroc", File.ReadAllLines(dir.File("run/report.csv"))[0]);
        Assert.True(File.Exists(dir.File("run/calibration.json")));
    }

    [Fact]
    public void A_missing_inner_predictions_file_is_a_problem_and_the_fold_keeps_0_5_saying_why()
    {
        using var dir = new TempDir();
        var (refit, inner) = Files(dir);
        File.Delete(inner.PredictionsFiles[1]);

        var inputs = ReportInputs.Read([refit], Data, [inner]);

        Assert.Equal([$"outer fold 0: inner validation predictions {inner.PredictionsFiles[1]}: missing"], inputs.Problems);
        var report = StudyReport.Build("st", Spec("youden"), Data, [Fold(0)], inputs.Predictions, inputs.Problems, inputs.Validation);
        Assert.False(report.Complete);
        // Chosen on the split that was read; the thresholded test metrics are undefined (the report has no test predictions then).
        Assert.Null(report.Folds[0].TestMetrics["sensitivity"]);
    }
}
