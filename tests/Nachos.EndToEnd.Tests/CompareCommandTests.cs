using System.Net;
using Nachos.Host.Dashboard;
using Nachos.Host.Running;
using Nachos.Shared.Comparison;
using Nachos.Shared.Metrics;
using Nachos.Shared.Predictions;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.Tests;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// The real <c>nachos compare</c> over simulated studies finished by the real <c>nachos run</c> on the same data and split
/// plan (and one on another split), its refusals, and the comparison page, rendered and served by a real node.
/// </summary>
[Collection(FinishedStudiesCollection.Name)]
public sealed class CompareCommandTests(FinishedStudies studies, ApiNode node) : IClassFixture<ApiNode>
{
    private IReadOnlyList<FinishedStudy> Three => [studies.Simulated, studies.SimulatedB, studies.SimulatedC];

    [Fact]
    public void Json_holds_each_studys_report_per_fold_the_corrected_t_test_and_DeLong_on_the_pooled_refit_predictions()
    {
        var dirs = Three.Select(s => s.RunDir).ToArray();
        var run = NachosProcess.Run(dirs[0], ["compare", .. dirs, "--format", "json"]);

        Assert.True(run.Code == 0, run.Error);
        var c = StudyComparison.ParseJson(run.Output);
        Assert.Equal("auroc", c.Metric); // the search metric
        Assert.Equal(["sim", "simb", "simc"], c.Studies.Select(s => s.Name));
        Assert.Equal([0, 1, 2], c.Folds);
        // 117 images of 30 patients in 3 outer folds, each tested once and trained on twice: n_test/n_train = 117/234.
        Assert.Equal((117, 234, 0.5), (c.TestSamples, c.TrainSamples, c.TestTrainRatio));
        for (var i = 0; i < 3; i++)
        {
            var report = StudyReport.Read(RunLayout.ReportPath(dirs[i]));
            Assert.Equal(report.Folds.Select(f => f.TestMetrics["auroc"]!.Value), c.Studies[i].PerFold);
            // The pooled AUROC: every refit's test rows of predictions.csv together.
            var rows = report.Folds.SelectMany(f => PredictionsFile.Read(RunLayout.PredictionsPath(RunLayout.TaskDirectory(dirs[i], TaskAddress.Refit(report.StudyId, f.Outer))), TaskKind.Binary)
                .Rows.Where(r => r.Set == "test")).ToList();
            Assert.Equal(117, rows.Count);
            Assert.Equal(Auroc.Compute(rows.Select(r => r.Probabilities[1]).ToArray(), rows.Select(r => r.Labels[0] == 1).ToArray())!.Value, c.Studies[i].Pooled!.Value, 12);
        }
        Assert.Equal(3, c.Pairs.Count);
        foreach (var p in c.Pairs)
        {
            var x = c.Studies.Single(s => s.Name == p.First).PerFold;
            var y = c.Studies.Single(s => s.Name == p.Second).PerFold;
            var d = x.Zip(y, (a, b) => a - b).ToArray();
            var variance = d.Sum(v => (v - d.Average()) * (v - d.Average())) / 2;
            Assert.Equal(d.Average() / Math.Sqrt((1.0 / 3 + 0.5) * variance), p.T!.Value, 9);
            Assert.Equal(2, p.DegreesOfFreedom);
            Assert.InRange(p.P!.Value, 0, 1);
            Assert.True(p.PHolm >= p.P);
            Assert.Equal(("delong", 117), (p.Pooled!.Test, p.Pooled.Count));
            Assert.InRange(p.Pooled.P!.Value, 0, 1);
        }
        Assert.NotNull(c.Ranks!.ChiSquare);
        Assert.Equal(6.0, c.Studies.Sum(s => s.AverageRank!.Value), 9); // ranks 1..3 averaged over the folds
        Assert.Equal(2.343701 * Math.Sqrt(3 * 4 / (6.0 * 3)), c.Ranks.CriticalDifference!.Value, 9);
    }

