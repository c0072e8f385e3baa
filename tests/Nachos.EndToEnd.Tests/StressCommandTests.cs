using Microsoft.Playwright;
using Nachos.Shared.Metrics;
using Nachos.Shared.Robustness;
using Nachos.Shared.Study;
using Nachos.Tests;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// <c>nachos stress</c> on a study finished by the real <c>nachos run</c> (real TorchSharp training), in a copy of its run
/// directory: the unshifted baseline reproduces the study's own outer test metrics, and strong shifts change them.
/// </summary>
[Collection(FinishedStudiesCollection.Name)]
public sealed class StressCommandTests(FinishedStudies studies)
{

    [Fact]
    public void The_baseline_equals_the_studys_outer_test_metrics_and_severe_blur_and_noise_change_them()
    {
        using var dir = new TempDir();
        var runDir = dir.File("run");
        DirectoryCopy.Copy(studies.Torch.RunDir, runDir);

        var run = NachosProcess.Run(dir.Path, "stress", runDir, "--transforms", "gaussian-blur,gaussian-noise,jpeg", "--severities", "1,5");
        Assert.True(run.Code == 0, $"exit {run.Code}\n{run.Output}\n{run.Error}");
        Assert.Contains("worst-case drop of auroc", run.Output);
        Assert.Contains("gaussian-noise", run.Output);

        var robustness = RobustnessReport.Read(Path.Combine(runDir, "robustness.json"));
        var report = StudyReport.Read(Path.Combine(runDir, "report.json"));
        Assert.Equal("auroc", robustness.SearchMetric);
        Assert.Equal([0, 1], robustness.Folds);
        Assert.Equal(6, robustness.Conditions.Count);
        // The same model on the same data, unshifted: the very numbers the study reported, for every metric and fold.
        foreach (var m in report.Metrics)
        {
            Assert.Equal(m.PerFold, robustness.Baseline.Of(m.Metric)!.PerFold);
            Assert.Equal(m.Summary?.Mean, robustness.Baseline.Of(m.Metric)!.Mean);
            Assert.Equal(0, robustness.Baseline.Of(m.Metric)!.Drop);
        }

        // Severe blur and noise move the model's outputs, hence its AUROC, on the outer test folds.
        var baseline = robustness.Baseline.Of("auroc")!.PerFold;
        Assert.NotEqual(baseline, robustness.At("gaussian-blur", 5)!.Of("auroc")!.PerFold);
        Assert.NotEqual(baseline, robustness.At("gaussian-noise", 5)!.Of("auroc")!.PerFold);
        var noise = robustness.At("gaussian-noise", 5)!.Of("auroc")!;
        Assert.Equal(baseline.Zip(noise.PerFold, (b, s) => b!.Value - s!.Value).Average(), noise.Drop!.Value, 12);
        Assert.Contains(robustness.Worst, w => w.Metric == "auroc" && w.Drop >= noise.Drop);

        // The HTML export shows the section: the plot and the heatmap's cell for each transform and severity.
        var html = NachosProcess.Run(dir.Path, "report", runDir, "--format", "html", "--out", dir.File("report.html"));
        Assert.True(html.Code == 0, $"exit {html.Code}\n{html.Output}\n{html.Error}");
        var page = File.ReadAllText(dir.File("report.html"));
        Assert.Contains("id=\"robustness\"", page);
        Assert.Contains("<svg id=\"robustness-plot\"", page);
        Assert.Contains("<tr data-transform=\"gaussian-noise\">", page);
        Assert.Equal(6, System.Text.RegularExpressions.Regex.Matches(page, "<td class=\"num\" data-severity=").Count);
        Assert.DoesNotContain("id=\"robustness\"", File.ReadAllText(studies.Torch.Html));

        // Deterministic: a second run writes the same numbers.
        var first = File.ReadAllText(Path.Combine(runDir, "robustness.json"));
        var again = NachosProcess.Run(dir.Path, "stress", runDir, "--transforms", "gaussian-blur,gaussian-noise,jpeg", "--severities", "1,5");
        Assert.True(again.Code == 0, $"exit {again.Code}\n{again.Output}\n{again.Error}");
        Assert.Equal(first, File.ReadAllText(Path.Combine(runDir, "robustness.json")));
    }

