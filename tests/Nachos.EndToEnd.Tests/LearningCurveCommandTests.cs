using Nachos.Shared.LearningCurves;
using Nachos.Shared.Study;
using Nachos.Tests;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// <c>nachos learning-curve</c> on studies finished by the real <c>nachos run</c>, in copies of their run directories: the
/// simulated trainer (fast) and one tiny real TorchSharp study. Also the report's per-site tables, which those studies'
/// synthetic data (two or three sites) get.
/// </summary>
[Collection(FinishedStudiesCollection.Name)]
public sealed class LearningCurveCommandTests(FinishedStudies studies)
{

    [Fact]
    public void A_simulated_study_gets_a_curve_whose_full_point_is_the_refits_and_a_page_section()
    {
        // 150 patients: test folds of ~130 images, so the simulated curve shows through the noise of the test sample.
        using var dir = new TempDir();
        var spec = dir.Write("spec.yaml", SimulatedSpecs.Yaml("curve", 0, 2, sampler: "random", devices: 2).Replace("patients: 30", "patients: 150"));
        var runDir = dir.File("run");
        var study = NachosProcess.Run(dir.Path, "run", spec, "--run-dir", runDir);
        Assert.True(study.Code == 0, $"exit {study.Code}\n{study.Output}\n{study.Error}");

        var run = NachosProcess.Run(dir.Path, "learning-curve", runDir, "--fractions", "0.2,0.4,0.7", "--delta", "0.03");
        Assert.True(run.Code == 0, $"exit {run.Code}\n{run.Output}\n{run.Error}");
        Assert.Contains("least training data: fraction", run.Output);
        Assert.Contains("fit: auroc(n) =", run.Output);

        var curve = LearningCurveReport.Read(Path.Combine(runDir, LearningCurveReport.FileName));
        var report = StudyReport.Read(Path.Combine(runDir, "report.json"));
        Assert.Equal("auroc", curve.Metric);
        Assert.Equal(0.03, curve.Delta);
        Assert.Equal([0, 1, 2], curve.Folds);
        Assert.Equal([0.2, 0.4, 0.7, 1.0], curve.Points.Select(p => p.Fraction));
        // Fraction 1 is the refit: the study's own per-fold test metrics.
        foreach (var m in report.Metrics) Assert.Equal(m.PerFold, curve.Points[^1].Of(m.Metric)!.PerFold);
        for (var k = 0; k < 3; k++)
        {
            var images = curve.Points.Select(p => p.Images[k]).ToList();
            Assert.True(images.Zip(images.Skip(1), (a, b) => a < b).All(x => x), $"fold {k}: sizes {string.Join(",", images)} do not grow");
            foreach (var f in new[] { "0.2", "0.4", "0.7" })
                Assert.True(File.Exists(Path.Combine(runDir, $"o{k}", "curve", $"f{f}", "predictions.csv")), $"o{k}/curve/f{f}: no predictions");
        }
        // The simulated trainer's quality grows with the fraction: the mean AUROC rises from the smallest fraction to all data.
        Assert.True(curve.Points[0].Of("auroc")!.Mean < curve.Points[^1].Of("auroc")!.Mean);
        Assert.NotNull(curve.Enough);
        Assert.True(curve.Enough!.Mean >= curve.Enough.FullMean - 0.03);

        var html = NachosProcess.Run(dir.Path, "report", runDir, "--format", "html", "--out", dir.File("report.html"));
        Assert.True(html.Code == 0, $"exit {html.Code}\n{html.Output}\n{html.Error}");
        var page = File.ReadAllText(dir.File("report.html"));
        Assert.Contains("id=\"learning-curve\"", page);
        Assert.Contains("<svg id=\"learning-curve-plot\"", page);
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Matches(page, "<tr data-fraction=").Count);
        Assert.DoesNotContain("id=\"learning-curve\"", File.ReadAllText(studies.Simulated.Html));
        Assert.Contains("id=\"learning-curve-fit\">Fit: auroc(n) =", page);