    [Fact]
    public void Two_segmentation_studies_are_compared_by_wilcoxon_over_the_refits_per_image_dice()
    {
        var dirs = new[] { studies.SegmentationTwoTrials.RunDir, studies.SegmentationOtherSearch.RunDir };
        var run = NachosProcess.Run(dirs[0], ["compare", .. dirs, "--format", "json"]);

        Assert.True(run.Code == 0, run.Error);
        var c = StudyComparison.ParseJson(run.Output);
        Assert.Equal(("dice", "wilcoxon"), (c.Metric, c.PooledTest));
        Assert.Null(c.Ranks);
        var dice = new List<Dictionary<string, string>>();
        for (var i = 0; i < 2; i++)
        {
            var report = StudyReport.Read(RunLayout.ReportPath(dirs[i]));
            Assert.Equal(report.Folds.Select(f => f.TestMetrics["dice"]!.Value), c.Studies[i].PerFold);
            dice.Add(report.Folds.SelectMany(f => PredictionsFile.Read(RunLayout.PredictionsPath(RunLayout.TaskDirectory(dirs[i], TaskAddress.Refit(report.StudyId, f.Outer))), TaskKind.Segmentation)
                .Rows.Where(r => r.Set == "test")).ToDictionary(r => r.SampleId, r => r.Extra!["dice"]));
        }
        var both = dice[0].Keys.Where(id => dice[0][id] != "" && dice[1][id] != "").ToList();
        var pair = Assert.Single(c.Pairs);
        Assert.Equal(both.Count, pair.Pooled!.Count);
        Assert.Equal(both.Average(id => double.Parse(dice[0][id], System.Globalization.CultureInfo.InvariantCulture)), pair.Pooled.First!.Value, 12);
        Assert.True(pair.Pooled.P is not null || pair.Pooled.Note is not null);
    }

    [Fact]
    public void The_table_names_the_tests_and_the_ratio_and_the_plot_and_page_are_written_as_asked()
    {
        var dirs = Three.Select(s => s.RunDir).ToArray();
        using var dir = new TempDir();
        var table = NachosProcess.Run(dir.Path, ["compare", .. dirs, "--plot", dir.File("cd.png")]);

        Assert.True(table.Code == 0, table.Error);
        foreach (var text in new[] { "sim", "simb", "simc", "fold 2", "Nadeau–Bengio", "n_test/n_train = 117/234 = 0.5", "DeLong", "Friedman", "Nemenyi critical difference" })
            Assert.Contains(text, table.Output);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(dir.File("cd.png")).Take(4));

        var svg = NachosProcess.Run(dir.Path, ["compare", .. dirs, "--plot", dir.File("cd.svg"), "--format", "csv", "--out", dir.File("pairs.csv")]);
        Assert.True(svg.Code == 0, svg.Error);
        Assert.Contains("<svg", File.ReadAllText(dir.File("cd.svg")));
        var csv = File.ReadAllLines(dir.File("pairs.csv"));
        Assert.Equal(string.Join(",", StudyComparison.CsvColumns), csv[0]);
        Assert.Equal(["sim,simb", "sim,simc", "simb,simc"], csv.Skip(1).Select(l => string.Join(",", l.Split(',').Take(2))));

        var html = NachosProcess.Run(dir.Path, ["compare", .. dirs, "--format", "html", "--out", dir.File("compare.html")]);
        Assert.True(html.Code == 0, html.Error);
        var page = File.ReadAllText(dir.File("compare.html"));
        Assert.Contains("<svg id=\"critical-difference-plot\"", page);
        Assert.DoesNotContain("href=\"/studies", page); // an exported file links nowhere outside it

