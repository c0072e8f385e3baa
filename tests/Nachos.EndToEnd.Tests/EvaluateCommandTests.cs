using System.Globalization;
using Nachos.Shared.Evaluation;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.Training.Images;

namespace Nachos.EndToEnd.Tests;

/// <summary>The real <c>nachos evaluate</c> on a constructed CSV, on a finished study's own predictions.csv, on mask files, and on bad files.</summary>
[Collection(FinishedStudiesCollection.Name)]
public sealed class EvaluateCommandTests(FinishedStudies studies)
{
    private const string Csv = "sample_id,patient_id,site,true,p_normal,p_lesion\n" +
                               "i1,P1,A,lesion,0.1,0.9\ni2,P1,A,normal,0.7,0.3\ni3,P2,A,lesion,0.5,0.5\ni4,P2,A,normal,0.5,0.5\n" +
                               "i5,P3,B,normal,0.2,0.8\ni6,P3,B,lesion,0.4,0.6\ni7,P4,B,normal,0.9,0.1\ni8,P4,B,lesion,0.6,0.4\n";

    [Fact]
    public void Json_output_holds_every_metric_with_a_bootstrap_interval_overall_and_per_site()
    {
        using var dir = new TempDir();
        var path = dir.Write("eval.csv", Csv);

        var run = NachosProcess.Run(dir.Path, "evaluate", path, "--by", "site", "--format", "json");

        Assert.True(run.Code == 0, run.Error);
        var report = EvaluationReport.ParseJson(run.Output);
        Assert.Equal("binary", report.Task);
        Assert.Equal("site", report.By);
        Assert.Equal((8, 4), (report.Overall.Images, report.Overall.Patients));
        // By hand: positives 0.9, 0.5, 0.6, 0.4 against negatives 0.3, 0.5, 0.8, 0.1: 11.5 of 16 pairs; predicted positive at p ≥ 0.5.
        var overall = report.Overall.Metrics.ToDictionary(m => m.Metric);
        Assert.Equal(11.5 / 16, overall["auroc"].Value!.Value, 12);
        Assert.Equal(0.625, overall["accuracy"].Value!.Value, 12);
        Assert.Equal(0.75, overall["sensitivity"].Value!.Value, 12);
        Assert.Equal(0.5, overall["specificity"].Value!.Value, 12);
        Assert.All(overall.Values, m => Assert.True(m.Low <= m.Value && m.Value <= m.High, m.Metric));
        Assert.Equal(["A", "B"], report.Groups.Select(g => g.Name));
        Assert.Equal(1.0, report.Groups[0].Metrics.Single(m => m.Metric == "sensitivity").Value);
        Assert.Equal(0.5, report.Groups[1].Metrics.Single(m => m.Metric == "auroc").Value!.Value, 12);

        var table = NachosProcess.Run(dir.Path, "evaluate", path);
        Assert.Equal(0, table.Code);
        Assert.Contains("auroc", table.Output);
        Assert.Contains("0.719", table.Output);
        var csv = NachosProcess.Run(dir.Path, "evaluate", path, "--by", "patient", "--format", "csv", "--out", dir.File("out/eval-out.csv"));
        Assert.Equal(0, csv.Code);
        var lines = File.ReadAllLines(dir.File("out/eval-out.csv"));
        Assert.Equal("group_by,group,images,patients,metric,value,ci_low,ci_high", lines[0]);
        Assert.Equal(1 + 6 * 5, lines.Length);
        Assert.Equal("patient,P3,2,1,auroc,0,,", lines.Single(l => l.StartsWith("patient,P3,2,1,auroc")));
    }

    [Fact]
    public void A_finished_studys_own_refit_predictions_are_read_and_agree_with_its_report()
    {
        var runDir = studies.Simulated.RunDir;
        var report = StudyReport.Read(RunLayout.ReportPath(runDir));
        var spec = RunLayout.SpecPath(runDir);
        Assert.True(File.Exists(spec));
        var name = report.StudyId;
        var predictions = RunLayout.PredictionsPath(RunLayout.TaskDirectory(runDir, TaskAddress.Refit(name, 0)));

        var run = NachosProcess.Run(runDir, "evaluate", predictions, "--format", "json");

        Assert.True(run.Code == 0, run.Error);
        var evaluation = EvaluationReport.ParseJson(run.Output);
        var fold = report.Folds.Single(f => f.Outer == 0);
        foreach (var m in evaluation.Overall.Metrics)
            Assert.Equal(fold.TestMetrics[m.Metric]!.Value, m.Value!.Value, 12);
        Assert.Equal(File.ReadAllLines(predictions).Length - 1, evaluation.Overall.Images);
    }

    [Fact]
    public void A_finished_segmentation_studys_refit_predictions_are_scored_from_their_score_columns()
    {
        var runDir = studies.Segmentation.RunDir;
        var report = StudyReport.Read(RunLayout.ReportPath(runDir));
        var predictions = RunLayout.PredictionsPath(RunLayout.TaskDirectory(runDir, TaskAddress.Refit(report.StudyId, 1)));

        var run = NachosProcess.Run(runDir, "evaluate", predictions, "--format", "json");

        Assert.True(run.Code == 0, run.Error);
        var evaluation = EvaluationReport.ParseJson(run.Output);
        Assert.Equal("segmentation", evaluation.Task);
        var fold = report.Folds.Single(f => f.Outer == 1);
        foreach (var metric in new[] { "dice", "iou", "pooled_dice" })
            Assert.Equal(fold.TestMetrics[metric]!.Value, evaluation.Overall.Metrics.Single(m => m.Metric == metric).Value!.Value, 9);
    }