        // Resumable and deterministic: a second run finds every training done and writes the same file.
        var first = File.ReadAllText(Path.Combine(runDir, LearningCurveReport.FileName));
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(runDir, "o0", "curve", "f0.2", "result.json"));
        var again = NachosProcess.Run(dir.Path, "learning-curve", runDir, "--fractions", "0.2,0.4,0.7", "--delta", "0.03");
        Assert.True(again.Code == 0, $"exit {again.Code}\n{again.Output}\n{again.Error}");
        Assert.Equal(first, File.ReadAllText(Path.Combine(runDir, LearningCurveReport.FileName)));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(runDir, "o0", "curve", "f0.2", "result.json")));
    }

    [Fact]
    public void A_tiny_torch_study_gets_a_curve_from_real_trainings()
    {
        using var dir = new TempDir();
        var runDir = dir.File("run");
        DirectoryCopy.Copy(studies.Torch.RunDir, runDir);

        var run = NachosProcess.Run(dir.Path, "learning-curve", runDir, "--fractions", "0.3,0.6");
        Assert.True(run.Code == 0, $"exit {run.Code}\n{run.Output}\n{run.Error}");
        var curve = LearningCurveReport.Read(Path.Combine(runDir, LearningCurveReport.FileName));
        var report = StudyReport.Read(Path.Combine(runDir, "report.json"));
        Assert.Equal([0.3, 0.6, 1.0], curve.Points.Select(p => p.Fraction));
        Assert.Equal(report.Metrics[0].PerFold, curve.Points[^1].Of(report.Metrics[0].Metric)!.PerFold);
        Assert.All(curve.Points.Take(2), p => Assert.All(p.Of("auroc")!.PerFold, v => Assert.NotNull(v)));
        Assert.True(File.Exists(Path.Combine(runDir, "o1", "curve", "f0.3", "model.pt")));
        Assert.True(curve.Fit is not null || curve.FitProblem is not null);

        // A training run again from scratch, in this process after another, gives the same model: the same file.
        var first = File.ReadAllText(Path.Combine(runDir, LearningCurveReport.FileName));
        Directory.Delete(Path.Combine(runDir, "o1", "curve", "f0.6"), recursive: true);
        var again = NachosProcess.Run(dir.Path, "learning-curve", runDir, "--fractions", "0.3,0.6");
        Assert.True(again.Code == 0, $"exit {again.Code}\n{again.Output}\n{again.Error}");
        Assert.Equal(first, File.ReadAllText(Path.Combine(runDir, LearningCurveReport.FileName)));
    }

    [Theory]
    [InlineData("--fractions", "0,0.5", "--fractions: '0' is not a fraction in (0, 1]")]
    [InlineData("--fractions", "1", "--fractions: needs at least one fraction below 1")]
    [InlineData("--delta", "-1", "--delta: must be a number >= 0")]
    public void A_bad_fraction_or_delta_is_refused_with_exit_2_naming_it(string option, string value, string message)
    {
        using var dir = new TempDir();
        var runDir = dir.File("run");
        DirectoryCopy.Copy(studies.Simulated.RunDir, runDir);
        var run = NachosProcess.Run(dir.Path, "learning-curve", runDir, option, value);
        Assert.Equal(2, run.Code);
        Assert.Contains(message, run.Error);
        Assert.False(File.Exists(Path.Combine(runDir, LearningCurveReport.FileName)));
    }

    [Fact]
    public void A_directory_without_a_finished_study_is_refused()
    {
        using var dir = new TempDir();
        var run = NachosProcess.Run(dir.Path, "learning-curve", dir.Path);
        Assert.Equal(2, run.Code);
        Assert.Contains("spec.yaml: missing (not a run directory?)", run.Error);
    }

    [Fact]
    public void The_report_has_per_site_figures_in_every_fold_in_json_terminal_and_page()
    {
        var report = StudyReport.Read(Path.Combine(studies.Simulated.RunDir, "report.json"));
        var sites = Assert.IsAssignableFrom<IReadOnlyList<SiteResult>>(report.Sites);
        Assert.Equal([0, 1, 2], sites.Select(s => s.Outer).Distinct());
        // Every test image is in exactly one site row of its fold.
        var plan = Nachos.Shared.Splits.SplitPlan.Read(Path.Combine(studies.Simulated.RunDir, "splits.json"));
        foreach (var fold in plan.Outer.Select((f, k) => (f, k)))
            Assert.Equal(fold.f.Test.Count, sites.Where(s => s.Outer == fold.k).Sum(s => s.Images));
        Assert.All(sites.SelectMany(s => s.Metrics).Where(m => m.Low is not null), m => Assert.True(m.Low <= m.Value && m.Value <= m.High));
        Assert.False(SiteResult.AreExternal(sites));

        var table = NachosProcess.Run(studies.Simulated.RunDir, "report", studies.Simulated.RunDir);
        Assert.True(table.Code == 0, $"exit {table.Code}\n{table.Output}\n{table.Error}");
        Assert.Contains("test metrics per site within each outer fold", table.Output);
        var page = File.ReadAllText(studies.Simulated.Html);
        Assert.Contains("<h2 id=\"sites\">Test metrics per site</h2>", page);
        Assert.Equal(sites.Count, System.Text.RegularExpressions.Regex.Matches(page, "<tr data-fold=\"\\d+\" data-site=").Count);
    }

    [Fact]
    public void A_leave_site_out_study_reports_each_site_as_the_external_test_set_and_its_spec_section_runs_the_curve()
    {
        using var dir = new TempDir();
        var spec = dir.Write("spec.yaml", SimulatedSpecs.Yaml("loso", 0, 2, sampler: "random", devices: 2)
            .Replace("split: { scheme: kfold, outer_folds: 3, inner_folds: 2 }", "split: { scheme: leave-site-out, inner_folds: 2 }")
            .Replace("sites: 2", "sites: 3") + "\nlearning_curve: { fractions: [0.5], delta: 0.05 }\n");
        var runDir = dir.File("run");
        var run = NachosProcess.Run(dir.Path, "run", spec, "--run-dir", runDir);
        Assert.True(run.Code == 0, $"exit {run.Code}\n{run.Output}\n{run.Error}");
        Assert.Contains("each site as the external test set", run.Output);
        var report = StudyReport.Read(Path.Combine(runDir, "report.json"));
        var sites = report.Sites!;
        Assert.Equal(3, sites.Count);
        Assert.True(SiteResult.AreExternal(sites));
        // Each site's row is its whole outer fold: the fold's own test metrics.
        foreach (var s in sites)
            Assert.Equal(report.Folds.Single(f => f.Outer == s.Outer).TestMetrics["auroc"]!.Value, s.Of("auroc")!.Value!.Value, 12);

        // The spec's learning_curve: section: nachos run ends with the curve.
        Assert.Contains("least training data: fraction", run.Output);
        var curve = LearningCurveReport.Read(Path.Combine(runDir, LearningCurveReport.FileName));
        Assert.Equal([0.5, 1.0], curve.Points.Select(p => p.Fraction));
        Assert.Equal(0.05, curve.Delta);
        Assert.Contains("needs at least 3", curve.FitProblem);
    }
}