    [Theory]
    [InlineData("--transforms", "gamma,sepia", "--transforms: unknown transform 'sepia'")]
    [InlineData("--severities", "0-3", "--severities: '0-3' is not a severity from 1 to 5")]
    [InlineData("--severities", "6", "--severities: '6' is not a severity from 1 to 5")]
    public void A_bad_transform_or_severity_is_refused_with_exit_2_naming_it(string option, string value, string message)
    {
        using var dir = new TempDir();
        var run = NachosProcess.Run(dir.Path, "stress", dir.Path, option, value);
        Assert.Equal(2, run.Code);
        Assert.Contains(message, run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public void A_run_directory_without_a_finished_study_is_refused_with_exit_2()
    {
        using var dir = new TempDir();
        var empty = NachosProcess.Run(dir.Path, "stress", dir.Path);
        Assert.Equal(2, empty.Code);
        Assert.Contains("spec.yaml: missing (not a run directory?)", empty.Error);

        var runDir = dir.File("run");
        DirectoryCopy.Copy(studies.Torch.RunDir, runDir);
        File.Delete(Path.Combine(runDir, "report.json"));
        var unfinished = NachosProcess.Run(dir.Path, "stress", runDir);
        Assert.Equal(2, unfinished.Code);
        Assert.Contains("report.json: missing; the study has not finished", unfinished.Error);
        Assert.False(File.Exists(Path.Combine(runDir, "robustness.json")));
        Assert.DoesNotContain("   at ", unfinished.Error);
    }

    /// <summary>
    /// The stress tests ran as queued tasks (o{k}/stress, leased by the devices, in a task child process), each writing its fold's
    /// stress.json, and the study built robustness.json from them: <c>nachos run</c> only shows it.
    /// </summary>
    [Fact]
    public void A_spec_with_a_robustness_section_stress_tests_each_outer_fold_as_a_queued_task()
    {
        using var dir = new TempDir();
        var spec = dir.Write("spec.yaml", RunCommandTests.TorchSpec("robust", "{ max_epochs: 1, batch_size: 16, optimizer: adam, learning_rate: 0.003 }",
            "{ trials: 1 }", "{ trainer: torch, executor: subprocess, devices: 2 }") + "\nrobustness: { transforms: [jpeg, downscale], severities: 5 }\n");
        var runDir = dir.File("run");
        var run = NachosProcess.Run(dir.Path, "run", spec, "--run-dir", runDir);
        Assert.True(run.Code == 0, $"exit {run.Code}\n{run.Output}\n{run.Error}");
        var robustness = RobustnessReport.Read(Path.Combine(runDir, "robustness.json"));
        Assert.Equal(["jpeg", "downscale"], robustness.Conditions.Select(c => c.Transform));
        Assert.All(robustness.Conditions, c => Assert.Equal(5, c.Severity));
        var report = StudyReport.Read(Path.Combine(runDir, "report.json"));
        Assert.Equal(report.Metrics.Single(m => m.Metric == "auroc").PerFold, robustness.Baseline.Of("auroc")!.PerFold);
        Assert.Contains("worst-case drop of auroc", run.Output);
        Assert.Equal([0, 1], robustness.Folds);
        Assert.Null(robustness.Failures);
        Assert.All(robustness.Conditions, c => Assert.All(c.Metrics, m => Assert.Equal(2, m.PerFold.Count)));

        // One succeeded stress task per outer fold, after its refit, in the study's task list; each left its fold's scores.
        var tasks = StudyTaskFile.Read(runDir)!.Tasks;
        Assert.Equal(["robust/o0/stress", "robust/o1/stress"], tasks.Where(t => t.IsStress).Select(t => t.TaskId).Order());
        Assert.All(tasks.Where(t => t.IsStress), t => Assert.Equal((TaskStates.Succeeded, 1), (t.State, t.Attempts)));
        Assert.Equal(2, tasks.Count(t => t.IsRefit));
        foreach (var k in new[] { 0, 1 })
        {
            var folder = Path.Combine(runDir, $"o{k}", "stress");
            Assert.True(File.Exists(Path.Combine(folder, "attempts.log")), $"o{k}/stress ran in no task process");
            var fold = StressFold.Read(Path.Combine(folder, "stress.json"));
            Assert.Equal(k, fold.Outer);
            Assert.Equal([("none", 0), ("jpeg", 5), ("downscale", 5)], fold.Conditions.Select(c => (c.Transform, c.Severity)));
            Assert.NotEmpty(fold.Conditions[0].Predictions!);
            Assert.All(fold.Conditions, c => Assert.Equal(fold.Conditions[0].Predictions!.Select(p => p.SampleId), c.Predictions!.Select(p => p.SampleId)));
        }

        // nachos stress on the finished study scores the same way, in its own process: the same numbers.
        var queued = File.ReadAllText(Path.Combine(runDir, "robustness.json"));
        var again = NachosProcess.Run(dir.Path, "stress", runDir, "--transforms", "jpeg,downscale", "--severities", "5");
        Assert.True(again.Code == 0, $"exit {again.Code}\n{again.Output}\n{again.Error}");
        Assert.Equal(queued, File.ReadAllText(Path.Combine(runDir, "robustness.json")));

        // Without options it evaluates the spec's own robustness: section, as the queued tasks did; an option overrides its part only.
        var own = NachosProcess.Run(dir.Path, "stress", runDir);
        Assert.True(own.Code == 0, $"exit {own.Code}\n{own.Output}\n{own.Error}");
        Assert.Equal(queued, File.ReadAllText(Path.Combine(runDir, "robustness.json")));
        var jpeg = NachosProcess.Run(dir.Path, "stress", runDir, "--transforms", "jpeg");
        Assert.True(jpeg.Code == 0, $"exit {jpeg.Code}\n{jpeg.Output}\n{jpeg.Error}");
        Assert.Equal([("jpeg", 5)], RobustnessReport.Read(Path.Combine(runDir, "robustness.json")).Conditions.Select(c => (c.Transform, c.Severity)));
    }

    /// <summary>
    /// <c>kill -9</c> of <c>nachos run</c> while outer fold 0's stress task runs: the run started again leases it again, runs it
    /// from the start (a second attempt in its attempts.log) and ends with the complete robustness.json.
    /// </summary>
    [Fact]
    public void Kill_9_during_a_stress_task_then_rerun_stress_tests_it_again_and_completes_robustness_json()
    {
        using var dir = new TempDir();
        var spec = dir.Write("spec.yaml", RunCommandTests.TorchSpec("robust", "{ max_epochs: 1, batch_size: 16, optimizer: adam, learning_rate: 0.003 }",
            "{ trials: 1, parallelism: 1 }", "{ trainer: torch, executor: subprocess, devices: 1 }") + "\nrobustness: {}\n");
        var runDir = dir.File("run");
        var stress = Path.Combine(runDir, "o0", "stress");
        using (var run = new NachosProcess(dir.Path, "run", spec, "--run-dir", runDir))
        {
            var deadline = DateTime.UtcNow.AddMinutes(5);
            while (DateTime.UtcNow < deadline && !File.Exists(Path.Combine(stress, "attempts.log")) && !run.HasExited) Thread.Sleep(10);
            Assert.True(File.Exists(Path.Combine(stress, "attempts.log")), $"the stress task did not start\n{run.Output}\n{run.Error}");
            Assert.False(File.Exists(Path.Combine(stress, "result.json")), "the stress task finished before the kill");
            run.KillHard();
            run.Wait(TimeSpan.FromSeconds(30));
        }
        Assert.False(File.Exists(Path.Combine(runDir, "robustness.json")));

        var resumed = NachosProcess.Run(dir.Path, "run", spec, "--run-dir", runDir);
        Assert.True(resumed.Code == 0, $"exit {resumed.Code}\n{resumed.Output}\n{resumed.Error}");
        Assert.Equal(2, File.ReadAllLines(Path.Combine(stress, "attempts.log")).Length);
        var robustness = RobustnessReport.Read(Path.Combine(runDir, "robustness.json"));
        Assert.Equal([0, 1], robustness.Folds);
        Assert.Equal(40, robustness.Conditions.Count);
        var report = StudyReport.Read(Path.Combine(runDir, "report.json"));
        foreach (var m in report.Metrics) Assert.Equal(m.PerFold, robustness.Baseline.Of(m.Metric)!.PerFold);
    }

    [Fact]
    public async Task An_rgb_study_with_channel_grid_gets_the_red_by_blue_grid_in_robustness_json_the_terminal_and_the_page()
    {
        using var dir = new TempDir();
        var spec = dir.Write("spec.yaml", RunCommandTests.TorchSpec("rgb", "{ max_epochs: 1, batch_size: 16, optimizer: adam, learning_rate: 0.003 }",
            "{ trials: 1 }", "{ trainer: torch, executor: subprocess, devices: 2 }").Replace("image: { size: 32 }", "image: { size: 32, channels: 3 }")
            + "\nrobustness: { transforms: [channel-scale], severities: 5, channel_grid: true }\n");
        var runDir = dir.File("run");
        var run = NachosProcess.Run(dir.Path, "run", spec, "--run-dir", runDir);
        Assert.True(run.Code == 0, $"exit {run.Code}\n{run.Output}\n{run.Error}");
        Assert.Contains("by red × blue channel scale", run.Output);

        var robustness = RobustnessReport.Read(Path.Combine(runDir, "robustness.json"));
        var grid = robustness.ChannelGrid!;
        // The worst case is over everything stressed, the named shift and the grid's cells, and the terminal names the one robustness.json holds.
        var worst = robustness.Worst.Single(w => w.Metric == "auroc");
        Assert.Equal(robustness.Conditions.Select(c => c.Of("auroc")!.Drop!.Value).Concat(grid.Cells.Select(c => c.Of("auroc")!.Drop!.Value)).Max(), worst.Drop);
        Assert.Contains($"worst-case drop of auroc: {worst.Drop.ToString("+0.0000;-0.0000;0", System.Globalization.CultureInfo.InvariantCulture)} ({worst.Where})", run.Output);
        Assert.Equal([-0.4, -0.2, 0, 0.2, 0.4], grid.Levels);
        Assert.Equal(25, grid.Cells.Count);
        Assert.Equal(ChannelGrid.All.Select(c => (c.Red, c.Blue)), grid.Cells.Select(c => (c.Red, c.Blue)));
        // The centre is the unshifted image: the baseline's numbers, for every metric and fold.
        foreach (var m in robustness.Baseline.Metrics)
        {
            Assert.Equal(m.PerFold, grid.At(0, 0)!.Of(m.Metric)!.PerFold);
            Assert.Equal(m.Mean, grid.At(0, 0)!.Of(m.Metric)!.Mean);
            Assert.Equal(0, grid.At(0, 0)!.Of(m.Metric)!.Drop);
        }
        // Scaling the channels moves the model's outputs; each cell's drop is its per-fold loss against the baseline.
        var baseline = robustness.Baseline.Of("auroc")!.PerFold;
        Assert.Contains(grid.Cells, c => !c.Of("auroc")!.PerFold.SequenceEqual(baseline));
        foreach (var cell in grid.Cells)
        {
            var m = cell.Of("auroc")!;
            Assert.Equal(baseline.Zip(m.PerFold, (b, s) => b!.Value - s!.Value).Average(), m.Drop!.Value, 12);
        }

        // The exported page shows the grid as a heatmap: its factors on both axes, a value per cell.
        var html = NachosProcess.Run(dir.Path, "report", runDir, "--format", "html", "--out", dir.File("report.html"));
        Assert.True(html.Code == 0, $"exit {html.Code}\n{html.Output}\n{html.Error}");
        await using var browser = await Browser.Launch();
        var (page, _) = await browser.NewPage();
        await page.GotoAsync(new Uri(dir.File("report.html")).AbsoluteUri + "#robustness", new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        var heatmap = page.Locator("svg#robustness-channel-grid");
        Assert.True(await heatmap.IsVisibleAsync());
        Assert.True((await heatmap.BoundingBoxAsync())!.Width > 300);
        var texts = (await heatmap.Locator("text").AllTextContentsAsync()).Select(t => t.Trim()).ToList();
        foreach (var factor in new[] { "×0.6", "×0.8", "×1.0", "×1.2", "×1.4" })
            Assert.Equal(2, texts.Count(t => t == factor));
        Assert.Contains("blue factor", texts);
        Assert.Contains("red factor", texts);
        var centre = MetricText.Show(grid.At(0, 0)!.Of("auroc")!.Mean, "–");
        Assert.Equal(25, texts.Count(t => t.StartsWith('(') && t.EndsWith(')')));
        Assert.Contains(centre, texts);
        // The page's worst-case drop is robustness.json's too.
        Assert.Contains($"({worst.Where})", await page.Locator("#robustness-worst").InnerTextAsync());
        await heatmap.ScreenshotAsync(new LocatorScreenshotOptions { Path = Browser.Screenshot("robustness-channel-grid.png") });
    }

    [Fact]
    public void The_channel_grid_of_a_grayscale_study_is_refused_with_exit_2_naming_the_option()
    {
        using var dir = new TempDir();
        var runDir = dir.File("run");
        DirectoryCopy.Copy(studies.Torch.RunDir, runDir);
        var run = NachosProcess.Run(dir.Path, "stress", runDir, "--transforms", "gamma", "--severities", "1", "--channel-grid");
        Assert.Equal(2, run.Code);
        Assert.Contains("--channel-grid: the red × blue channel grid needs an RGB study (image.channels: 3); study tiny has 1 channel", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
        Assert.False(File.Exists(Path.Combine(runDir, "robustness.json")));
    }
}