    [Fact]
    public void Segmentation_masks_are_scored_and_a_size_mismatch_names_the_line_and_column()
    {
        using var dir = new TempDir();
        // 4 × 4 masks: a: truth 4 pixels, prediction 2 of them (Dice 2·2/(4+2) = 2/3); b: identical (Dice 1); c: both empty (Dice 1).
        byte[] Mask(params int[] on)
        {
            var m = new byte[16];
            foreach (var i in on) m[i] = 1;
            return m;
        }
        Directory.CreateDirectory(dir.File("masks"));
        MaskFiles.WriteLabels(dir.File("masks/a-true.png"), Mask(0, 1, 4, 5), 4, 4, 2);
        MaskFiles.WriteLabels(dir.File("masks/a-pred.png"), Mask(0, 1), 4, 4, 2);
        MaskFiles.WriteLabels(dir.File("masks/b-true.png"), Mask(10, 11), 4, 4, 2);
        MaskFiles.WriteLabels(dir.File("masks/b-pred.png"), Mask(10, 11), 4, 4, 2);
        MaskFiles.WriteLabels(dir.File("masks/c-true.png"), Mask(), 4, 4, 2);
        MaskFiles.WriteLabels(dir.File("masks/c-pred.png"), Mask(), 4, 4, 2);
        MaskFiles.WriteLabels(dir.File("masks/small.png"), new byte[4], 2, 2, 2);
        var path = dir.Write("seg/eval.csv", "sample_id,patient_id,mask,true_mask\na,P1,a-pred.png,a-true.png\nb,P2,b-pred.png,b-true.png\nc,P3,c-pred.png,c-true.png\n");

        var run = NachosProcess.Run(dir.Path, "evaluate", path, "--masks-dir", dir.File("masks"), "--format", "json");

        Assert.True(run.Code == 0, run.Error);
        var report = EvaluationReport.ParseJson(run.Output);
        Assert.Equal("segmentation", report.Task);
        var metrics = report.Overall.Metrics.ToDictionary(m => m.Metric);
        Assert.Equal((2 / 3.0 + 1 + 1) / 3, metrics["dice"].Value!.Value, 12);
        Assert.Equal(2.0 * 4 / (2 * 4 + 0 + 2), metrics["pooled_dice"].Value!.Value, 12);
        Assert.True(metrics["dice"].Low < metrics["dice"].High);

        var bad = dir.Write("seg/bad.csv", "sample_id,mask,true_mask\na,a-pred.png,a-true.png\nb,small.png,b-true.png\n");
        var refused = NachosProcess.Run(dir.Path, "evaluate", bad, "--masks-dir", dir.File("masks"));
        Assert.Equal(2, refused.Code);
        Assert.Equal($"error: {bad}:3: column 'mask': the mask is 2 × 2 pixels but the true mask is 4 × 4", refused.Error.Trim());
    }

    [Theory]
    [InlineData("", "{0}: no header line")]
    [InlineData("sample_id,true,p_a,p_b\n", "{0}: no prediction rows")]
    [InlineData("sample_id,true,p_a\nx,a,0.5\n", "{0}: one p_<class> column; a binary task needs one per class (the second is the positive class)")]
    [InlineData("sample_id,true,p_a,p_b\nx,a,0.1,0.9\ny,b,secret,0.9\n", "{0}:3: column 'p_a' is not a number")]
    [InlineData("sample_id,true,p_a,p_b\nx,a,0.1,NaN\n", "{0}:2: column 'p_b' is NaN")]
    [InlineData("sample_id,true,p_a,p_b\nx,a,0.1,1.01\n", "{0}:2: column 'p_b' is not a probability in [0, 1]")]
    [InlineData("sample_id,true,p_a,p_b\nx,secret,0.1,0.9\n", "{0}:2: column 'true' names none of the p_ columns' classes")]
    [InlineData("sample_id,true,p_a,p_b\nx,a,0.1,0.9\nx,b,0.2,0.8\n", "{0}:3: column 'sample_id' repeats the sample of line 2")]
    [InlineData("sample_id,true,p_a,p_b\nx,a,0.1,0.9,secret\n", "{0}:2: 5 fields where the header line has 4")]
    [InlineData("sample_id,mask,true_mask\nx,gone.png,gone.png\n", "{0}:2: column 'mask': no such file {1}")]
    public void A_bad_file_exits_2_with_one_line_naming_the_line_and_column(string content, string expected)
    {
        using var dir = new TempDir();
        var path = dir.Write("eval.csv", content);

        var run = NachosProcess.Run(dir.Path, "evaluate", path);

        Assert.Equal(2, run.Code);
        Assert.Equal("error: " + string.Format(CultureInfo.InvariantCulture, expected, path, dir.File("gone.png")), run.Error.Trim());
        Assert.DoesNotContain("secret", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
        Assert.Equal("", run.Output.Trim());
    }

    [Fact]
    public void A_site_breakdown_without_a_site_column_and_a_missing_file_are_refused()
    {
        using var dir = new TempDir();
        var path = dir.Write("eval.csv", "sample_id,true,p_a,p_b\nx,a,0.1,0.9\ny,b,0.2,0.8\n");

        var noSite = NachosProcess.Run(dir.Path, "evaluate", path, "--by", "site");
        var missing = NachosProcess.Run(dir.Path, "evaluate", dir.File("nothing.csv"));

        Assert.Equal(2, noSite.Code);
        Assert.Equal($"error: {path}: --by site needs a 'site' column", noSite.Error.Trim());
        Assert.Equal(2, missing.Code);
        Assert.Equal($"error: {dir.File("nothing.csv")}: no such file", missing.Error.Trim());
    }
}