        // Two studies: no ranks, so no plot to draw.
        var two = NachosProcess.Run(dir.Path, "compare", dirs[0], dirs[1], "--plot", dir.File("two.png"));
        Assert.Equal(2, two.Code);
        Assert.Contains("three or more studies", two.Error);
    }

    [Fact]
    public void Studies_on_another_split_a_missing_or_unfinished_run_directory_and_an_unknown_metric_are_refused_in_one_line()
    {
        using var dir = new TempDir();
        var sim = studies.Simulated.RunDir;
        (int Code, string Output, string Error) Compare(params string[] args) => NachosProcess.Run(dir.Path, ["compare", .. args]);
        void Refused((int Code, string Output, string Error) run, string expected)
        {
            Assert.Equal(2, run.Code);
            var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(expected, line);
            Assert.DoesNotContain("   at ", run.Error);
        }

        Refused(Compare(sim, studies.SimulatedOtherSeed.RunDir), "not the same split plan (seed 5 vs 6)");
        Refused(Compare(sim, dir.File("nowhere")), $"{dir.File("nowhere")}: no such run directory");
        Refused(Compare(sim), "at least 2 run directories");
        Refused(Compare(sim, sim), "the same run directory given twice");
        Refused(Compare(sim, studies.SimulatedB.RunDir, "--metric", "dice"), "--metric dice: not a test metric of study 'sim'");

        // A study that has not finished: its spec and split plan, no report yet.
        var unfinished = Directory.CreateDirectory(dir.File("unfinished")).FullName;
        foreach (var file in new[] { RunLayout.Spec, RunLayout.SpecSource, RunLayout.Splits })
            File.Copy(Path.Combine(studies.SimulatedB.RunDir, file), Path.Combine(unfinished, file));
        Refused(Compare(sim, unfinished), $"{RunLayout.ReportPath(unfinished)}: missing; the study 'simb' has not finished");

        // A refit's predictions gone: named.
        var copy = dir.File("copy");
        DirectoryCopy.Copy(studies.SimulatedB.RunDir, copy);
        var predictions = RunLayout.PredictionsPath(RunLayout.TaskDirectory(copy, TaskAddress.Refit("simb", 1)));
        File.Delete(predictions);
        Refused(Compare(sim, copy), $"{predictions}: missing (outer fold 1's refit test predictions)");
    }

    [Fact]
    public async Task The_comparison_page_shows_the_json_figures_and_is_served_at_compare_for_the_catalogs_studies()
    {
        var dirs = Three.Select(s => s.RunDir).ToList();
        var comparison = ComparedStudies.Compare(dirs, null);
        var html = ComparisonPages.Page(comparison, name => $"/studies/{name}");
        foreach (var s in comparison.Studies)
        {
            Assert.Contains($"<a href=\"/studies/{s.Name}\">{s.Name}</a>", html);
            Assert.Contains($"data-metric=\"mean\" data-value=\"{CellText.Exact(s.Mean)}\"", html);
            Assert.Contains($"data-metric=\"rank\" data-value=\"{CellText.Exact(s.AverageRank)}\"", html);
        }
        foreach (var p in comparison.Pairs)
        {
            var row = System.Text.RegularExpressions.Regex.Match(html, $"<tr data-pair=\"{p.First}\\|{p.Second}\">.*?</tr>").Value;
            Assert.Contains($"data-metric=\"p\" data-value=\"{CellText.Exact(p.P)}\"", row);
            Assert.Contains($"data-metric=\"pooled_p_holm\" data-value=\"{CellText.Exact(p.Pooled!.PHolm)}\"", row);
        }
        Assert.Contains($"id=\"critical-difference\" data-value=\"{CellText.Exact(comparison.Ranks!.CriticalDifference)}\"", html);
        Assert.Contains("<svg id=\"critical-difference-plot\"", html);

        // Served: the finished studies placed in the node's campaign directory, where its catalog finds them.
        var served = Path.Combine(node.Root, "studies");
        Directory.CreateDirectory(served);
        foreach (var (name, runDir) in new[] { ("sim", dirs[0]), ("simb", dirs[1]), ("simc", dirs[2]) })
            if (!Directory.Exists(Path.Combine(served, name))) Directory.CreateSymbolicLink(Path.Combine(served, name), runDir);
        var response = await node.Http.GetAsync("compare?studies=sim,simb,simc");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("<a href=\"/studies/simb\">simb</a>", page);
        Assert.Contains($"data-metric=\"p\" data-value=\"{CellText.Exact(comparison.Pairs[0].P)}\"", page);
        Assert.Contains("<svg id=\"critical-difference-plot\"", page);

        Assert.Equal(HttpStatusCode.NotFound, (await node.Http.GetAsync("compare?studies=sim,nosuch")).StatusCode);
        var one = await node.Http.GetAsync("compare?studies=sim");
        Assert.Equal(HttpStatusCode.BadRequest, one.StatusCode);
        Assert.Contains("at least two study ids", await one.Content.ReadAsStringAsync());
    }

}
